"""The asyncio socket of the draft types (CLIENT, SERVER, RADIO, DISH, SCATTER, GATHER, PEER,
CHANNEL): single-frame messages with a routing id (SERVER/PEER) or a group (RADIO/DISH).

``purezmq.asyncio.Socket(ctx, zmq.SERVER)`` builds a ``DraftSocket``. It adds only the
envelope: the pattern takes and gives ``[routing_id, body]`` / ``[group, body]``
(``patterns.threadsafe``, ``patterns.radiodish``), so ``send`` hands the whole envelope to the
ordinary multipart send, and every receive is the asyncio socket's whole-message receive with
the envelope unwrapped when the message is taken; the Futures, their order and the
cancellation rules are the asyncio socket's own. Any number of coroutines
of the socket's loop may use it at once, each message whole.

Layer 4: imports layer 0, the front-ends' base and ``_engine`` only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

from .._base.frame import MessageTracker, track_send
from .._base.serialize import coerce_message, decode_json, decode_pyobj, decode_string
from .._base.socket import SNDMORE
from ..error import ZMQError
from .socket import _WHOLE, Socket


class DraftSocket(Socket):
    """An asyncio socket of a draft type (see the module docstring)."""

    #: ``Socket(ctx, zmq.SERVER)`` makes one of these: it shows as the class asked for.
    _repr_cls = "asyncio.Socket"

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> asyncio.Future[MessageTracker | None]:
        """Send one single-frame message; ``routing_id=`` names a SERVER/PEER's peer,
        ``group=`` a RADIO's group. Errors (EINVAL for SNDMORE, EHOSTUNREACH) are raised by
        awaiting the result."""
        try:
            self._check_closed()
            payload, tracker = track_send(data, copy, track, self.copy_threshold)
            msg = self._draft_message(payload, flags, routing_id, group)
        except (ZMQError, ValueError) as exc:
            return self._failed(exc)
        if tracker is None:
            return Socket.send_multipart(self, msg, flags & ~SNDMORE)
        return self._send_message(msg, flags & ~SNDMORE, tracker)

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker | None]:
        """Only a one-frame message (libzmq refuses a first frame's SNDMORE with EINVAL)."""
        parts = list(msg_parts)
        try:
            self._multipart_for_draft(coerce_message(parts), flags)
        except ZMQError as exc:
            return self._failed(exc)
        return self.send(parts[0], flags, copy=copy, track=track, **kwargs)

    def _draft_recv(
        self, flags: int, copy: bool, post: Callable[[Any], Any] | None = None
    ) -> asyncio.Future[Any]:
        """A receive of one whole message, unwrapped (and then ``post``-processed) at the
        moment it is taken, by the asyncio socket's own receive machinery."""

        def unwrap(msg: list[bytes]) -> Any:
            value = self._draft_received(msg, copy)
            return value if post is None else post(value)

        return self._recv(_WHOLE, flags, True, unwrap)

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> asyncio.Future[Any]:
        """One message: ``bytes``, or a ``Frame`` (``copy=False``) with ``routing_id``
        (SERVER/PEER) or ``group`` (DISH)."""
        return self._draft_recv(flags, copy)

    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """A one-frame list (draft messages are single-frame)."""
        return self._draft_recv(flags, copy, _listed)

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> asyncio.Future[str]:
        return self._draft_recv(flags, True, lambda b: decode_string(b, encoding))

    recv_unicode = recv_string

    def recv_json(self, flags: int = 0, **kwargs: Any) -> asyncio.Future[Any]:
        return self._draft_recv(flags, True, lambda b: decode_json(b, **kwargs))

    def recv_pyobj(self, flags: int = 0) -> asyncio.Future[Any]:
        return self._draft_recv(flags, True, decode_pyobj)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> asyncio.Future[Any]:
        return self._draft_recv(flags, copy, lambda v: deserialize([v]))

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> asyncio.Future[int]:
        """Receive one message into ``buffer``; a Future of its full size (truncated to
        ``nbytes``, or the buffer's size, when larger)."""
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes!r} must be non-negative")
        view = memoryview(buffer).cast("B")
        if view.readonly:
            raise TypeError("recv_into needs a writable buffer")
        limit = len(view) if nbytes == 0 else min(nbytes, len(view))

        def copy_into(body: bytes) -> int:
            n = min(limit, len(body))
            view[:n] = body[:n]
            return len(body)

        return self._draft_recv(flags, True, copy_into)


def _listed(value: Any) -> list[Any]:
    return [value]


__all__ = ["DraftSocket"]
