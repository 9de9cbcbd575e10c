"""Our PLAIN/CURVE mechanisms, inside a zmtp.Connection over a blocking TCP socket, against real
libzmq 4.3.5 (pyzmq) in both roles, with and without a ZAP handler."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from purezmq.constants import SocketType
from purezmq.testing import ConnectionDriver
from purezmq.zmtp.connection import Connection, ConnectionOptions
from purezmq.zmtp.events import HandshakeFailedAuth, ZapRequest
from purezmq.zmtp.mechanisms.base import Mechanism
from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer
from purezmq.zmtp.mechanisms.plain import PlainClient, PlainServer

from ..kit.libzmq import bounded
from ._helpers import (
    CLIENT_PUBLIC,
    CLIENT_PUBLIC_Z85,
    CLIENT_SECRET_Z85,
    SERVER_PUBLIC_Z85,
    SERVER_SECRET_Z85,
)

zmq = pytest.importorskip("zmq")
zmq_auth_thread = pytest.importorskip("zmq.auth.thread")
zmq_monitor = pytest.importorskip("zmq.utils.monitor")

pytestmark = pytest.mark.interop
T = SocketType
WAIT = 5.0


class Peer(ConnectionDriver):
    """One of our Connections over one blocking TCP socket."""

    def zap_request(self) -> ZapRequest:
        self.pump_until(lambda: any(isinstance(e, ZapRequest) for e in self.events))
        return next(e for e in self.events if isinstance(e, ZapRequest))


@pytest.fixture
def ctx() -> Iterator[Any]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def cleanup() -> Iterator[list[Any]]:
    things: list[Any] = []
    yield things
    for thing in reversed(things):
        thing.close()


def zsock(ctx: Any, cleanup: list[Any], kind: int, **opts: Any) -> Any:
    s = bounded(ctx.socket(kind), WAIT, **opts)
    cleanup.append(s)
    return s


def connect_to(zs: Any, kind: SocketType, mech: Mechanism, cleanup: list[Any],
               options: ConnectionOptions | None = None) -> Peer:
    port = zs.bind_to_random_port("tcp://127.0.0.1")
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    cleanup.append(sock)
    return Peer(sock, Connection(kind, mech, options=options))


def accept_from(zs: Any, kind: SocketType, mech: Mechanism, cleanup: list[Any]) -> Peer:
    listener = socket.create_server(("127.0.0.1", 0))
    cleanup.append(listener)
    listener.settimeout(WAIT)
    zs.connect(f"tcp://127.0.0.1:{listener.getsockname()[1]}")
    sock, _ = listener.accept()
    cleanup.append(sock)
    return Peer(sock, Connection(kind, mech))


def our_curve_client() -> CurveClient:
    return CurveClient(public_key=CLIENT_PUBLIC_Z85, secret_key=CLIENT_SECRET_Z85,
                       server_key=SERVER_PUBLIC_Z85)


def curve_server_opts() -> dict[str, Any]:
    return {"CURVE_SERVER": 1, "CURVE_SECRETKEY": SERVER_SECRET_Z85}


def curve_client_opts() -> dict[str, Any]:
    return {"CURVE_SERVERKEY": SERVER_PUBLIC_Z85, "CURVE_PUBLICKEY": CLIENT_PUBLIC_Z85,
            "CURVE_SECRETKEY": CLIENT_SECRET_Z85}


# -- CURVE --------------------------------------------------------------------------------------


def test_our_curve_client_against_libzmq_server(ctx: Any, cleanup: list[Any]) -> None:
    # HEARTBEAT_IVL makes libzmq send PINGs inside MESSAGE with the COMMAND bit (note 17).
    router = zsock(ctx, cleanup, zmq.ROUTER, HEARTBEAT_IVL=50, **curve_server_opts())
    peer = connect_to(router, T.DEALER, our_curve_client(), cleanup,
                      ConnectionOptions(routing_id=b"us", heartbeat_ivl=0.05))
    ok = peer.handshake()
    assert ok.peer_socket_type is T.ROUTER
    peer.send([b"hello", b"", b"x" * 1000])
    assert router.recv_multipart() == [b"us", b"hello", b"", b"x" * 1000]
    router.send_multipart([b"us", b"world", b"!"])
    peer.pump_until(lambda: bool(peer.messages))
    assert peer.messages == [[b"world", b"!"]]
    peer.pump_for(0.4)  # several PING/PONG rounds both ways, all encrypted
    assert peer.conn.ready
    router.send_multipart([b"us", b"still here"])
    peer.pump_until(lambda: len(peer.messages) == 2)


def test_libzmq_curve_client_against_our_server(ctx: Any, cleanup: list[Any]) -> None:
    dealer = zsock(ctx, cleanup, zmq.DEALER, ROUTING_ID=b"them", **curve_client_opts())
    peer = accept_from(dealer, T.ROUTER, CurveServer(secret_key=SERVER_SECRET_Z85, zap=False),
                       cleanup)
    ok = peer.handshake()
    assert ok.peer_identity == b"them"
    dealer.send_multipart([b"a", b"b"])
    peer.pump_until(lambda: bool(peer.messages))
    assert peer.messages == [[b"a", b"b"]]
    peer.send([b"reply", b"x" * 300])
    assert dealer.recv_multipart() == [b"reply", b"x" * 300]


def test_libzmq_sub_subscribes_through_our_curve_pub(ctx: Any, cleanup: list[Any]) -> None:
    sub = zsock(ctx, cleanup, zmq.SUB, **curve_client_opts())
    sub.setsockopt(zmq.SUBSCRIBE, b"news")
    peer = accept_from(sub, T.PUB, CurveServer(secret_key=SERVER_SECRET_Z85, zap=False), cleanup)
    peer.handshake()
    # SUBSCRIBE arrives as a command inside MESSAGE (inner flags 02).
    peer.pump_until(lambda: bool(peer.messages))
    assert peer.messages == [[b"\x01news"]]
    peer.send([b"news", b"flash"])
    assert sub.recv_multipart() == [b"news", b"flash"]


def test_our_curve_server_zap_verdict_reaches_libzmq(ctx: Any, cleanup: list[Any]) -> None:
    dealer = zsock(ctx, cleanup, zmq.DEALER, **curve_client_opts())
    monitor = dealer.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH)
    cleanup.append(monitor)
    peer = accept_from(dealer, T.ROUTER, CurveServer(secret_key=SERVER_SECRET_Z85), cleanup)
    request = peer.zap_request()
    assert request.credentials == (CLIENT_PUBLIC,)
    peer.conn.zap_reply(400)
    peer.flush()
    assert HandshakeFailedAuth(400, by_peer=False) in peer.events + peer.conn.events_received()
    event = zmq_monitor.recv_monitor_message(monitor)
    assert event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH and event["value"] == 400


def _authenticator(ctx: Any, cleanup: list[Any]) -> Any:
    auth = zmq_auth_thread.ThreadAuthenticator(ctx)
    auth.start()
    cleanup.append(type("Stop", (), {"close": lambda self: auth.stop()})())
    return auth


def test_libzmq_zap_denies_our_curve_client(ctx: Any, cleanup: list[Any],
                                            tmp_path: Path) -> None:
    auth = _authenticator(ctx, cleanup)
    auth.configure_curve(domain="*", location=str(tmp_path))  # no certificates: deny all
    router = zsock(ctx, cleanup, zmq.ROUTER, **curve_server_opts())
    peer = connect_to(router, T.DEALER, our_curve_client(), cleanup)
    peer.wait_closed()
    assert HandshakeFailedAuth(400, by_peer=True) in peer.events


def test_libzmq_zap_allows_our_curve_client(ctx: Any, cleanup: list[Any],
                                            tmp_path: Path) -> None:
    auth = _authenticator(ctx, cleanup)
    auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
    router = zsock(ctx, cleanup, zmq.ROUTER, **curve_server_opts())
    peer = connect_to(router, T.DEALER, our_curve_client(), cleanup,
                      ConnectionOptions(routing_id=b"me"))
    peer.handshake()
    peer.send([b"authenticated"])
    frames = router.recv_multipart(copy=False)
    assert [bytes(f) for f in frames] == [b"me", b"authenticated"]
    assert frames[1].get("User-Id") == CLIENT_PUBLIC_Z85.decode()


# -- PLAIN --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("password", "accepted"), [(b"secret", True), (b"wrong", False)])
def test_our_plain_client_against_libzmq_server(ctx: Any, cleanup: list[Any], password: bytes,
                                                accepted: bool) -> None:
    auth = _authenticator(ctx, cleanup)
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    rep = zsock(ctx, cleanup, zmq.REP, PLAIN_SERVER=1)
    peer = connect_to(rep, T.REQ, PlainClient(b"admin", password), cleanup)
    if not accepted:
        # libzmq answers with its mangled "^RROR" spelling (note 21); we understand it.
        peer.wait_closed()
        assert HandshakeFailedAuth(400, by_peer=True) in peer.events
        return
    peer.handshake()
    peer.send([b"", b"ping"])
    frames = rep.recv_multipart(copy=False)
    assert bytes(frames[0]) == b"ping" and frames[0].get("User-Id") == "admin"
    rep.send(b"pong")
    peer.pump_until(lambda: bool(peer.messages))
    assert peer.messages == [[b"", b"pong"]]


def test_libzmq_plain_client_against_our_server(ctx: Any, cleanup: list[Any]) -> None:
    req = zsock(ctx, cleanup, zmq.REQ, PLAIN_USERNAME=b"admin", PLAIN_PASSWORD=b"secret")
    peer = accept_from(req, T.REP, PlainServer(), cleanup)
    assert peer.zap_request().credentials == (b"admin", b"secret")
    peer.conn.zap_reply(200, b"admin")
    peer.flush()
    peer.handshake()
    req.send(b"question")
    peer.pump_until(lambda: bool(peer.messages))
    assert peer.messages == [[b"", b"question"]]
    peer.send([b"", b"answer"])
    assert req.recv() == b"answer"


def test_libzmq_plain_client_refused_by_our_server(ctx: Any, cleanup: list[Any]) -> None:
    req = zsock(ctx, cleanup, zmq.REQ, PLAIN_USERNAME=b"admin", PLAIN_PASSWORD=b"wrong")
    monitor = req.get_monitor_socket(
        zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_AUTH
    )
    cleanup.append(monitor)
    peer = accept_from(req, T.REP, PlainServer(), cleanup)
    peer.zap_request()
    peer.conn.zap_reply(400)
    assert peer.conn.events_received() == [HandshakeFailedAuth(400, by_peer=False)]
    peer.flush()  # our RFC-correct ERROR
    assert peer.conn.closed
    # libzmq 4.3's PLAIN client only knows its own "^RROR" spelling: it calls ours an
    # unexpected command (spec mechanisms.md §2.3) and hangs up either way.
    event = zmq_monitor.recv_monitor_message(monitor)
    assert event["event"] == zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL
    assert event["value"] == zmq.PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND
    peer.sock.settimeout(WAIT)
    assert peer.sock.recv(100) == b""
