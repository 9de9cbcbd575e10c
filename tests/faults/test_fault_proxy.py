"""The fault proxy itself, with plain sockets on both sides: each fault does what it says.

The target is a small threaded server that records what it receives and echoes it back.
Negative checks ("nothing arrives") wait a bounded ``select`` for bytes that must not come.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from purezmq.testing import FaultProxy

TIMEOUT = 5.0
#: How long a "nothing arrives" check watches.
QUIET = 0.3


class EchoServer:
    """Accepts connections and echoes their bytes; records each connection's end."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.ended = threading.Event()
        self.end_reason = ""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._echo, args=(conn,), daemon=True).start()

    def _echo(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError as exc:
                    self.end_reason = type(exc).__name__
                    break
                if not data:
                    self.end_reason = "eof"
                    break
                conn.sendall(data)
        self.ended.set()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.close()


@pytest.fixture
def proxy(echo: EchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(("127.0.0.1", echo.port), seed=7) as running:
        yield running


def connect(proxy: FaultProxy) -> socket.socket:
    client = socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT)
    proxy.wait_links(1)
    return client


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError(f"EOF after {len(data)} of {size} bytes")
        data += chunk
    return data


def readable(sock: socket.socket, timeout: float = QUIET) -> bool:
    return bool(select.select([sock], [], [], timeout)[0])


def test_forwards_both_ways(proxy: FaultProxy) -> None:
    with connect(proxy) as client:
        client.sendall(b"hello")
        assert recv_exactly(client, 5) == b"hello"
    assert proxy.stats.bytes_up == 5
    assert proxy.stats.accepted == 1


def test_cut_closes_both_sides_with_fin(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as client:
        assert proxy.cut() == 1
        assert client.recv(10) == b""
    assert echo.ended.wait(TIMEOUT)
    assert echo.end_reason == "eof"
    assert proxy.links == 0
    assert proxy.stats.faults_injected == 1


def test_reset_aborts_both_sides_with_rst(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as client:
        assert proxy.reset() == 1
        with pytest.raises(ConnectionResetError):
            client.recv(10)
    assert echo.ended.wait(TIMEOUT)
    assert echo.end_reason == "ConnectionResetError"


def test_half_open_keeps_the_client_believing(proxy: FaultProxy, echo: EchoServer) -> None:
    with connect(proxy) as client:
        assert proxy.half_open() == 1
        assert echo.ended.wait(TIMEOUT)  # the server saw the connection end
        client.sendall(b"into the void")  # the client's side still accepts bytes
        assert not readable(client)  # and neither EOF nor an echo comes back
        assert proxy.links == 1


def test_black_hole_discards_then_heals(proxy: FaultProxy) -> None:
    with connect(proxy) as client:
        proxy.black_hole()
        client.sendall(b"lost")
        assert not readable(client)
        proxy.black_hole(False)
        client.sendall(b"kept")
        assert recv_exactly(client, 4) == b"kept"
    assert proxy.stats.bytes_discarded == 4


def test_stall_holds_bytes_until_released(proxy: FaultProxy) -> None:
    with connect(proxy) as client:
        proxy.stall()
        client.sendall(b"held")
        assert not readable(client)
        proxy.stall(False)
        assert recv_exactly(client, 4) == b"held"


def test_resegment_keeps_every_byte_in_order(proxy: FaultProxy) -> None:
    proxy.resegment(7)
    payload = bytes(range(256)) * 64
    with connect(proxy) as client:
        client.sendall(payload)
        assert recv_exactly(client, len(payload)) == payload


def test_delay_and_throttle_slow_the_link(proxy: FaultProxy) -> None:
    proxy.delay(0.2)
    with connect(proxy) as client:
        started = time.monotonic()
        client.sendall(b"x")
        assert recv_exactly(client, 1) == b"x"
        assert time.monotonic() - started >= 0.4  # held once each way
    proxy.delay(0)
    proxy.throttle(20_000)
    with connect(proxy) as client:
        started = time.monotonic()
        client.sendall(bytes(4000))
        assert recv_exactly(client, 4000) == bytes(4000)
        assert time.monotonic() - started >= 0.35  # 4000 B at 20 kB/s each way


def test_refuse_then_listen_again_on_the_same_port(proxy: FaultProxy) -> None:
    port = proxy.port
    proxy.refuse()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    proxy.refuse(False)
    assert proxy.port == port
    with connect(proxy) as client:
        client.sendall(b"back")
        assert recv_exactly(client, 4) == b"back"


def test_a_dead_target_closes_the_client() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    with FaultProxy(f"tcp://127.0.0.1:{dead_port}") as proxy:
        # Reset at once or at the first read.
        with (
            pytest.raises(ConnectionResetError),
            socket.create_connection(("127.0.0.1", proxy.port), timeout=TIMEOUT) as client,
        ):
            client.recv(10)
        proxy.wait_accepted(1)
