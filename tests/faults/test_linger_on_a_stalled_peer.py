"""LINGER when the peer stalls (stops reading, its buffers full): a finite LINGER ends the
context's term() in about that time and what did arrive is an in-order prefix; LINGER -1
waits for the peer and then delivers every message exactly once. purezmq and libzmq (pyzmq)
on either side."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from ..kit.libzmq import LIBS, bind_fixed, make_socket
from .conftest import PAIRS, ProxyFactory, SocketFactory
from .tally import numbered

zmq = pytest.importorskip("zmq")

COUNT = 200
PAYLOAD = bytes(10_000)  # 2 MB in all: more than the kernel and the proxy hold


def flood_through_stalled_link(pusher: str, pull: Any, proxy: Any, linger: int) -> tuple[Any, Any]:
    ctx = LIBS[pusher].Context()
    push = make_socket(ctx, pusher, "PUSH")
    push.setsockopt(zmq.SNDHWM, 0)
    # Small kernel buffers on both hops, so the stalled link holds far less than the flood
    # (Linux autotuning would otherwise let the kernel absorb all of it).
    push.setsockopt(zmq.SNDBUF, 65536)
    push.connect(proxy.endpoint)
    proxy.wait_links(1)
    proxy.stall()
    for n in range(COUNT):
        push.send_multipart([numbered(n), PAYLOAD])
    push.setsockopt(zmq.LINGER, linger)
    push.close()
    return ctx, push


def term_in_background(ctx: Any) -> threading.Event:
    """Start ``ctx.term()`` in a thread; the Event is set when it returns."""
    terminated = threading.Event()

    def term() -> None:
        ctx.term()
        terminated.set()

    threading.Thread(target=term, daemon=True).start()
    return terminated


def received_numbers(pull: Any) -> list[int]:
    numbers = []
    while pull.poll(300):
        numbers.append(int(pull.recv_multipart()[0]))
    return numbers


@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_finite_linger_gives_up_in_time(
    pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull = make_zsocket(puller, "PULL")
    proxy = make_proxy(bind_fixed(pull, "tcp", ""))
    ctx, _ = flood_through_stalled_link(pusher, pull, proxy, linger=300)
    terminated = term_in_background(ctx)
    assert terminated.wait(3.0), "term() did not return after LINGER 300 ms"
    proxy.stall(False)
    numbers = received_numbers(pull)
    assert numbers == list(range(len(numbers))), "not an in-order prefix"
    assert len(numbers) < COUNT
    pull.close()


@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_infinite_linger_waits_then_delivers_everything(
    pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull = make_zsocket(puller, "PULL")
    proxy = make_proxy(bind_fixed(pull, "tcp", ""))
    ctx, _ = flood_through_stalled_link(pusher, pull, proxy, linger=-1)
    terminated = term_in_background(ctx)
    assert not terminated.wait(0.3), "term() returned with messages still queued"
    proxy.stall(False)
    got = []
    for _ in range(COUNT):
        frames = pull.recv_multipart()
        assert frames[1] == PAYLOAD
        got.append(frames[0])
    assert got == [numbered(n) for n in range(COUNT)]
    assert terminated.wait(5), "term() still blocked after everything was delivered"
    assert not pull.poll(50)
    pull.close()


