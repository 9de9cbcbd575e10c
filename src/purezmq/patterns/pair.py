"""PAIR: one peer, both directions (RFC 31, docs/protocol/patterns.md §6).

Owns the single-peer rule: a second pipe is refused while one is attached, so the engine closes
that connection (libzmq ``pair_t::xattach_pipe`` terminates it).

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random

from ..constants import SocketType
from .base import Pattern, PatternOptions
from .pipe import Message, Pipe
from .strategies import FairQueue


class Pair(Pattern):
    """PAIR routing: to and from the one attached pipe; mute (block) without a peer."""

    __slots__ = ("_fq", "_pipe")

    socket_type = SocketType.PAIR
    one_frame_tuples = True

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._pipe: Pipe | None = None
        # A fair queue of one: it keeps a detached pipe readable until drained (§1.3).
        self._fq = FairQueue()

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

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

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def send(self, msg: Message) -> bool:
        pipe = self._pipe
        if pipe is None or not pipe.write(msg):
            return False
        self.stats_out += 1
        return True

    def recv(self) -> Message | None:
        msg = self._fq.read()
        if msg is not None:
            self.stats_in += 1
        return msg

    def recv_batch(self, limit: int) -> list[Message]:
        batch = self._fq.read_batch(limit)
        self.stats_in += len(batch)
        return batch

    def can_send(self) -> bool:
        pipe = self._pipe
        return pipe is not None and pipe.check_write()

    def can_recv(self) -> bool:
        return self._fq.has_in()


__all__ = ["Pair"]
