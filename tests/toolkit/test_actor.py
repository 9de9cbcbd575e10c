"""``purezmq.actor``: each promise of ``Actor`` (thread) and ``AsyncActor`` (task)."""

from __future__ import annotations

import asyncio
import threading
import traceback
from collections.abc import Iterator

import pytest

import purezmq as zmq
import purezmq.asyncio as zasyncio
from purezmq.actor import (
    TERM,
    Actor,
    ActorEnded,
    AsyncActor,
    signal,
    signal_async,
    wait,
)
from purezmq.actor.signal import signal_frame, signal_status

WAIT_S = 5.0


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.term()


class Boom(Exception):
    pass


# -- the thread actor ---------------------------------------------------------------------


def echo(pipe: zmq.Socket, prefix: bytes) -> None:
    signal(pipe)
    while (msg := pipe.recv()) != TERM:
        pipe.send(prefix + msg)


def test_the_function_gets_the_pipe_and_the_arguments(ctx: zmq.Context) -> None:
    with Actor(echo, b"> ", context=ctx) as actor:
        actor.send(b"hello")
        assert actor.recv() == b"> hello"


def test_the_constructor_returns_only_once_the_actor_signalled_ready(ctx: zmq.Context) -> None:
    bound = threading.Event()

    def server(pipe: zmq.Socket) -> None:
        rep = ctx.socket(zmq.REP)
        rep.bind("inproc://actor-ready")
        bound.set()
        signal(pipe)
        pipe.recv()
        rep.close(linger=0)

    actor = Actor(server, context=ctx)
    # The actor bound before signalling: the caller may connect at once.
    assert bound.is_set()
    actor.close(timeout=WAIT_S)


def test_term_makes_the_actor_return_and_close_joins_it(ctx: zmq.Context) -> None:
    got: list[bytes] = []

    def waiter(pipe: zmq.Socket) -> None:
        signal(pipe)
        got.append(pipe.recv())

    actor = Actor(waiter, context=ctx)
    alive = [actor.alive]
    actor.close(timeout=WAIT_S)
    alive.append(actor.alive)
    assert got == [TERM]
    assert alive == [True, False]
    actor.close()  # a second close does nothing


def test_close_times_out_when_the_actor_ignores_term(ctx: zmq.Context) -> None:
    release = threading.Event()

    def stubborn(pipe: zmq.Socket) -> None:
        signal(pipe)
        release.wait(WAIT_S)

    actor = Actor(stubborn, context=ctx)
    with pytest.raises(TimeoutError):
        actor.close(timeout=0.05)
    release.set()
    actor.close(timeout=WAIT_S)
    assert not actor.alive


def test_an_exception_reaches_the_next_recv_with_the_actor_traceback(ctx: zmq.Context) -> None:
    def failing(pipe: zmq.Socket) -> None:
        signal(pipe)
        pipe.recv()
        raise Boom("in the actor")

    actor = Actor(failing, context=ctx)
    actor.send(b"go")
    with pytest.raises(Boom, match="in the actor") as info:
        actor.recv()
    frames = [f.name for f in traceback.extract_tb(info.value.__traceback__)]
    assert "failing" in frames
    actor.close(timeout=WAIT_S)  # raised once: close does not raise it again


def test_an_exception_not_received_is_raised_by_close(ctx: zmq.Context) -> None:
    def failing(pipe: zmq.Socket) -> None:
        signal(pipe)
        raise Boom("unread")

    actor = Actor(failing, context=ctx)
    with pytest.raises(Boom, match="unread"):
        actor.close(timeout=WAIT_S)


def test_an_exception_before_ready_is_raised_by_the_constructor(ctx: zmq.Context) -> None:
    def broken(pipe: zmq.Socket) -> None:
        raise Boom("during setup")

    with pytest.raises(Boom, match="during setup"):
        Actor(broken, context=ctx)


def test_recv_after_the_function_returned_raises_actor_ended(ctx: zmq.Context) -> None:
    def one_shot(pipe: zmq.Socket) -> None:
        signal(pipe)
        pipe.send(b"result")

    actor = Actor(one_shot, context=ctx)
    assert actor.recv() == b"result"
    with pytest.raises(ActorEnded):
        actor.recv()
    actor.close(timeout=WAIT_S)


def test_a_function_that_returns_before_ready_ends_the_actor(ctx: zmq.Context) -> None:
    actor = Actor(lambda pipe: None, context=ctx)
    assert not actor.alive
    with pytest.raises(ActorEnded):
        actor.recv()
    actor.close()


def test_the_actor_socket_works_in_a_poller(ctx: zmq.Context) -> None:
    with Actor(echo, b"", context=ctx) as actor:
        poller = zmq.Poller()
        poller.register(actor.socket, zmq.POLLIN)
        assert poller.poll(0) == []
        actor.send(b"ping")
        assert dict(poller.poll(WAIT_S * 1000)) == {actor.socket: zmq.POLLIN}
        assert actor.recv() == b"ping"


def test_signals_are_czmq_values_and_wait_skips_other_messages(ctx: zmq.Context) -> None:
    assert signal_frame(0) == (0x7766554433221100).to_bytes(8, "little")
    assert signal_status([signal_frame(7)]) == 7
    assert signal_status([b"12345678"]) is None
    assert signal_status([signal_frame(0), b""]) is None
    a, b = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
    a.bind("inproc://signal-wait")
    b.connect("inproc://signal-wait")
    a.send(b"not a signal")
    signal(a, 3)
    assert wait(b) == 3
    a.close()
    b.close()
    with pytest.raises(ValueError):
        signal_frame(256)


# -- the asyncio actor --------------------------------------------------------------------


async def async_echo(pipe: zasyncio.Socket, prefix: bytes) -> None:
    await signal_async(pipe)
    while (msg := await pipe.recv()) != TERM:
        await pipe.send(prefix + msg)


def run(coro_fn: object) -> None:
    async def main() -> None:
        ctx = zasyncio.Context()
        try:
            await asyncio.wait_for(coro_fn(ctx), WAIT_S)  # type: ignore[operator]
        finally:
            ctx.destroy(linger=0)

    asyncio.run(main())


def test_async_actor_gets_the_pipe_and_arguments_and_stops_on_term() -> None:
    async def scenario(ctx: zasyncio.Context) -> None:
        async with await AsyncActor.start(async_echo, b"> ", context=ctx) as actor:
            await actor.send(b"hello")
            assert await actor.recv() == b"> hello"
            assert actor.alive
        assert not actor.alive

    run(scenario)


def test_async_start_returns_only_once_the_actor_signalled_ready() -> None:
    async def scenario(ctx: zasyncio.Context) -> None:
        steps: list[str] = []

        async def slow_setup(pipe: zasyncio.Socket) -> None:
            await asyncio.sleep(0)
            steps.append("set up")
            await signal_async(pipe)
            await pipe.recv()

        actor = await AsyncActor.start(slow_setup, context=ctx)
        steps.append("started")
        await actor.close(timeout=WAIT_S)
        assert steps == ["set up", "started"]

    run(scenario)


def test_async_exception_reaches_the_next_recv_with_the_actor_traceback() -> None:
    async def scenario(ctx: zasyncio.Context) -> None:
        async def failing(pipe: zasyncio.Socket) -> None:
            await signal_async(pipe)
            await pipe.recv()
            raise Boom("in the task")

        actor = await AsyncActor.start(failing, context=ctx)
        await actor.send(b"go")
        with pytest.raises(Boom, match="in the task") as info:
            await actor.recv()
        assert "failing" in [f.name for f in traceback.extract_tb(info.value.__traceback__)]
        await actor.close(timeout=WAIT_S)

    run(scenario)


def test_async_exception_not_received_is_raised_by_close_or_start() -> None:
    async def scenario(ctx: zasyncio.Context) -> None:
        async def after_ready(pipe: zasyncio.Socket) -> None:
            await signal_async(pipe)
            raise Boom("unread")

        async def before_ready(pipe: zasyncio.Socket) -> None:
            raise Boom("during setup")

        actor = await AsyncActor.start(after_ready, context=ctx)
        with pytest.raises(Boom, match="unread"):
            await actor.close(timeout=WAIT_S)
        with pytest.raises(Boom, match="during setup"):
            await AsyncActor.start(before_ready, context=ctx)

    run(scenario)


def test_async_recv_after_return_raises_actor_ended_and_close_cancels_on_timeout() -> None:
    async def scenario(ctx: zasyncio.Context) -> None:
        async def one_shot(pipe: zasyncio.Socket) -> None:
            await signal_async(pipe)
            await pipe.send(b"result")

        async def nothing(pipe: zasyncio.Socket) -> None:
            return None

        early = await AsyncActor.start(nothing, context=ctx)
        with pytest.raises(ActorEnded):
            await early.recv()
        await early.close()

        actor = await AsyncActor.start(one_shot, context=ctx)
        assert await actor.recv() == b"result"
        with pytest.raises(ActorEnded):
            await actor.recv()
        await actor.close()

        cancelled = asyncio.Event()

        async def stubborn(pipe: zasyncio.Socket) -> None:
            await signal_async(pipe)
            try:
                await asyncio.Event().wait()
            finally:
                cancelled.set()

        actor = await AsyncActor.start(stubborn, context=ctx)
        with pytest.raises(TimeoutError):
            await actor.close(timeout=0.05)
        assert cancelled.is_set()
        assert not actor.alive

    run(scenario)
