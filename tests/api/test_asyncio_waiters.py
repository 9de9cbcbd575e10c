"""The asyncio front-end's blocking paths: waiter bookkeeping and loop checks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import ZMQError

from .conftest import aio_pair


@pytest.mark.parametrize("multipart", [False, True])
def test_cancelled_blocking_recv_leaves_no_pending_receive(run: Any, multipart: bool) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx, purezmq.PAIR, purezmq.PAIR)
        for _ in range(3):
            task = asyncio.ensure_future(b.recv_multipart() if multipart else b.recv())
            await asyncio.sleep(0)
            assert len(b._recv_q) == 1  # really pending
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        # Cancelled receives take nothing, and are dropped by the next call.
        await a.send(b"after")
        assert await b.recv() == b"after"
        assert len(b._recv_q) == 0
        ctx.destroy(0)

    run(main)


def test_blocking_recv_on_another_loop_is_refused() -> None:
    holder: dict[str, Any] = {}

    async def make() -> None:
        ctx = azmq.Context()
        holder["ctx"] = ctx
        holder["pair"] = await aio_pair(ctx, purezmq.PAIR, purezmq.PAIR)

    async def use() -> None:
        _, b = holder["pair"]
        with pytest.raises(ZMQError) as info:
            await b.recv()
        assert "another event loop" in str(info.value)
        with pytest.raises(ZMQError):
            await b.recv_multipart()

    asyncio.run(make())
    try:
        asyncio.run(use())
    finally:
        holder["ctx"].destroy(0)


def test_rep_replies_along_a_routed_envelope(run: Any) -> None:
    # A DEALER speaking for a REQ sends [id, "", body]: REP must keep the whole envelope.
    async def main() -> None:
        ctx = azmq.Context()
        rep, dealer = await aio_pair(ctx, purezmq.REP, purezmq.DEALER)
        await dealer.send_multipart([b"hop", b"", b"ping"])
        assert await rep.recv_multipart() == [b"ping"]
        await rep.send(b"pong")
        assert await dealer.recv_multipart() == [b"hop", b"", b"pong"]
        # No delimiter at all: dropped, the next request is served.
        await dealer.send_multipart([b"junk"])
        await dealer.send_multipart([b"", b"ok"])
        assert await rep.recv() == b"ok"
        await rep.send(b"done")
        assert await dealer.recv_multipart() == [b"", b"done"]
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("multipart", [False, True])
def test_recv_of_a_waiting_message_on_another_loop_is_refused_and_takes_nothing(
    multipart: bool,
) -> None:
    holder: dict[str, Any] = {}

    async def make() -> None:
        ctx = azmq.Context()
        holder["ctx"] = ctx
        a, b = holder["pair"] = await aio_pair(ctx, purezmq.PAIR, purezmq.PAIR)
        await a.send_multipart([b"kept", b"whole"])
        # The message is here, ready to be handed out without waiting.
        assert await b.poll(5000) == purezmq.POLLIN

    async def use_elsewhere() -> None:
        _, b = holder["pair"]
        with pytest.raises(ZMQError) as info:
            await (b.recv_multipart() if multipart else b.recv())
        assert info.value.errno == purezmq.EINVAL
        assert "another event loop" in str(info.value)

    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(make())
        asyncio.run(use_elsewhere())
        _, b = holder["pair"]
        # Back on the socket's own loop, the message is still there, whole.
        assert loop.run_until_complete(b.recv_multipart()) == [b"kept", b"whole"]
    finally:
        holder["ctx"].destroy(0)
        loop.close()
