"""SocketCore driven from asyncio (LoopSignal): same-loop and cross-thread exchanges, cancel-safe
receives, term on the loop, a pollable FD."""

from __future__ import annotations

import asyncio
import threading

import pytest

from purezmq._engine import ContextCore, LoopSignal, SocketCore
from purezmq._engine.wakeup import for_loop
from purezmq.constants import SocketOption, SocketType
from purezmq.error import ContextTerminated

from ..kit.engine import TIMEOUT, arecv, asend, recv, send, sync_socket

T = SocketType


def async_socket(ctx: ContextCore, socket_type: int) -> SocketCore:
    return SocketCore(ctx, socket_type, LoopSignal(asyncio.get_running_loop()))


def run(coro_fn: object) -> None:
    asyncio.run(asyncio.wait_for(coro_fn(), TIMEOUT))  # type: ignore[operator]


def test_asyncio_req_rep_same_loop() -> None:
    async def main() -> None:
        ctx = ContextCore.on_loop()
        rep = async_socket(ctx, T.REP)
        rep.bind("inproc://a")
        req = async_socket(ctx, T.REQ)
        req.connect("inproc://a")

        async def server() -> None:
            for _ in range(100):
                await asend(rep, await arecv(rep))

        task = asyncio.create_task(server())
        for i in range(100):
            await asend(req, [b"%d" % i])
            assert await arecv(req) == [b"%d" % i]
        await task
        ctx.destroy(0)

    run(main)


def test_sync_thread_to_asyncio_socket() -> None:
    """A sync socket on another thread wakes an asyncio socket through the loop's Wakeup."""

    async def main() -> None:
        ctx = ContextCore.threaded()
        pull = async_socket(ctx, T.PULL)
        pull.setsockopt(SocketOption.RCVHWM, 5)
        pull.bind("inproc://x")
        push = sync_socket(ctx, T.PUSH)
        push.setsockopt(SocketOption.SNDHWM, 5)
        push.connect("inproc://x")
        n = 5000

        def produce() -> None:
            for i in range(n):
                send(push, [b"%d" % i])

        t = threading.Thread(target=produce)
        t.start()
        for i in range(n):
            assert await arecv(pull) == [b"%d" % i]
        t.join(TIMEOUT)
        w = for_loop(asyncio.get_running_loop())
        # Cross-thread wake-ups went through the fd, coalesced: at most one per wake.
        assert w.kicks <= pull.statistics().wakeups_sent
        push.close()
        pull.close()
        assert ctx.term(TIMEOUT)

    run(main)


def test_asyncio_socket_to_sync_thread() -> None:
    async def main() -> None:
        ctx = ContextCore.threaded()
        push = async_socket(ctx, T.PUSH)
        push.setsockopt(SocketOption.SNDHWM, 3)
        push.bind("inproc://y")
        pull = sync_socket(ctx, T.PULL)
        pull.setsockopt(SocketOption.RCVHWM, 3)
        pull.connect("inproc://y")
        n = 5000
        got: list[bytes] = []

        def consume() -> None:
            for _ in range(n):
                got.append(recv(pull)[0])

        t = threading.Thread(target=consume)
        t.start()
        for i in range(n):
            await asend(push, [b"%d" % i])
        await asyncio.get_running_loop().run_in_executor(None, t.join, TIMEOUT)
        assert got == [b"%d" % i for i in range(n)]
        ctx.destroy(0)

    run(main)


def test_cancelled_recv_loses_nothing() -> None:
    async def main() -> None:
        ctx = ContextCore.on_loop()
        pull = async_socket(ctx, T.PULL)
        pull.bind("inproc://c")
        push = async_socket(ctx, T.PUSH)
        push.connect("inproc://c")
        task = asyncio.create_task(arecv(pull))
        await asyncio.sleep(0)  # let it park
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert push.try_send([b"kept"])
        assert await arecv(pull) == [b"kept"]
        ctx.destroy(0)

    run(main)


def test_concurrent_sender_and_receiver_both_woken() -> None:
    """One socket, a blocked sender and a blocked receiver: wake() resolves every waiter."""

    async def main() -> None:
        ctx = ContextCore.on_loop()
        a = async_socket(ctx, T.PAIR)
        a.setsockopt(SocketOption.SNDHWM, 1)
        a.bind("inproc://p")
        b = async_socket(ctx, T.PAIR)
        b.setsockopt(SocketOption.RCVHWM, 1)
        b.connect("inproc://p")
        while a.try_send([b"fill"]):
            pass
        sender = asyncio.create_task(asend(a, [b"more"]))
        receiver = asyncio.create_task(arecv(a))
        await asyncio.sleep(0)
        assert await arecv(b) == [b"fill"]
        assert await arecv(b) == [b"fill"]
        await sender
        assert b.try_send([b"reply"])
        assert await receiver == [b"reply"]
        ctx.destroy(0)

    run(main)


def test_term_on_loop_closes_own_sockets_and_wakes_waiters() -> None:
    async def main() -> None:
        ctx = ContextCore.on_loop()
        pull = async_socket(ctx, T.PULL)
        pull.bind("inproc://t")
        task = asyncio.create_task(arecv(pull, timeout=60))
        await asyncio.sleep(0)
        assert ctx.term(TIMEOUT)  # no hang: our loop's sockets are closed by term itself
        with pytest.raises(ContextTerminated):
            await task
        assert pull.closed

    run(main)


def test_asyncio_socket_has_a_pollable_fd_too() -> None:
    import select

    async def main() -> None:
        ctx = ContextCore.on_loop()
        pull = async_socket(ctx, T.PULL)
        pull.bind("inproc://fd")
        push = async_socket(ctx, T.PUSH)
        push.connect("inproc://fd")
        fd = pull.getsockopt(SocketOption.FD)
        assert pull.events() == 0
        assert select.select([fd], [], [], 0)[0] == []
        push.try_send([b"x"])
        assert select.select([fd], [], [], 0)[0] == [fd]
        ctx.destroy(0)

    run(main)


def test_loop_signal_wake_serves_on_wake_once_with_or_without_waiters() -> None:
    async def main() -> None:
        signal = LoopSignal(asyncio.get_running_loop())
        served: list[int] = []
        signal.on_wake = lambda: served.append(len(served))
        signal.wake()  # no waiter: on_wake alone
        assert served == [0]
        waiter = signal.waiter()
        signal.wake()  # a waiter: resolved, then on_wake
        assert waiter.done() and waiter.result() is None
        assert served == [0, 1]
        signal.on_wake = None
        signal.wake()  # nothing registered: nothing to do
        assert served == [0, 1] and signal.wakes == 3

    run(main)
