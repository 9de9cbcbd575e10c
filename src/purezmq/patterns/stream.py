"""STREAM: the routing half of raw-TCP sockets (docs/protocol/patterns.md §3.6).

Pipe format (docs/contracts.md §STREAM): each pipe carries one-frame messages. Inbound
``[data]`` is bytes as read from the connection; outbound ``[data]`` is bytes to write, and the
empty message ``[b""]`` asks the engine to close the connection once everything before it is
written (libzmq terminates the pipe on a zero-length send). The pattern adds and strips the
routing id and generates the ``[id, b""]`` connect/disconnect notifications (STREAM_NOTIFY),
the disconnect one only after the peer's last data has been read.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
from collections import deque

from ..constants import Errno, SocketType
from ..error import ZMQError
from .base import Pattern, PatternOptions, RoutingIds
from .pipe import Message, Pipe
from .strategies import FairQueue

#: What the pattern writes into a pipe to ask the engine to close that connection.
CLOSE_REQUEST: Message = [b""]


class Stream(Pattern):
    """STREAM: ``[id, data]`` both ways, generated 5-byte ids, EAGAIN when a peer is full."""

    __slots__ = ("_fq", "_ids", "_notices", "_out")

    socket_type = SocketType.STREAM

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._fq.on_drained = self._drained
        self._out: dict[bytes, Pipe] = {}
        self._ids = RoutingIds(self._rng)
        #: Connect/disconnect notifications, delivered before pipe data.
        self._notices: deque[Message] = deque()

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def attach(self, pipe: Pipe) -> bool:
        out = self._out
        rid = pipe.routing_id
        if not rid or rid in out:
            # The engine presets an id only for CONNECT_ROUTING_ID; otherwise generate one.
            rid = self._ids.generate()
            while rid in out:
                rid = self._ids.generate()
            pipe.routing_id = rid
        out[rid] = pipe
        self._fq.attach(pipe)
        if self.options.stream_notify:
            self._notices.append([rid, b""])
        return True

    def detach(self, pipe: Pipe) -> None:
        if pipe not in self._fq:
            return
        out = self._out
        if out.get(pipe.routing_id) is pipe:
            del out[pipe.routing_id]
        # The disconnect notice follows the peer's last data: see ``_drained``.
        self._fq.detach(pipe)

    def _drained(self, pipe: Pipe) -> None:
        if self.options.stream_notify:
            self._notices.append([pipe.routing_id, b""])

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def send(self, msg: Message) -> bool:
        if len(msg) < 2:
            raise ZMQError(
                Errno.EINVAL,
                "STREAM messages are [routing_id, data]; send the id frame with SNDMORE",
            )
        rid = msg[0]
        pipe = self._out.get(rid)
        if pipe is None:
            raise ZMQError(
                Errno.EHOSTUNREACH, f"STREAM has no connection with routing id {rid!r}"
            )
        data = msg[1] if len(msg) == 2 else b"".join(msg[1:])
        if not data:
            # §3.6: an empty send closes the connection; the id is unusable from now on.
            if not pipe.write(list(CLOSE_REQUEST)):
                return False
            del self._out[rid]
            return True
        if not pipe.write([data]):
            return False
        self.stats_out += 1
        return True

    def recv(self) -> Message | None:
        notices = self._notices
        if notices:
            return notices.popleft()
        fq = self._fq
        msg = fq.read()
        if msg is None:
            if notices:  # a drained pipe just produced its disconnect notice
                return notices.popleft()
            return None
        pipe = fq.last_in
        assert pipe is not None
        self.stats_in += 1
        return [pipe.routing_id, *msg]

    def can_send(self) -> bool:
        return True

    def can_recv(self) -> bool:
        if self._notices:
            return True
        # has_in may forget a drained pipe, which queues its disconnect notice.
        return self._fq.has_in() or bool(self._notices)


__all__ = ["CLOSE_REQUEST", "Stream"]
