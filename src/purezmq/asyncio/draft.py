"""The asyncio socket of the draft types (CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER, PEER,
CHANNEL): single-frame messages with a routing id (SERVER/PEER) or a group (RADIO/DISH).

``purezmq.asyncio.Socket(ctx, zmq.SERVER)`` builds a ``DraftSocket``. It adds only the
envelope: the pattern takes and gives ``[routing_id, body]`` / ``[group, body]``
(``patterns.threadsafe``, ``patterns.radiodish``), so ``send`` hands the whole envelope to the
ordinary multipart send and ``recv`` unwraps what the ordinary multipart receive returns; the
waiting, cancellation and ordering rules are the asyncio socket's own. Any number of coroutines
of the socket's loop may use it at once, each message whole.

Layer 4: imports layer 0, the front-ends' base and ``_engine`` only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import Any

from .._base.frame import Frame, MessageTracker
from .._base.serialize import coerce_message
from .._base.socket import SNDMORE
from ..error import ZMQError
from .socket import Socket


def _failed(exc: BaseException) -> asyncio.Future[Any]:
    fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
    fut.set_exception(exc)
    return fut


class DraftSocket(Socket):
    """An asyncio socket of a draft type (see the module docstring)."""

    def send(  # type: ignore[override]
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> Awaitable[MessageTracker | None]:
        """Send one single-frame message; ``routing_id=`` names a SERVER/PEER's peer,
        ``group=`` a RADIO's group. Errors (EINVAL for SNDMORE, EHOSTUNREACH) are raised by
        awaiting the result."""
        try:
            self._check_closed()
            msg = self._draft_message(data, flags, routing_id, group)
        except ZMQError as exc:
            return _failed(exc)
        sent: Awaitable[MessageTracker | None] = Socket.send_multipart(
            self, msg, flags & ~SNDMORE, copy=copy, track=track
        )
        return sent

    def send_multipart(  # type: ignore[override]
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> Awaitable[MessageTracker | None]:
        """Only a one-frame message (libzmq refuses a first frame's SNDMORE with EINVAL)."""
        parts = list(msg_parts)
        try:
            self._multipart_for_draft(coerce_message(parts), flags)
        except ZMQError as exc:
            return _failed(exc)
        return self.send(parts[0], flags, copy=copy, track=track, **kwargs)

    async def _unwrap(self, inner: Awaitable[list[bytes]], copy: bool) -> bytes | Frame:
        return self._draft_received(await inner, copy)

    def recv(  # type: ignore[override]
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """One message: ``bytes``, or a ``Frame`` (``copy=False``) with ``routing_id``
        (SERVER/PEER) or ``group`` (DISH)."""
        inner: Awaitable[list[bytes]] = Socket.recv_multipart(self, flags)
        return asyncio.ensure_future(self._unwrap(inner, copy))

    async def _listed(self, inner: Awaitable[Any]) -> list[Any]:
        return [await inner]

    def recv_multipart(  # type: ignore[override]
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """A one-frame list (draft messages are single-frame)."""
        return asyncio.ensure_future(self._listed(self.recv(flags, copy=copy)))


__all__ = ["DraftSocket"]
