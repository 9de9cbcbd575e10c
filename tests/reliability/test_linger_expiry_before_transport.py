"""A connecting socket whose LINGER runs out before its transport exists (a wss:// connection
still negotiating TLS): once the TLS handshake completes the connection is dropped without a
ZMTP/WebSocket handshake, its descriptor is closed and nothing is reported as an error; with
LINGER 0 the same holds. The server is a raw TCP socket the test drives step by step."""

from __future__ import annotations

import logging
import socket
import ssl
from pathlib import Path
from time import monotonic

import pytest

import purezmq

from ..kit.pem import self_signed_pem

pytest.importorskip("wsproto", reason="the ws extra is needed for wss://")

WAIT_S = 5.0


@pytest.fixture(scope="module")
def server_pem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_pem(tmp_path_factory.mktemp("pem"))


def wait_linger_over(ctx: purezmq.Context) -> None:
    """Until the context has no LINGER flush running (bounded)."""
    deadline = monotonic() + WAIT_S
    while ctx._core.statistics().lingering:
        assert monotonic() < deadline, "the LINGER flush never ended"
        purezmq.Poller().poll(10)


def bytes_after_tls(conn: socket.socket, pem: tuple[Path, Path]) -> bytes | None:
    """Finish the server side of TLS on ``conn``, then what the client sends before it
    hangs up (None: the client hung up during the TLS handshake)."""
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(str(pem[0]), str(pem[1]))
    conn.settimeout(WAIT_S)
    try:
        wrapped = tls.wrap_socket(conn, server_side=True)
    except (ssl.SSLError, OSError):
        conn.close()
        return None
    received = b""
    try:
        while chunk := wrapped.recv(4096):
            received += chunk
    except (ssl.SSLError, OSError):
        pass
    wrapped.close()
    return received


@pytest.mark.parametrize("linger", [0, 50])
def test_linger_over_before_tls_completes_means_no_handshake(
    server_pem: tuple[Path, Path], linger: int, caplog: pytest.LogCaptureFixture
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.settimeout(WAIT_S)
    ctx = purezmq.Context()
    try:
        push = ctx.socket(purezmq.PUSH)
        push.wss_trust_pem = server_pem[0].read_bytes()
        push.wss_hostname = b"localhost"
        push.connect(f"wss://127.0.0.1:{port}/late")
        push.send(b"must not arrive")  # queued: LINGER > 0 keeps trying to deliver it
        conn, _ = listener.accept()  # TCP is up; TLS waits for us
        with caplog.at_level(logging.ERROR):
            push.close(linger)
            wait_linger_over(ctx)
            received = bytes_after_tls(conn, server_pem)
            # The client's descriptor is closed: the server saw it hang up (above), and a
            # round trip through the I/O thread reports nothing went wrong meanwhile.
            probe = ctx.socket(purezmq.PAIR)
            probe.bind("tcp://127.0.0.1:*")
            probe.close(0)
        assert not received, f"the closed socket still spoke after its LINGER: {received!r}"
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert errors == [], [r.getMessage() for r in errors]
    finally:
        ctx.destroy(0)
        listener.close()
