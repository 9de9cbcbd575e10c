"""A zmtp.Connection driven over a plain blocking socket against real libzmq (pyzmq).

No engine exists at this layer, so each test moves bytes by hand: ``Driver.pump_until`` reads
the TCP socket with a bounded timeout, feeds the Connection with ``time.monotonic()`` as ``now``,
writes what it wants to send and runs its timers, until a condition holds.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from purezmq.constants import ProtocolErrorCode, SocketType
from purezmq.testing import ConnectionDriver
from purezmq.zmtp import (
    Connection,
    ConnectionOptions,
    HandshakeSucceeded,
    NullMechanism,
    PeerClosed,
    ProtocolFailure,
)
from purezmq.zmtp.codec import FLAG_COMMAND

from ..kit.libzmq import bounded

zmq = pytest.importorskip("zmq")
Ctx = Any  # zmq.Context, imported lazily so the file skips without pyzmq
ZSocket = Any

pytestmark = pytest.mark.interop
T = SocketType
WAIT = 5.0


Driver = ConnectionDriver


_OPEN: list[ZSocket] = []


@pytest.fixture
def ctx() -> Iterator[Ctx]:
    context = zmq.Context()
    yield context
    while _OPEN:
        _OPEN.pop().close(linger=0)
    context.term()


def zsocket(ctx: Ctx, kind: int, **opts: object) -> ZSocket:
    s: ZSocket = bounded(ctx.socket(kind), WAIT, **opts)
    _OPEN.append(s)
    return s


def bound_port(s: ZSocket) -> int:
    s.bind("tcp://127.0.0.1:*")
    return int(s.getsockopt(zmq.LAST_ENDPOINT).decode().rsplit(":", 1)[1])


@contextlib.contextmanager
def connect_to(port: int, kind: int, **options: object) -> Iterator[Driver]:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    try:
        yield Driver(sock, Connection(kind, NullMechanism(), options=ConnectionOptions(**options)))  # type: ignore[arg-type]
    finally:
        sock.close()


@contextlib.contextmanager
def listen() -> Iterator[tuple[int, socket.socket]]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(WAIT)
    try:
        yield server.getsockname()[1], server
    finally:
        server.close()


BOUNDARY_MESSAGE = [b"", b"a", b"x" * 255, b"y" * 256, b""]


def test_we_connect_to_libzmq_router_which_sees_our_identity(ctx: Ctx) -> None:
    router = zsocket(ctx, zmq.ROUTER)
    port = bound_port(router)
    with connect_to(port, T.DEALER, routing_id=b"purezmq") as peer:
        ok = peer.handshake()
        assert ok.peer_socket_type is T.ROUTER
        assert ok.peer_identity == b""  # libzmq ROUTER sends an empty Identity
        assert ok.peer_minor == 1
        peer.send(BOUNDARY_MESSAGE)
        big = bytes(range(256)) * 4096  # 1 MiB
        peer.send([big])
        assert router.recv_multipart() == [b"purezmq", *BOUNDARY_MESSAGE]
        assert router.recv_multipart() == [b"purezmq", big]
        router.send_multipart([b"purezmq", *BOUNDARY_MESSAGE])
        router.send_multipart([b"purezmq", big])
        peer.pump_until(lambda: len(peer.messages) == 2)
        assert peer.messages == [BOUNDARY_MESSAGE, [big]]


def test_libzmq_connects_to_us(ctx: Ctx) -> None:
    dealer = zsocket(ctx, zmq.DEALER, ROUTING_ID=b"pyzmq")
    with listen() as (port, server):
        dealer.connect(f"tcp://127.0.0.1:{port}")
        sock, _ = server.accept()
        with sock:
            peer = Driver(sock, Connection(T.ROUTER, NullMechanism()))
            ok = peer.handshake()
            assert ok.peer_socket_type is T.DEALER
            assert ok.peer_identity == b"pyzmq"
            dealer.send_multipart(BOUNDARY_MESSAGE)
            peer.pump_until(lambda: len(peer.messages) == 1)
            assert peer.messages == [BOUNDARY_MESSAGE]
            peer.send([b"reply", b""])
            assert dealer.recv_multipart() == [b"reply", b""]
            dealer.close()
            peer.pump_until(lambda: any(isinstance(e, PeerClosed) for e in peer.events))


def test_libzmq_sub_subscribes_to_our_pub(ctx: Ctx) -> None:
    sub = zsocket(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"weather")
    with listen() as (port, server):
        sub.connect(f"tcp://127.0.0.1:{port}")
        sock, _ = server.accept()
        with sock:
            peer = Driver(sock, Connection(T.PUB, NullMechanism()))
            peer.handshake()
            peer.pump_until(lambda: [b"\x01weather"] in peer.messages)
            assert b"\x04\x11\x09SUBSCRIBEweather" in peer.raw[64:]  # a 3.1 command, not a message
            peer.send([b"weather", b"sunny"])
            assert sub.recv_multipart() == [b"weather", b"sunny"]
            sub.setsockopt(zmq.UNSUBSCRIBE, b"weather")
            assert sub.poll(0) == 0  # the application touches the socket: CANCEL goes out
            peer.pump_until(lambda: [b"\x00weather"] in peer.messages)


def test_libzmq_sub_uses_legacy_form_with_a_30_peer(ctx: Ctx) -> None:
    sub = zsocket(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"news")
    with listen() as (port, server):
        sub.connect(f"tcp://127.0.0.1:{port}")
        sock, _ = server.accept()
        with sock:
            peer = Driver(
                sock, Connection(T.PUB, NullMechanism(), options=ConnectionOptions(zmtp_minor=0))
            )
            peer.handshake()
            peer.pump_until(lambda: [b"\x01news"] in peer.messages)
            assert b"\x00\x05\x01news" in peer.raw[64:]  # a message frame (spec §8.1)
            peer.send([b"news!"])
            assert sub.recv() == b"news!"


def test_our_sub_filters_at_libzmq_pub(ctx: Ctx) -> None:
    xpub = zsocket(ctx, zmq.XPUB)
    port = bound_port(xpub)
    with connect_to(port, T.SUB) as peer:
        peer.handshake()
        peer.send([b"\x01weather"])
        assert xpub.recv() == b"\x01weather"  # the subscription arrived and was understood
        for msg in ([b"weather", b"1"], [b"sports", b"1"], [b"weather", b"2"]):
            xpub.send_multipart(msg)
        peer.pump_until(lambda: len(peer.messages) == 2)
        assert peer.messages == [[b"weather", b"1"], [b"weather", b"2"]]
        peer.send([b"\x00weather"])
        assert xpub.recv() == b"\x00weather"


def test_libzmq_pings_and_we_answer(ctx: Ctx) -> None:
    dealer = zsocket(ctx, zmq.DEALER, HEARTBEAT_IVL=50, HEARTBEAT_TIMEOUT=200)
    monitor = dealer.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    _OPEN.append(monitor)
    port = bound_port(dealer)
    with connect_to(port, T.DEALER) as peer:
        peer.handshake()
        peer.pump_until(lambda: peer.raw.count(b"\x04PING") >= 6)
        # Well past HEARTBEAT_TIMEOUT: libzmq kept the link because our PONGs arrived.
        assert monitor.poll(0) == 0
        dealer.send(b"still here")
        peer.pump_until(lambda: [b"still here"] in peer.messages)


def test_our_pings_get_pongs(ctx: Ctx) -> None:
    dealer = zsocket(ctx, zmq.DEALER)
    port = bound_port(dealer)
    with connect_to(
        port, T.DEALER, heartbeat_ivl=0.02, heartbeat_timeout=1.0, heartbeat_ttl=10.0
    ) as peer:
        peer.handshake()
        peer.pump_until(lambda: peer.raw.count(b"\x04PONG") >= 5)
        assert peer.conn.ready
        peer.send([b"after pings"])
        assert dealer.recv() == b"after pings"


def test_incompatible_socket_type_never_completes(ctx: Ctx) -> None:
    pub = zsocket(ctx, zmq.PUB)
    port = bound_port(pub)
    with connect_to(port, T.PUSH) as peer:
        peer.pump_until(lambda: peer.conn.closed)
        # Both sides check: either libzmq's READY reached us first and we refused it, or
        # libzmq refused ours and hung up before its READY went out. Never a handshake.
        failures = [e for e in peer.events if isinstance(e, ProtocolFailure)]
        if failures:
            assert len(failures) == 1 and failures[0].during_handshake
            assert "peer is a PUB socket" in failures[0].error.reason
        else:
            assert PeerClosed(during_handshake=True) in peer.events
        assert not any(isinstance(e, HandshakeSucceeded) for e in peer.events)


def test_mechanism_mismatch_with_libzmq_plain_server(ctx: Ctx) -> None:
    router = zsocket(ctx, zmq.ROUTER, PLAIN_SERVER=1)
    port = bound_port(router)
    with connect_to(port, T.DEALER) as peer:
        peer.pump_until(lambda: peer.conn.closed)
        # libzmq may close before its greeting is complete (spec zmtp.md §3.1): either we saw
        # its PLAIN greeting and refused it, or it hung up first. Never a handshake.
        err = peer.conn.error
        if err is None:
            assert PeerClosed(during_handshake=True) in peer.events
        else:
            assert err.code == ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH
        assert not any(isinstance(e, HandshakeSucceeded) for e in peer.events)


def test_libzmq_enforces_its_maxmsgsize_on_us(ctx: Ctx) -> None:
    pull = zsocket(ctx, zmq.PULL, MAXMSGSIZE=100)
    port = bound_port(pull)
    with connect_to(port, T.PUSH) as peer:
        peer.handshake()
        peer.send([bytes(100)])
        assert pull.recv() == bytes(100)
        peer.send([bytes(101)])
        peer.pump_until(lambda: peer.conn.closed)
        assert any(isinstance(e, PeerClosed) for e in peer.events)


def test_wrapped_frames_under_curve(ctx: Ctx) -> None:
    """The ``wraps_frames`` path: subscriptions and heartbeats travel inside CURVE MESSAGE."""
    curve = pytest.importorskip("purezmq.zmtp.mechanisms.curve")
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    xpub = zsocket(ctx, zmq.XPUB, CURVE_SERVER=1, HEARTBEAT_IVL=20)
    xpub.curve_secretkey = server_secret
    port = bound_port(xpub)
    mechanism = curve.CurveClient(
        public_key=client_public, secret_key=client_secret, server_key=server_public
    )
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    with sock:
        options = ConnectionOptions(heartbeat_ivl=0.02, heartbeat_timeout=1.0)
        peer = Driver(sock, Connection(T.SUB, mechanism, options=options))
        assert peer.handshake().peer_socket_type is T.XPUB
        peer.send([b"\x01weather"])
        assert xpub.recv() == b"\x01weather"  # SUBSCRIBE inside MESSAGE, inner COMMAND flag
        xpub.send_multipart([b"weather", b"x" * 300])
        peer.pump_until(lambda: len(peer.messages) == 1)
        assert peer.messages == [[b"weather", b"x" * 300]]
        pongs: list[bytes] = []
        unwrap_frames, unwrap_data = mechanism.unwrap_frames, mechanism.unwrap_data

        def seen(out: list[tuple[int, bytes]], start: int) -> None:
            pongs.extend(payload for flags, payload in out[start:] if flags & FLAG_COMMAND)

        def spy_frames(frames: Sequence[tuple[int, bytes]], out: list[tuple[int, bytes]]) -> None:
            start = len(out)
            try:
                unwrap_frames(frames, out)
            finally:
                seen(out, start)

        def spy_data(
            data: bytes,
            out: list[tuple[int, bytes]],
            max_size: int,
            messages: list[list[bytes]] | None = None,
        ) -> int:
            # Commands never go to ``messages``, only whole one-part messages.
            start = len(out)
            try:
                used: int = unwrap_data(data, out, max_size, messages)
            finally:
                seen(out, start)
            return used

        mechanism.unwrap_frames = spy_frames
        mechanism.unwrap_data = spy_data
        peer.pump_until(
            lambda: pongs.count(b"\x04PONG") >= 3 and pongs.count(b"\x04PING\x00\x00") >= 3
        )
        assert peer.conn.ready
