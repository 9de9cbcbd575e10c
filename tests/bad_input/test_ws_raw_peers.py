"""Misbehaving WebSocket peers against a purezmq PULL bound on ws://, with a good peer flowing.

A plain Python socket scripts bytes (HTTP upgrade, RFC 6455 frames) at the PULL. Each bad
connection must be closed with a monitor event, and a purezmq PUSH connected over ws:// to the
same PULL must keep delivering before and after. Every wait is bounded (poll, socket timeout).
"""

from __future__ import annotations

import contextlib
import socket
import struct
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event, ProtocolErrorCode
from purezmq.utils.monitor import recv_monitor_message

pytestmark = pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra")

TIMEOUT_MS = 5000
MAXMSGSIZE = 1000
MASK = b"\x11\x22\x33\x44"


def upgrade_request(protocols: str | None = "ZWS2.0/NULL") -> bytes:
    header = f"Sec-WebSocket-Protocol: {protocols}\r\n" if protocols is not None else ""
    return (
        "GET /bad HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n{header}"
        "Sec-WebSocket-Version: 13\r\n\r\n"
    ).encode()


def frame(payload: bytes, opcode: int = 0x2, mask: bytes | None = MASK) -> bytes:
    bit = 0x80 if mask is not None else 0
    size = len(payload)
    if size <= 125:
        head = bytes((0x80 | opcode, bit | size))
    elif size <= 0xFFFF:
        head = bytes((0x80 | opcode, bit | 126)) + struct.pack(">H", size)
    else:
        head = bytes((0x80 | opcode, bit | 127)) + struct.pack(">Q", size)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


READY_PUSH = b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"


class Rig:
    """A PULL bound on ws:// with its monitor, and a good PUSH connected to it."""

    def __init__(self) -> None:
        self.ctx = purezmq.Context()
        self.pull = self.ctx.socket(purezmq.PULL)
        self.pull.linger = 0
        self.pull.maxmsgsize = MAXMSGSIZE
        self.pull.rcvtimeo = TIMEOUT_MS
        self.monitor = self.pull.get_monitor_socket()
        self.pull.bind("ws://127.0.0.1:*/zmq")
        self.endpoint = self.pull.getsockopt_string(purezmq.LAST_ENDPOINT)
        self.port = int(self.endpoint.rsplit(":", 1)[1].split("/")[0])
        self.push = self.ctx.socket(purezmq.PUSH)
        self.push.linger = 0
        self.push.connect(self.endpoint)
        self.sent = 0

    def good_peer_delivers(self) -> None:
        self.push.send(b"good-%d" % self.sent)
        assert self.pull.recv() == b"good-%d" % self.sent
        self.sent += 1

    def wait_event(self, wanted: int) -> dict[str, Any]:
        while self.monitor.poll(TIMEOUT_MS):
            event: dict[str, Any] = recv_monitor_message(self.monitor)
            if event["event"] == wanted:
                return event
        pytest.fail(f"no {Event(wanted).name} monitor event")

    def raw(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=TIMEOUT_MS / 1000)
        return sock

    def close(self) -> None:
        self.ctx.destroy(0)


@pytest.fixture
def rig() -> Iterator[Rig]:
    r = Rig()
    r.good_peer_delivers()
    yield r
    r.close()


def closed_by_peer(sock: socket.socket) -> bool:
    """Read until EOF (or a reset); bounded by the socket timeout."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    return True


def upgraded(rig: Rig) -> socket.socket:
    sock = rig.raw()
    sock.sendall(upgrade_request())
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = sock.recv(4096)
        assert chunk, "the server closed during the upgrade"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    return sock


@pytest.mark.parametrize(
    "protocols", ["ZWS2.0/PLAIN", "chat", None], ids=["other-mechanism", "foreign", "missing"]
)
def test_unusable_subprotocol_closes_only_that_connection(rig: Rig, protocols: str | None) -> None:
    sock = rig.raw()
    sock.sendall(upgrade_request(protocols))
    event = rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert event["value"] == ProtocolErrorCode.WS_UNSPECIFIED
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def test_unmasked_client_frame_closes_only_that_connection(rig: Rig) -> None:
    sock = upgraded(rig)
    sock.sendall(frame(READY_PUSH, mask=None))
    event = rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert event["value"] == ProtocolErrorCode.WS_UNSPECIFIED
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def test_text_frame_closes_only_that_connection(rig: Rig) -> None:
    sock = upgraded(rig)
    sock.sendall(frame(b"hello", opcode=0x1))
    rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def test_reserved_opcode_closes_only_that_connection(rig: Rig) -> None:
    sock = upgraded(rig)
    sock.sendall(frame(b"\x00x", opcode=0x3))
    rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def test_oversized_message_closes_only_that_connection(rig: Rig) -> None:
    sock = upgraded(rig)
    sock.sendall(frame(READY_PUSH))
    rig.wait_event(Event.HANDSHAKE_SUCCEEDED)
    sock.sendall(frame(b"\x00" + b"ok"))
    assert rig.pull.recv() == b"ok"
    # 10 MB announced: the connection ends before it is all sent.
    huge = frame(b"\x00" + b"x" * 10_000_000)
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        sock.sendall(huge)
    rig.wait_event(Event.DISCONNECTED)
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


@pytest.mark.parametrize(
    "garbage",
    [
        b"\xff" + bytes(8) + b"\x7f\x03\x01NULL" + bytes(48),  # a ZMTP greeting
        b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(40),  # TLS to a ws:// port
        b"POST /zmq HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        b"GET /zmq HTTP/1.1\r\nHost: x\r\n\r\n",  # plain HTTP, no upgrade
        b"GET /zmq HTTP/1.1\r\nthis is no header\r\n\r\n",
    ],
    ids=["zmtp-greeting", "tls-hello", "post", "get-without-upgrade", "bad-header"],
)
def test_garbage_before_the_upgrade_closes_only_that_connection(
    rig: Rig, garbage: bytes
) -> None:
    sock = rig.raw()
    sock.sendall(garbage)
    event = rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert event["value"] == ProtocolErrorCode.WS_UNSPECIFIED
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def _raw_frame(first: int, payload: bytes, length: bytes | None = None) -> bytes:
    """A masked frame with a hand-made first byte (FIN, RSV, opcode) and length field."""
    head = bytes((first,)) + (length if length is not None else bytes((0x80 | len(payload),)))
    return head + MASK + bytes(b ^ MASK[i % 4] for i, b in enumerate(payload))


@pytest.mark.parametrize(
    "bad",
    [
        _raw_frame(0x80 | 0x40 | 0x2, b"\x00x"),  # RSV1 without a negotiated extension
        _raw_frame(0x09, b"ping"),  # a fragmented control frame (FIN clear on a PING)
        _raw_frame(0x80 | 0x9, b"p" * 126, b"\xfe\x00\x7e"),  # a control frame over 125 bytes
        _raw_frame(0x80 | 0x0, b"\x00x"),  # a continuation with no message to continue
        _raw_frame(0x82, b"", b"\xff" + b"\x80" + bytes(7)),  # a 64-bit length with its MSB set
        _raw_frame(0x88, b"\x03\xe7"),  # a close frame with a reserved code (999)
    ],
    ids=["rsv1", "fragmented-ping", "long-ping", "stray-continuation", "length-msb", "close-999"],
)
def test_malformed_frame_closes_only_that_connection(rig: Rig, bad: bytes) -> None:
    """RFC 6455 §5.2 and §5.5 violations, after the upgrade: a protocol error of that
    connection (the close frame with a reserved code too: §7.4.2)."""
    sock = upgraded(rig)
    sock.sendall(bad)
    event = rig.wait_event(Event.HANDSHAKE_FAILED_PROTOCOL)
    assert event["value"] == ProtocolErrorCode.WS_UNSPECIFIED
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()


def test_malformed_frame_after_the_handshake_disconnects_only_that_peer(rig: Rig) -> None:
    sock = upgraded(rig)
    sock.sendall(frame(READY_PUSH))
    rig.wait_event(Event.HANDSHAKE_SUCCEEDED)
    sock.sendall(frame(b"\x00" + b"ok"))
    assert rig.pull.recv() == b"ok"
    sock.sendall(_raw_frame(0x80 | 0x40 | 0x2, b"\x00x"))
    rig.wait_event(Event.DISCONNECTED)
    assert closed_by_peer(sock)
    sock.close()
    rig.good_peer_delivers()
