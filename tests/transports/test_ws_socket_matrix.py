"""Every socket type over ws://, under each mechanism (NULL, PLAIN, CURVE), purezmq on both
ends: each compatible pair of socket types exchanges messages both ways where its pattern
allows, the binding side being the mechanism server. libzmq's ws transport (4.3.4, no draft
types) is the peer of the stable types in ``tests/interop/test_ws_libzmq434.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq
from purezmq.auth.thread import ThreadAuthenticator

pytestmark = pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra")

TIMEOUT_MS = 5000
P = purezmq


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.destroy(linger=0)


def _until_received(send: Callable[[], None], sock: Any) -> None:
    """Send until ``sock`` has a message (a subscription or join travels first)."""
    for _ in range(200):
        send()
        if sock.poll(20):
            return
    pytest.fail("nothing arrived in 200 rounds")


def pipeline(a: Any, b: Any) -> None:  # a sends, b receives
    # SCATTER/GATHER carry single-part messages only.
    sent = [
        [b"single-%d" % i] if a.type == P.SCATTER else [b"part-%d" % i, b"x" * 300]
        for i in range(3)
    ]
    for msg in sent:
        a.send_multipart(msg)
    for msg in sent:
        assert b.recv_multipart() == msg


def pair(a: Any, b: Any) -> None:
    b.send(b"ping")
    assert a.recv() == b"ping"
    a.send(b"pong")
    assert b.recv() == b"pong"


def request_reply(a: Any, b: Any) -> None:  # b requests, a replies
    envelope = [b""] if b.type == P.DEALER else []
    for i in range(3):
        b.send_multipart([*envelope, b"req-%d" % i])
        got = a.recv_multipart()
        assert got[-1] == b"req-%d" % i
        a.send_multipart([*got[:-1], b"rep-%d" % i])
        assert b.recv_multipart() == [*envelope, b"rep-%d" % i]


def publish(a: Any, b: Any) -> None:  # a publishes, b subscribes to "t"
    if b.type == P.XSUB:
        b.send(b"\x01t")
    else:
        b.subscribe(b"t")
    if a.type == P.XPUB:
        assert a.recv() == b"\x01t"

    def send() -> None:
        a.send(b"other")
        a.send(b"t-msg")

    _until_received(send, b)
    assert b.recv() == b"t-msg"


def client_server(a: Any, b: Any) -> None:  # b is the CLIENT
    b.send(b"hello")
    frame = a.recv(copy=False)
    assert frame.bytes == b"hello"
    a.send(b"re hello", routing_id=frame.routing_id)
    assert b.recv() == b"re hello"


def radio_dish(a: Any, b: Any) -> None:  # a is the RADIO
    b.join("g")

    def send() -> None:
        a.send(b"other", group="h")
        a.send(b"in g", group="g")

    _until_received(send, b)
    frame = b.recv(copy=False)
    assert (frame.bytes, frame.group) == (b"in g", "g")


def router_router(a: Any, b: Any) -> None:
    # b knows a by the routing id a set, once connected (ROUTER_MANDATORY says when: a
    # message to an unknown id fails instead of vanishing); a learns b's from the message.
    b.router_mandatory = 1
    for _ in range(250):
        try:
            b.send_multipart([b"srv", b"hi"])
            break
        except purezmq.ZMQError as exc:
            assert exc.errno == purezmq.EHOSTUNREACH
            b.poll(20)
    ident, msg = a.recv_multipart()
    assert (ident, msg) == (b"cli", b"hi")
    a.send_multipart([ident, b"back"])
    assert b.recv_multipart() == [b"srv", b"back"]


#: Each compatible pair: ``play(a, b)`` with ``a`` bound, ``b`` connected. PEER, which connects
#: with ``connect_peer``, has a test of its own.
PAIRS: list[tuple[int, int, Callable[[Any, Any], None]]] = [
    (P.PAIR, P.PAIR, pair),
    (P.PUSH, P.PULL, pipeline),
    (P.PULL, P.PUSH, lambda a, b: pipeline(b, a)),
    (P.REP, P.REQ, request_reply),
    (P.REP, P.DEALER, request_reply),
    (P.ROUTER, P.REQ, request_reply),
    (P.ROUTER, P.DEALER, request_reply),
    (P.DEALER, P.DEALER, pair),
    (P.ROUTER, P.ROUTER, router_router),
    (P.PUB, P.SUB, publish),
    (P.XPUB, P.SUB, publish),
    (P.PUB, P.XSUB, publish),
    (P.XPUB, P.XSUB, publish),
    (P.SERVER, P.CLIENT, client_server),
    (P.RADIO, P.DISH, radio_dish),
    (P.SCATTER, P.GATHER, pipeline),
    (P.CHANNEL, P.CHANNEL, pair),
]


def _mechanisms(server: Any, client: Any, mech: str) -> None:
    if mech == "plain":
        server.plain_server = True
        client.plain_username = b"admin"
        client.plain_password = b"secret"
    elif mech == "curve":
        spub, ssec = purezmq.curve_keypair()
        cpub, csec = purezmq.curve_keypair()
        server.curve_server = True
        server.curve_secretkey = ssec
        client.curve_publickey, client.curve_secretkey, client.curve_serverkey = cpub, csec, spub


def _sockets(ctx: purezmq.Context, kind_a: int, kind_b: int, mech: str) -> tuple[Any, Any]:
    a = ctx.socket(kind_a)
    b = ctx.socket(kind_b)
    for s in (a, b):
        s.linger = 0
        s.rcvtimeo = s.sndtimeo = TIMEOUT_MS
    if kind_a == kind_b == P.ROUTER:
        a.routing_id = b"srv"
        b.routing_id = b"cli"
    _mechanisms(a, b, mech)
    return a, b


MECHS = pytest.mark.parametrize("mech", ["null", "plain", "curve"])


@pytest.fixture
def plain_auth(ctx: purezmq.Context, mech: str) -> Iterator[None]:
    """The ZAP handler a PLAIN server needs (CURVE servers accept any client without one)."""
    if mech != "plain":
        yield
        return
    auth = ThreadAuthenticator(ctx)
    auth.start()
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    yield
    auth.stop()


@MECHS
@pytest.mark.parametrize(
    ("kind_a", "kind_b", "play"),
    PAIRS,
    ids=[f"{P.SocketType(a).name}-{P.SocketType(b).name}" for a, b, _ in PAIRS],
)
def test_socket_pair_over_ws(
    ctx: purezmq.Context,
    plain_auth: None,
    kind_a: int,
    kind_b: int,
    play: Callable[[Any, Any], None],
    mech: str,
) -> None:
    if mech == "curve" and not purezmq.has("curve"):
        pytest.skip("CURVE needs the curve extra")
    a, b = _sockets(ctx, kind_a, kind_b, mech)
    a.bind("ws://127.0.0.1:*/matrix")
    b.connect(a.getsockopt_string(P.LAST_ENDPOINT))
    play(a, b)


@MECHS
def test_peer_over_ws(ctx: purezmq.Context, plain_auth: None, mech: str) -> None:
    if mech == "curve" and not purezmq.has("curve"):
        pytest.skip("CURVE needs the curve extra")
    a, b = _sockets(ctx, P.PEER, P.PEER, mech)
    a.bind("ws://127.0.0.1:*/peer")
    rid = b.connect_peer(a.getsockopt_string(P.LAST_ENDPOINT))
    b.send(b"hello peer", routing_id=rid)
    frame = a.recv(copy=False)
    assert frame.bytes == b"hello peer"
    a.send(b"re", routing_id=frame.routing_id)
    assert b.recv() == b"re"
