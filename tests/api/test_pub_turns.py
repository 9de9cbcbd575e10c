"""A PUB never blocks: it drops for a subscriber whose queue is full. The engine that drains the
queues needs a turn, though (the GIL for the sync API's I/O thread, the loop for the asyncio
API), so a send during which a subscriber's queue filled up gives it one. Only then: not for
every message dropped while the queue stays full, and never while nothing is dropped. (The
asyncio API's turn: ``test_asyncio_fanout.py``.)
"""

from __future__ import annotations

from typing import Any

import pytest

import purezmq
import purezmq.sync.socket as sync_socket

from .conftest import subscribed


def _stats(sock: Any) -> tuple[int, int]:
    pattern = sock._core.pattern
    return pattern.stats_filled, pattern.statistics().messages_dropped


def test_sync_pub_releases_the_gil_once_per_queue_that_fills(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(sync_socket, "_sleep", sleeps.append)
    ctx = purezmq.Context()
    pub = ctx.socket(purezmq.PUB)
    sub = ctx.socket(purezmq.SUB)
    try:
        pub.sndhwm = sub.rcvhwm = 10
        pub.bind("inproc://turns")
        sub.connect("inproc://turns")
        sub.subscribe(b"")
        subscribed(pub, sub)
        filled, dropped = _stats(pub)
        sleeps.clear()
        for _ in range(200):  # the SUB reads nothing meanwhile
            pub.send(b"x")
        pub.send_multipart([b"x", b"y"])
        filled_now, dropped_now = _stats(pub)
        assert filled_now == filled + 1
        assert dropped_now - dropped > 150
        assert sleeps == [0]
        # Drained below the low-water mark, the queue fills again: one more turn.
        while sub.poll(0):
            sub.recv()
        for _ in range(200):
            pub.send(b"x")
        assert _stats(pub)[0] == filled + 2
        assert sleeps == [0, 0]
    finally:
        pub.close(linger=0)
        sub.close(linger=0)
        ctx.term()


def test_sync_pub_without_drops_never_yields(monkeypatch: pytest.MonkeyPatch) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(sync_socket, "_sleep", sleeps.append)
    ctx = purezmq.Context()
    pub = ctx.socket(purezmq.PUB)
    try:
        pub.bind("inproc://no-subscribers")
        for _ in range(100):
            pub.send(b"x")
        assert sleeps == []
        assert _stats(pub) == (0, 0)
    finally:
        pub.close(linger=0)
        ctx.term()
