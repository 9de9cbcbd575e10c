"""PLAIN (RFC 24) and CURVE (RFC 25/26) through the public API against libzmq 4.3.5 (pyzmq),
with ZAP (RFC 27) handlers on both sides: purezmq servers authenticated by purezmq's
``ThreadAuthenticator`` with pyzmq clients, and pyzmq servers authenticated by pyzmq's
``ThreadAuthenticator`` with purezmq clients.

Every stable socket pair used with security (REQ/REP, DEALER/ROUTER, PUB/SUB, PUSH/PULL) carries
a multipart message with a large (1 MiB) frame. Refusals (wrong server key, unknown client key,
wrong password, denied IP address): the bad connection never delivers a message, the server's
monitor reports the failure, the client's monitor reports why it was dropped, and a good client
is served meanwhile. No sleeps: monitors and polls with bounded timeouts.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import purezmq
import purezmq.auth.thread as pure_auth
from purezmq.auth import create_certificates, load_certificate
from purezmq.utils.monitor import recv_monitor_message as pure_recv_monitor

zmq = pytest.importorskip("zmq")
zmq_auth = pytest.importorskip("zmq.auth.thread")
zmq_monitor = pytest.importorskip("zmq.utils.monitor")

pytestmark = pytest.mark.interop

WAIT_MS = 5000
BIG = bytes(range(256)) * 4096  # 1 MiB
PAIRS = [("REP", "REQ"), ("ROUTER", "DEALER"), ("PUB", "SUB"), ("PULL", "PUSH")]
ROLES = ["pure-server", "libzmq-server"]


class Side:
    """One library's context, its authenticator and its monitor reader."""

    def __init__(self, lib: ModuleType, ctx: Any, auth: Any, recv_monitor: Any) -> None:
        self.lib = lib
        self.ctx = ctx
        self.auth = auth
        self.recv_monitor = recv_monitor
        self.sockets: list[Any] = []

    def socket(self, kind: str, **options: Any) -> Any:
        sock = self.ctx.socket(getattr(self.lib, kind))
        self.sockets.append(sock)
        sock.linger = 0
        for name, value in options.items():
            setattr(sock, name, value)
        return sock

    def monitor(self, sock: Any) -> Any:
        mon = sock.get_monitor_socket()
        self.sockets.append(mon)
        return mon

    def close(self) -> None:
        for sock in self.sockets:
            sock.close(0)

    def wait_event(self, mon: Any, wanted: set[int]) -> dict[str, Any]:
        """The first monitor event in ``wanted`` (others are skipped), within WAIT_MS."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            assert left > 0 and mon.poll(left), f"no event among {wanted}"
            event: dict[str, Any] = self.recv_monitor(mon)
            if int(event["event"]) in wanted:
                return event


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Any]:
    """Server and client key pairs; the client's public certificate in ``certs``."""
    certs = tmp_path / "certs"
    certs.mkdir()
    _, client_secret_file = create_certificates(certs, "client")
    _, server_secret_file = create_certificates(tmp_path, "server")
    _, stranger_secret_file = create_certificates(tmp_path, "stranger")
    client_pub, client_sec = load_certificate(client_secret_file)
    server_pub, server_sec = load_certificate(server_secret_file)
    stranger_pub, stranger_sec = load_certificate(stranger_secret_file)
    return {
        "certs": str(certs),
        "server": (server_pub, server_sec),
        "client": (client_pub, client_sec),
        "stranger": (stranger_pub, stranger_sec),
    }


@pytest.fixture(params=ROLES)
def sides(request: pytest.FixtureRequest, keys: dict[str, Any]) -> Iterator[tuple[Side, Side]]:
    """(server side with a running authenticator, client side)."""
    pure_ctx = purezmq.Context()
    lib_ctx = zmq.Context()
    if request.param == "pure-server":
        auth = pure_auth.ThreadAuthenticator(pure_ctx)
        server = Side(purezmq, pure_ctx, auth, pure_recv_monitor)
        client = Side(zmq, lib_ctx, None, zmq_monitor.recv_monitor_message)
    else:
        auth = zmq_auth.ThreadAuthenticator(lib_ctx)
        server = Side(zmq, lib_ctx, auth, zmq_monitor.recv_monitor_message)
        client = Side(purezmq, pure_ctx, None, pure_recv_monitor)
    auth.start()
    auth.configure_curve(domain="*", location=keys["certs"])
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    try:
        yield server, client
    finally:
        server.close()
        client.close()
        auth.stop()
        pure_ctx.destroy(linger=0)
        lib_ctx.destroy(linger=0)


def _curve_server(side: Side, kind: str, keys: dict[str, Any]) -> Any:
    return side.socket(kind, curve_server=1, curve_secretkey=keys["server"][1])


def _curve_client(
    side: Side,
    kind: str,
    keys: dict[str, Any],
    who: str = "client",
    server_key: bytes | None = None,
) -> Any:
    pub, sec = keys[who]
    return side.socket(
        kind,
        curve_serverkey=server_key or keys["server"][0],
        curve_publickey=pub,
        curve_secretkey=sec,
    )


def _endpoint(server: Any) -> str:
    port = server.bind_to_random_port("tcp://127.0.0.1")
    return f"tcp://127.0.0.1:{port}"


def _exchange(server: Any, client: Any, pair: tuple[str, str], payload: list[bytes]) -> list[Any]:
    """Carry ``payload`` client -> server (PUB/SUB: server -> client) and, for request-reply
    pairs, back; returns the frames as received (``copy=False``) by the receiving end."""
    kind = pair[0]
    if kind == "PUB":
        client.subscribe(b"")
        # Until the subscription has crossed the handshake, PUB drops: publish until it lands.
        deadline = time.monotonic() + WAIT_MS / 1000
        while True:
            assert time.monotonic() < deadline, "subscription never arrived"
            server.send_multipart(payload)
            if client.poll(50):
                return list(client.recv_multipart(copy=False))
    client.send_multipart(payload)
    assert server.poll(WAIT_MS), "server received nothing"
    frames = list(server.recv_multipart(copy=False))
    if kind == "REP":
        server.send_multipart([b"re", *payload])
        assert client.poll(WAIT_MS)
        assert client.recv_multipart() == [b"re", *payload]
    elif kind == "ROUTER":
        server.send_multipart([frames[0].bytes, b"re", *payload])
        assert client.poll(WAIT_MS)
        assert client.recv_multipart() == [b"re", *payload]
        frames = frames[1:]
    return frames


@pytest.mark.parametrize("pair", PAIRS, ids=["-".join(p) for p in PAIRS])
def test_curve_pairs(sides: tuple[Side, Side], keys: dict[str, Any], pair: tuple[str, str]) -> None:
    server_side, client_side = sides
    server = _curve_server(server_side, pair[0], keys)
    client = _curve_client(client_side, pair[1], keys)
    client.connect(_endpoint(server))
    payload = [b"head", BIG, b"tail"]
    frames = _exchange(server, client, pair, payload)
    assert [f.bytes for f in frames] == payload
    if pair[0] != "PUB":
        # The server-side frames carry the ZAP User-Id (the client's Z85 key) and Peer-Address.
        assert frames[0].get("User-Id") == keys["client"][0].decode()
        assert frames[0].get("Peer-Address") == "127.0.0.1"


@pytest.mark.parametrize("pair", PAIRS, ids=["-".join(p) for p in PAIRS])
def test_plain_pairs(sides: tuple[Side, Side], pair: tuple[str, str]) -> None:
    server_side, client_side = sides
    server = server_side.socket(pair[0], plain_server=1)
    client = client_side.socket(pair[1], plain_username=b"admin", plain_password=b"secret")
    client.connect(_endpoint(server))
    payload = [b"x" * 300, BIG]
    frames = _exchange(server, client, pair, payload)
    assert [f.bytes for f in frames] == payload
    if pair[0] != "PUB":
        assert frames[0].get("User-Id") == "admin"


AUTH_FAILED = {zmq.EVENT_HANDSHAKE_FAILED_AUTH}
PROTOCOL_FAILED = {zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL}
DROPPED = {zmq.EVENT_DISCONNECTED, zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL}


def _refusal(
    server_side: Side,
    client_side: Side,
    server: Any,
    bad: Any,
    good: Any,
    server_events: set[int],
    client_events: set[int],
    bad_source: str = "",
) -> None:
    """``bad`` is refused (both monitors say so, nothing is delivered) and ``good`` served."""
    server_mon = server_side.monitor(server)
    client_mon = client_side.monitor(bad)
    endpoint = _endpoint(server)
    bad.connect(f"tcp://{bad_source};{endpoint[6:]}" if bad_source else endpoint)
    # DONTWAIT: once the refusal has torn the pipe down a PUSH has nowhere to queue (libzmq
    # drops the session pipe of a connection refused by authentication).
    with contextlib.suppress(client_side.lib.Again):
        bad.send(b"must not arrive", client_side.lib.DONTWAIT)
    server_event = server_side.wait_event(server_mon, server_events)
    client_event = client_side.wait_event(client_mon, client_events)
    if server_events == AUTH_FAILED:
        assert server_event["value"] == 400
    if client_event["event"] == zmq.EVENT_HANDSHAKE_FAILED_AUTH:
        assert client_event["value"] == 400
    good.connect(endpoint)
    good.send(b"good")
    assert server.poll(WAIT_MS)
    assert server.recv() == b"good"
    assert server.poll(0) == 0, "the refused client's message was delivered"


def test_unknown_client_key(sides: tuple[Side, Side], keys: dict[str, Any]) -> None:
    server_side, client_side = sides
    server = _curve_server(server_side, "PULL", keys)
    bad = _curve_client(client_side, "PUSH", keys, who="stranger")
    good = _curve_client(client_side, "PUSH", keys)
    _refusal(server_side, client_side, server, bad, good, AUTH_FAILED, AUTH_FAILED)


def test_wrong_server_key(sides: tuple[Side, Side], keys: dict[str, Any]) -> None:
    server_side, client_side = sides
    server = _curve_server(server_side, "PULL", keys)
    # The client believes the server's key is another one: HELLO's box does not open
    # (RFC 26 §"The HELLO Command"), the server reports ZMTP_CRYPTOGRAPHIC and hangs up.
    bad = _curve_client(client_side, "PUSH", keys, server_key=keys["stranger"][0])
    good = _curve_client(client_side, "PUSH", keys)
    _refusal(server_side, client_side, server, bad, good, PROTOCOL_FAILED, DROPPED)


def test_wrong_password(sides: tuple[Side, Side]) -> None:
    server_side, client_side = sides
    server = server_side.socket("PULL", plain_server=1)
    bad = client_side.socket("PUSH", plain_username=b"admin", plain_password=b"guess")
    good = client_side.socket("PUSH", plain_username=b"admin", plain_password=b"secret")
    # libzmq >= 4.3 PLAIN clients only recognise libzmq's own malformed "^RROR" (spec note 21);
    # purezmq's server sends RFC 23's ERROR "400", which they report as UNEXPECTED_COMMAND.
    client_events = AUTH_FAILED | (PROTOCOL_FAILED if client_side.lib is zmq else set())
    _refusal(server_side, client_side, server, bad, good, AUTH_FAILED, client_events)


def test_denied_address(sides: tuple[Side, Side], keys: dict[str, Any]) -> None:
    server_side, client_side = sides
    server_side.auth.deny("127.0.0.2")
    server = _curve_server(server_side, "PULL", keys)
    bad = _curve_client(client_side, "PUSH", keys)
    good = _curve_client(client_side, "PUSH", keys)
    _refusal(
        server_side,
        client_side,
        server,
        bad,
        good,
        AUTH_FAILED,
        AUTH_FAILED,
        bad_source="127.0.0.2:0",
    )


def test_asyncio_authenticator_with_callback(keys: dict[str, Any]) -> None:
    """purezmq.asyncio ROUTER + AsyncioAuthenticator (CURVE credentials callback, async) with
    libzmq DEALER clients: the known key is served, the stranger refused."""
    import asyncio

    import purezmq.asyncio as azmq
    from purezmq.auth.asyncio import AsyncioAuthenticator

    known = keys["client"][0]

    class Provider:
        async def callback(self, domain: str, key: bytes) -> bool:
            return bool(key == known)

    lib_ctx = zmq.Context()
    lib_sockets: list[Any] = []

    def lib_client(who: str, endpoint: str) -> Any:
        sock = lib_ctx.socket(zmq.DEALER)
        lib_sockets.append(sock)
        sock.linger = 0
        sock.curve_serverkey = keys["server"][0]
        sock.curve_publickey, sock.curve_secretkey = keys[who]
        sock.connect(endpoint)
        sock.send(who.encode(), zmq.DONTWAIT)
        return sock

    async def main() -> None:
        ctx = azmq.Context()
        auth = AsyncioAuthenticator(ctx)
        auth.start()
        auth.configure_curve_callback("*", Provider())
        server = ctx.socket(purezmq.ROUTER)
        server.linger = 0
        server.curve_server = 1
        server.curve_secretkey = keys["server"][1]
        mon = server.get_monitor_socket(purezmq.EVENT_HANDSHAKE_FAILED_AUTH)
        endpoint = f"tcp://127.0.0.1:{server.bind_to_random_port('tcp://127.0.0.1')}"
        lib_client("stranger", endpoint)
        event = await asyncio.wait_for(mon.recv_multipart(), 5)
        assert int.from_bytes(event[0][2:6], "little") == 400
        good = lib_client("client", endpoint)
        routing_id, body = await asyncio.wait_for(server.recv_multipart(copy=False), 5)
        assert body.bytes == b"client" and body.get("User-Id") == known.decode()
        await server.send_multipart([routing_id.bytes, b"welcome"])
        # (waited for off the loop: the loop carries our side of the connection)
        assert await asyncio.to_thread(good.poll, WAIT_MS)
        assert good.recv() == b"welcome"
        auth.stop()
        mon.close(0)
        ctx.destroy(linger=0)

    try:
        asyncio.run(main())
    finally:
        for sock in lib_sockets:
            sock.close(0)
        lib_ctx.destroy(linger=0)
