"""Endpoint parsing: every transport's grammar, canonical strings, errors equal to libzmq's."""

from __future__ import annotations

import dataclasses
import errno

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq.constants import Errno
from purezmq.endpoint import (
    InprocEndpoint,
    IpcEndpoint,
    PgmEndpoint,
    TcpEndpoint,
    UdpEndpoint,
    WsEndpoint,
    parse,
)
from purezmq.error import ZMQError

VALID = [
    # (endpoint, for_bind, parsed, canonical string or None when equal to the input)
    ("tcp://127.0.0.1:5555", False, TcpEndpoint("127.0.0.1", 5555), None),
    ("tcp://localhost:5555", False, TcpEndpoint("localhost", 5555), None),
    ("tcp://example.com:80", False, TcpEndpoint("example.com", 80), None),
    ("tcp://*:*", True, TcpEndpoint("*", 0), "tcp://*:0"),
    ("tcp://*:0", True, TcpEndpoint("*", 0), None),
    ("tcp://127.0.0.1:*", True, TcpEndpoint("127.0.0.1", 0), "tcp://127.0.0.1:0"),
    ("tcp://lo:*", True, TcpEndpoint("lo", 0), "tcp://lo:0"),
    ("tcp://eth0:5555", True, TcpEndpoint("eth0", 5555), None),
    ("tcp://127.0.0.1:0", False, TcpEndpoint("127.0.0.1", 0), None),
    ("tcp://127.0.0.1:05555", False, TcpEndpoint("127.0.0.1", 5555), "tcp://127.0.0.1:5555"),
    ("tcp://[::1]:5555", False, TcpEndpoint("::1", 5555, ipv6=True), None),
    ("tcp://[::]:*", True, TcpEndpoint("::", 0, ipv6=True), "tcp://[::]:0"),
    ("tcp://::1:5555", True, TcpEndpoint("::1", 5555, ipv6=True), "tcp://[::1]:5555"),
    ("tcp://[fe80::1%lo]:5555", False, TcpEndpoint("fe80::1%lo", 5555, ipv6=True), None),
    ("tcp://[fe80::1%2]:5555", False, TcpEndpoint("fe80::1%2", 5555, ipv6=True), None),
    (
        "tcp://192.168.1.17:5555;192.168.1.1:5555",
        False,
        TcpEndpoint("192.168.1.1", 5555, "192.168.1.17", 5555),
        None,
    ),
    ("tcp://eth1:0;server1:5555", False, TcpEndpoint("server1", 5555, "eth1", 0), None),
    (
        "tcp://127.0.0.1;localhost:1234",
        False,
        TcpEndpoint("localhost", 1234, "127.0.0.1", 0),
        "tcp://127.0.0.1:0;localhost:1234",
    ),
    ("tcp://*:7000;h:1", False, TcpEndpoint("h", 1, "*", 7000), None),
    ("tcp://*:*;h:1", False, TcpEndpoint("h", 1, "*", 0), "tcp://*:0;h:1"),
    ("tcp://[::1]:0;[::1]:1", False, TcpEndpoint("::1", 1, "::1", 0, ipv6=True), None),
    ("tcp://127.0.0.1:65535", False, TcpEndpoint("127.0.0.1", 65535), None),
    ("ipc:///tmp/x.sock", True, IpcEndpoint("/tmp/x.sock"), None),
    ("ipc://relative/path", False, IpcEndpoint("relative/path"), None),
    ("ipc://@abstract", True, IpcEndpoint("abstract", abstract=True), None),
    ("ipc://*", True, IpcEndpoint("*"), None),
    ("ipc://" + "a" * 107, True, IpcEndpoint("a" * 107), None),
    ("ipc://@" + "a" * 106, False, IpcEndpoint("a" * 106, abstract=True), None),
    ("inproc://x", False, InprocEndpoint("x"), None),
    ("inproc://zeromq.zap.01", True, InprocEndpoint("zeromq.zap.01"), None),
    ("inproc://a b/c:d;e", True, InprocEndpoint("a b/c:d;e"), None),
    ("ws://127.0.0.1:8080", False, WsEndpoint(False, "127.0.0.1", 8080), "ws://127.0.0.1:8080/"),
    ("ws://*:*", True, WsEndpoint(False, "*", 0), "ws://*:0/"),
    ("ws://host:80/", False, WsEndpoint(False, "host", 80), None),
    ("wss://host:443/zmq/x", False, WsEndpoint(True, "host", 443, "/zmq/x"), None),
    ("ws://[::1]:80/p", False, WsEndpoint(False, "::1", 80, "/p", ipv6=True), None),
    ("udp://*:5555", True, UdpEndpoint("*", 5555), None),
    ("udp://127.0.0.1:5555", True, UdpEndpoint("127.0.0.1", 5555), None),
    ("udp://eth1:5555", True, UdpEndpoint("eth1", 5555), None),
    ("udp://239.0.0.1:5555", True, UdpEndpoint("239.0.0.1", 5555, multicast=True), None),
    (
        "udp://eth0;239.0.0.1:5555",
        True,
        UdpEndpoint("239.0.0.1", 5555, "eth0", multicast=True),
        None,
    ),
    (
        "udp://eth0;[ff02::1]:5555",
        True,
        UdpEndpoint("ff02::1", 5555, "eth0", multicast=True, ipv6=True),
        None,
    ),
    ("udp://192.168.1.1:5555", False, UdpEndpoint("192.168.1.1", 5555), None),
    (
        "udp://wlan0;239.0.0.1:5555",
        False,
        UdpEndpoint("239.0.0.1", 5555, "wlan0", multicast=True),
        None,
    ),
    ("epgm://eth0;239.192.1.1:5555", False, PgmEndpoint(True, "eth0", "239.192.1.1", 5555), None),
    (
        "epgm://192.168.1.10;239.192.1.1:5555",
        True,
        PgmEndpoint(True, "192.168.1.10", "239.192.1.1", 5555),
        None,
    ),
    ("epgm://;239.192.1.1:5555", False, PgmEndpoint(True, "", "239.192.1.1", 5555), None),
    (
        "pgm://eth0;239.192.0.1,239.192.0.2;239.192.0.3:8000",
        False,
        PgmEndpoint(False, "eth0", "239.192.0.1,239.192.0.2;239.192.0.3", 8000),
        None,
    ),
]


@pytest.mark.parametrize(("text", "for_bind", "expected", "canonical"), VALID)
def test_valid(text: str, for_bind: bool, expected: object, canonical: str | None) -> None:
    parsed = parse(text, for_bind=for_bind)
    assert parsed == expected
    assert str(parsed) == (canonical or text)
    # The canonical string parses back to the same value.
    assert parse(str(parsed), for_bind=for_bind) == parsed


INVALID = [
    # (endpoint, for_bind, errno, words the message must contain)
    (
        "tcp://localhost",
        False,
        Errno.EINVAL,
        "tcp endpoint 'tcp://localhost' has no port: use tcp://host:port",
    ),
    ("tcp://localhost", True, Errno.EINVAL, "has no port"),
    ("tcp://", False, Errno.EINVAL, "has no port"),
    ("tcp://127.0.0.1:", True, Errno.EINVAL, "has no port"),
    ("tcp://:5555", False, Errno.EINVAL, "has no host"),
    ("tcp://:5555", True, Errno.EINVAL, "has no host"),
    ("tcp://127.0.0.1:abc", False, Errno.EINVAL, "not a number"),
    ("tcp://127.0.0.1:-1", True, Errno.EINVAL, "not a number"),
    ("tcp://127.0.0.1:+5555", True, Errno.EINVAL, "not a number"),
    ("tcp://127.0.0.1: 5555", False, Errno.EINVAL, "not a number"),
    ("tcp://127.0.0.1:70000", True, Errno.EINVAL, "out of range"),
    ("tcp://127.0.0.1:65536", False, Errno.EINVAL, "out of range"),
    ("tcp://127.0.0.1:*", False, Errno.EINVAL, "only works with bind()"),
    ("tcp://*:5555", False, Errno.EINVAL, "only works with bind()"),
    ("tcp://*:*", False, Errno.EINVAL, "only works with bind()"),
    ("tcp://[::1]", False, Errno.EINVAL, "has no port"),
    ("tcp://[::1:5555", False, Errno.EINVAL, "never closes its '['"),
    ("tcp://[]:5555", False, Errno.EINVAL, "no address inside"),
    ("tcp://[host]:5555", False, Errno.EINVAL, "not an IPv6 address"),
    ("tcp://[::1]x:5555", False, Errno.EINVAL, "instead of :port"),
    ("tcp://1:2:x:5555", False, Errno.EINVAL, "not a host name or address"),
    ("tcp://127.0.0.1:5555/", True, Errno.EINVAL, "not a number"),
    ("tcp://127.0.0.1:0;127.0.0.1:5555", True, Errno.EINVAL, "only works with connect()"),
    ("tcp://;h:5", False, Errno.EINVAL, "empty source"),
    ("tcp://src:x;h:5", False, Errno.EINVAL, "not a number"),
    ("tcp://a b:5", False, Errno.EINVAL, "contains ' '"),
    ("tcp:127.0.0.1:5555", False, Errno.EINVAL, "has no '://'"),
    ("127.0.0.1:5555", True, Errno.EINVAL, "has no '://'"),
    ("", True, Errno.EINVAL, "has no '://'"),
    ("ipc://", False, Errno.EINVAL, "has no path"),
    ("ipc://@", True, Errno.EINVAL, "empty abstract name"),
    ("ipc://*", False, Errno.EINVAL, "only works with bind()"),
    ("ipc://" + "a" * 108, True, errno.ENAMETOOLONG, "is 108 bytes, the limit is 107"),
    ("ipc://@" + "a" * 107, False, errno.ENAMETOOLONG, "is 108 bytes, the limit is 107"),
    ("ipc://" + "\u00e9" * 54, True, errno.ENAMETOOLONG, "is 108 bytes"),
    ("inproc://", False, Errno.EINVAL, "has no name"),
    ("ws://host", False, Errno.EINVAL, "has no port"),
    ("ws://host/path", False, Errno.EINVAL, "has no port"),
    ("ws://*:80", False, Errno.EINVAL, "only works with bind()"),
    ("wss://h:80/a b", False, Errno.EINVAL, "white space"),
    ("udp://*:5555", False, Errno.EINVAL, "only works with bind()"),
    ("udp://h:*", True, Errno.EINVAL, "port *"),
    ("udp://eth0;10.0.0.1:5555", True, Errno.EINVAL, "not one"),
    ("udp://;239.0.0.1:5555", True, Errno.EINVAL, "has no host"),
    ("epgm://239.192.1.1:5555", False, Errno.EINVAL, "has no ';'"),
    ("epgm://eth0;239.192.1.1", False, Errno.EINVAL, "has no port"),
    ("epgm://eth0;:5555", False, Errno.EINVAL, "has no multicast group"),
    ("pgm://eth0;239.192.1.1:0", True, Errno.EINVAL, "not a multicast port"),
    ("pgm://eth0;239.192.1.1:*", True, Errno.EINVAL, "port *"),
    ("foo://x", True, Errno.EPROTONOSUPPORT, "unknown transport 'foo'; supported: tcp, ipc"),
    ("TCP://127.0.0.1:5555", False, Errno.EPROTONOSUPPORT, "unknown transport 'TCP'"),
    ("norm://eth0;239.1.1.1:5555", False, Errno.EPROTONOSUPPORT, "does not implement"),
    ("vsock://1:2", False, Errno.EPROTONOSUPPORT, "does not implement"),
]


@pytest.mark.parametrize(("text", "for_bind", "code", "words"), INVALID)
def test_invalid(text: str, for_bind: bool, code: int, words: str) -> None:
    with pytest.raises(ZMQError) as info:
        parse(text, for_bind=for_bind)
    assert info.value.errno == code
    assert words in str(info.value)


def test_not_a_string() -> None:
    with pytest.raises(TypeError):
        parse(b"tcp://h:1", for_bind=False)  # type: ignore[arg-type]


def test_dataclasses_are_frozen_and_slotted() -> None:
    ep = parse("tcp://*:*", for_bind=True)
    assert isinstance(ep, TcpEndpoint)
    with pytest.raises(dataclasses.FrozenInstanceError):
        ep.port = 1  # type: ignore[misc]
    assert not hasattr(ep, "__dict__")
    # LAST_ENDPOINT: the engine puts the resolved address in and prints it.
    resolved = dataclasses.replace(ep, host="0.0.0.0", port=34387)
    assert str(resolved) == "tcp://0.0.0.0:34387"
    v6 = dataclasses.replace(ep, host="::", port=32983, ipv6=True)
    assert str(v6) == "tcp://[::]:32983"


def test_ipc_helpers() -> None:
    abstract = parse("ipc://@name", for_bind=True)
    assert isinstance(abstract, IpcEndpoint)
    assert abstract.address == "\0name"
    assert not abstract.random
    path = parse("ipc:///tmp/s", for_bind=True)
    assert isinstance(path, IpcEndpoint)
    assert path.address == "/tmp/s"
    rnd = parse("ipc://*", for_bind=True)
    assert isinstance(rnd, IpcEndpoint) and rnd.random


def test_schemes() -> None:
    assert parse("ws://h:1", for_bind=False).scheme == "ws"
    assert parse("wss://h:1", for_bind=False).scheme == "wss"
    assert parse("pgm://;239.1.1.1:1", for_bind=False).scheme == "pgm"
    assert parse("epgm://;239.1.1.1:1", for_bind=False).scheme == "epgm"
    assert parse("tcp://h:1", for_bind=False).scheme == "tcp"


@given(
    st.from_regex(r"[a-z][a-z0-9.-]{0,20}", fullmatch=True),
    st.integers(0, 65535),
    st.booleans(),
)
def test_tcp_round_trip(host: str, port: int, for_bind: bool) -> None:
    ep = parse(f"tcp://{host}:{port}", for_bind=for_bind)
    assert ep == TcpEndpoint(host, port)
    assert parse(str(ep), for_bind=for_bind) == ep


@given(st.text(min_size=1, max_size=200))
def test_parse_never_raises_anything_but_zmqerror(address: str) -> None:
    for scheme in ("tcp", "ipc", "inproc", "ws", "udp", "epgm"):
        for for_bind in (False, True):
            try:
                ep = parse(f"{scheme}://{address}", for_bind=for_bind)
            except ZMQError:
                continue
            assert parse(str(ep), for_bind=for_bind) == ep


# --- libzmq agrees: whatever it refuses, purezmq refuses with the same errno -----------------

zmq = pytest.importorskip("zmq")

LIBZMQ_REFUSES = [
    ("tcp://localhost", False),
    ("tcp://localhost", True),
    ("tcp://127.0.0.1:", False),
    ("tcp://127.0.0.1:abc", True),
    ("tcp://127.0.0.1:-1", False),
    ("tcp://127.0.0.1:*", False),
    ("tcp://*:*", False),
    ("tcp://[::1]:*", False),
    ("tcp://lo:*", False),
    ("tcp://127.0.0.1;127.0.0.1:5555", True),
    ("tcp://", False),
    ("tcp://", True),
    ("tcp://127.0.0.1: 5555", False),
    ("tcp://127.0.0.1:+5555", False),
    ("tcp://127.0.0.1:5555/", False),
    ("tcp://127.0.0.1:65536", True),
    ("tcp:127.0.0.1:5555", False),
    ("ipc://", False),
    ("ipc://", True),
    ("ipc://@", True),
    ("ipc://" + "a" * 108, False),
    ("ipc://" + "a" * 108, True),
    ("inproc://", False),
    ("inproc://", True),
    ("foo://x", True),
    ("TCP://127.0.0.1:5555", False),
]


@pytest.mark.interop
@pytest.mark.parametrize(("text", "for_bind"), LIBZMQ_REFUSES)
def test_refused_like_libzmq(text: str, for_bind: bool) -> None:
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.PUSH)
    sock.linger = 0
    try:
        with pytest.raises(zmq.ZMQError) as theirs:
            (sock.bind if for_bind else sock.connect)(text)
    finally:
        sock.close()
    with pytest.raises(ZMQError) as ours:
        parse(text, for_bind=for_bind)
    assert ours.value.errno == theirs.value.errno


LIBZMQ_CONNECTS = [
    "tcp://127.0.0.1:5555",
    "tcp://localhost:0",
    "tcp://[::1]:5555",
    "tcp://[fe80::1%lo]:5555",
    "tcp://127.0.0.1:0;127.0.0.1:5555",
    "tcp://127.0.0.1;127.0.0.1:5555",
    "ipc://@purezmq-test-endpoint",
    "ipc://" + "a" * 107,
    "inproc://purezmq-test-endpoint",
]


@pytest.mark.interop
@pytest.mark.parametrize("text", LIBZMQ_CONNECTS)
def test_accepted_like_libzmq(text: str) -> None:
    ctx = zmq.Context.instance()
    sock = ctx.socket(zmq.PUSH)
    sock.linger = 0
    try:
        sock.connect(text)
        given_back = sock.last_endpoint.decode()
    finally:
        sock.close()
    ep = parse(text, for_bind=False)
    # libzmq reports a connect endpoint as given; ours parses back to the same value.
    assert parse(given_back, for_bind=False) == ep
