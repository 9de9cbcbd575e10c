"""The asyncio API returns Futures, as pyzmq's ``zmq.asyncio``: done/cancel/result/callbacks,
order of concurrent calls, errors on the Future, cancel safety, polls, a libzmq peer."""

from __future__ import annotations

import asyncio
import json
import pickle
import random
import socket
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import Again, ContextTerminated

from .conftest import aio_pair

#: Socket methods that may wait, with arguments for a PAIR socket.
WAITING_CALLS: list[tuple[str, tuple[Any, ...]]] = [
    ("send", (b"x",)),
    ("send_multipart", ([b"x", b"y"],)),
    ("send_string", ("x",)),
    ("send_json", ({"x": 1},)),
    ("send_pyobj", ((1, 2),)),
    ("send_serialized", ("x", lambda m: [m.encode()])),
    ("recv", ()),
    ("recv_multipart", ()),
    ("recv_string", ()),
    ("recv_json", ()),
    ("recv_pyobj", ()),
    ("recv_serialized", (lambda frames: frames,)),
    ("recv_into", (bytearray(8),)),
    ("poll", (0,)),
]


@pytest.mark.parametrize(("name", "args"), WAITING_CALLS, ids=[c[0] for c in WAITING_CALLS])
def test_waiting_methods_return_futures(run: Any, name: str, args: tuple[Any, ...]) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        if name.startswith("recv"):
            await a.send(pickle.dumps(1) if name == "recv_pyobj" else json.dumps(1).encode())
        fut = getattr(b, name)(*args)
        assert isinstance(fut, asyncio.Future), type(fut)
        await asyncio.wait_for(fut, 5)
        ctx.destroy(0)

    run(main)


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_a_received_frame_future_belongs_to_the_socket_loop_wherever_recv_is_called(
    loop_kind: str,
) -> None:
    # The Future of a frame that is here already: on the socket's loop, and from code
    # outside any running loop (pyzmq allows calling recv() before the loop runs).
    if loop_kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()

    async def setup() -> Any:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        for i in range(3):
            await a.send(b"%d" % i)
        assert await asyncio.wait_for(b.recv(), 5) == b"0"  # the rest is taken with it
        fut = b.recv()
        assert fut.done() and fut.get_loop() is loop
        assert fut.result() == b"1"
        return ctx, b

    try:
        ctx, b = loop.run_until_complete(setup())
        fut = b.recv()
        assert fut.done() and fut.get_loop() is loop
        assert fut.result() == b"2"
        ctx.destroy(0)
    finally:
        loop.close()


def test_pending_recv_future_done_result_and_callbacks(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        fut = b.recv()
        assert not fut.done()
        called = asyncio.Event()
        seen: list[Any] = []

        def on_done(f: asyncio.Future[Any]) -> None:
            seen.append(f)
            called.set()

        fut.add_done_callback(on_done)
        await a.send(b"hello")
        assert fut.done() and fut.result() == b"hello"
        await asyncio.wait_for(called.wait(), 5)
        assert seen == [fut]
        assert not fut.cancel()  # done: too late to cancel
        ctx.destroy(0)

    run(main)


def test_concurrent_recvs_are_served_in_creation_order(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        futs = [b.recv(), b.recv_multipart(), b.recv(), b.recv_string(), b.recv_multipart()]
        assert not any(f.done() for f in futs)
        # Created later, but with a message queued already: it waits its turn.
        await a.send_multipart([b"1a", b"1b"])
        late = b.recv()
        await a.send(b"2")
        await a.send(b"3")
        await a.send(b"4")
        await a.send(b"5")
        await a.send(b"6")
        results = await asyncio.wait_for(asyncio.gather(*futs, late), 5)
        # recv takes one frame; recv_multipart the rest of that message.
        assert results == [b"1a", [b"1b"], b"2", "3", [b"4"], b"5"]
        assert await b.recv() == b"6"
        ctx.destroy(0)

    run(main)


def test_gather_and_wait_over_many_receives(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx, purezmq.PULL, purezmq.PUSH)
        futs = [a.recv() for _ in range(20)]
        done, pending = await asyncio.wait(futs, timeout=0)
        assert not done and len(pending) == 20
        for i in range(20):
            await b.send(b"%d" % i)
        assert await asyncio.wait_for(asyncio.gather(*futs), 5) == [b"%d" % i for i in range(20)]
        first = a.recv()
        other = a.recv()
        await b.send(b"first")
        done, pending = await asyncio.wait(
            [first, other], timeout=5, return_when=asyncio.FIRST_COMPLETED
        )
        assert done == {first} and pending == {other}
        other.cancel()
        ctx.destroy(0)

    run(main)


def test_sends_waiting_at_hwm_complete_in_order(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        pull = ctx.socket(purezmq.PULL)
        push.linger = pull.linger = 0
        push.sndhwm = pull.rcvhwm = 2
        pull.bind("inproc://futures-hwm")
        push.connect("inproc://futures-hwm")
        futs = [push.send(b"%d" % i) for i in range(30)]
        assert not all(f.done() for f in futs)  # some wait for room
        got = [int(await pull.recv()) for _ in range(30)]
        assert got == list(range(30))
        await asyncio.wait_for(asyncio.gather(*futs), 5)
        ctx.destroy(0)

    run(main)


def test_cancelled_receives_lose_no_message(run: Any) -> None:
    """Pending receives are cancelled at random while messages arrive: every message goes to
    exactly one receive that was not cancelled, in order."""

    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx, purezmq.PULL, purezmq.PUSH)
        rng = random.Random(7)
        for _ in range(50):
            n = rng.randrange(1, 12)
            futs = [a.recv() for _ in range(n)]
            cancelled = {i for i in range(n) if rng.random() < 0.4}
            sent = 0
            for i, fut in enumerate(futs):
                if i in cancelled:
                    assert fut.cancel() or fut.done()
                if rng.random() < 0.5:
                    await b.send(b"%d" % sent)
                    sent += 1
            while sent < n:
                await b.send(b"%d" % sent)
                sent += 1
            got = [f.result() for f in futs if f.done() and not f.cancelled()]
            # The rest went to no Future: they are still queued, in order.
            while len(got) < n:
                got.append(await asyncio.wait_for(a.recv(), 5))
            assert got == [b"%d" % i for i in range(n)]
            assert a.poll(0).result() == 0
        ctx.destroy(0)

    run(main)


def test_wait_for_timeouts_lose_nothing_from_a_libzmq_peer_over_tcp(run: Any) -> None:
    zmq = pytest.importorskip("zmq")
    zctx = zmq.Context()
    push = zctx.socket(zmq.PUSH)
    push.linger = 0
    port = push.bind_to_random_port("tcp://127.0.0.1")
    n = 300

    async def main() -> None:
        ctx = azmq.Context()
        pull = ctx.socket(purezmq.PULL)
        pull.linger = 0
        pull.connect(f"tcp://127.0.0.1:{port}")
        loop = asyncio.get_running_loop()

        def produce() -> None:
            for i in range(n):
                push.send(b"%d" % i)

        producer = loop.run_in_executor(None, produce)
        got: list[int] = []
        while len(got) < n:
            try:  # noqa: SIM105
                got.append(int(await asyncio.wait_for(pull.recv(), 0.0005)))
            except asyncio.TimeoutError:
                pass
        await producer
        assert got == list(range(n))
        ctx.destroy(0)

    try:
        run(main)
    finally:
        push.close()
        zctx.term()


def test_sends_and_receives_with_a_libzmq_peer_over_tcp(run: Any) -> None:
    zmq = pytest.importorskip("zmq")
    zctx = zmq.Context()
    peer = zctx.socket(zmq.DEALER)
    peer.linger = 0
    port = peer.bind_to_random_port("tcp://127.0.0.1")

    async def main() -> None:
        ctx = azmq.Context()
        sock = ctx.socket(purezmq.DEALER)
        sock.linger = 0
        sock.connect(f"tcp://127.0.0.1:{port}")
        loop = asyncio.get_running_loop()
        replies = [sock.recv_multipart() for _ in range(10)]
        sends = [sock.send_multipart([b"q", b"%d" % i]) for i in range(10)]
        await asyncio.wait_for(asyncio.gather(*sends), 5)

        def echo() -> None:
            for _ in range(10):
                peer.send_multipart(peer.recv_multipart())

        await loop.run_in_executor(None, echo)
        got = await asyncio.wait_for(asyncio.gather(*replies), 5)
        assert got == [[b"q", b"%d" % i] for i in range(10)]
        ctx.destroy(0)

    try:
        run(main)
    finally:
        peer.close()
        zctx.term()


def test_errors_are_set_on_the_future(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        _, b = await aio_pair(ctx)
        fut = b.recv(purezmq.NOBLOCK)
        assert fut.done() and isinstance(fut.exception(), Again)
        b.rcvtimeo = 20
        with pytest.raises(Again):
            await asyncio.wait_for(b.recv(), 5)
        b.rcvtimeo = -1
        pending = b.recv_multipart()
        polling = b.poll(5000)
        b.close()
        # As pyzmq: what was pending when the socket closed is cancelled.
        assert pending.cancelled() and polling.cancelled()
        after = b.recv()
        assert after.done() and after.exception().errno == purezmq.ENOTSOCK
        ctx.destroy(0)

    run(main)


def test_bad_json_fails_its_future_only(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        bad = b.recv_json()
        good = b.recv_json()
        await a.send(b"{not json")
        await a.send_json({"ok": True})
        with pytest.raises(ValueError):
            await bad
        assert await good == {"ok": True}
        ctx.destroy(0)

    run(main)


def test_term_fails_pending_futures_with_eterm(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        sock = ctx.socket(purezmq.PULL)
        sock.bind("inproc://futures-term")
        fut = sock.recv()
        ctx.destroy(0)
        with pytest.raises(ContextTerminated):
            await asyncio.wait_for(fut, 5)

    run(main)


def test_frames_trackers_and_recv_into(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        assert await a.send(b"frame", track=True) is None  # a copying send ignores track
        tracker = await a.send(b"frame", copy=False, track=True)
        assert tracker is purezmq._FINISHED_TRACKER  # under copy_threshold: copied
        assert await b.recv() == b"frame"
        frame = await b.recv(copy=False)
        assert isinstance(frame, purezmq.Frame) and frame.bytes == b"frame"
        pending_frame = b.recv(copy=False)
        into = bytearray(4)
        pending_into = b.recv_into(into)
        await a.send(b"second")
        await a.send(b"third!")
        assert (await pending_frame).bytes == b"second"
        assert await pending_into == 6 and into == b"thir"
        ctx.destroy(0)

    run(main)


def test_socket_poll_futures(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        now = b.poll(0)
        assert now.done() and now.result() == 0
        assert await b.poll(10) == 0  # timed out
        waiting = b.poll(5000)
        assert not waiting.done()
        await a.send(b"x")
        assert await asyncio.wait_for(waiting, 5) == purezmq.POLLIN
        assert b.poll(0).result() == purezmq.POLLIN
        assert await b.recv() == b"x"
        cancelled = b.poll()
        cancelled.cancel()
        await a.send(b"y")
        assert await b.recv() == b"y"
        ctx.destroy(0)

    run(main)


def test_poller_reports_plain_sockets_by_fd_as_pyzmq(run: Any) -> None:
    r, w = socket.socketpair()

    async def main() -> None:
        ctx = azmq.Context()
        a, b = await aio_pair(ctx)
        poller = azmq.Poller()
        poller.register(b, purezmq.POLLIN)
        poller.register(r, purezmq.POLLIN)
        poller.register(w.fileno(), purezmq.POLLOUT)
        first = poller.poll(0)
        assert first.done() and first.result() == [(w.fileno(), purezmq.POLLOUT)]
        poller.unregister(w.fileno())
        waiting = poller.poll(5000)
        assert not waiting.done()
        w.send(b"!")
        assert await asyncio.wait_for(waiting, 5) == [(r.fileno(), purezmq.POLLIN)]
        r.recv(1)
        await a.send(b"m")
        assert await poller.poll(1000) == [(b, purezmq.POLLIN)]
        ctx.destroy(0)

    try:
        run(main)
    finally:
        r.close()
        w.close()


def test_deprecated_loop_names_warn_and_work() -> None:
    with pytest.warns(DeprecationWarning):
        azmq.install()
    with pytest.warns(DeprecationWarning):
        loop = azmq.ZMQEventLoop()
    try:
        assert isinstance(loop, asyncio.SelectorEventLoop)

        async def main() -> bytes:
            ctx = azmq.Context()
            a, b = await aio_pair(ctx)
            await a.send(b"ok")
            got: bytes = await b.recv()
            ctx.destroy(0)
            return got

        assert loop.run_until_complete(main()) == b"ok"
    finally:
        loop.close()


def test_asyncio_sockets_are_purezmq_sockets_as_in_pyzmq(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        sock = ctx.socket(purezmq.PAIR)
        generic: Any = sock
        assert isinstance(generic, purezmq.Socket)
        assert issubclass(azmq.Socket, purezmq.Socket)
        assert not isinstance(purezmq.Socket.__new__(purezmq.Socket), azmq.Socket)
        with pytest.raises(TypeError):
            azmq.Socket.from_socket(sock)  # already an asyncio socket
        ctx.destroy(0)

    run(main)


def test_a_socket_made_outside_any_loop_serves_one_loop_after_another() -> None:
    """pyzmq's test_multiple_loops: sockets created before any loop runs, used from three event
    loops in turn (each closed before the next): every Future belongs to the running loop."""
    import purezmq.asyncio as az

    ctx = az.Context()
    push = ctx.socket(purezmq.PUSH)
    pull = ctx.socket(purezmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push.connect(f"tcp://127.0.0.1:{port}")

    async def round_trip(n: int) -> bytes:
        await push.send(b"%d" % n)
        return await pull.recv()  # type: ignore[no-any-return]

    for n in range(3):
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(asyncio.wait_for(round_trip(n), 10)) == b"%d" % n
        finally:
            loop.close()
    push.close()
    pull.close()
    ctx.term()
