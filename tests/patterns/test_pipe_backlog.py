"""A writer far ahead of its reader runs its ``on_backlog`` hook once per ``BACKLOG_STEP``
messages past the backlog mark; HWM keeps working as before.

The engine sets the hook on the pipes of thread-owned (sync) sockets so that a sender that
never blocks (PUSH or PUB under a large SNDHWM) lets the I/O thread drain its queues.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq.patterns.pipe import BACKLOG_STEP, pipe_pair
from purezmq.patterns.strategies import LoadBalancer

MARK = 2 * BACKLOG_STEP


def test_write_runs_the_hook_once_per_step_past_the_mark() -> None:
    a, b = pipe_pair(0, 0)
    calls: list[int] = []
    a.set_backlog(MARK, lambda: calls.append(a.write_pending()))
    for i in range(MARK + 3 * BACKLOG_STEP + 10):
        assert a.write([b"%d" % i])
    assert calls == [MARK, MARK + BACKLOG_STEP, MARK + 2 * BACKLOG_STEP, MARK + 3 * BACKLOG_STEP]
    # A reader that catches up stops it: below the mark, writes run no hook.
    b.read_many(a.write_pending())
    for _ in range(MARK):
        a.write([b"x"])
    assert len(calls) == 4
    a.write([b"x"])
    assert len(calls) == 5


def test_load_balancer_writes_reach_the_hook() -> None:
    a, _ = pipe_pair(0, 0)
    calls: list[int] = []
    a.set_backlog(MARK, lambda: calls.append(a.write_pending()))
    lb = LoadBalancer()
    lb.attach(a)
    for _ in range(MARK + BACKLOG_STEP + 1):
        assert lb.send([b"x"])
    assert calls == [MARK, MARK + BACKLOG_STEP]


@pytest.mark.parametrize("hwm", [10, MARK + 5])
def test_hwm_still_stops_the_writer(hwm: int) -> None:
    a, b = pipe_pair(hwm, 0)
    calls: list[int] = []
    a.set_backlog(MARK, lambda: calls.append(a.write_pending()))
    written = 0
    while a.write([b"x"]):
        written += 1
    assert written == hwm
    assert calls == ([MARK] if hwm > MARK else [])
    a.set_hwms(hwm * 2, 0)  # SNDHWM raised later: room again
    assert a.write([b"x"])
    assert b.read() == [b"x"]


def test_turning_the_hook_off() -> None:
    a, _ = pipe_pair(0, 0)
    calls: list[int] = []
    a.set_backlog(MARK, lambda: calls.append(1))
    a.set_backlog(0, None)
    for _ in range(MARK + 1):
        a.write([b"x"])
    assert calls == []


def test_sync_sockets_let_the_reader_run_and_asyncio_sockets_do_not() -> None:
    with purezmq.Context() as ctx:
        push = ctx.socket(purezmq.PUSH)
        push.linger = 0
        push.connect("tcp://127.0.0.1:1")  # the session pipe exists before any connection
        (pipe,) = push._core._pipes
        assert pipe.on_backlog is not None
        push.close()

    async def asyncio_pipes() -> list[Any]:
        actx = purezmq.asyncio.Context()
        apush = actx.socket(purezmq.PUSH)
        apush.linger = 0
        apush.connect("tcp://127.0.0.1:1")
        pipes = list(apush._core._pipes)
        apush.close()
        actx.term()
        return pipes

    (apipe,) = asyncio.run(asyncio_pipes())
    assert apipe.on_backlog is None


@pytest.mark.parametrize(
    ("socket_type", "sndhwm", "first_at"),
    [
        (purezmq.PUB, 100, 75),
        (purezmq.XPUB, 8, 6),
        (purezmq.PUB, 0, None),
        (purezmq.PUSH, 100, None),
    ],
)
def test_a_sync_publisher_lets_the_reader_run_before_a_queue_fills(
    monkeypatch: pytest.MonkeyPatch, socket_type: int, sndhwm: int, first_at: int | None
) -> None:
    # PUB drops at SNDHWM: the I/O thread that drains its subscribers' queues gets its turn at
    # 3/4 of it, before anything is dropped for want of the GIL. Other types: the usual mark.
    from purezmq._engine import socket_core

    calls: list[int] = []
    monkeypatch.setattr(socket_core, "_let_the_reader_run", lambda: calls.append(1))
    queued_before: list[int] = []
    with purezmq.Context() as ctx, ctx.socket(socket_type) as sock:
        sock.linger = 0
        sock.sndhwm = sndhwm
        sock.connect("tcp://127.0.0.1:1")
        (pipe,) = sock._core._pipes
        for i in range(sndhwm or socket_core._BACKLOG_MARK + 1):
            before = len(calls)
            assert pipe.write([b"%d" % i])
            if len(calls) > before:
                queued_before.append(i)  # this write found i messages queued
    if first_at is not None:
        assert queued_before == [first_at]
    elif sndhwm == 0:
        assert queued_before == [socket_core._BACKLOG_MARK]
    else:
        assert queued_before == []
