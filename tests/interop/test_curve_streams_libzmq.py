"""Streams of CURVE messages against libzmq 4.3.5 (pyzmq), both directions: thousands of
one-frame messages of one size, the traffic that purezmq seals and opens as runs (a batch laid
out and sealed in place, a read of one-size frames opened in place), between multipart messages
and messages of other sizes, which take the frame-by-frame paths. Every message arrives, in
order, with its content."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

WAIT_MS = 10000


def _stream(size: int, count: int) -> list[list[bytes]]:
    """``count`` one-part messages of ``size`` bytes, with a three-part message and a message
    of another size every 500."""
    messages: list[list[bytes]] = []
    for n in range(count):
        messages.append([n.to_bytes(4, "big") * (size // 4) + bytes(size % 4)])
        if n % 500 == 250:
            messages.append([b"part one", bytes(size), b"part three"])
            messages.append([b"other size " + n.to_bytes(4, "big")])
    return messages


@pytest.fixture
def contexts() -> Iterator[tuple[Any, Any]]:
    pure = purezmq.Context()
    lib = zmq.Context()
    yield pure, lib
    pure.destroy(linger=0)
    lib.destroy(linger=0)


def _pipe(server_lib: Any, server_ctx: Any, client_lib: Any, client_ctx: Any) -> tuple[Any, Any]:
    """A CURVE PULL server and a PUSH client connected to it, as ``(push, pull)``."""
    server_public, server_secret = zmq.curve_keypair()
    client_public, client_secret = zmq.curve_keypair()
    pull = server_ctx.socket(server_lib.PULL)
    pull.linger = 0
    pull.curve_server = True
    pull.curve_secretkey = server_secret
    pull.rcvtimeo = WAIT_MS
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = client_ctx.socket(client_lib.PUSH)
    push.linger = 0
    push.curve_serverkey = server_public
    push.curve_publickey = client_public
    push.curve_secretkey = client_secret
    push.sndtimeo = WAIT_MS
    push.connect(f"tcp://127.0.0.1:{port}")
    return push, pull


@pytest.mark.parametrize("size", [16, 64, 1000])
@pytest.mark.parametrize("direction", ["purezmq-to-libzmq", "libzmq-to-purezmq"])
def test_a_stream_of_one_size_arrives_whole_and_in_order(
    contexts: tuple[Any, Any], direction: str, size: int
) -> None:
    pure, lib = contexts
    if direction == "purezmq-to-libzmq":
        push, pull = _pipe(zmq, lib, purezmq, pure)
    else:
        push, pull = _pipe(purezmq, pure, zmq, lib)
    messages = _stream(size, 3000)
    for message in messages:
        push.send_multipart(message)
    received = [pull.recv_multipart() for _ in messages]
    assert received == messages
    push.close()
    pull.close()
