"""Interop matrix: every valid socket pair × {tcp, ipc} × {purezmq binds, libzmq binds}.

One side is purezmq, the other real libzmq (pyzmq). The two libraries share pyzmq's API, so each
exchange below is written once and run with the roles swapped. Every exchange carries multipart
messages with empty frames and a 1 MiB frame, in both directions where the pattern allows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import purezmq
from purezmq.testing import wait_subscribed

from .conftest import endpoint_for

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT_MS = 5000
BIG = bytes(range(256)) * 4096  # 1 MiB
MESSAGES = [[b"hello"], [b"", b"x", b""], [b"a" * 255, b"b" * 256], [BIG]]


def _setup(sock: Any) -> None:
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    sock.setsockopt(zmq.SNDTIMEO, TIMEOUT_MS)


def _until(fn: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Retry ``fn`` until it returns True (bounded): for slow-joiner subscriptions."""
    deadline = time.monotonic() + timeout
    while not fn():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")


def _recv_touching(sock: Any, subscriber: Any) -> list[bytes]:
    """Receive on an XPUB while touching the subscriber.

    A SUB/XSUB sends its subscriptions to a peer that connected to it only when its owner next
    touches the socket: libzmq attaches the new pipe in the application thread, and so does
    purezmq (spec README note 14).
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while not sock.poll(20):
        subscriber.poll(0)
        if time.monotonic() > deadline:
            raise AssertionError("no subscription reached the XPUB")
    return list(sock.recv_multipart())


def push_pull(a: Any, b: Any) -> None:
    for msg in MESSAGES:
        a.send_multipart(msg)
    for msg in MESSAGES:
        assert b.recv_multipart() == msg


def pair_pair(a: Any, b: Any) -> None:
    push_pull(a, b)
    push_pull(b, a)


def req_rep(req: Any, rep: Any) -> None:
    for msg in MESSAGES:
        req.send_multipart(msg)
        assert rep.recv_multipart() == msg
        rep.send_multipart([*msg, b"reply"])
        assert req.recv_multipart() == [*msg, b"reply"]


def dealer_rep(dealer: Any, rep: Any) -> None:
    for msg in MESSAGES:
        dealer.send_multipart([b"", *msg])
        assert rep.recv_multipart() == msg
        rep.send_multipart(msg[::-1])
        assert dealer.recv_multipart() == [b"", *msg[::-1]]


def req_router(req: Any, router: Any) -> None:
    for msg in MESSAGES:
        req.send_multipart(msg)
        ident, empty, *body = router.recv_multipart()
        assert empty == b"" and body == msg and ident
        router.send_multipart([ident, b"", *body, b"ok"])
        assert req.recv_multipart() == [*msg, b"ok"]


def dealer_router(dealer: Any, router: Any) -> None:
    for msg in MESSAGES:
        dealer.send_multipart(msg)
        ident, *body = router.recv_multipart()
        assert body == msg
        router.send_multipart([ident, *body[::-1]])
        assert dealer.recv_multipart() == msg[::-1]


def dealer_dealer(a: Any, b: Any) -> None:
    pair_pair(a, b)


def router_router(a: Any, b: Any) -> None:
    # The connecting ROUTER must know the bound one's id (spec patterns.md §3.5): both set ids
    # before the connection, and the first message is retried until the peer is routable.
    def try_send() -> bool:
        try:
            a.send_multipart([b"peer-b", b"hello"], zmq.DONTWAIT)
        except (zmq.ZMQError, purezmq.ZMQError):
            return False
        return True

    _until(try_send, "ROUTER peer to become routable")
    assert b.recv_multipart() == [b"peer-a", b"hello"]
    for msg in MESSAGES:
        b.send_multipart([b"peer-a", *msg])
        assert a.recv_multipart() == [b"peer-b", *msg]


def pub_sub(pub: Any, sub: Any) -> None:
    sub.setsockopt(zmq.SUBSCRIBE, b"topic")
    _publish(pub, sub)


def _publish(pub: Any, sub: Any) -> None:
    wait_subscribed(pub, sub, b"topic-probe")
    pub.send_multipart([b"other", b"dropped"])
    for msg in MESSAGES:
        pub.send_multipart([b"topic", *msg])
    for msg in MESSAGES:
        assert sub.recv_multipart() == [b"topic", *msg]


def xpub_sub(xpub: Any, sub: Any) -> None:
    sub.setsockopt(zmq.SUBSCRIBE, b"topic")
    assert _recv_touching(xpub, sub) == [b"\x01topic"]
    _publish(xpub, sub)
    sub.setsockopt(zmq.UNSUBSCRIBE, b"topic")
    assert _recv_touching(xpub, sub) == [b"\x00topic"]


def pub_xsub(pub: Any, xsub: Any) -> None:
    xsub.send_multipart([b"\x01topic"])

    wait_subscribed(pub, xsub, b"topic-probe")
    for msg in MESSAGES:
        pub.send_multipart([b"topic", *msg])
    for msg in MESSAGES:
        assert xsub.recv_multipart() == [b"topic", *msg]


def xpub_xsub(xpub: Any, xsub: Any) -> None:
    xsub.send_multipart([b"\x01topic"])
    assert _recv_touching(xpub, xsub) == [b"\x01topic"]
    xsub.send_multipart([b"upstream", b""])
    assert xpub.recv_multipart() == [b"upstream", b""]
    pub_xsub(xpub, xsub)


# (type of side A, type of side B, exchange(A, B))
PAIRS: list[tuple[str, str, Callable[[Any, Any], None]]] = [
    ("PUSH", "PULL", push_pull),
    ("PAIR", "PAIR", pair_pair),
    ("REQ", "REP", req_rep),
    ("DEALER", "REP", dealer_rep),
    ("REQ", "ROUTER", req_router),
    ("DEALER", "ROUTER", dealer_router),
    ("DEALER", "DEALER", dealer_dealer),
    ("ROUTER", "ROUTER", router_router),
    ("PUB", "SUB", pub_sub),
    ("XPUB", "SUB", xpub_sub),
    ("PUB", "XSUB", pub_xsub),
    ("XPUB", "XSUB", xpub_xsub),
]


def _cases() -> list[Any]:
    cases = []
    for type_a, type_b, exchange in PAIRS:
        for transport in ("tcp", "ipc"):
            for pure_side in ("A", "B"):
                for binder in ("A", "B"):
                    cases.append(
                        pytest.param(
                            type_a,
                            type_b,
                            exchange,
                            transport,
                            pure_side,
                            binder,
                            id=f"{type_a}-{type_b}-{transport}-pure{pure_side}-bind{binder}",
                        )
                    )
    return cases


@pytest.mark.parametrize(
    ("type_a", "type_b", "exchange", "transport", "pure_side", "binder"), _cases()
)
def test_pair(
    type_a: str,
    type_b: str,
    exchange: Callable[[Any, Any], None],
    transport: str,
    pure_side: str,
    binder: str,
    libzmq_ctx: Any,
    pure_ctx: Any,
    ipc_dir: str,
) -> None:
    ctx_a, lib_a = (pure_ctx, purezmq) if pure_side == "A" else (libzmq_ctx, zmq)
    ctx_b, lib_b = (libzmq_ctx, zmq) if pure_side == "A" else (pure_ctx, purezmq)
    a = ctx_a.socket(getattr(lib_a, type_a))
    b = ctx_b.socket(getattr(lib_b, type_b))
    for sock in (a, b):
        _setup(sock)
    if type_a == "ROUTER" and type_b == "ROUTER":
        a.setsockopt(zmq.ROUTING_ID, b"peer-a")
        b.setsockopt(zmq.ROUTING_ID, b"peer-b")
        a.setsockopt(zmq.ROUTER_MANDATORY, 1)
    bound, connecting = (a, b) if binder == "A" else (b, a)
    bound.bind(endpoint_for(transport, ipc_dir))
    address = bound.getsockopt(zmq.LAST_ENDPOINT)
    connecting.connect(address.decode() if isinstance(address, bytes) else address)
    try:
        exchange(a, b)
    finally:
        a.close()
        b.close()
