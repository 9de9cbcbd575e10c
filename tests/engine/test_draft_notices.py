"""HELLO_MSG, DISCONNECT_MSG and HICCUP_MSG (libzmq 4.3.3+ draft options): a greeting each new
peer gets first, and the local messages that say a handshaken connection was lost."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq._engine import notices
from purezmq.constants import SocketType
from purezmq.options import SocketOptions

T = SocketType


@pytest.fixture
def ctx() -> Iterator[Any]:
    c = purezmq.Context()
    yield c
    c.destroy(0)


def _socket(ctx: Any, kind: int, **options: Any) -> Any:
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = 5000
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def _options(**values: Any) -> SocketOptions:
    """A ROUTER's options (the type does not matter to ``notices``) with ``values`` set."""
    opts = SocketOptions(T.ROUTER)
    for name, value in values.items():
        setattr(opts, name, value)
    return opts


def test_which_types_send_and_receive_them() -> None:
    opts = _options(hello_msg=b"hi", disconnect_msg=b"gone", hiccup_msg=b"hiccup", router_notify=3)
    senders = {t for t in T if notices.hello(t, opts) is not None}
    assert senders == {T.ROUTER, T.DEALER, T.CLIENT, T.SERVER, T.PEER}
    accepted = {t for t in T if b"gone" in notices.connection_lost(t, opts, connected=False)}
    assert accepted == {T.ROUTER, T.SERVER, T.PEER}
    connected = {t for t in T if b"hiccup" in notices.connection_lost(t, opts, connected=True)}
    assert connected == {T.DEALER, T.CLIENT, T.PEER}
    assert notices.connection_lost(T.ROUTER, opts, connected=False) == [b"", b"gone"]
    assert {t for t in T if notices.connected(t, opts)} == {T.ROUTER}

    unset = _options(hello_msg=None, disconnect_msg=b"", hiccup_msg=None, router_notify=0)
    assert notices.hello(T.ROUTER, unset) is None
    assert notices.connection_lost(T.ROUTER, unset, connected=False) == []
    assert notices.connected(T.ROUTER, unset) == []


@pytest.mark.parametrize("endpoint", ["inproc://notices-hello", "tcp://127.0.0.1:*"])
def test_hello_comes_before_queued_messages(ctx: Any, endpoint: str) -> None:
    server = _socket(ctx, purezmq.SERVER, hello_msg=b"server says hi")
    client = _socket(ctx, purezmq.CLIENT, hello_msg=b"client says hi")
    if endpoint.startswith("inproc"):
        client.connect(endpoint)  # before the bind: the connect waits for its peer
        client.send(b"queued")
        server.bind(endpoint)
    else:
        server.bind(endpoint)
        client.connect(server.last_endpoint.decode())
        client.send(b"queued")
    assert client.recv() == b"server says hi"
    first = server.recv(copy=False)
    second = server.recv(copy=False)
    assert (first.bytes, second.bytes) == (b"client says hi", b"queued")
    assert first.routing_id == second.routing_id


def test_router_hello_and_disconnect_carry_the_routing_id(ctx: Any) -> None:
    router = _socket(ctx, purezmq.ROUTER, hello_msg=b"welcome", disconnect_msg=b"gone")
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = _socket(ctx, purezmq.DEALER, routing_id=b"d1")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    assert dealer.recv() == b"welcome"
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"d1", b"hi"]
    dealer.close()
    assert router.recv_multipart() == [b"d1", b"gone"]


def test_hiccup_when_the_connected_peer_goes(ctx: Any) -> None:
    server = _socket(ctx, purezmq.SERVER)
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = _socket(ctx, purezmq.CLIENT, hiccup_msg=b"hiccup")
    client.connect(f"tcp://127.0.0.1:{port}")
    client.send(b"x")
    assert server.recv() == b"x"  # the handshake is done
    server.close()
    assert client.recv() == b"hiccup"


def test_no_disconnect_message_before_a_handshake(ctx: Any) -> None:
    """A connection that never finished its handshake delivers nothing (libzmq:
    ``handshaked_``); a handshaken one that goes delivers DISCONNECT_MSG once."""
    server = _socket(ctx, purezmq.SERVER, disconnect_msg=b"gone")
    port = server.bind_to_random_port("tcp://127.0.0.1")
    raw = socket.create_connection(("127.0.0.1", port))
    raw.close()  # no ZMTP at all
    client = _socket(ctx, purezmq.CLIENT)
    client.connect(f"tcp://127.0.0.1:{port}")
    client.send(b"only this")
    assert server.recv() == b"only this"  # nothing came before it for the raw connection
    client.close()
    assert server.recv() == b"gone"
    assert not server.poll(200)  # and only once: none for the raw connection


def test_router_notify_connect_and_disconnect(ctx: Any) -> None:
    """ROUTER_NOTIFY: ``[routing_id, b""]`` when a peer's handshake completes and when its
    connection is lost, the latter before DISCONNECT_MSG (libzmq's order)."""
    router = _socket(
        ctx,
        purezmq.ROUTER,
        router_notify=purezmq.NOTIFY_CONNECT | purezmq.NOTIFY_DISCONNECT,
        disconnect_msg=b"gone",
    )
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = _socket(ctx, purezmq.DEALER, routing_id=b"d1")
    dealer.connect(f"tcp://127.0.0.1:{port}")
    assert router.recv_multipart() == [b"d1", b""]
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"d1", b"hi"]
    dealer.close()
    assert router.recv_multipart() == [b"d1", b""]
    assert router.recv_multipart() == [b"d1", b"gone"]
