"""Attacks on a purezmq CURVE server through the public API (RFC 26 §"Security
Considerations"): each bad connection is dropped, nothing it sent is delivered, and a good
client is served meanwhile.

Attackers speak over raw TCP, either by hand (greeting + HELLO bytes) or through the sans-IO
``zmtp.Connection`` with our ``CurveClient`` whose output is then tampered with. No sleeps:
blocking sockets with bounded timeouts and monitor events.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq.constants import Errno, ProtocolErrorCode, SocketType
from purezmq.utils.monitor import recv_monitor_message
from purezmq.zmtp.connection import Connection
from purezmq.zmtp.mechanisms.curve import CurveClient

from ._helpers import (
    CLIENT_PUBLIC_Z85,
    CLIENT_SECRET_Z85,
    SERVER_PUBLIC_Z85,
    SERVER_SECRET_Z85,
)

WAIT = 5.0
HANDSHAKE_IVL_MS = 300

# RFC 23 §"Greeting": signature, version 3.1, mechanism "CURVE", as-server 0, filler.
CURVE_GREETING = (
    b"\xff" + bytes(8) + b"\x7f" + b"\x03\x01" + b"CURVE".ljust(20, b"\x00") + b"\x00" + bytes(31)
)


def bad_hello() -> bytes:
    """A well-formed HELLO (RFC 26 §"The HELLO Command": version, 72-byte padding, C', short
    nonce, 80-byte signature box) whose box is random: it can never open."""
    body = (
        b"\x05HELLO"
        + b"\x01\x00"
        + bytes(72)
        + os.urandom(32)
        + (1).to_bytes(8, "big")
        + os.urandom(80)
    )
    return b"\x04" + bytes((len(body),)) + body


class Server:
    """A purezmq CURVE PULL server (no ZAP handler: every client key is accepted, RFC 27)
    with a monitor."""

    def __init__(self, ctx: purezmq.Context) -> None:
        self.sock = ctx.socket(purezmq.PULL)
        self.sock.linger = 0
        self.sock.curve_server = 1
        self.sock.curve_secretkey = SERVER_SECRET_Z85
        self.sock.handshake_ivl = HANDSHAKE_IVL_MS
        self.mon = self.sock.get_monitor_socket()
        self.port = self.sock.bind_to_random_port("tcp://127.0.0.1")
        self.ctx = ctx

    def event(self, wanted: int) -> dict[str, Any]:
        deadline = time.monotonic() + WAIT
        while True:
            left = int((deadline - time.monotonic()) * 1000)
            assert left > 0 and self.mon.poll(left), f"no event {wanted}"
            event: dict[str, Any] = recv_monitor_message(self.mon)
            if event["event"] == wanted:
                return event

    def good_client_is_served(self) -> None:
        client = self.ctx.socket(purezmq.PUSH)
        client.linger = 0
        client.curve_serverkey = SERVER_PUBLIC_Z85
        client.curve_publickey = CLIENT_PUBLIC_Z85
        client.curve_secretkey = CLIENT_SECRET_Z85
        client.connect(f"tcp://127.0.0.1:{self.port}")
        client.send(b"good")
        assert self.sock.poll(int(WAIT * 1000))
        assert self.sock.recv() == b"good"
        client.close(0)

    def nothing_else_delivered(self) -> None:
        assert self.sock.poll(0) == 0


@pytest.fixture
def server() -> Iterator[Server]:
    ctx = purezmq.Context()
    yield Server(ctx)
    ctx.destroy(linger=0)


def raw(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    return sock


def dropped(sock: socket.socket) -> bool:
    """True once the server closed the connection (EOF or reset), within WAIT."""
    deadline = time.monotonic() + WAIT
    try:
        while time.monotonic() < deadline:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            if not sock.recv(1 << 16):
                return True
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    finally:
        sock.close()
    return False


class Attacker:
    """Our CurveClient in a zmtp.Connection over raw TCP: a real session to tamper with."""

    def __init__(self, port: int) -> None:
        self.sock = raw(port)
        client = CurveClient(
            public_key=CLIENT_PUBLIC_Z85, secret_key=CLIENT_SECRET_Z85, server_key=SERVER_PUBLIC_Z85
        )
        self.conn = Connection(SocketType.PUSH, client)
        self.conn.start(time.monotonic())
        self.flush()
        deadline = time.monotonic() + WAIT
        while not self.conn.ready:
            assert time.monotonic() < deadline and not self.conn.closed, "handshake failed"
            data = self.sock.recv(1 << 16)
            assert data, "server hung up during the handshake"
            self.conn.receive_data(data, time.monotonic())
            self.flush()

    def flush(self) -> None:
        chunks = self.conn.data_to_send()
        if chunks:
            self.sock.sendall(b"".join(bytes(c) for c in chunks))

    def encrypted(self, frames: list[bytes]) -> bytes:
        """The wire bytes of one MESSAGE carrying ``frames`` (not sent)."""
        self.conn.send_message(frames)
        return b"".join(bytes(c) for c in self.conn.data_to_send())


def test_tampered_ciphertext_is_dropped(server: Server) -> None:
    attacker = Attacker(server.port)
    wire = bytearray(attacker.encrypted([b"evil"]))
    wire[-1] ^= 0x01  # RFC 26 §"The MESSAGE Command": the box's MAC no longer verifies
    attacker.sock.sendall(bytes(wire))
    assert dropped(attacker.sock)
    server.good_client_is_served()
    server.nothing_else_delivered()


def test_replayed_message_is_dropped(server: Server) -> None:
    attacker = Attacker(server.port)
    wire = attacker.encrypted([b"once"])
    # RFC 26 §"The MESSAGE Command": nonces strictly increase; a replay is refused.
    attacker.sock.sendall(wire + wire)
    assert dropped(attacker.sock)
    assert server.sock.poll(int(WAIT * 1000))
    assert server.sock.recv() == b"once"
    server.good_client_is_served()
    server.nothing_else_delivered()


def test_reordered_messages_are_dropped(server: Server) -> None:
    attacker = Attacker(server.port)
    first = attacker.encrypted([b"first"])
    second = attacker.encrypted([b"second"])
    attacker.sock.sendall(second + first)
    assert dropped(attacker.sock)
    assert server.sock.poll(int(WAIT * 1000))
    assert server.sock.recv() == b"second"
    server.good_client_is_served()
    server.nothing_else_delivered()


def test_hello_with_bad_box(server: Server) -> None:
    sock = raw(server.port)
    sock.sendall(CURVE_GREETING + bad_hello())
    event = server.event(purezmq.EVENT_HANDSHAKE_FAILED_PROTOCOL)
    assert event["value"] == ProtocolErrorCode.ZMTP_CRYPTOGRAPHIC
    assert dropped(sock)
    server.good_client_is_served()
    server.nothing_else_delivered()


def test_client_stalling_in_the_handshake(server: Server) -> None:
    sock = raw(server.port)
    sock.sendall(CURVE_GREETING)  # ...and never HELLO
    event = server.event(purezmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    assert event["value"] == Errno.ETIMEDOUT
    assert dropped(sock)
    server.good_client_is_served()


def test_hello_flood(server: Server) -> None:
    # Bad HELLOs are refused at once; valid HELLOs that never INITIATE hold a cookie only
    # until HANDSHAKE_IVL (RFC 26 §"The WELCOME Command": the server keeps no state per
    # cookie beyond the connection). Either way every connection is closed: nothing piles up.
    flood = []
    for _ in range(60):
        sock = raw(server.port)
        sock.sendall(CURVE_GREETING + bad_hello())
        flood.append(sock)
    stalled = []
    for _ in range(20):
        attacker = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        conn = Connection(
            SocketType.PUSH,
            CurveClient(
                public_key=CLIENT_PUBLIC_Z85,
                secret_key=CLIENT_SECRET_Z85,
                server_key=SERVER_PUBLIC_Z85,
            ),
        )
        conn.start(time.monotonic())
        attacker.sendall(b"".join(bytes(c) for c in conn.data_to_send()))
        # Read the server's greeting until our HELLO is produced, send it, then go silent.
        hello: list[Any] = []
        while not hello:
            data = attacker.recv(1 << 16)
            assert data
            conn.receive_data(data, time.monotonic())
            hello = conn.data_to_send()
        attacker.sendall(b"".join(bytes(c) for c in hello))
        stalled.append(attacker)
    server.good_client_is_served()
    assert all(dropped(sock) for sock in flood)
    assert all(dropped(sock) for sock in stalled)
    # Memory stays bounded: every attacker's connection was torn down on the server side
    # (one DISCONNECTED each, emitted as its state is released), not merely left unanswered.
    for _ in range(len(flood) + len(stalled)):
        server.event(purezmq.EVENT_DISCONNECTED)
    listener_peers = [
        len(obj.peers) for objs in server.sock._core._bound.values() for obj in objs
        if hasattr(obj, "peers")
    ]
    assert listener_peers and max(listener_peers) <= 1  # at most the good client, closing
    server.good_client_is_served()
    server.nothing_else_delivered()
