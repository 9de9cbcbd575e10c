"""PUSH and PULL (RFC 30, docs/protocol/patterns.md §5).

PUSH load-balances over the pipes that have room and never drops: when all are full (or none
exist) it is mute and the caller blocks. PULL fair-queues.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..constants import SocketType
from .base import Pattern, PatternOptions, PatternStatistics
from .pipe import Message, Pipe
from .strategies import FairQueue, LoadBalancer


class Push(Pattern):
    """PUSH: round-robin out (lb), send-only."""

    __slots__ = ("_lb",)

    socket_type = SocketType.PUSH
    one_frame_tuples = True

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._lb = LoadBalancer()

    def attach(self, pipe: Pipe) -> bool:
        self._lb.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._lb.detach(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        self._lb.activated(pipe)

    def send(self, msg: Message) -> bool:
        return self._lb.send(msg)

    def sender(self) -> Callable[[Message], bool]:
        # Load balancing is all a PUSH does when sending: the balancer's own method, one
        # call less per message; it counts what it accepted (``statistics``).
        return self._lb.send

    def statistics(self) -> PatternStatistics:
        return PatternStatistics(self._lb.sent, self.stats_in, self.stats_dropped)

    def can_send(self) -> bool:
        return self._lb.has_out()


class Pull(Pattern):
    """PULL: fair-queue in, receive-only."""

    __slots__ = ("_fq",)

    socket_type = SocketType.PULL

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def attach(self, pipe: Pipe) -> bool:
        self._fq.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def recv(self) -> Message | None:
        msg = self._fq.read()
        if msg is not None:
            self.stats_in += 1
        return msg

    def recv_batch(self, limit: int) -> list[Message]:
        batch = self._fq.read_batch(limit)
        self.stats_in += len(batch)
        return batch

    def can_recv(self) -> bool:
        return self._fq.has_in()


__all__ = ["Pull", "Push"]
