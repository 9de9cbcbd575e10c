"""A Task cancelled after its receive's message was set but before it resumed gives the
message back: the next receive takes it, in order, with its frames and ``RCVMORE`` intact.

``asyncio.timeout()`` — and so ``asyncio.wait_for`` from Python 3.12 — cancels the awaiting
Task at exactly that point when the message and the deadline arrive in the same loop turn.
The tests make that turn happen on purpose: the receive waits, a PAIR peer on the same loop
sends (which serves the waiting receive at once), and the Task is cancelled before it runs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq

from .conftest import aio_pair

WAIT_S = 5
#: ``asyncio.timeout`` (Python 3.11+).
TIMEOUT: Any = getattr(asyncio, "timeout", None)


async def _cancel_after_delivery(
    fut: asyncio.Future[Any], deliver: Callable[[], Awaitable[Any]]
) -> None:
    """Await ``fut`` in a Task, deliver its message, cancel the Task before it resumes."""

    async def reader() -> Any:
        return await fut

    task = asyncio.ensure_future(reader())
    await asyncio.sleep(0)  # the Task now waits on ``fut``
    assert not fut.done()
    await deliver()
    assert fut.done() and not fut.cancelled(), "the send serves the waiting receive at once"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_a_frame_comes_back_for_the_next_receive(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        await _cancel_after_delivery(b.recv(), lambda: a.send(b"first"))
        await a.send(b"second")
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"first"
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"second"
        ctx.destroy(0)

    run(main)


def test_the_first_frame_of_a_multipart_message_comes_back_before_the_rest(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        await _cancel_after_delivery(b.recv(), lambda: a.send_multipart([b"1", b"2", b"3"]))
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"1"
        assert b.rcvmore
        assert await asyncio.wait_for(b.recv_multipart(), WAIT_S) == [b"2", b"3"]
        assert not b.rcvmore
        ctx.destroy(0)

    run(main)


def test_a_whole_message_comes_back_before_later_ones(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        await _cancel_after_delivery(b.recv_multipart(), lambda: a.send_multipart([b"x", b"y"]))
        await a.send(b"later")
        assert await asyncio.wait_for(b.recv_multipart(), WAIT_S) == [b"x", b"y"]
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"later"
        # Taken frame by frame too, as it was sent.
        await _cancel_after_delivery(b.recv_multipart(), lambda: a.send_multipart([b"p", b"q"]))
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"p"
        assert b.rcvmore
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"q"
        assert not b.rcvmore
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("how", ["recv_json", "recv_string", "copy=False"])
def test_a_decoded_or_frame_receive_gives_back_the_bytes(run: Any, how: str) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        payload = json.dumps({"n": 1}).encode()
        fut = b.recv(copy=False) if how == "copy=False" else getattr(b, how)()
        await _cancel_after_delivery(fut, lambda: a.send(payload))
        assert await asyncio.wait_for(b.recv(), WAIT_S) == payload
        ctx.destroy(0)

    run(main)


def test_a_receive_cancelled_while_waiting_takes_nothing(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        fut = b.recv()

        async def reader() -> Any:
            return await fut

        task = asyncio.ensure_future(reader())
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert fut.cancelled()
        await a.send(b"only")
        assert await asyncio.wait_for(b.recv(), WAIT_S) == b"only"
        assert await b.poll(0) == 0, "given once, not twice"
        ctx.destroy(0)

    run(main)


def test_timeouts_racing_a_stream_lose_and_repeat_nothing(run: Any) -> None:
    # ``asyncio.timeout`` cancels the awaiting Task itself on every Python with it (3.11+),
    # as ``wait_for`` does from 3.12: deadlines shorter than the gaps between messages.
    if TIMEOUT is None:
        pytest.skip("asyncio.timeout needs Python 3.11")

    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        pull = ctx.socket(purezmq.PULL)
        push.linger = pull.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
        n = 400

        async def produce() -> None:
            for i in range(n):
                await push.send(b"%d" % i)
                if i % 5 == 0:
                    await asyncio.sleep(0)

        producer = asyncio.ensure_future(produce())
        got: list[int] = []
        # A lost message would leave this loop waiting for ever: bounded, it fails instead.
        give_up = asyncio.get_running_loop().time() + 60
        while len(got) < n:
            assert asyncio.get_running_loop().time() < give_up, f"lost after {got[-3:]}"
            try:
                async with TIMEOUT(0.0002):
                    got.append(int(await pull.recv()))
            except TimeoutError:
                pass
        await producer
        assert got == list(range(n))
        assert await pull.poll(0) == 0
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("how", ["recv", "recv_multipart", "recv_json"])
def test_a_shadow_gives_the_message_back_to_its_sync_socket(run: Any, how: str) -> None:
    # The view of a sync socket serves its waiting receives from the fd watch, a loop turn
    # after the peer sends: the Task is cancelled by a callback that runs first in that turn.
    async def main() -> None:
        ctx = purezmq.Context()
        a = ctx.socket(purezmq.PAIR)
        b = ctx.socket(purezmq.PAIR)
        a.linger = b.linger = 0
        a.bind("inproc://shadow-give-back")
        b.connect("inproc://shadow-give-back")
        view = azmq.Socket(b)
        fut = getattr(view, how)()
        task: asyncio.Future[Any] | None = None

        def cancel_reader(_: asyncio.Future[Any]) -> None:
            assert task is not None
            task.cancel()

        fut.add_done_callback(cancel_reader)  # runs before the Task's own wake-up

        async def reader() -> Any:
            return await fut

        task = asyncio.ensure_future(reader())
        await asyncio.sleep(0)
        a.send_multipart([b'{"n": 1}', b"2"] if how == "recv_multipart" else [b'{"n": 1}'])
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, WAIT_S)
        assert fut.done() and not fut.cancelled()
        if how == "recv_multipart":
            assert b.recv_multipart(purezmq.NOBLOCK) == [b'{"n": 1}', b"2"]
        else:
            assert b.recv(purezmq.NOBLOCK) == b'{"n": 1}'
            assert not b.rcvmore
        view.close()
        ctx.destroy(0)

    run(main)
