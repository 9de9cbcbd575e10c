"""A ZAP handler that never answers (RFC 27): HANDSHAKE_IVL ends each handshake waiting on it
(HANDSHAKE_FAILED_NO_DETAIL, then DISCONNECTED), nothing from that client is delivered, a
reply that comes after its connection ended is ignored, and once the handler answers the
client (reconnecting meanwhile) gets in. purezmq's server beside libzmq's, the client libzmq."""

from __future__ import annotations

import time
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event

from ..kit.libzmq import LIBS, next_event

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

WAIT = 5.0


def wait_event(mon: Any, wanted: Event) -> None:
    deadline = time.monotonic() + WAIT
    while next_event(mon, deadline)[0] != wanted:
        pass


@pytest.mark.parametrize("server_lib", ["pure", "lib"])
def test_handshake_ivl_ends_a_handshake_stuck_in_zap(server_lib: str) -> None:
    lib = LIBS[server_lib]
    ctx = lib.Context()
    client_ctx = zmq.Context()
    try:
        zap = ctx.socket(lib.ROUTER)  # a handler that reads requests and holds them
        zap.linger = 0
        zap.bind("inproc://zeromq.zap.01")
        server = ctx.socket(lib.PULL)
        server.linger = 0
        server.plain_server = 1
        server.handshake_ivl = 300
        mon = server.get_monitor_socket()
        port = server.bind_to_random_port("tcp://127.0.0.1")
        client = client_ctx.socket(zmq.PUSH)
        client.linger = 0
        client.plain_username = b"user"
        client.plain_password = b"secret"
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"only-after-zap")
        assert zap.poll(int(WAIT * 1000))
        stale = zap.recv_multipart()
        started = time.monotonic()
        wait_event(mon, Event.HANDSHAKE_FAILED_NO_DETAIL)
        wait_event(mon, Event.DISCONNECTED)
        assert time.monotonic() - started < 3.0  # HANDSHAKE_IVL, not forever
        assert not server.poll(0)
        # The handler wakes up: its late 200 for the ended connection must admit nothing.
        # Each connection asks over its own ZAP pipe (its own routing id at the handler).
        zap.send_multipart([stale[0], b"", b"1.0", stale[3], b"200", b"OK", b"user", b""])
        # The client reconnected meanwhile; answer the requests of its later connections.
        deadline = time.monotonic() + WAIT
        while not server.poll(0):
            assert time.monotonic() < deadline, "the client never got in"
            if zap.poll(50):
                request = zap.recv_multipart()
                assert request[0] != stale[0], "the ended connection asked again"
                zap.send_multipart(
                    [request[0], b"", b"1.0", request[3], b"200", b"OK", b"user", b""]
                )
        assert server.recv() == b"only-after-zap"
        assert not server.poll(50)
        server.disable_monitor()
        mon.close()
        client.close()
        server.close()
        zap.close()
    finally:
        client_ctx.destroy(linger=0)
        ctx.destroy(linger=0)


def test_purezmq_default_handshake_ivl_matches_libzmq() -> None:
    with purezmq.Context() as ctx, ctx.socket(purezmq.PULL) as sock:
        assert sock.handshake_ivl == 30_000
