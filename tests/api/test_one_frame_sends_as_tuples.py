"""A one-frame ``send`` on a PUSH, DEALER or PAIR queues the message as a 1-tuple
(``Pattern.one_frame_tuples``, docs/contracts.md "Pipes"): the cyclic GC stops tracking it at
its first look, so a queue full of them adds nothing to later collections. Receivers over
inproc get those messages as pyzmq hands them out, on both APIs."""

from __future__ import annotations

import gc
import socket
from collections.abc import Iterator

import pytest

import purezmq as zmq

from .conftest import Driver

N = 1_000


@pytest.fixture
def silent_peer() -> Iterator[str]:
    """A tcp endpoint whose listener never answers the greeting: what a connecting socket
    sends waits in its queue."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()


@pytest.mark.parametrize("kind", [zmq.PUSH, zmq.DEALER, zmq.PAIR])
def test_queued_one_frame_messages_are_not_tracked(
    driver: Driver, silent_peer: str, kind: int
) -> None:
    sock = driver.socket(kind, linger=0, sndhwm=2 * N)
    driver.call(sock, "connect", silent_peer)
    gc.collect()
    before = len(gc.get_objects())
    for i in range(N):
        driver.call(sock, "send", b"%d" % i)
    gc.collect()
    assert driver.invoke(lambda: sock._core.statistics().outbound_queued) == N
    # A list per message would leave N more tracked objects.
    assert len(gc.get_objects()) - before < N // 10


@pytest.mark.parametrize(
    ("sender", "receiver"),
    [(zmq.PUSH, zmq.PULL), (zmq.DEALER, zmq.DEALER), (zmq.PAIR, zmq.PAIR)],
)
def test_inproc_receivers_get_one_frame_sends_as_pyzmq_does(
    driver: Driver, sender: int, receiver: int
) -> None:
    rx, tx = driver.pair(receiver, sender)
    for body in (b"a", b"b", b"c", b"d"):
        driver.call(tx, "send", body)
    assert driver.call(rx, "recv") == b"a"
    assert driver.call(rx, "recv_multipart") == [b"b"]
    frame = driver.call(rx, "recv", copy=False)
    assert frame.bytes == b"c" and not frame.more
    assert driver.call(rx, "recv_multipart", copy=False)[0].bytes == b"d"


def test_a_router_gets_a_dealers_one_frame_send_behind_its_routing_id(driver: Driver) -> None:
    router = driver.socket(zmq.ROUTER, linger=0)
    dealer = driver.socket(zmq.DEALER, linger=0, routing_id=b"D")
    driver.call(router, "bind", driver.endpoint("inproc"))
    driver.call(dealer, "connect", driver.call(router, "getsockopt_string", zmq.LAST_ENDPOINT))
    driver.call(dealer, "send", b"hi")
    assert driver.call(router, "recv_multipart") == [b"D", b"hi"]
    driver.call(router, "send_multipart", [b"D", b"back"])
    assert driver.call(dealer, "recv") == b"back"


def test_a_rep_answers_a_req_over_inproc(driver: Driver) -> None:
    rep, req = driver.pair(zmq.REP, zmq.REQ)
    driver.call(req, "send", b"ping")
    assert driver.call(rep, "recv_multipart") == [b"ping"]
    driver.call(rep, "send", b"pong")
    assert driver.call(req, "recv") == b"pong"
