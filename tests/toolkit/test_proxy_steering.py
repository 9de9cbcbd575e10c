"""``proxy_steerable`` steered as libzmq 4.3.5 steers it, on the blocking API and on asyncio
(``purezmq.asyncio.proxy``): the same script runs against pyzmq's (libzmq's) proxy and must get
the same replies: an empty frame for PAUSE, RESUME, TERMINATE and unknown commands, eight
uint64 frames counting message parts and bytes for STATISTICS; the capture socket gets a copy
of every part.

The script sends no traffic between PAUSE and the end: pyzmq 27's bundled libzmq 4.3.5 forwards
while "paused", and after a PAUSE and a RESUME with nothing sent between them it forwards
nothing more (inproc PULL/PUSH); purezmq holds messages while paused and forwards them after
RESUME, as zmq_proxy_steerable(3) says (``test_*pause_holds_messages_until_resume``)."""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as zasyncio
from purezmq._proxy_steering import statistics
from purezmq.asyncio.proxy import proxy as async_proxy
from purezmq.asyncio.proxy import proxy_steerable as async_proxy_steerable

WAIT_MS = 5000
#: control socket type -> the type of the socket that steers it.
STEERERS = {"PAIR": "PAIR", "REP": "REQ", "DEALER": "DEALER"}
COMMANDS = [b"PAUSE", b"STATISTICS", b"RESUME", b"BOGUS", b"STATISTICS", b"TERMINATE"]


def decoded(reply: list[bytes]) -> list[Any]:
    return [*statistics(reply)] if len(reply) == 8 else reply


def sync_transcript(z: ModuleType, control_type: str) -> list[Any]:
    """Steer a blocking proxy of module ``z`` (pyzmq or purezmq); what it answered and moved."""
    ctx = z.Context()
    tag = f"{z.__name__}-{control_type}"
    try:

        def bound(kind: int, name: str) -> Any:
            s = ctx.socket(kind)
            s.linger = 0
            s.bind(f"inproc://{tag}-{name}")
            return s

        def connected(kind: int, name: str) -> Any:
            s = ctx.socket(kind)
            s.linger = 0
            s.rcvtimeo = WAIT_MS
            s.connect(f"inproc://{tag}-{name}")
            return s

        fe, be, cap = bound(z.PULL, "fe"), bound(z.PUSH, "be"), bound(z.PUSH, "cap")
        ctl = bound(getattr(z, control_type), "ctl")
        done = threading.Event()

        def run() -> None:
            z.proxy_steerable(fe, be, cap, ctl)
            done.set()

        threading.Thread(target=run, daemon=True).start()
        push, pull = connected(z.PUSH, "fe"), connected(z.PULL, "be")
        captured = connected(z.PULL, "cap")
        steer = connected(getattr(z, STEERERS[control_type]), "ctl")
        seen: list[Any] = []
        push.send_multipart([b"a", b"bc"])
        seen.append(pull.recv_multipart())
        seen.append(captured.recv_multipart())
        for command in COMMANDS:
            steer.send(command)
            seen.append((command, decoded(steer.recv_multipart())))
        assert done.wait(WAIT_MS / 1000)
        for s in (push, pull, captured, steer, fe, be, cap, ctl):
            s.close()
        return seen
    finally:
        ctx.term()


def async_transcript(control_type: str) -> list[Any]:
    """The same script against ``purezmq.asyncio.proxy.proxy_steerable``."""

    async def main() -> list[Any]:
        ctx = zasyncio.Context()
        try:

            def pair(kind: int, peer: int, name: str) -> tuple[Any, Any]:
                a, b = ctx.socket(kind), ctx.socket(peer)
                a.bind(f"inproc://aio-{control_type}-{name}")
                b.connect(f"inproc://aio-{control_type}-{name}")
                return a, b

            fe, push = pair(purezmq.PULL, purezmq.PUSH, "fe")
            be, pull = pair(purezmq.PUSH, purezmq.PULL, "be")
            cap, captured = pair(purezmq.PUSH, purezmq.PULL, "cap")
            ctl, steer = pair(
                getattr(purezmq, control_type), getattr(purezmq, STEERERS[control_type]), "ctl"
            )
            task = asyncio.create_task(async_proxy_steerable(fe, be, cap, ctl))
            seen: list[Any] = []
            await push.send_multipart([b"a", b"bc"])
            seen.append(await pull.recv_multipart())
            seen.append(await captured.recv_multipart())
            for command in COMMANDS:
                await steer.send(command)
                seen.append((command, decoded(await steer.recv_multipart())))
            await asyncio.wait_for(task, WAIT_MS / 1000)
            return seen
        finally:
            ctx.destroy(linger=0)

    return asyncio.run(main())


@pytest.fixture(scope="module")
def libzmq() -> Callable[[str], list[Any]]:
    pyzmq = pytest.importorskip("zmq")
    assert pyzmq.zmq_version_info()[:2] == (4, 3)
    return lambda control_type: sync_transcript(pyzmq, control_type)


@pytest.mark.parametrize("control_type", sorted(STEERERS))
def test_blocking_proxy_answers_as_libzmq(
    control_type: str, libzmq: Callable[[str], list[Any]]
) -> None:
    ours = sync_transcript(purezmq, control_type)
    assert ours == libzmq(control_type)
    # Spelled out: message parts are counted, every command but STATISTICS gets b"".
    assert ours[0] == ours[1] == [b"a", b"bc"]
    assert ours[2] == (b"PAUSE", [b""])
    assert ours[3] == (b"STATISTICS", [2, 3, 0, 0, 0, 0, 2, 3])
    assert ours[4:] == [
        (b"RESUME", [b""]),
        (b"BOGUS", [b""]),
        (b"STATISTICS", [2, 3, 0, 0, 0, 0, 2, 3]),
        (b"TERMINATE", [b""]),
    ]


@pytest.mark.parametrize("control_type", sorted(STEERERS))
def test_asyncio_proxy_answers_as_libzmq(
    control_type: str, libzmq: Callable[[str], list[Any]]
) -> None:
    assert async_transcript(control_type) == libzmq(control_type)


def test_asyncio_pause_holds_messages_until_resume() -> None:
    # libzmq 4.3.5 forwards while "paused" (its PAUSE has no effect); the documented
    # behaviour, which purezmq's blocking proxy has too (tests/test_proxy.py), is this.
    async def main() -> None:
        ctx = zasyncio.Context()
        try:
            fe, be, ctl = (
                ctx.socket(purezmq.PULL),
                ctx.socket(purezmq.PUSH),
                ctx.socket(purezmq.PAIR),
            )
            fe.bind("inproc://hold-fe")
            be.bind("inproc://hold-be")
            ctl.bind("inproc://hold-ctl")
            task = asyncio.create_task(async_proxy_steerable(fe, be, None, ctl))
            push, pull, steer = (
                ctx.socket(purezmq.PUSH),
                ctx.socket(purezmq.PULL),
                ctx.socket(purezmq.PAIR),
            )
            push.connect("inproc://hold-fe")
            pull.connect("inproc://hold-be")
            steer.connect("inproc://hold-ctl")
            await steer.send(b"PAUSE")
            assert await steer.recv_multipart() == [b""]
            await push.send(b"held")
            assert not await pull.poll(50)  # a negative check: nothing moves while paused
            await steer.send(b"RESUME")
            assert await steer.recv_multipart() == [b""]
            assert await pull.recv() == b"held"
            await steer.send(b"TERMINATE")
            await asyncio.wait_for(task, WAIT_MS / 1000)
        finally:
            ctx.destroy(linger=0)

    asyncio.run(main())


def test_a_control_socket_that_cannot_send_steers_without_replies() -> None:
    # libzmq 4.3.5 fails with ENOTSUP here (it tries to answer on the SUB); purezmq goes on.
    ctx = purezmq.Context()
    fe, be, ctl = ctx.socket(purezmq.PULL), ctx.socket(purezmq.PUSH), ctx.socket(purezmq.SUB)
    ctl.subscribe(b"")
    fe.bind("inproc://sub-fe")
    be.bind("inproc://sub-be")
    ctl.bind("inproc://sub-ctl")
    done = threading.Event()

    def run() -> None:
        purezmq.proxy_steerable(fe, be, None, ctl)
        done.set()

    threading.Thread(target=run, daemon=True).start()
    pub = ctx.socket(purezmq.XPUB)
    pub.connect("inproc://sub-ctl")
    assert pub.poll(WAIT_MS) and pub.recv() == b"\x01"  # the SUB's subscription arrived
    push, pull = ctx.socket(purezmq.PUSH), ctx.socket(purezmq.PULL)
    push.connect("inproc://sub-fe")
    pull.connect("inproc://sub-be")
    push.send(b"through")
    assert pull.poll(WAIT_MS) and pull.recv() == b"through"
    for command in (b"PAUSE", b"STATISTICS", b"RESUME", b"TERMINATE"):
        pub.send(command)
    assert done.wait(WAIT_MS / 1000)
    ctx.destroy(linger=0)


def test_asyncio_proxy_forwards_both_ways_with_capture_and_stops_when_cancelled() -> None:
    async def main() -> None:
        ctx = zasyncio.Context()
        try:
            front, back = ctx.socket(purezmq.ROUTER), ctx.socket(purezmq.DEALER)
            front.bind("inproc://aio-front")
            back.bind("inproc://aio-back")
            cap, captured = ctx.socket(purezmq.PUSH), ctx.socket(purezmq.PULL)
            cap.bind("inproc://aio-cap")
            captured.connect("inproc://aio-cap")
            task = asyncio.create_task(async_proxy(front, back, cap))
            client, worker = ctx.socket(purezmq.REQ), ctx.socket(purezmq.REP)
            client.connect("inproc://aio-front")
            worker.connect("inproc://aio-back")
            await client.send(b"ping")
            assert await worker.recv() == b"ping"
            await worker.send(b"pong")
            assert await client.recv() == b"pong"
            request, reply = await captured.recv_multipart(), await captured.recv_multipart()
            assert (request[1:], reply[1:]) == ([b"", b"ping"], [b"", b"pong"])
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        finally:
            ctx.destroy(linger=0)

    asyncio.run(asyncio.wait_for(main(), WAIT_MS / 1000))


def test_asyncio_proxy_ends_with_the_context() -> None:
    async def main() -> None:
        ctx = zasyncio.Context()
        front, back = ctx.socket(purezmq.PULL), ctx.socket(purezmq.PUSH)
        front.bind("inproc://aio-end-f")
        back.bind("inproc://aio-end-b")
        task = asyncio.create_task(async_proxy(front, back))
        await asyncio.sleep(0)  # let the proxy start waiting
        ctx.destroy(linger=0)
        with pytest.raises(purezmq.ContextTerminated):
            await asyncio.wait_for(task, WAIT_MS / 1000)

    asyncio.run(main())


def test_statistics_layout_is_eight_native_uint64() -> None:
    frames = [struct.pack("=Q", n) for n in range(8)]
    assert statistics(frames) == tuple(range(8))
