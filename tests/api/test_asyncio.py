"""asyncio-only behaviour: done Futures for queued messages, cancel safety, shadow contexts,
uvloop."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import ContextTerminated, ZMQError

from .conftest import aio_pair


def test_a_queued_message_gives_a_done_future_awaited_without_a_loop_turn(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        await a.send_multipart([b"1", b"2"])
        await a.send(b"3")
        turns = 0

        async def ticker() -> None:
            nonlocal turns
            while True:
                turns += 1
                await asyncio.sleep(0)

        tick = asyncio.ensure_future(ticker())
        await asyncio.sleep(0)
        before = turns
        fut = b.recv_multipart()
        assert isinstance(fut, asyncio.Future) and fut.done()
        assert await fut == [b"1", b"2"]
        assert await b.recv() == b"3"
        sent = a.send(b"4")  # below HWM: done at once too
        assert sent.done() and sent.result() is None
        assert turns == before  # no await above gave the loop a turn
        tick.cancel()
        assert await b.recv() == b"4"
        ctx.destroy(0)

    run(main)


def test_cancelled_recv_never_loses_a_message(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        # 1. Cancelled while blocked, nothing queued.
        task = asyncio.ensure_future(b.recv())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # 2. A Task awaiting a receive is cancelled after the message was handed to its
        #    Future: the Future holds it (not lost), and the Task is cancelled.
        fut = b.recv()
        task = asyncio.ensure_future(asyncio.shield(fut))
        await asyncio.sleep(0)
        await a.send(b"kept")
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert fut.result() == b"kept"
        # 3. A receive Future cancelled before any message: the next message stays queued.
        fut = b.recv()
        assert fut.cancel()
        await a.send(b"next")
        assert await b.recv() == b"next"
        # 4. Timeouts (wait_for cancels) racing a stream of messages lose nothing.
        n = 300

        async def producer() -> None:
            for i in range(n):
                await a.send(b"%d" % i)
                if i % 7 == 0:
                    await asyncio.sleep(0)

        prod = asyncio.ensure_future(producer())
        got: list[int] = []
        while len(got) < n:
            try:  # noqa: SIM105
                got.append(int(await asyncio.wait_for(b.recv(), 0.0005)))
            except asyncio.TimeoutError:
                pass
        await prod
        assert got == list(range(n))
        ctx.destroy(0)

    run(main)


def test_term_wakes_a_blocked_coroutine(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        sock = ctx.socket(purezmq.PULL)
        sock.bind("inproc://aio-term")
        task = asyncio.ensure_future(sock.recv())
        await asyncio.sleep(0)
        terminator = threading.Thread(target=ctx.term)
        terminator.start()
        with pytest.raises(ContextTerminated):
            await task
        sock.close()
        await asyncio.get_running_loop().run_in_executor(None, terminator.join, 5)
        assert not terminator.is_alive()

    run(main)


def test_shadow_of_a_sync_context_talks_to_sync_sockets(run: Any) -> None:
    sync_ctx = purezmq.Context()
    actx = azmq.Context(sync_ctx)
    assert azmq.Context(shadow=sync_ctx)._core is sync_ctx._core
    pull = sync_ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.bind("inproc://mixed")

    async def main() -> None:
        push = actx.socket(purezmq.PUSH)
        push.linger = 0
        # REQ on a thread, REP on the loop: the reply may arrive while REQ's send() is still
        # running (a race the REQ pattern once lost).
        rep = actx.socket(purezmq.REP)
        rep.linger = 0
        rep.bind("inproc://mixed-rep")
        push.connect("inproc://mixed")
        await push.send(b"from asyncio")
        loop = asyncio.get_running_loop()
        assert await loop.run_in_executor(None, pull.recv) == b"from asyncio"

        def sync_client() -> bytes:
            req = sync_ctx.socket(purezmq.REQ)
            req.linger = 0
            req.connect("inproc://mixed-rep")
            req.send(b"ping")
            reply: bytes = req.recv()
            req.close()
            return reply

        client = loop.run_in_executor(None, sync_client)
        assert await rep.recv() == b"ping"
        await rep.send(b"pong")
        assert await client == b"pong"
        push.close()
        rep.close()

    try:
        run(main)
    finally:
        actx.term()
        pull.close()
        sync_ctx.term()


def test_socket_created_before_the_loop_runs() -> None:
    ctx = azmq.Context()
    a = ctx.socket(purezmq.PAIR)
    b = ctx.socket(purezmq.PAIR)
    a.linger = b.linger = 0
    a.bind("inproc://early")
    b.connect("inproc://early")

    async def main() -> bytes:
        task = asyncio.ensure_future(b.recv())
        await asyncio.sleep(0)
        await a.send(b"late binding")
        result: bytes = await asyncio.wait_for(task, 5)
        return result

    assert asyncio.run(main()) == b"late binding"
    ctx.destroy(0)


def test_instances_are_per_api() -> None:
    assert azmq.Context.instance() is azmq.Context.instance()
    assert azmq.Context.instance() is not purezmq.Context.instance()
    assert isinstance(azmq.Context.instance(), purezmq.Context)


def test_async_send_blocks_at_hwm_and_resumes(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        pull = ctx.socket(purezmq.PULL)
        push.linger = pull.linger = 0
        push.sndhwm = pull.rcvhwm = 2
        pull.bind("inproc://aio-hwm")
        push.connect("inproc://aio-hwm")

        async def producer() -> None:
            for i in range(40):
                await push.send(b"%d" % i)

        prod = asyncio.ensure_future(producer())
        got = [int(await pull.recv()) for _ in range(40)]
        await prod
        assert got == list(range(40))
        with pytest.raises(ZMQError):
            await push.recv()
        ctx.destroy(0)

    run(main)


def test_async_poll_with_timeout_and_closed_socket(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        assert await b.poll(10) == 0
        waiter = asyncio.ensure_future(b.poll())
        await asyncio.sleep(0)
        await a.send(b"x")
        assert await waiter == purezmq.POLLIN
        blocked = asyncio.ensure_future(b.recv_multipart())
        await asyncio.sleep(0)
        assert await blocked == [b"x"]
        blocked = asyncio.ensure_future(b.recv())
        await asyncio.sleep(0)
        b.close()
        with pytest.raises(asyncio.CancelledError):  # pyzmq cancels what close() interrupts
            await blocked
        ctx.destroy(0)

    run(main)


def test_socket_created_before_the_loop_runs_over_tcp() -> None:
    ctx = azmq.Context()
    a = ctx.socket(purezmq.PAIR)
    b = ctx.socket(purezmq.PAIR)
    a.linger = b.linger = 0
    a.bind("tcp://127.0.0.1:*")
    b.connect(a.getsockopt_string(purezmq.LAST_ENDPOINT))

    async def main() -> list[bytes]:
        await a.send_multipart([b"over", b"tcp"])
        result: list[bytes] = await asyncio.wait_for(b.recv_multipart(), 5)
        return result

    assert asyncio.run(main()) == [b"over", b"tcp"]
    ctx.destroy(0)


def test_asyncio_poller_also_watches_sync_sockets(run: Any) -> None:
    sync_ctx = purezmq.Context()
    pull = sync_ctx.socket(purezmq.PULL)
    push = sync_ctx.socket(purezmq.PUSH)
    pull.linger = push.linger = 0
    pull.bind("inproc://poll-sync")
    push.connect("inproc://poll-sync")

    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        poller = azmq.Poller()
        poller.register(pull, purezmq.POLLIN)
        poller.register(b, purezmq.POLLIN)
        assert await poller.poll(10) == []
        loop = asyncio.get_running_loop()
        waiting = asyncio.ensure_future(poller.poll())
        await asyncio.sleep(0)
        await loop.run_in_executor(None, push.send, b"from a thread")
        assert await waiting == [(pull, purezmq.POLLIN)]
        assert pull.recv() == b"from a thread"
        await a.send(b"local")
        assert await poller.poll(1000) == [(b, purezmq.POLLIN)]
        ctx.destroy(0)

    try:
        run(main)
    finally:
        sync_ctx.destroy(0)


def test_asyncio_sockets_have_an_fd_for_sync_pollers() -> None:
    loop = asyncio.new_event_loop()

    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        assert isinstance(b.fileno(), int) and b.getsockopt(purezmq.FD) == b.fileno()
        poller = purezmq.Poller()
        poller.register(b, purezmq.POLLIN)
        assert poller.poll(0) == []
        # A sync poller in another thread wakes when the loop delivers a message.
        waiting = loop.run_in_executor(None, poller.poll, 5000)
        await a.send(b"x")
        assert await waiting == [(b, purezmq.POLLIN)]
        assert await b.recv() == b"x"
        ctx.destroy(0)

    try:
        loop.run_until_complete(main())
    finally:
        loop.close()


def test_pending_receive_and_poll_futures_are_listed_until_done(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        assert b._recv_futures == [] and a._send_futures == []
        recv = b.recv()
        poll = b.poll(5000)
        assert b._recv_futures == [recv, poll]
        for _ in range(10):
            cancelled = b.poll(timeout=1000)
            cancelled.cancel()
            await asyncio.sleep(0)
        assert b._recv_futures == [recv, poll]
        recv.cancel()
        await a.send(b"x")
        assert await asyncio.wait_for(poll, 5) == purezmq.POLLIN
        assert b._recv_futures == []
        ctx.destroy(0)

    run(main)


def test_send_futures_waiting_for_room_are_listed(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)  # no peer: a send waits for one
        waiting = push.send(b"x")
        assert push._send_futures == [waiting]
        waiting.cancel()
        assert push._send_futures == []
        ctx.destroy(0)

    run(main)


def test_get_loop_is_the_loop_the_socket_lives_on(run: Any) -> None:
    ctx = azmq.Context()
    late = ctx.socket(purezmq.PULL)  # created outside any loop: binds on first use

    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert late._get_loop() is loop
        sock = ctx.socket(purezmq.PULL)
        assert sock._get_loop() is loop
        assert azmq.Poller()._get_loop() is loop
        sock.close()

    try:
        run(main)
    finally:
        ctx.destroy(0)
