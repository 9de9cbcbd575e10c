"""LINGER for the asyncio API, whose connections run on the user's loop: what a socket queued
before ``close()`` reaches libzmq even when the program ends right after ``ctx.term()``
(``asyncio.run`` returning), as it does with pyzmq's ``zmq.asyncio``, whose ``term()`` blocks
until LINGER flushes end. The loop's shutdown waits for the flush instead of dropping it.

Each case runs ``asyncio.run`` (or ``uvloop.run``) in a thread of its own, with a bounded join:
a flush that never ends shows up as a failure, not as a hung test run.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq

from ..kit.libzmq import free_tcp_port

zmq = pytest.importorskip("zmq")

WAIT_MS = 10_000
COUNT = 100

Program = Callable[[], Coroutine[Any, Any, None]]


def _runner(kind: str) -> Callable[[Coroutine[Any, Any, None]], None]:
    if kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        return uvloop.run  # type: ignore[no-any-return]
    return asyncio.run


@pytest.fixture(params=["asyncio", "uvloop"])
def run_program(request: pytest.FixtureRequest) -> Callable[[Program], None]:
    """Run ``main()`` as a whole program would (``asyncio.run``), in a thread; fail if it does
    not return within the bound."""
    runner = _runner(request.param)

    def run(main: Program) -> None:
        failure: list[BaseException] = []

        def program() -> None:
            try:
                runner(main())
            except BaseException as exc:  # reported below
                failure.append(exc)

        thread = threading.Thread(target=program, daemon=True)
        thread.start()
        thread.join(WAIT_MS / 1000)
        assert not thread.is_alive(), "the program did not end: its loop's shutdown hung"
        if failure:
            raise failure[0]

    return run


def _receive_all(ctx: Any, endpoint: str, *, bind: bool) -> tuple[threading.Thread, list[bytes]]:
    """A libzmq PULL (pyzmq) that binds or connects to ``endpoint`` in a thread and collects up
    to ``COUNT`` messages, each within ``WAIT_MS``."""
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = WAIT_MS
    got: list[bytes] = []

    def receive() -> None:
        try:
            if bind:
                pull.bind(endpoint)
            else:
                pull.connect(endpoint)
            for _ in range(COUNT):
                got.append(pull.recv())
        except zmq.Again:
            pass
        finally:
            pull.close()

    return threading.Thread(target=receive, daemon=True), got


def _messages(size: int) -> list[bytes]:
    return [b"%06d" % i + bytes(size) for i in range(COUNT)]


def test_queued_before_the_connection_is_up_reach_libzmq(
    libzmq_ctx: Any, run_program: Callable[[Program], None]
) -> None:
    endpoint = f"tcp://127.0.0.1:{free_tcp_port()}"
    receiver, got = _receive_all(libzmq_ctx, endpoint, bind=True)

    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.connect(endpoint)  # nobody listens yet: connecting is refused and retried
        for msg in _messages(1000):
            await push.send(msg)
        push.close()
        ctx.term()
        receiver.start()  # libzmq binds only now, while the program is ending

    run_program(main)
    receiver.join(WAIT_MS / 1000)
    assert got == _messages(1000)


def test_large_messages_in_flight_reach_libzmq(
    libzmq_ctx: Any, run_program: Callable[[Program], None]
) -> None:
    endpoint = f"tcp://127.0.0.1:{free_tcp_port()}"
    receiver, got = _receive_all(libzmq_ctx, endpoint, bind=True)
    receiver.start()

    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.connect(endpoint)
        for msg in _messages(1 << 20):  # 100 MiB: most of it is still queued at close()
            await push.send(msg)
        push.close()
        ctx.term()

    run_program(main)
    receiver.join(WAIT_MS / 1000)
    assert len(got) == COUNT and got == _messages(1 << 20)


def test_a_bound_socket_flushes_to_a_connected_libzmq_peer(
    libzmq_ctx: Any, run_program: Callable[[Program], None]
) -> None:
    port = free_tcp_port()
    receiver, got = _receive_all(libzmq_ctx, f"tcp://127.0.0.1:{port}", bind=False)

    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.bind(f"tcp://127.0.0.1:{port}")
        monitor = push.get_monitor_socket(purezmq.EVENT_HANDSHAKE_SUCCEEDED)
        receiver.start()
        await monitor.recv_multipart()  # libzmq's connection is up
        monitor.close()
        for msg in _messages(64 * 1024):
            await push.send(msg)
        push.close()
        ctx.term()

    run_program(main)
    receiver.join(WAIT_MS / 1000)
    assert got == _messages(64 * 1024)


def test_linger_still_bounds_the_wait(
    run_program: Callable[[Program], None],
) -> None:
    endpoint = f"tcp://127.0.0.1:{free_tcp_port()}"  # never anybody there

    async def main() -> None:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.connect(endpoint)
        await push.send(b"undeliverable")
        push.close(linger=100)
        ctx.term()
        idle = azmq.Context().socket(purezmq.PUSH)
        idle.connect(endpoint)
        idle.close()  # nothing queued: nothing to wait for, LINGER or not

    run_program(main)  # returns once the 100 ms are over, not never
