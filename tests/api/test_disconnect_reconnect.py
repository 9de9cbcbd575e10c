"""A connecting socket that disconnects and connects again to the same endpoint uses only the new
connection: libzmq's ``zmq_disconnect`` takes the old pipe out of the socket's routing at once, so
the next send cannot leave on the connection being closed (its reply could never come back)."""

from __future__ import annotations

import purezmq as zmq

from .conftest import Driver


def test_dealer_reconnected_at_once_gets_its_reply(driver: Driver, transport: str) -> None:
    router = driver.socket(zmq.ROUTER, linger=0)
    dealer = driver.socket(zmq.DEALER, linger=0)
    driver.call(router, "bind", driver.endpoint(transport))
    addr = driver.call(router, "getsockopt_string", zmq.LAST_ENDPOINT)
    driver.call(dealer, "connect", addr)
    driver.call(dealer, "disconnect", addr)
    driver.call(dealer, "connect", addr)
    for n in range(3):
        driver.call(dealer, "send", b"request %d" % n)
        assert driver.call(router, "poll", 5000) == zmq.POLLIN
        identity, body = driver.call(router, "recv_multipart")
        assert body == b"request %d" % n
        driver.call(router, "send_multipart", [identity, b"answer %d" % n])
        assert driver.call(dealer, "poll", 5000) == zmq.POLLIN
        assert driver.call(dealer, "recv") == b"answer %d" % n


def test_push_disconnected_sends_only_to_the_peer_left(driver: Driver, transport: str) -> None:
    first = driver.socket(zmq.PULL, linger=0)
    second = driver.socket(zmq.PULL, linger=0)
    push = driver.socket(zmq.PUSH, linger=0)
    addrs = []
    for pull in (first, second):
        driver.call(pull, "bind", driver.endpoint(transport))
        addrs.append(driver.call(pull, "getsockopt_string", zmq.LAST_ENDPOINT))
        driver.call(push, "connect", addrs[-1])
    driver.call(push, "disconnect", addrs[0])
    for n in range(4):
        driver.call(push, "send", b"%d" % n)
    for n in range(4):
        assert driver.call(second, "poll", 5000) == zmq.POLLIN
        assert driver.call(second, "recv") == b"%d" % n
    assert driver.call(first, "poll", 0) == 0
