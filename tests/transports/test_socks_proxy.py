"""ZMQ_SOCKS_PROXY: a tcp connect goes through a SOCKS5 proxy (RFC 1928, with RFC 1929
username/password), as libzmq's ``socks_connecter_t``: the proxy sees the same handshake bytes
from purezmq as from libzmq (pyzmq), and messages flow through it."""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq.transports.socks import Socks5Client, SocksError, connect_request, parse_proxy

TIMEOUT = 10.0


class MiniSocks5:
    """A one-connection-at-a-time SOCKS5 proxy on 127.0.0.1 that records each handshake and
    then relays bytes both ways."""

    def __init__(self, username: bytes = b"", password: bytes = b"") -> None:
        self.username = username
        self.password = password
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        #: Per connection: (greeting, auth or None, request) as received.
        self.handshakes: list[tuple[bytes, bytes | None, bytes]] = []
        self.seen = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._sockets: list[socket.socket] = []
        self._closing = False
        accept = threading.Thread(target=self._accept, daemon=True)
        accept.start()
        self._threads.append(accept)

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            t = threading.Thread(target=self._serve, args=(client,), daemon=True)
            t.start()
            self._threads.append(t)

    @staticmethod
    def _exact(sock: socket.socket, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("closed mid-handshake")
            data += chunk
        return data

    def _serve(self, client: socket.socket) -> None:
        client.settimeout(TIMEOUT)
        try:
            head = self._exact(client, 2)
            greeting = head + self._exact(client, head[1])
            auth = None
            if self.username:
                client.sendall(b"\x05\x02")
                ver_ulen = self._exact(client, 2)
                user = self._exact(client, ver_ulen[1])
                plen = self._exact(client, 1)
                password = self._exact(client, plen[0])
                auth = ver_ulen + user + plen + password
                ok = user == self.username and password == self.password
                client.sendall(b"\x01\x00" if ok else b"\x01\x01")
                if not ok:
                    return
            else:
                client.sendall(b"\x05\x00")
            req = self._exact(client, 4)
            if req[3] == 1:
                rest = self._exact(client, 4 + 2)
                host = socket.inet_ntoa(rest[:4])
            elif req[3] == 3:
                n = self._exact(client, 1)
                rest = n + self._exact(client, n[0] + 2)
                host = rest[1:-2].decode()
            else:
                rest = self._exact(client, 16 + 2)
                host = socket.inet_ntop(socket.AF_INET6, rest[:16])
            port = struct.unpack("!H", rest[-2:])[0]
            with self.seen:
                self.handshakes.append((greeting, auth, req + rest))
                self.seen.notify_all()
            upstream = socket.create_connection((host, port), timeout=TIMEOUT)
            self._sockets.append(upstream)
            client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
            # The proxy may be closed (its sockets with it) while this thread runs.
            client.settimeout(None)
            upstream.settimeout(None)
        except (OSError, ConnectionError):
            return
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def wait_handshakes(self, n: int) -> list[tuple[bytes, bytes | None, bytes]]:
        with self.seen:
            assert self.seen.wait_for(lambda: len(self.handshakes) >= n, TIMEOUT)
            return list(self.handshakes)

    def close(self) -> None:
        self._closing = True
        self.listener.close()
        for sock in self._sockets:
            sock.close()


@pytest.fixture
def proxy() -> Iterator[MiniSocks5]:
    p = MiniSocks5()
    yield p
    p.close()


@pytest.fixture
def auth_proxy() -> Iterator[MiniSocks5]:
    p = MiniSocks5(b"alice", b"s3cret")
    yield p
    p.close()


def _through(ctx: Any, proxy: MiniSocks5, target: str, **options: Any) -> Any:
    """A purezmq PUSH connected to ``target`` through ``proxy``."""
    push = ctx.socket(purezmq.PUSH)
    push.linger = 0
    push.setsockopt(purezmq.SOCKS_PROXY, f"127.0.0.1:{proxy.port}".encode())
    for name, value in options.items():
        push.setsockopt(getattr(purezmq, name.upper()), value)
    push.connect(target)
    return push


def test_messages_flow_through_the_proxy(proxy: MiniSocks5) -> None:
    ctx = purezmq.Context()
    try:
        pull = ctx.socket(purezmq.PULL)
        pull.rcvtimeo = int(TIMEOUT * 1000)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = _through(ctx, proxy, f"tcp://127.0.0.1:{port}")
        push.send(b"via socks")
        assert pull.recv() == b"via socks"
        greeting, auth, request = proxy.wait_handshakes(1)[0]
        assert greeting == b"\x05\x01\x00" and auth is None
        assert request == connect_request("127.0.0.1", port)
    finally:
        ctx.destroy(0)


def test_username_password_and_a_name_the_proxy_resolves(auth_proxy: MiniSocks5) -> None:
    ctx = purezmq.Context()
    try:
        pull = ctx.socket(purezmq.PULL)
        pull.rcvtimeo = int(TIMEOUT * 1000)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = _through(
            ctx,
            auth_proxy,
            f"tcp://localhost:{port}",
            socks_username=b"alice",
            socks_password=b"s3cret",
        )
        push.send(b"authenticated")
        assert pull.recv() == b"authenticated"
        greeting, auth, request = auth_proxy.wait_handshakes(1)[0]
        assert greeting == b"\x05\x02\x00\x02"
        assert auth == b"\x01\x05alice\x06s3cret"
        assert request == b"\x05\x01\x00\x03\x09localhost" + struct.pack("!H", port)
    finally:
        ctx.destroy(0)


def test_same_handshake_bytes_as_libzmq(proxy: MiniSocks5) -> None:
    """pyzmq's libzmq and purezmq say the same thing to the proxy."""
    zmq = pytest.importorskip("zmq")
    target = socket.create_server(("127.0.0.1", 0))  # never answered: only the handshake
    port = target.getsockname()[1]
    lib_ctx, pure_ctx = zmq.Context(), purezmq.Context()
    try:
        socks = []
        for ctx in (lib_ctx, pure_ctx):
            sock = ctx.socket(zmq.PUSH)
            sock.linger = 0
            sock.setsockopt(zmq.SOCKS_PROXY, f"127.0.0.1:{proxy.port}".encode())
            sock.connect(f"tcp://127.0.0.1:{port}")
            socks.append(sock)
            proxy.wait_handshakes(len(socks))  # one at a time: libzmq's first
        first, second = proxy.wait_handshakes(2)[:2]
        assert first == second
        for sock in socks:
            sock.close()
    finally:
        lib_ctx.destroy(0)
        pure_ctx.destroy(0)
        target.close()


def test_client_codec_refusals() -> None:
    assert parse_proxy("[::1]:1080") == ("::1", 1080)
    with pytest.raises(SocksError):
        parse_proxy("no-port")
    c = Socks5Client("example.org", 5555)
    assert c.to_send() == b"\x05\x01\x00"
    with pytest.raises(SocksError):
        c.receive(b"\x05\xff")  # no acceptable method
    c = Socks5Client("10.0.0.1", 5555)
    c.to_send()
    c.receive(b"\x05\x00")
    assert c.to_send() == b"\x05\x01\x00\x01\x0a\x00\x00\x01\x15\xb3"
    with pytest.raises(SocksError):
        c.receive(b"\x05\x05\x00\x01" + bytes(6))  # connection refused by the proxy's peer
    c = Socks5Client("::1", 1)
    c.to_send()
    c.receive(b"\x05\x00")
    assert c.to_send()[3] == 4  # IPv6 literal: ATYP 4
    assert c.wanted() == 5
    c.receive(b"\x05\x00\x00\x04")
    assert c.wanted() == 1
    c.receive(bytes(1 + 15 + 2))
    assert c.done and c.wanted() == 0
