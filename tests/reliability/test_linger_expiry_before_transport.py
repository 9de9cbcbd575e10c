"""A connecting socket whose LINGER runs out before its transport exists (a wss:// connection
still negotiating TLS): once the TLS handshake completes the connection is dropped without a
ZMTP/WebSocket handshake, its descriptor is closed and nothing is reported as an error; with
LINGER 0 the same holds. Both moments are forced: closed while TCP still connects (the
connecter lingers, its LINGER timer ends it) and closed after CONNECTED while TLS runs (the
connection's LINGER timer ends it). The server is a raw TCP socket the test drives by hand."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
import threading
from pathlib import Path
from time import monotonic

import pytest

import purezmq
from purezmq._engine.connecter import Connecter

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


def plain_listener() -> tuple[socket.socket, int]:
    """A plain TCP listener on a free loopback port (the peer that never speaks ZMTP), whose
    ``accept()`` gives up after WAIT_S."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(WAIT_S)
    return listener, listener.getsockname()[1]


def hold_connect_until_closed(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make the connecter's TCP connect finish only after its socket was closed (the close
    reached the I/O loop): set the returned Event once ``close()`` has returned."""
    closed = threading.Event()
    wait_connected = Connecter._wait_connected

    async def held(self: Connecter, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        await wait_connected(self, loop, sock)
        await loop.run_in_executor(None, closed.wait, WAIT_S)
        for _ in range(10_000):  # the close hops to the loop: let it run first (bounded)
            if self.linger_pipe is not None or self._closed:
                break
            await asyncio.sleep(0)

    monkeypatch.setattr(Connecter, "_wait_connected", held)
    return closed


@pytest.mark.parametrize("linger", [0, 50])
@pytest.mark.parametrize("closed_at", ["tcp-connecting", "tls-negotiating"])
def test_linger_over_before_tls_completes_means_no_handshake(
    server_pem: tuple[Path, Path],
    linger: int,
    closed_at: str,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``tcp-connecting``: closed while the connecter still waits for TCP (it goes on, to
    deliver within LINGER, and its own LINGER timer ends it); ``tls-negotiating``: closed
    after CONNECTED, while TLS runs (the connection's LINGER timer ends it)."""
    connect_done = hold_connect_until_closed(monkeypatch) if closed_at == "tcp-connecting" else None
    listener, port = plain_listener()
    ctx = purezmq.Context()
    try:
        push = ctx.socket(purezmq.PUSH)
        push.wss_trust_pem = server_pem[0].read_bytes()
        push.wss_hostname = b"localhost"
        mon = push.get_monitor_socket(purezmq.EVENT_CONNECTED)
        push.connect(f"wss://127.0.0.1:{port}/late")
        push.send(b"must not arrive")  # queued: LINGER > 0 keeps trying to deliver it
        conn, _ = listener.accept()  # TCP is up; TLS waits for us
        if connect_done is None:
            assert mon.poll(int(WAIT_S * 1000)), "no CONNECTED event"
        with caplog.at_level(logging.ERROR):
            push.close(linger)
            if connect_done is not None:
                connect_done.set()
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


def test_linger_zero_while_tcp_connects_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain tcp: closed with LINGER 0 while the TCP connect is still in flight (held until
    the close reached the loop), the connection the server accepted is closed without a byte
    of greeting."""
    connect_done = hold_connect_until_closed(monkeypatch)
    listener, port = plain_listener()
    ctx = purezmq.Context()
    try:
        push = ctx.socket(purezmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"must not arrive")
        conn, _ = listener.accept()
        push.close(0)
        connect_done.set()
        conn.settimeout(WAIT_S)
        received = b""
        try:
            while chunk := conn.recv(4096):
                received += chunk
        except OSError:
            pass
        conn.close()
        assert received == b""
    finally:
        ctx.destroy(0)
        listener.close()
