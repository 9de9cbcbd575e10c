"""ws:// and wss:// end to end between purezmq sockets: endpoints, LAST_ENDPOINT, TLS with
libzmq's WSS_* options, refused certificates, and the error without the ``ws`` extra.

Certificates are made at test time with the ``openssl`` command line (a CA, a server
certificate for ``localhost``/127.0.0.1 signed by it, and an unrelated CA).
"""

from __future__ import annotations

import asyncio
import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq.constants import Errno, Event
from purezmq.error import ZMQError
from purezmq.utils.monitor import recv_monitor_message

pytestmark = pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra")

TIMEOUT_MS = 5000


@dataclass(frozen=True)
class Pki:
    ca: bytes
    other_ca: bytes
    cert: bytes
    key: bytes


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make test certificates")
    d = tmp_path_factory.mktemp("pki")
    for ca in ("ca", "other"):
        _openssl(
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", f"/CN=purezmq test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem",
            cwd=d,
        )  # fmt: skip
    _openssl(
        "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", "server.key", "-out", "server.csr", cwd=d,
    )  # fmt: skip
    (d / "ext.cnf").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "server.pem", cwd=d,
    )  # fmt: skip
    return Pki(
        ca=(d / "ca.pem").read_bytes(),
        other_ca=(d / "other.pem").read_bytes(),
        cert=(d / "server.pem").read_bytes(),
        key=(d / "server.key").read_bytes(),
    )


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.destroy(linger=0)


def _server(ctx: purezmq.Context, pki: Pki, kind: int = purezmq.REP) -> Any:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    sock.wss_cert_pem = pki.cert
    sock.wss_key_pem = pki.key
    sock.bind("wss://127.0.0.1:*/secure")
    return sock


def _client(ctx: purezmq.Context, trust: bytes, hostname: bytes = b"localhost") -> Any:
    sock = ctx.socket(purezmq.REQ)
    sock.linger = 0
    sock.rcvtimeo = TIMEOUT_MS
    sock.sndtimeo = TIMEOUT_MS
    sock.wss_trust_pem = trust
    if hostname:
        sock.wss_hostname = hostname
    return sock


def _wait_event(monitor: Any, wanted: set[int]) -> dict[str, Any]:
    while monitor.poll(TIMEOUT_MS):
        event: dict[str, Any] = recv_monitor_message(monitor)
        if event["event"] in wanted:
            return event
    pytest.fail(f"none of {sorted(Event(w).name or '' for w in wanted)} arrived")


HANDSHAKE_FAILED = {
    int(Event.HANDSHAKE_FAILED_NO_DETAIL),
    int(Event.HANDSHAKE_FAILED_PROTOCOL),
    int(Event.HANDSHAKE_FAILED_AUTH),
}


# -- ws:// -----------------------------------------------------------------------------------


def test_bind_random_port_reports_path_in_last_endpoint(ctx: purezmq.Context) -> None:
    pull = ctx.socket(purezmq.PULL)
    pull.bind("ws://127.0.0.1:*/a/b")
    endpoint = pull.getsockopt_string(purezmq.LAST_ENDPOINT)
    host_port, _, path = endpoint.removeprefix("ws://").partition("/")
    assert path == "a/b" and host_port.startswith("127.0.0.1:")
    assert int(host_port.rsplit(":", 1)[1]) > 0
    pull.unbind(endpoint)
    pull.close(0)


def test_bind_all_interfaces_and_connect_by_name(ctx: purezmq.Context) -> None:
    pull = ctx.socket(purezmq.PULL)
    pull.rcvtimeo = TIMEOUT_MS
    pull.bind("ws://*:*/p")
    endpoint = pull.getsockopt_string(purezmq.LAST_ENDPOINT)
    assert endpoint.startswith("ws://0.0.0.0:") and endpoint.endswith("/p")
    port = int(endpoint.removesuffix("/p").rsplit(":", 1)[1])
    push = ctx.socket(purezmq.PUSH)
    push.connect(f"ws://localhost:{port}/any/path")
    push.send_multipart([b"a", b"", b"c" * 70000])
    assert pull.recv_multipart() == [b"a", b"", b"c" * 70000]


@pytest.mark.parametrize(
    ("kind_a", "kind_b"),
    [
        (purezmq.PAIR, purezmq.PAIR),
        (purezmq.ROUTER, purezmq.DEALER),
        (purezmq.XPUB, purezmq.XSUB),
    ],
)
def test_more_socket_types_over_ws(ctx: purezmq.Context, kind_a: int, kind_b: int) -> None:
    a = ctx.socket(kind_a)
    b = ctx.socket(kind_b)
    for s in (a, b):
        s.rcvtimeo = TIMEOUT_MS
        s.linger = 0
    a.bind("ws://127.0.0.1:*")
    b.connect(a.getsockopt_string(purezmq.LAST_ENDPOINT))
    if kind_a == purezmq.XPUB:
        b.send(b"\x01t")
        assert a.recv() == b"\x01t"
        a.send(b"t-msg")
        assert b.recv() == b"t-msg"
    elif kind_a == purezmq.ROUTER:
        b.send(b"hello")
        ident, msg = a.recv_multipart()
        assert msg == b"hello"
        a.send_multipart([ident, b"back"])
        assert b.recv() == b"back"
    else:
        b.send(b"ping")
        assert a.recv() == b"ping"
        a.send(b"pong")
        assert b.recv() == b"pong"


def test_curve_over_ws(ctx: purezmq.Context) -> None:
    if not purezmq.has("curve"):
        pytest.skip("CURVE needs the curve extra")
    spub, ssec = purezmq.curve_keypair()
    cpub, csec = purezmq.curve_keypair()
    server = ctx.socket(purezmq.REP)
    server.curve_server = True
    server.curve_secretkey = ssec
    server.rcvtimeo = TIMEOUT_MS
    server.bind("ws://127.0.0.1:*/curve")
    client = ctx.socket(purezmq.REQ)
    client.curve_publickey, client.curve_secretkey, client.curve_serverkey = cpub, csec, spub
    client.rcvtimeo = TIMEOUT_MS
    client.connect(server.getsockopt_string(purezmq.LAST_ENDPOINT))
    client.send(b"sealed")
    assert server.recv() == b"sealed"
    server.send(b"reply")
    assert client.recv() == b"reply"


def test_mechanism_mismatch_is_a_failed_handshake(ctx: purezmq.Context) -> None:
    """A PLAIN client offers only ZWS2.0/PLAIN; a NULL server refuses it (closes)."""
    server = ctx.socket(purezmq.PULL)
    monitor = server.get_monitor_socket()
    server.bind("ws://127.0.0.1:*")
    client = ctx.socket(purezmq.PUSH)
    client.linger = 0
    client.plain_username = b"u"
    client.plain_password = b"p"
    client.connect(server.getsockopt_string(purezmq.LAST_ENDPOINT))
    event = _wait_event(monitor, {int(Event.HANDSHAKE_FAILED_PROTOCOL)})
    assert event["value"] == purezmq.PROTOCOL_ERROR_WS_UNSPECIFIED


def test_asyncio_api_over_ws() -> None:
    async def main() -> list[bytes]:
        actx = purezmq.asyncio.Context()
        try:
            rep = actx.socket(purezmq.REP)
            req = actx.socket(purezmq.REQ)
            rep.bind("ws://127.0.0.1:*/async")
            req.connect(rep.getsockopt_string(purezmq.LAST_ENDPOINT))
            await asyncio.wait_for(req.send_multipart([b"q", b"x" * 5000]), 5)
            got = await asyncio.wait_for(rep.recv_multipart(), 5)
            await rep.send(b"a")
            assert await asyncio.wait_for(req.recv(), 5) == b"a"
            return list(got)
        finally:
            actx.destroy(0)

    assert asyncio.run(main()) == [b"q", b"x" * 5000]


# -- wss:// ----------------------------------------------------------------------------------


def test_wss_round_trip(ctx: purezmq.Context, pki: Pki) -> None:
    server = _server(ctx, pki)
    endpoint = server.getsockopt_string(purezmq.LAST_ENDPOINT)
    assert endpoint.startswith("wss://127.0.0.1:") and endpoint.endswith("/secure")
    client = _client(ctx, pki.ca)
    client.connect(endpoint)
    client.send_multipart([b"over", b"tls" * 30000])
    assert server.recv_multipart() == [b"over", b"tls" * 30000]
    server.send(b"ok")
    assert client.recv() == b"ok"


def test_wss_asyncio_round_trip(pki: Pki) -> None:
    async def main() -> bytes:
        actx = purezmq.asyncio.Context()
        try:
            pull = actx.socket(purezmq.PULL)
            pull.wss_cert_pem = pki.cert
            pull.wss_key_pem = pki.key
            pull.bind("wss://127.0.0.1:*")
            push = actx.socket(purezmq.PUSH)
            push.wss_trust_pem = pki.ca
            push.wss_hostname = b"localhost"
            push.connect(pull.getsockopt_string(purezmq.LAST_ENDPOINT))
            await push.send(b"async tls")
            return bytes(await asyncio.wait_for(pull.recv(), 5))
        finally:
            actx.destroy(0)

    assert asyncio.run(main()) == b"async tls"


@pytest.mark.parametrize(
    "case", ["untrusted-ca", "wrong-hostname"], ids=["untrusted-ca", "wrong-hostname"]
)
def test_refused_certificate_is_a_failed_handshake_not_a_hang(
    ctx: purezmq.Context, pki: Pki, case: str
) -> None:
    server = _server(ctx, pki)
    server_monitor = server.get_monitor_socket()
    endpoint = server.getsockopt_string(purezmq.LAST_ENDPOINT)
    if case == "untrusted-ca":
        bad = _client(ctx, pki.other_ca)
    else:
        bad = _client(ctx, pki.ca, hostname=b"not-the-server.example")
    monitor = bad.get_monitor_socket()
    bad.connect(endpoint)
    _wait_event(monitor, HANDSHAKE_FAILED)
    _wait_event(server_monitor, HANDSHAKE_FAILED | {int(Event.DISCONNECTED)})
    # The server keeps serving a client that trusts it.
    good = _client(ctx, pki.ca)
    good.connect(endpoint)
    good.send(b"hello")
    assert server.recv() == b"hello"


def test_stream_sockets_refuse_ws(ctx: purezmq.Context) -> None:
    sock = ctx.socket(purezmq.STREAM)
    for method in ("bind", "connect"):
        with pytest.raises(ZMQError) as info:
            getattr(sock, method)("ws://127.0.0.1:5557")
        assert info.value.errno == Errno.ENOCOMPATPROTO


def test_wss_bind_without_certificate_raises(ctx: purezmq.Context) -> None:
    sock = ctx.socket(purezmq.PULL)
    with pytest.raises(ZMQError) as info:
        sock.bind("wss://127.0.0.1:*")
    assert info.value.errno == Errno.EINVAL
    assert "WSS_CERT_PEM" in str(info.value)


def test_wss_bad_trust_pem_raises_on_connect(ctx: purezmq.Context) -> None:
    sock = ctx.socket(purezmq.PUSH)
    sock.wss_trust_pem = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
    with pytest.raises(ZMQError) as info:
        sock.connect("wss://127.0.0.1:5555")
    assert info.value.errno == Errno.EINVAL


# -- without the extra -----------------------------------------------------------------------


def test_without_wsproto_ws_endpoints_raise_eprotonosupport(
    monkeypatch: pytest.MonkeyPatch, ctx: purezmq.Context
) -> None:
    monkeypatch.setitem(sys.modules, "wsproto", None)
    monkeypatch.delitem(sys.modules, "purezmq.transports.ws", raising=False)
    import purezmq.transports as transports_pkg

    monkeypatch.delattr(transports_pkg, "ws", raising=False)
    assert not purezmq.has("ws") or importlib.util.find_spec("wsproto") is None
    sock = ctx.socket(purezmq.PULL)
    for method in ("bind", "connect"):
        with pytest.raises(ZMQError) as info:
            getattr(sock, method)("ws://127.0.0.1:5556")
        assert info.value.errno == Errno.EPROTONOSUPPORT
        assert "pip install 'purezmq[ws]'" in str(info.value)


def test_plain_ws_client_at_a_wss_server_fails_both_sides_not_a_hang(
    ctx: purezmq.Context, pki: Pki
) -> None:
    """An upgrade request in clear text where TLS is expected: the server's TLS handshake
    fails, the client sees no HTTP answer; each side reports it, and the server keeps serving
    a wss client."""
    server = _server(ctx, pki)
    server_monitor = server.get_monitor_socket()
    endpoint = server.getsockopt_string(purezmq.LAST_ENDPOINT)
    plain = ctx.socket(purezmq.REQ)
    plain.linger = 0
    monitor = plain.get_monitor_socket()
    plain.connect(endpoint.replace("wss://", "ws://"))
    _wait_event(monitor, HANDSHAKE_FAILED | {int(Event.DISCONNECTED)})
    _wait_event(server_monitor, HANDSHAKE_FAILED | {int(Event.DISCONNECTED)})
    good = _client(ctx, pki.ca)
    good.connect(endpoint)
    good.send(b"hello")
    assert server.recv() == b"hello"
