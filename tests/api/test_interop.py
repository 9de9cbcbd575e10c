"""Smoke tests: purezmq (both APIs) talking to pyzmq/libzmq over tcp, in both directions."""

from __future__ import annotations

import functools
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


#: Every kind of turn: one small frame (sent at once by the asyncio API), frames of 2 KiB and
#: more (left to the batched flush), several parts, and small again.
TURNS = [[b"x"], [b"a" * 100_000], [b"", b"b", b"c" * 3000], [b"y", b"z"], [b"w"]]


@pytest.mark.parametrize("mechanism", ["null", "curve"])
@pytest.mark.parametrize("purezmq_binds", [True, False], ids=["purezmq-binds", "libzmq-binds"])
def test_request_reply_turns_of_every_size(
    driver: Driver, zsock: Callable[[int], Any], purezmq_binds: bool, mechanism: str
) -> None:
    server: dict[str, Any] = {}
    client: dict[str, Any] = {}
    if mechanism == "curve":
        pytest.importorskip("nacl")
        public, secret = zmq.curve_keypair()
        client_public, client_secret = zmq.curve_keypair()
        server = {"curve_server": True, "curve_secretkey": secret}
        client = {
            "curve_serverkey": public,
            "curve_publickey": client_public,
            "curve_secretkey": client_secret,
        }
    # The REP sides serve, the REQ sides are clients.
    rep = driver.socket(purezmq.REP, linger=0, **server)
    req = driver.socket(purezmq.REQ, linger=0, **client)
    zreq = zsock(zmq.REQ)
    zrep = zsock(zmq.REP)
    for sock, options in ((zreq, client), (zrep, server)):
        for name, value in options.items():
            setattr(sock, name, value)
    if purezmq_binds:
        port = driver.call(rep, "bind_to_random_port", "tcp://127.0.0.1")
        zreq.connect(f"tcp://127.0.0.1:{port}")
        port = driver.call(req, "bind_to_random_port", "tcp://127.0.0.1")
        zrep.connect(f"tcp://127.0.0.1:{port}")
    else:
        driver.call(
            rep, "connect", f"tcp://127.0.0.1:{zreq.bind_to_random_port('tcp://127.0.0.1')}"
        )
        driver.call(
            req, "connect", f"tcp://127.0.0.1:{zrep.bind_to_random_port('tcp://127.0.0.1')}"
        )
    for msg in TURNS:
        # purezmq answers libzmq's request (a libzmq REQ that binds waits for its peer)...
        driver.blocking(functools.partial(zreq.send_multipart, msg))
        request = driver.call(rep, "recv_multipart")
        assert request == msg
        driver.call(rep, "send_multipart", [*request, b"back"])
        assert driver.blocking(zreq.recv_multipart) == [*msg, b"back"]
        # ...and asks libzmq its own.
        driver.call(req, "send_multipart", msg)
        assert driver.blocking(zrep.recv_multipart) == msg
        driver.blocking(functools.partial(zrep.send_multipart, [b"re", *msg]))
        assert driver.call(req, "recv_multipart") == [b"re", *msg]


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


# -- large bodies: received into lent buffers, handed out as bytes (zmtp.bodies) --------------


def _body(i: int, size: int) -> bytes:
    # Different content per message: a buffer handed back too early would show as a mix.
    return bytes([i % 251]) * (size // 2) + bytes(range(256)) * (size // 512) + bytes([i])


@pytest.mark.parametrize("purezmq_binds", [True, False], ids=["purezmq-binds", "libzmq-binds"])
def test_large_frames_from_libzmq_arrive_as_bytes(
    driver: Driver, zsock: Callable[[int], Any], purezmq_binds: bool
) -> None:
    pull = driver.socket(purezmq.PULL, linger=0)
    push = zsock(zmq.PUSH)
    if purezmq_binds:
        port = driver.call(pull, "bind_to_random_port", "tcp://127.0.0.1")
        push.connect(f"tcp://127.0.0.1:{port}")
    else:
        port = push.bind_to_random_port("tcp://127.0.0.1")
        driver.call(pull, "connect", f"tcp://127.0.0.1:{port}")
    size = 300_000
    sent: list[list[bytes]] = []
    for i in range(6):
        msg = [_body(i, size)] if i % 2 == 0 else [_body(i, size), b"small", _body(i + 100, size)]
        sent.append(msg)
        # (In a thread for the asyncio driver: pyzmq blocks until purezmq has connected.)
        driver.blocking(functools.partial(push.send_multipart, msg))
    got: list[list[bytes]] = []
    for msg in sent:
        way = len(got) % 3
        if way == 0:  # frame by frame
            frames = [driver.call(pull, "recv") for _ in msg]
        elif way == 1:
            frames = driver.call(pull, "recv_multipart")
        else:
            frames = [f.bytes for f in driver.call(pull, "recv_multipart", copy=False)]
        assert [type(f) for f in frames] == [bytes] * len(msg)
        got.append(frames)
    # Every message intact, also those taken before later bodies reused their buffers.
    assert got == sent
    last = _body(7, size)
    driver.blocking(lambda: push.send(last))
    into = bytearray(len(last) + 10)
    assert driver.call(pull, "recv_into", into) == len(last)
    assert into[: len(last)] == last


def test_sub_with_many_topics_matches_a_large_message(
    driver: Driver, zsock: Callable[[int], Any]
) -> None:
    # Beyond a few topics SUB looks prefixes up in a dict: a lent body must not be the key.
    pub = zsock(zmq.PUB)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = driver.socket(purezmq.SUB, linger=0)
    for topic in [b"t%d" % n for n in range(20)]:
        driver.call(sub, "setsockopt", purezmq.SUBSCRIBE, topic)
    driver.call(sub, "connect", f"tcp://127.0.0.1:{port}")
    big = b"t7" + b"x" * 200_000
    received: list[bytes] = []

    def deliver() -> None:
        # The subscriptions reach libzmq asynchronously: publish until one arrives.
        while not received:
            pub.send(big)
            if driver.call(sub, "poll", 50):
                received.append(driver.call(sub, "recv"))

    deliver()  # (each driver.call runs on the driver's own loop)
    assert received == [big]


def test_xpub_takes_a_large_subscription_from_libzmq(
    driver: Driver, zsock: Callable[[int], Any]
) -> None:
    xpub = driver.socket(purezmq.XPUB, linger=0)
    port = driver.call(xpub, "bind_to_random_port", "tcp://127.0.0.1")
    xsub = zsock(zmq.XSUB)
    xsub.connect(f"tcp://127.0.0.1:{port}")
    topic = b"T" * 100_000
    xsub.send(b"\x01" + topic)
    note = driver.call(xpub, "recv")
    assert type(note) is bytes and note == b"\x01" + topic
    driver.call(xpub, "send", topic + b"!")
    assert driver.blocking(xsub.recv) == topic + b"!"
