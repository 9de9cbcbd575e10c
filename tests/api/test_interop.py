"""Smoke tests: purezmq (both APIs) talking to pyzmq/libzmq over tcp, in both directions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq

from .conftest import Driver

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop


@pytest.fixture
def zsock() -> Iterator[Callable[[int], Any]]:
    """pyzmq socket factory; keeps the sockets alive and closes them (pyzmq warns about
    sockets left to the garbage collector)."""
    ctx = zmq.Context()
    socks: list[Any] = []

    def make(kind: int) -> Any:
        s = ctx.socket(kind)
        s.linger = 0
        s.rcvtimeo = 5000
        socks.append(s)
        return s

    try:
        yield make
    finally:
        for s in socks:
            s.close(0)
        ctx.term()


def test_purezmq_req_to_libzmq_rep(driver: Driver, zsock: Callable[[int], Any]) -> None:
    rep = zsock(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req = driver.socket(purezmq.REQ, linger=0)
    driver.call(req, "connect", f"tcp://127.0.0.1:{port}")
    driver.call(req, "send_multipart", [b"hello", b"libzmq"])
    assert driver.blocking(rep.recv_multipart) == [b"hello", b"libzmq"]
    rep.send_string("héllo purezmq")
    assert driver.call(req, "recv_string") == "héllo purezmq"


def test_libzmq_dealer_to_purezmq_router(driver: Driver, zsock: Callable[[int], Any]) -> None:
    router = driver.socket(purezmq.ROUTER, linger=0)
    port = driver.call(router, "bind_to_random_port", "tcp://127.0.0.1")
    dealer = zsock(zmq.DEALER)
    dealer.routing_id = b"libzmq-peer"
    dealer.connect(f"tcp://127.0.0.1:{port}")
    dealer.send_multipart([b"", b"ping"])
    frames = driver.call(router, "recv_multipart", copy=False)
    assert [f.bytes for f in frames] == [b"libzmq-peer", b"", b"ping"]
    driver.call(router, "send_multipart", [b"libzmq-peer", b"", b"pong"])
    assert driver.blocking(dealer.recv_multipart) == [b"", b"pong"]
