"""SUB takes received messages in batches (sync API) yet decides on each one when a receive
reaches it, under the subscriptions of that moment, as libzmq does.

Each test runs on purezmq and on pyzmq (libzmq) alike. Over inproc a PUB's ``send`` puts the
message in the SUB's queue before it returns, so the queue's contents are known exactly; the
first ``recv`` then takes them all in one batch (purezmq), and the subscriptions change while
the socket holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq

from .conftest import subscribed

pyzmq = pytest.importorskip("zmq")


@pytest.fixture(params=["purezmq", "pyzmq"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    return purezmq if request.param == "purezmq" else pyzmq


@pytest.fixture
def pub_sub(lib: Any) -> Iterator[tuple[Any, Any]]:
    ctx = lib.Context()
    pub = ctx.socket(lib.PUB)
    sub = ctx.socket(lib.SUB)
    try:
        pub.bind("inproc://batches")
        sub.connect("inproc://batches")
        sub.setsockopt(lib.SUBSCRIBE, b"a")
        sub.setsockopt(lib.SUBSCRIBE, b"b")
        sub.setsockopt(lib.RCVTIMEO, 5000)
        subscribed(pub, sub, b"a-hello")
        yield pub, sub
    finally:
        pub.close(linger=0)
        sub.close(linger=0)
        ctx.term()


def _receive_until(sub: Any, last: bytes) -> list[bytes]:
    got: list[bytes] = []
    while not got or got[-1] != last:
        got.append(sub.recv())
    return got


def test_unsubscribing_drops_the_queued_messages_of_that_topic(lib: Any, pub_sub: Any) -> None:
    pub, sub = pub_sub
    for msg in (b"a1", b"b1", b"a2", b"b2", b"a3"):
        pub.send(msg)
    assert sub.recv() == b"a1"
    sub.setsockopt(lib.UNSUBSCRIBE, b"b")
    pub.send(b"a-end")
    assert _receive_until(sub, b"a-end") == [b"a2", b"a3", b"a-end"]


def test_resubscribing_delivers_queued_messages_that_match_again(lib: Any, pub_sub: Any) -> None:
    pub, sub = pub_sub
    for msg in (b"a1", b"b1", b"a2", b"b2"):
        pub.send(msg)
    # b1 and b2 are queued but do not match while "b" is off; back on, they match again.
    sub.setsockopt(lib.UNSUBSCRIBE, b"b")
    assert sub.recv() == b"a1"
    sub.setsockopt(lib.SUBSCRIBE, b"b")
    pub.send(b"a-end")
    assert _receive_until(sub, b"a-end") == [b"b1", b"a2", b"b2", b"a-end"]


@pytest.mark.parametrize("lib", ["purezmq"], indirect=True)
def test_a_run_of_queued_messages_is_one_engine_call(pub_sub: Any) -> None:
    pub, sub = pub_sub
    before = sub._core.statistics().recv_batches
    for i in range(40):
        pub.send(b"a%d" % i)
    assert [sub.recv() for _ in range(40)] == [b"a%d" % i for i in range(40)]
    assert sub._core.statistics().recv_batches == before + 1
