"""What ``proxy_steerable`` does with its control socket and its counters, sans I/O: shared by
the blocking proxy (``_proxy.py``) and the asyncio one (``asyncio/proxy.py``).

As libzmq 4.3.5 (``zmq_proxy_steerable``):

* a command is one frame: ``PAUSE`` stops forwarding (messages wait in the sockets' queues),
  ``RESUME`` restarts it, ``TERMINATE`` makes the proxy return, ``STATISTICS`` is answered
  with eight frames of native-endian uint64; anything else is ignored;
* every command but ``STATISTICS`` is answered with one empty frame, so that a REP (or a
  REQ-like PAIR/DEALER peer) can wait for it. libzmq 4.3.5 tries this reply on every control
  socket and fails with ENOTSUP on one that cannot send (SUB); here such a socket (SUB, XSUB,
  PULL, DISH, GATHER) gets no reply, not even to STATISTICS, and the proxy goes on;
* PAUSE holds the messages until RESUME, as zmq_proxy_steerable(3) says (libzmq 4.3.5 itself
  answers PAUSE but goes on forwarding);
* the statistics count message *parts* and their bytes, per socket and direction: frontend
  parts received, bytes received, parts sent, bytes sent, then the same for the backend.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from .constants import PollEvent, SocketType

_U64 = struct.Struct("=Q")

#: Control sockets that cannot send: no reply to the commands.
_RECEIVE_ONLY = frozenset(
    int(t)
    for t in (SocketType.SUB, SocketType.XSUB, SocketType.PULL, SocketType.DISH, SocketType.GATHER)
)


def watch_lists(
    poller: Callable[[], Any], frontend: Any, backend: Any, control: Any
) -> tuple[Any, Any]:
    """The two pollers a proxy waits on: everything while forwarding, and the control socket
    alone while paused (libzmq polls only ``control`` in its paused state, so queues fill up
    behind)."""
    active = poller()
    active.register(frontend, PollEvent.POLLIN)
    if backend is not frontend:
        active.register(backend, PollEvent.POLLIN)
    idle = poller()
    if control is not None:
        active.register(control, PollEvent.POLLIN)
        idle.register(control, PollEvent.POLLIN)
    return active, idle


class Counters:
    """One socket's counters (libzmq's ``stats_endpoint``)."""

    __slots__ = ("bytes_in", "bytes_out", "parts_in", "parts_out")

    def __init__(self) -> None:
        self.parts_in = 0
        self.bytes_in = 0
        self.parts_out = 0
        self.bytes_out = 0

    def frames(self) -> list[bytes]:
        values = (self.parts_in, self.bytes_in, self.parts_out, self.bytes_out)
        return [_U64.pack(v) for v in values]


class Steering:
    """The proxy's state: paused or not, terminated or not, and the counters."""

    __slots__ = ("backend", "frontend", "paused", "terminated")

    def __init__(self) -> None:
        self.frontend = Counters()
        self.backend = Counters()
        self.paused = False
        self.terminated = False

    def forwarded(self, msg: list[bytes], src: Counters, dst: Counters) -> None:
        """Count one message moved from ``src``'s socket to ``dst``'s."""
        size = sum(len(f) for f in msg)
        src.parts_in += len(msg)
        src.bytes_in += size
        dst.parts_out += len(msg)
        dst.bytes_out += size

    def command(self, msg: list[bytes], control_type: int) -> list[bytes] | None:
        """Apply one control message; the reply to send on the control socket, if any."""
        word = bytes(msg[0]) if msg else b""
        can_reply = int(control_type) not in _RECEIVE_ONLY
        if word == b"STATISTICS":
            return self.frontend.frames() + self.backend.frames() if can_reply else None
        if word == b"PAUSE":
            self.paused = True
        elif word == b"RESUME":
            self.paused = False
        elif word == b"TERMINATE":
            self.terminated = True
        return [b""] if can_reply else None


def statistics(reply: list[bytes]) -> tuple[int, ...]:
    """The eight numbers of a ``STATISTICS`` reply."""
    return tuple(_U64.unpack(bytes(f))[0] for f in reply)


__all__ = ["Counters", "Steering", "statistics"]
