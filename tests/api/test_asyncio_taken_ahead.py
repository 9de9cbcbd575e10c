"""asyncio receives of messages taken ahead (a run the socket took from the engine in one call)
and sends straight into the pattern: every kind of message a run may hold comes out as the
general path would hand it out, and a send finds the connections the core has not yet been
told about."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import ContextTerminated

#: Larger than the lending threshold of tcp connections: such a body arrives in a buffer of its
#: own, not as ``bytes``.
LARGE = 300_000


async def _filled_pull(ctx: azmq.Context, messages: list[list[bytes]]) -> Any:
    """A PULL socket that has received ``messages`` over inproc, none handed out yet."""
    pull = ctx.socket(purezmq.PULL)
    pull.bind("inproc://taken-ahead")
    push = ctx.socket(purezmq.PUSH)
    push.connect("inproc://taken-ahead")
    for msg in messages:
        await push.send_multipart(msg)
    assert await asyncio.wait_for(pull.poll(5000), 5) == purezmq.POLLIN
    return pull


def test_a_run_mixing_one_frame_and_multipart_messages_keeps_order_and_rcvmore(
    run: Any,
) -> None:
    messages = [[b"a"], [b"b1", b"b2", b"b3"], [b"c"], [b"d1", b"d2"], [b"e"]]

    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, messages)
        for msg in messages:
            for i, frame in enumerate(msg):
                assert await pull.recv() == frame
                assert pull.rcvmore == (i < len(msg) - 1)
        waiting = pull.recv()
        assert not waiting.done()  # nothing left: the next receive waits
        ctx.destroy(0)
        # Ended with the socket (cancelled, as pyzmq's), read here so that no Future is left
        # unread for the garbage collector to report.
        assert waiting.cancelled() or waiting.exception() is not None

    run(main)


def test_a_run_handed_out_as_frames_and_whole_messages_by_turns(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"one"], [b"two"], [b"three"], [b"four", b"more"]])
        frame = await pull.recv(copy=False)
        assert isinstance(frame, purezmq.Frame)
        assert frame.bytes == b"one" and not frame.more
        assert await pull.recv_multipart() == [b"two"]
        assert await pull.recv() == b"three"
        assert await pull.recv_multipart() == [b"four", b"more"]
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("method", ["recv", "recv_multipart", "recv_string"])
def test_a_run_taken_ahead_is_not_handed_out_after_the_context_ends(
    run: Any, method: str
) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"x"], [b"y"], [b"z"]])
        assert await pull.recv() == b"x"  # y and z now wait in the socket
        pull._core.terminate()  # what Context.term() does to each socket first
        with pytest.raises(ContextTerminated):
            await getattr(pull, method)()
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("method", ["recv", "recv_multipart", "recv_string"])
def test_a_run_taken_ahead_is_not_handed_out_after_the_socket_closes(
    run: Any, method: str
) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"x"], [b"y"], [b"z"]])
        assert await pull.recv() == b"x"
        pull.close()
        with pytest.raises(purezmq.ZMQError) as info:
            await getattr(pull, method)()
        assert info.value.errno == purezmq.ENOTSOCK
        ctx.destroy(0)

    run(main)


def test_large_bodies_in_a_run_come_out_as_bytes(run: Any) -> None:
    # Over tcp a large body is lent to the socket in a buffer of its own; the receive that
    # hands it out must make it ``bytes`` (the general path), between one-frame messages.
    large = bytes(range(256)) * (LARGE // 256)

    async def main() -> None:
        ctx = azmq.Context()
        pull = ctx.socket(purezmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = ctx.socket(purezmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        sent = [b"s1", large, b"s2", large, b"s3"]
        for body in sent:
            await push.send(body)
        for body in sent:
            got = await asyncio.wait_for(pull.recv(), 5)
            assert type(got) is bytes and got == body
        ctx.destroy(0)

    run(main)


def test_a_send_right_after_connect_reaches_the_new_peer(run: Any) -> None:
    # The connection is made by a command the core has not processed yet when send() runs:
    # the send must process it first and route the message to that peer.
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.sndtimeo = 5000
        push.bind("inproc://send-after-connect")
        pull = ctx.socket(purezmq.PULL)
        pull.connect("inproc://send-after-connect")
        assert push._core.mailbox  # the attach waits for the sender
        await asyncio.wait_for(push.send(b"first"), 5)
        assert not push._core.mailbox
        assert await asyncio.wait_for(pull.recv(), 5) == b"first"
        ctx.destroy(0)

    run(main)


def test_send_on_a_closed_or_terminated_socket_fails_on_the_future(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.bind("inproc://send-closed")
        push.close()
        with pytest.raises(purezmq.ZMQError) as info:
            await push.send(b"x")
        assert info.value.errno == purezmq.ENOTSOCK
        other = ctx.socket(purezmq.PUSH)
        ctx.destroy(0)
        with pytest.raises(purezmq.ZMQError):
            await other.send(b"x")

    run(main)


def test_a_send_after_a_second_peer_connects_takes_turns_with_it(run: Any) -> None:
    # Round robin includes a peer whose connection the core learns of in the send itself.
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.bind("inproc://round-robin")
        first = ctx.socket(purezmq.PULL)
        first.connect("inproc://round-robin")
        await push.send(b"warm-up")
        assert await asyncio.wait_for(first.recv(), 5) == b"warm-up"
        second = ctx.socket(purezmq.PULL)
        second.connect("inproc://round-robin")
        await push.send(b"1")
        await push.send(b"2")
        got = {await asyncio.wait_for(first.recv(), 5), await asyncio.wait_for(second.recv(), 5)}
        assert got == {b"1", b"2"}
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("method", ["send", "send_multipart"])
def test_a_send_after_the_context_ends_fails_on_its_future(run: Any, method: str) -> None:
    # pyzmq's asyncio sockets report ETERM on the returned Future, not from the call.
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.bind("inproc://send-eterm")
        push._core.terminate()  # what Context.term() does to each socket first
        fut = push.send(b"x") if method == "send" else push.send_multipart([b"x", b"y"])
        assert isinstance(fut, asyncio.Future)
        with pytest.raises(ContextTerminated):
            await fut
        ctx.destroy(0)

    run(main)


def _new_loop(kind: str) -> asyncio.AbstractEventLoop:
    if kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
    return asyncio.new_event_loop()


def test_a_run_of_one_frame_messages_goes_out_through_the_fast_path(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"%d" % i] for i in range(6)])
        assert await pull.recv() == b"0"
        # The rest waits in the socket, marked for the fast path (unless the process made a
        # tracked payload: frames may then be something else than bytes, ``BodyPool.lent``).
        assert len(pull._recv_ready) == 5
        assert pull._core.plain_run == (not pull._bodies.lent)
        batches = pull._core.statistics().recv_batches
        loop = asyncio.get_running_loop()
        futures = [pull.recv() for _ in range(5)]
        # Real asyncio Futures of the socket's loop, done at once; no engine call was made.
        assert all(isinstance(f, asyncio.Future) and f.done() for f in futures)
        assert all(f.get_loop() is loop for f in futures)
        assert [f.result() for f in futures] == [b"1", b"2", b"3", b"4", b"5"]
        assert pull._core.statistics().recv_batches == batches
        pending = pull.recv()
        assert not pending.done()  # nothing left: the next receive waits
        pending.cancel()
        ctx.destroy(0)

    run(main)


def test_a_run_of_one_frame_messages_goes_out_whole_through_the_fast_path(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"%d" % i] for i in range(4)])
        assert await pull.recv_multipart() == [b"0"]
        assert pull._core.plain_run == (not pull._bodies.lent)
        batches = pull._core.statistics().recv_batches
        loop = asyncio.get_running_loop()
        futures = [pull.recv_multipart() for _ in range(3)]
        assert all(f.done() and f.get_loop() is loop for f in futures)
        assert [f.result() for f in futures] == [[b"1"], [b"2"], [b"3"]]
        assert pull._core.statistics().recv_batches == batches
        # copy=False leaves the fast path: Frames, from the general path.
        await _refill(pull, [[b"4"], [b"5"]])
        frames = await pull.recv_multipart(copy=False)
        assert [f.bytes for f in frames] == [b"4"]
        assert await pull.recv_multipart() == [b"5"]
        ctx.destroy(0)

    run(main)


async def _refill(pull: Any, messages: list[list[bytes]]) -> None:
    """Send ``messages`` to ``pull`` (bound at inproc://taken-ahead) and wait for them."""
    push = pull.context.socket(purezmq.PUSH)
    push.connect("inproc://taken-ahead")
    for msg in messages:
        await push.send_multipart(msg)
    assert await asyncio.wait_for(pull.poll(5000), 5) == purezmq.POLLIN
    push.close(linger=-1)


def test_a_run_with_a_multipart_message_is_not_marked_for_the_fast_path(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"a"], [b"b"], [b"c1", b"c2"], [b"d"]])
        assert await pull.recv() == b"a"
        assert not pull._core.plain_run
        assert await pull.recv() == b"b"
        assert await pull.recv() == b"c1" and pull.rcvmore
        assert await pull.recv() == b"c2" and not pull.rcvmore
        assert await pull.recv() == b"d"
        ctx.destroy(0)

    run(main)


def test_cancelling_a_receive_served_from_a_run_loses_nothing(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"x"], [b"y"], [b"z"]])
        assert await pull.recv() == b"x"
        fut = pull.recv()
        # Done when returned: cancel() cannot take the message back from the caller.
        assert not fut.cancel()
        assert fut.result() == b"y"
        assert await pull.recv() == b"z"
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("kind", ["asyncio", "uvloop"])
def test_a_run_taken_ahead_is_refused_to_another_loop_and_kept(kind: str) -> None:
    # The fast path checks that the socket's own loop runs: with it stopped and another
    # loop running on the same thread, the receive fails and the run stays whole.
    home = _new_loop(kind)
    holder: dict[str, Any] = {}

    async def make() -> None:
        ctx = azmq.Context()
        holder["ctx"] = ctx
        pull = holder["pull"] = await _filled_pull(ctx, [[b"1"], [b"2"], [b"3"]])
        assert await pull.recv() == b"1"
        assert len(pull._recv_ready) == 2

    async def use_elsewhere() -> None:
        pull = holder["pull"]
        for call in (pull.recv, pull.recv_multipart):
            with pytest.raises(purezmq.ZMQError) as info:
                await call()
            assert info.value.errno == purezmq.EINVAL
            assert "another event loop" in str(info.value)

    try:
        home.run_until_complete(make())
        other = _new_loop(kind)
        try:
            other.run_until_complete(use_elsewhere())
        finally:
            other.close()
        pull = holder["pull"]
        assert home.run_until_complete(pull.recv()) == b"2"
        assert home.run_until_complete(pull.recv_multipart()) == [b"3"]
    finally:
        holder["ctx"].destroy(0)
        home.close()


def test_a_blocking_shadow_shares_the_run_taken_ahead(run: Any) -> None:
    # pyzmq's shadow is the same socket: a run the asyncio socket took is handed out, in
    # order, by whichever object receives next.
    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b"1"], [b"2"], [b"3"], [b"4"]])
        shadow = purezmq.Socket(shadow=pull)
        assert await pull.recv() == b"1"
        assert shadow.recv(purezmq.NOBLOCK) == b"2"
        assert await pull.recv() == b"3"
        assert shadow.recv(purezmq.NOBLOCK) == b"4"
        ctx.destroy(0)

    run(main)


def test_decoding_receives_take_a_plain_run_and_a_decoder_error_uses_the_message(
    run: Any,
) -> None:
    import pickle

    bodies = [b"first", "h\u00e9".encode(), b"\xff not utf-8", b'{"k": 1}', pickle.dumps((1, 2))]

    async def main() -> None:
        ctx = azmq.Context()
        pull = await _filled_pull(ctx, [[b] for b in bodies])
        assert await pull.recv() == b"first"
        assert pull._core.plain_run == (not pull._bodies.lent)
        batches = pull._core.statistics().recv_batches
        fut = pull.recv_string()
        assert fut.done() and fut.result() == "h\u00e9"
        # Not utf-8: the error is on the Future, and that message is gone (the general
        # path's rule); the next receive gets the next one.
        with pytest.raises(UnicodeDecodeError):
            await pull.recv_string()
        assert await pull.recv_json() == {"k": 1}
        assert await pull.recv_pyobj() == (1, 2)
        assert pull._core.statistics().recv_batches == batches
        pending = pull.recv_string()
        assert not pending.done()  # nothing left: the next receive waits
        pending.cancel()
        ctx.destroy(0)

    run(main)


def test_a_run_taken_ahead_on_asyncios_own_loop_is_handed_out_without_is_running() -> None:
    # On asyncio's own loops the fast paths read whether the loop runs from its attribute
    # (docs/performance.md): the loop's is_running() is asked only where a run is taken.
    loop = asyncio.new_event_loop()
    asked = [0]
    is_running = loop.is_running

    def counting() -> bool:
        asked[0] += 1
        return is_running()

    loop.is_running = counting  # type: ignore[method-assign]
    messages = [[b"%d" % i] for i in range(6)]

    async def main() -> None:
        ctx = azmq.Context()
        try:
            pull = await _filled_pull(ctx, messages)
            assert await pull.recv() == b"0"  # takes the run
            assert len(pull._recv_ready) == 5
            before = asked[0]
            assert [await pull.recv() for _ in range(2)] == [b"1", b"2"]
            assert await pull.recv_multipart() == [b"3"]
            assert await pull.recv_string() == "4"
            assert await pull.recv() == b"5"
            assert asked[0] == before
        finally:
            ctx.destroy(0)

    try:
        loop.run_until_complete(asyncio.wait_for(main(), 10))
    finally:
        loop.close()
