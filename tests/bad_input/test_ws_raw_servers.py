"""Misbehaving WebSocket servers against a purezmq PUSH that connects over ws://.

A plain Python listener plays the server: it reads the upgrade request and answers it badly
(a refusal, a subprotocol never offered, no upgrade at all, a masked frame). The PUSH must end
that connection with a monitor event saying it was a protocol error, and keep delivering to a
good ws:// PULL it is also connected to. Every wait is bounded (poll, socket timeout).
"""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event, ProtocolErrorCode
from purezmq.utils.monitor import recv_monitor_message

pytestmark = pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra")

TIMEOUT_MS = 5000
_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455 §1.3


def accept_key(request: bytes) -> bytes:
    for line in request.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"sec-websocket-key":
            digest = hashlib.sha1(value.strip() + _GUID).digest()
            return base64.b64encode(digest)
    raise AssertionError(f"no Sec-WebSocket-Key in {request!r}")


def switching(request: bytes, subprotocol: bytes | None) -> bytes:
    proto = b"Sec-WebSocket-Protocol: " + subprotocol + b"\r\n" if subprotocol else b""
    return (
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept_key(request) + b"\r\n" + proto + b"\r\n"
    )


def refused(request: bytes) -> bytes:
    return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"


def foreign_subprotocol(request: bytes) -> bytes:
    return switching(request, b"chat")


def no_subprotocol(request: bytes) -> bytes:
    return switching(request, None)


def zmtp_greeting(request: bytes) -> bytes:
    return b"\xff" + bytes(8) + b"\x7f\x03\x01NULL" + bytes(48)


def masked_frame(request: bytes) -> bytes:
    # RFC 6455 §5.1: a client closes the connection on a masked frame from the server.
    ready = b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PULL"
    mask = b"\x01\x02\x03\x04"
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(ready))
    return switching(request, b"ZWS2.0/NULL") + bytes((0x82, 0x80 | len(ready))) + mask + body


class RawServer:
    """Accepts connections and answers each upgrade request with ``answer(request)``."""

    def __init__(self, answer: Callable[[bytes], bytes]) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(TIMEOUT_MS / 1000)
        self.port = self.listener.getsockname()[1]
        self.answer = answer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(TIMEOUT_MS / 1000)
                request = b""
                try:
                    while b"\r\n\r\n" not in request:
                        chunk = conn.recv(4096)
                        if not chunk:
                            break
                        request += chunk
                    conn.sendall(self.answer(request))
                    while conn.recv(4096):  # until the client hangs up
                        pass
                except OSError:
                    pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(TIMEOUT_MS / 1000)


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.destroy(linger=0)


def wait_event(monitor: Any, wanted: int) -> dict[str, Any]:
    while monitor.poll(TIMEOUT_MS):
        event: dict[str, Any] = recv_monitor_message(monitor)
        if event["event"] == wanted:
            return event
    pytest.fail(f"no {Event(wanted).name} monitor event")


@pytest.mark.parametrize(
    "answer",
    [refused, foreign_subprotocol, no_subprotocol, zmtp_greeting, masked_frame],
    ids=["404", "foreign-subprotocol", "no-subprotocol", "zmtp-greeting", "masked-frame"],
)
def test_bad_server_fails_only_that_connection(
    ctx: purezmq.Context, answer: Callable[[bytes], bytes]
) -> None:
    good = ctx.socket(purezmq.PULL)
    good.linger = 0
    good.rcvtimeo = TIMEOUT_MS
    good.bind("ws://127.0.0.1:*/good")
    push = ctx.socket(purezmq.PUSH)
    push.linger = 0
    push.sndtimeo = TIMEOUT_MS
    monitor = push.get_monitor_socket()
    server = RawServer(answer)
    try:
        push.connect(f"ws://127.0.0.1:{server.port}/bad")
        event = wait_event(monitor, Event.HANDSHAKE_FAILED_PROTOCOL)
        assert event["value"] == ProtocolErrorCode.WS_UNSPECIFIED
        assert event["endpoint"].decode() == f"ws://127.0.0.1:{server.port}/bad"
        push.connect(good.getsockopt_string(purezmq.LAST_ENDPOINT))
        wait_event(monitor, Event.HANDSHAKE_SUCCEEDED)
        for i in range(3):
            push.send(b"good-%d" % i)
            assert good.recv() == b"good-%d" % i
    finally:
        push.disable_monitor()
        monitor.close()
        push.close(0)
        server.close()
