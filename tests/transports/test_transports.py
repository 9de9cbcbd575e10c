"""Layer 2 on its own: bind errors with libzmq's errno (checked against pyzmq), ephemeral
ports, ipc file cleanup, abstract names, stale socket files."""

from __future__ import annotations

import os
import socket
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import zmq

from purezmq import transports
from purezmq.constants import Errno
from purezmq.endpoint import IpcEndpoint, TcpEndpoint, parse
from purezmq.error import ZMQError
from purezmq.transports import SocketSettings

ZCtx = zmq.Context[zmq.Socket[bytes]]
DEFAULT = SocketSettings()
IPV6 = SocketSettings(ipv6=True)


def _bind(endpoint: str, settings: SocketSettings = DEFAULT) -> transports.BoundSocket:
    ep = parse(endpoint, for_bind=True)
    assert isinstance(ep, (TcpEndpoint, IpcEndpoint))
    return transports.bind(ep, settings)


def _pyzmq_bind_errno(ctx: ZCtx, endpoint: str, ipv6: bool) -> int:
    s = ctx.socket(zmq.PULL)
    s.linger = 0
    s.ipv6 = ipv6
    try:
        s.bind(endpoint)
    except zmq.ZMQError as exc:
        return int(exc.errno or 0)
    finally:
        s.close()
    return 0


@pytest.fixture
def zctx() -> Iterator[ZCtx]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def tmpdir_short() -> Iterator[Path]:
    # /tmp keeps ipc paths short of the 107-byte limit.
    d = Path(tempfile.mkdtemp(prefix="pzt"))
    yield d
    for p in d.iterdir():
        p.unlink()
    d.rmdir()


def test_ephemeral_port_is_resolved() -> None:
    b = _bind("tcp://127.0.0.1:*")
    try:
        host_port = b.endpoint.removeprefix("tcp://")
        host, port = host_port.rsplit(":", 1)
        assert host == "127.0.0.1"
        assert int(port) == b.sock.getsockname()[1] > 0
        assert not b.sock.getblocking()
    finally:
        b.close()


def test_wildcards() -> None:
    b = _bind("tcp://*:0")
    assert b.endpoint.startswith("tcp://0.0.0.0:")
    b.close()
    b6 = _bind("tcp://*:*", IPV6)
    try:
        assert b6.endpoint.startswith("tcp://[::]:")
        port = int(b6.endpoint.rsplit(":", 1)[1])
        # Dual-stack: an IPv4 client reaches the IPv6 wildcard listener.
        c = socket.create_connection(("127.0.0.1", port), timeout=2)
        c.close()
    finally:
        b6.close()


def test_ipv6_literal() -> None:
    b = _bind("tcp://[::1]:*", IPV6)
    assert b.endpoint.startswith("tcp://[::1]:")
    b.close()


@pytest.mark.skipif(sys.platform != "linux", reason="interface names via SIOCGIFADDR")
def test_interface_name() -> None:
    b = _bind("tcp://lo:*")
    assert b.endpoint.startswith("tcp://127.0.0.1:")
    b.close()


@pytest.mark.parametrize(
    ("endpoint", "ipv6"),
    [
        ("tcp://nonexistentif:5555", False),
        ("tcp://10.99.99.99:5555", False),
        ("tcp://[::1]:*", False),
        ("tcp://127.0.0.1", False),
        ("tcp://127.0.0.1:abc", False),
        ("ipc://@", False),
        ("ipc:///nonexistent/dir/sock", False),
        ("ipc://" + "x" * 120, False),
        ("foo://x", False),
    ],
)
def test_bind_errno_matches_pyzmq(
    zctx: ZCtx, endpoint: str, ipv6: bool
) -> None:
    expected = _pyzmq_bind_errno(zctx, endpoint, ipv6)
    assert expected != 0
    with pytest.raises(ZMQError) as info:
        _bind(endpoint, SocketSettings(ipv6=ipv6))
    assert info.value.errno == expected, info.value


def test_tcp_port_in_use_matches_pyzmq(zctx: ZCtx) -> None:
    b = _bind("tcp://127.0.0.1:*")
    try:
        expected = _pyzmq_bind_errno(zctx, b.endpoint, False)
        assert expected == Errno.EADDRINUSE
        with pytest.raises(ZMQError) as info:
            _bind(b.endpoint)
        assert info.value.errno == Errno.EADDRINUSE
        assert "127.0.0.1" in str(info.value)
    finally:
        b.close()


def test_pyzmq_port_in_use_gives_eaddrinuse(zctx: ZCtx) -> None:
    s = zctx.socket(zmq.PULL)
    s.linger = 0
    port = s.bind_to_random_port("tcp://127.0.0.1")
    with pytest.raises(ZMQError) as info:
        _bind(f"tcp://127.0.0.1:{port}")
    assert info.value.errno == Errno.EADDRINUSE
    s.close()


def test_ipc_file_removed_on_close(tmpdir_short: Path) -> None:
    path = tmpdir_short / "s"
    b = _bind(f"ipc://{path}")
    assert b.endpoint == f"ipc://{path}"
    assert path.exists()
    b.close()
    assert not path.exists()
    b.close()  # idempotent


def test_ipc_live_listener_is_not_stolen(tmpdir_short: Path) -> None:
    path = tmpdir_short / "s"
    b = _bind(f"ipc://{path}")
    try:
        with pytest.raises(ZMQError) as info:
            _bind(f"ipc://{path}")
        assert info.value.errno == Errno.EADDRINUSE
        assert path.exists()
    finally:
        b.close()


def test_ipc_stale_file_replaced(tmpdir_short: Path) -> None:
    path = tmpdir_short / "s"
    leftover = socket.socket(socket.AF_UNIX)
    leftover.bind(str(path))
    leftover.close()  # the file stays, nobody listens: stale
    b = _bind(f"ipc://{path}")
    try:
        c = socket.socket(socket.AF_UNIX)
        c.connect(str(path))
        c.close()
    finally:
        b.close()
    assert not path.exists()


def test_ipc_regular_file_refused(tmpdir_short: Path) -> None:
    path = tmpdir_short / "f"
    path.write_text("precious")
    with pytest.raises(ZMQError) as info:
        _bind(f"ipc://{path}")
    assert info.value.errno == Errno.EADDRINUSE
    assert path.read_text() == "precious"


def test_ipc_close_leaves_a_replacement_alone(tmpdir_short: Path) -> None:
    path = tmpdir_short / "s"
    b = _bind(f"ipc://{path}")
    os.unlink(path)
    other = socket.socket(socket.AF_UNIX)
    other.bind(str(path))
    b.close()
    assert path.exists()  # not ours any more
    other.close()


def test_ipc_random_path() -> None:
    b = _bind("ipc://*")
    path = b.endpoint.removeprefix("ipc://")
    assert path.endswith("/socket") and os.path.exists(path)
    b.close()
    assert not os.path.exists(path)
    assert not os.path.exists(os.path.dirname(path))


@pytest.mark.skipif(sys.platform != "linux", reason="abstract namespace is Linux-only")
def test_ipc_abstract_interop_with_pyzmq(zctx: ZCtx) -> None:
    name = f"purezmq-test-{os.getpid()}"
    b = _bind(f"ipc://@{name}")
    try:
        assert b.endpoint == f"ipc://@{name}"
        # Same sockaddr length as libzmq: pyzmq's bind to the same name collides.
        assert _pyzmq_bind_errno(zctx, f"ipc://@{name}", False) == Errno.EADDRINUSE
        with pytest.raises(ZMQError) as info:
            _bind(f"ipc://@{name}")
        assert info.value.errno == Errno.EADDRINUSE
    finally:
        b.close()
    s = zctx.socket(zmq.PULL)
    s.linger = 0
    s.bind(f"ipc://@{name}")
    c = socket.socket(socket.AF_UNIX)
    c.connect("\0" + name)  # our connect address reaches libzmq's listener
    c.close()
    s.close()


def test_settings_from_options() -> None:
    class Opts:
        ipv6 = 1
        tcp_keepalive = 1
        tcp_keepalive_idle = 30
        sndbuf = 65536
        linger = 5

    s = SocketSettings.from_options(Opts())
    assert s.ipv6 is True and s.tcp_keepalive == 1 and s.tcp_keepalive_idle == 30
    assert s.sndbuf == 65536 and s.rcvbuf == -1


def test_tune_applies_options() -> None:
    settings = SocketSettings(tcp_keepalive=1, tcp_keepalive_idle=42, tcp_keepalive_cnt=3)
    sock = socket.socket()
    try:
        transports.tune_accepted(sock, settings)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)
        if hasattr(socket, "TCP_KEEPIDLE"):
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == 42
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == 3
    finally:
        sock.close()
