"""The draft thread-safe socket types: CLIENT, SERVER, PEER, SCATTER, GATHER, CHANNEL
(RFC 41, 49, 51, 52; docs/protocol/patterns.md §7; RADIO/DISH are in ``radiodish.py``).

All of them carry single-frame messages only: a multipart message that arrives is dropped
whole (libzmq ``client_t::xrecv`` and friends read past every frame of it), and the front-end
refuses SNDMORE with EINVAL before a message reaches a pattern.

Routing ids (SERVER, PEER) are libzmq's: a non-zero uint32 counter from a random start, one per
attached pipe, never sent on the wire. The pattern interface stays "whole messages as lists of
bytes": SERVER/PEER take ``[routing_id, body]`` to send and give ``[routing_id, body]`` when
receiving, the id as 4 bytes big-endian (``pack_routing_id``); the front-ends turn that
envelope into ``Frame.routing_id`` and ``send(..., routing_id=)``.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
from typing import ClassVar

from ..constants import Errno, SocketType
from ..error import ZMQError
from .base import Pattern, PatternOptions
from .pipe import Message, Pipe
from .pipeline import Push
from .strategies import FairQueue, LoadBalancer


def pack_routing_id(routing_id: int) -> bytes:
    """A SERVER/PEER routing id as the 4-byte first part of the pattern's envelope."""
    return routing_id.to_bytes(4, "big")


def unpack_routing_id(data: bytes) -> int:
    return int.from_bytes(data, "big")


class _SingleFrameIn(Pattern):
    """Fair-queued receiving that drops every multipart message (docs/protocol/patterns.md §1.4).

    ``can_recv`` has to read past dropped messages to answer truthfully; the message it finds
    is kept in ``_pending`` and handed out first.
    """

    __slots__ = ("_fq", "_pending")

    #: Whether ``recv_batch`` may take a run from one pipe at once (False when ``_envelope``
    #: needs each message's own pipe).
    _batches: ClassVar[bool] = True

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._pending: Message | None = None

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def _envelope(self, msg: Message) -> Message:
        """What ``recv`` gives for a single-frame ``msg`` just read (``_fq.last_in`` is its
        pipe)."""
        return msg

    def _next(self) -> Message | None:
        msg = self._pending
        if msg is not None:
            self._pending = None
            return msg
        read = self._fq.read
        while True:
            msg = read()
            if msg is None:
                return None
            if len(msg) == 1:
                return self._envelope(msg)
            self.stats_dropped += 1

    def recv(self) -> Message | None:
        msg = self._next()
        if msg is not None:
            self.stats_in += 1
        return msg

    def recv_batch(self, limit: int) -> list[Message]:
        if self._pending is not None or not self._batches:
            msg = self.recv()
            return [] if msg is None else [msg]
        batch = self._fq.read_batch(limit)
        kept = [msg for msg in batch if len(msg) == 1]
        self.stats_dropped += len(batch) - len(kept)
        self.stats_in += len(kept)
        return kept

    def can_recv(self) -> bool:
        if self._pending is None:
            self._pending = self._next()
        return self._pending is not None


class Client(_SingleFrameIn):
    """CLIENT: round-robin out (blocks when mute), fair-queue in (RFC 41)."""

    __slots__ = ("_lb",)

    socket_type = SocketType.CLIENT

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._lb = LoadBalancer()

    def attach(self, pipe: Pipe) -> bool:
        self._fq.attach(pipe)
        self._lb.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)
        self._lb.detach(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        self._lb.activated(pipe)

    def send(self, msg: Message) -> bool:
        if self._lb.send(msg):
            self.stats_out += 1
            return True
        return False

    def can_send(self) -> bool:
        return self._lb.has_out()


class Server(_SingleFrameIn):
    """SERVER: each peer known by a generated uint32 routing id (RFC 41, libzmq ``server_t``).

    ``send([routing_id, body])``: an unknown id raises EHOSTUNREACH; a full pipe is mute
    (the caller blocks or gets EAGAIN, never a drop). ``recv()`` gives ``[routing_id, body]``.
    """

    __slots__ = ("_by_id", "_next_id", "last_attached_id")

    socket_type = SocketType.SERVER
    _batches = False

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._by_id: dict[int, Pipe] = {}
        self._next_id = self._rng.getrandbits(32)
        #: The routing id given to the pipe attached last (``connect_peer`` answers it).
        self.last_attached_id = 0

    def _generate(self) -> int:
        rid = self._next_id
        if rid == 0:  # never 0: 0 means "no routing id" (zmq_msg_routing_id)
            rid = 1
        self._next_id = (rid + 1) & 0xFFFFFFFF
        return rid

    def attach(self, pipe: Pipe) -> bool:
        rid = self._generate()
        pipe.routing_id = pack_routing_id(rid)
        self._by_id[rid] = pipe
        self._fq.attach(pipe)
        self.last_attached_id = rid
        return True

    def detach(self, pipe: Pipe) -> None:
        rid = unpack_routing_id(pipe.routing_id) if len(pipe.routing_id) == 4 else 0
        if self._by_id.get(rid) is pipe:
            del self._by_id[rid]
        self._fq.detach(pipe)

    def send(self, msg: Message) -> bool:
        if len(msg) != 2 or len(msg[0]) != 4:
            raise ZMQError(Errno.EINVAL, f"{self.socket_type.name} sends [routing_id, body]")
        rid = unpack_routing_id(msg[0])
        pipe = self._by_id.get(rid)
        if pipe is None:
            raise ZMQError(
                Errno.EHOSTUNREACH,
                f"{self.socket_type.name} socket: no peer with routing id {rid}",
            )
        if not pipe.write([msg[1]]):
            return False
        self.stats_out += 1
        return True

    def _envelope(self, msg: Message) -> Message:
        pipe = self._fq.last_in
        assert pipe is not None
        return [pipe.routing_id, msg[0]]

    def can_send(self) -> bool:
        # libzmq ``server_t::xhas_out``: always (the id decides at send time).
        return True


class Peer(Server):
    """PEER: SERVER's routing on both sides; ``connect_peer`` reads ``last_attached_id``
    (RFC 51, libzmq ``peer_t``)."""

    __slots__ = ()

    socket_type = SocketType.PEER


class Scatter(Push):
    """SCATTER: thread-safe PUSH, single-frame (RFC 49). Routing is PUSH's; the single-frame
    rule and the lock are the front-end's."""

    __slots__ = ()

    socket_type = SocketType.SCATTER


class Gather(_SingleFrameIn):
    """GATHER: thread-safe PULL, single-frame (RFC 49)."""

    __slots__ = ()

    socket_type = SocketType.GATHER

    def attach(self, pipe: Pipe) -> bool:
        self._fq.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)


class Channel(_SingleFrameIn):
    """CHANNEL: thread-safe PAIR, single-frame; a second peer is refused (RFC 52)."""

    __slots__ = ("_pipe",)

    socket_type = SocketType.CHANNEL

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._pipe: Pipe | None = None

    def attach(self, pipe: Pipe) -> bool:
        if self._pipe is not None:
            return False
        self._pipe = pipe
        self._fq.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        if pipe is self._pipe:
            self._pipe = None
        self._fq.detach(pipe)

    def send(self, msg: Message) -> bool:
        pipe = self._pipe
        if pipe is None or not pipe.write(msg):
            return False
        self.stats_out += 1
        return True

    def can_send(self) -> bool:
        pipe = self._pipe
        return pipe is not None and pipe.check_write()


__all__ = [
    "Channel",
    "Client",
    "Gather",
    "Peer",
    "Scatter",
    "Server",
    "pack_routing_id",
    "unpack_routing_id",
]
