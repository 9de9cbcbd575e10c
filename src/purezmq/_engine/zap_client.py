"""The ZAP client of one connection (RFC 27): its request goes to the handler bound at
``inproc://zeromq.zap.01`` over a pipe of its own (libzmq: one ZAP pipe per session), and
the reply comes back on it (contracts.md, "Mechanisms and ZAP"; docs/protocol/zap.md).

The handler sees a DEALER-like client, as libzmq's ``zap_client_t`` talks REQ-style over a
DEALER-shaped pipe. Thread affinity: made and read on the I/O loop; the reply callback runs on
the handler's thread and must hop to the loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ..constants import SocketType
from ..patterns.pipe import Pipe, pipe_pair
from .network_side import ZapHandler


def _ignore(pipe: Pipe) -> None:
    """Reply callback of a round trip that is over."""


class ZapClient:
    """One request/reply round trip with the ZAP handler."""

    __slots__ = ("_handler", "_ours")

    def __init__(
        self, handler: ZapHandler, request: list[bytes], on_reply: Callable[[Pipe], None]
    ) -> None:
        """Send ``request`` to ``handler``; ``on_reply`` is called (on the handler's thread)
        when the reply may be there, if ``reply()`` found none yet."""
        ours, theirs = pipe_pair(0, 0)
        theirs.peer_type = int(SocketType.DEALER)
        theirs.metadata = {"Socket-Type": b"DEALER"}
        ours.on_read_activated = on_reply
        ours.write(request)
        self._ours = ours
        self._handler = handler
        handler.attach_foreign(theirs)

    def reply(self) -> list[bytes] | None:
        """The handler's reply, or None while there is none (we then sleep as reader)."""
        return cast("list[bytes] | None", self._ours.read())

    def end(self) -> None:
        """Close our end; the handler's pattern detaches its end."""
        ours = self._ours
        ours.on_read_activated = _ignore
        ours.close()
        self._handler.release_foreign(ours.peer)


__all__ = ["ZapClient"]
