"""A flood of connections that never finish their handshake (silent after connecting, or
stopping after the greeting): a peer that completes its handshake meanwhile is served at
once, and HANDSHAKE_IVL closes every stalled one — nothing piles up."""

from __future__ import annotations

import socket
import time

import pytest

import purezmq
from purezmq.testing.raw import greeting

from ..kit.raw_sockets import closed_by_peer

FLOOD = 400
WAIT = 10.0


@pytest.mark.parametrize("stall", ["silent", "after-greeting"])
def test_stalled_handshakes_neither_starve_peers_nor_stay(stall: str) -> None:
    ctx = purezmq.Context()
    flood: list[socket.socket] = []
    try:
        pull = ctx.socket(purezmq.PULL)
        pull.linger = 0
        pull.handshake_ivl = 3000
        pull.rcvtimeo = int(WAIT * 1000)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        for _ in range(FLOOD):
            sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
            if stall == "after-greeting":
                sock.sendall(greeting())
            flood.append(sock)
        push = ctx.socket(purezmq.PUSH)
        push.linger = 0
        push.connect(f"tcp://127.0.0.1:{port}")
        started = time.monotonic()
        push.send(b"served")
        assert pull.recv() == b"served"
        # Served before the stalled handshakes expire: they did not hold it up.
        assert time.monotonic() - started < 2.5
        deadline = time.monotonic() + WAIT
        still_open = [s for s in flood if not closed_by_peer(s, deadline)]
        assert not still_open, f"{len(still_open)} stalled connections were never closed"
        push.send(b"still served")
        assert pull.recv() == b"still served"
        push.close()
        pull.close()
    finally:
        for sock in flood:
            sock.close()
        ctx.destroy(linger=0)
