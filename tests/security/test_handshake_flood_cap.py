"""MAX_HANDSHAKES (purezmq only): a bound endpoint holds at most that many connections in their
handshake at once. A flood of raw connections that send nothing or stop inside the greeting is
turned away beyond the cap (closed at once, ACCEPT_FAILED(EAGAIN), counted in statistics()),
the capped ones end at HANDSHAKE_IVL, and legitimate purezmq and libzmq peers then connect and
exchange messages. The server's descriptors stay within the cap meanwhile."""

from __future__ import annotations

import errno
import os
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq
from purezmq.options import MAX_HANDSHAKES_DEFAULT
from purezmq.testing.raw import greeting
from purezmq.utils.monitor import recv_monitor_message

from ..kit.pem import self_signed_pem
from ..kit.raw_sockets import closed_by_peer

zmq = pytest.importorskip("zmq")

FLOOD = 300
CAP = 8
#: Long enough that no capped handshake expires while the flood is still connecting.
IVL_MS = 2000
WAIT = 10.0


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def wait_for(check: Any, what: str) -> None:
    """Until ``check()`` is true (bounded), polling nothing but a short select."""
    deadline = time.monotonic() + WAIT
    while not check():
        assert time.monotonic() < deadline, what
        select.select([], [], [], 0.01)


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.destroy(linger=0)


def flood_endpoint(port: int, partial: bool) -> list[socket.socket]:
    """FLOOD raw connections; each sends nothing, or the first 10 bytes of a greeting."""
    flood = []
    for _ in range(FLOOD):
        sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        if partial:
            sock.sendall(greeting()[:10])
        flood.append(sock)
    return flood


def accept_events(mon: Any, total: int) -> tuple[int, list[int]]:
    """Monitor events until ``total`` connections were accepted or refused (bounded): the
    number accepted, and the errno of each ACCEPT_FAILED."""
    accepted = 0
    failed: list[int] = []
    deadline = time.monotonic() + WAIT
    while accepted + len(failed) < total:
        assert mon.poll(max(int((deadline - time.monotonic()) * 1000), 0)), "events missing"
        event = recv_monitor_message(mon)
        if event["event"] == purezmq.EVENT_ACCEPTED:
            accepted += 1
        elif event["event"] == purezmq.EVENT_ACCEPT_FAILED:
            failed.append(int(event["value"]))
    return accepted, failed


@pytest.mark.parametrize("partial", [False, True], ids=["silent", "partial-greeting"])
def test_a_flood_beyond_max_handshakes_is_turned_away_and_peers_get_in(
    ctx: purezmq.Context, partial: bool
) -> None:
    router = ctx.socket(purezmq.ROUTER)
    router.linger = 0
    router.max_handshakes = CAP
    router.handshake_ivl = IVL_MS
    router.rcvtimeo = int(WAIT * 1000)
    mon = router.get_monitor_socket(purezmq.EVENT_ACCEPTED | purezmq.EVENT_ACCEPT_FAILED)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    before = open_fds()
    started = time.monotonic()
    flood = flood_endpoint(port, partial)
    try:
        stats = router._core.statistics
        # Descriptors: the flood's own FLOOD sockets, at most CAP on the server's side, and a
        # few the I/O loop makes on first use (not one per connection).
        assert open_fds() - before <= FLOOD + CAP + 4
        accepted, failed = accept_events(mon, FLOOD)
        elapsed = time.monotonic() - started
        assert failed == [errno.EAGAIN] * len(failed)
        assert stats().handshakes_refused == len(failed)
        assert stats().handshaking_peak == CAP
        # A slot frees only when HANDSHAKE_IVL ends a stalled handshake: at most CAP more
        # connections were taken in per IVL_MS the flood lasted (all of them usually fit
        # in the first IVL_MS, and the rest of the flood was turned away).
        assert CAP <= accepted <= CAP * (1 + int(elapsed * 1000 / IVL_MS))

        # HANDSHAKE_IVL ends the capped ones; every flood connection is closed by the server.
        deadline = time.monotonic() + WAIT
        still_open = sum(not closed_by_peer(s, deadline) for s in flood)
        assert still_open == 0, f"{still_open} flood connections were never closed"
        wait_for(lambda: stats().handshaking == 0, "handshake slots were never freed")

        # Legitimate peers of both libraries now connect and exchange messages.
        dealer = ctx.socket(purezmq.DEALER)
        dealer.linger = 0
        dealer.rcvtimeo = int(WAIT * 1000)
        dealer.connect(f"tcp://127.0.0.1:{port}")
        lib_ctx = zmq.Context()
        lib = lib_ctx.socket(zmq.DEALER)
        lib.linger = 0
        lib.rcvtimeo = int(WAIT * 1000)
        lib.connect(f"tcp://127.0.0.1:{port}")
        try:
            dealer.send(b"from purezmq")
            lib.send(b"from libzmq")
            got = {}
            for _ in range(2):
                routing_id, body = router.recv_multipart()
                got[body] = routing_id
            assert set(got) == {b"from purezmq", b"from libzmq"}
            router.send_multipart([got[b"from purezmq"], b"reply purezmq"])
            router.send_multipart([got[b"from libzmq"], b"reply libzmq"])
            assert dealer.recv() == b"reply purezmq"
            assert lib.recv() == b"reply libzmq"
        finally:
            lib.close()
            lib_ctx.term()
            dealer.close()
        assert stats().handshakes_refused == len(failed)  # the peers were not turned away
    finally:
        for sock in flood:
            sock.close()
        mon.close()
        router.close()


def test_peers_connecting_while_the_cap_is_full_get_in_once_slots_free(
    ctx: purezmq.Context,
) -> None:
    """A purezmq and a libzmq peer that connect during the flood are turned away at first and
    reconnect (RECONNECT_IVL) until the stalled handshakes time out."""
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.max_handshakes = CAP
    pull.handshake_ivl = IVL_MS
    pull.rcvtimeo = int(WAIT * 1000)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    stats = pull._core.statistics
    flood = [socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(CAP)]
    lib_ctx = zmq.Context()
    try:
        wait_for(lambda: stats().handshaking == CAP, "the flood never filled the cap")
        push = ctx.socket(purezmq.PUSH)
        push.linger = 0
        push.connect(f"tcp://127.0.0.1:{port}")
        lib = lib_ctx.socket(zmq.PUSH)
        lib.linger = 0
        lib.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"purezmq")
        lib.send(b"libzmq")
        assert {pull.recv(), pull.recv()} == {b"purezmq", b"libzmq"}
        assert stats().handshakes_refused >= 2, "the peers were never turned away"
        assert stats().handshaking_peak == CAP
        push.close()
        lib.close()
    finally:
        lib_ctx.term()
        for sock in flood:
            sock.close()
        pull.close()


def test_max_handshakes_option() -> None:
    ctx = purezmq.Context()
    try:
        sock = ctx.socket(purezmq.PULL)
        assert sock.getsockopt(purezmq.MAX_HANDSHAKES) == MAX_HANDSHAKES_DEFAULT == 4096
        sock.max_handshakes = 0  # no limit, as libzmq
        assert sock.max_handshakes == 0
        with pytest.raises(purezmq.ZMQError) as info:
            sock.setsockopt(purezmq.MAX_HANDSHAKES, -1)
        assert info.value.errno == purezmq.EINVAL
        sock.close()
    finally:
        ctx.term()


def test_no_limit_accepts_every_handshake(ctx: purezmq.Context) -> None:
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.max_handshakes = 0
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    stats = pull._core.statistics
    flood = [socket.create_connection(("127.0.0.1", port), timeout=WAIT) for _ in range(50)]
    try:
        wait_for(lambda: stats().handshaking == 50, "not every connection was taken in")
        assert stats().handshakes_refused == 0
    finally:
        for sock in flood:
            sock.close()
        pull.close()


def test_a_silent_tls_client_holds_its_wss_slot_only_for_handshake_ivl(
    ctx: purezmq.Context, tmp_path: Path
) -> None:
    """On wss:// the TLS handshake comes first: HANDSHAKE_IVL bounds it too, so a client that
    never starts TLS frees its slot then (not after asyncio's default of 60 s)."""
    pytest.importorskip("wsproto", reason="the ws extra is needed for wss://")
    cert, key = self_signed_pem(tmp_path)
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.max_handshakes = 1
    pull.handshake_ivl = 300
    pull.wss_cert_pem = cert.read_bytes()
    pull.wss_key_pem = key.read_bytes()
    pull.bind("wss://127.0.0.1:*/flood")
    port = int(pull.last_endpoint.decode().rsplit(":", 1)[1].split("/")[0])
    stats = pull._core.statistics
    silent = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    try:
        started = time.monotonic()
        assert closed_by_peer(silent, started + WAIT), "the silent TLS client was never closed"
        assert time.monotonic() - started < WAIT / 2
        wait_for(lambda: stats().handshaking == 0, "its handshake slot was never freed")
        assert stats().handshaking_peak == 1
    finally:
        silent.close()
        pull.close()


def test_handshakes_waiting_on_zap_hold_their_slots_until_answered(ctx: purezmq.Context) -> None:
    """The ZAP round trip is part of the handshake: PLAIN clients whose ZAP requests the
    handler holds fill the cap, a further client is turned away, and once the handler
    answers, the held ones get in and free their slots."""
    zap = ctx.socket(purezmq.ROUTER)  # a handler that holds the requests until told
    zap.linger = 0
    zap.bind("inproc://zeromq.zap.01")
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.plain_server = 1
    pull.max_handshakes = 2
    pull.rcvtimeo = int(WAIT * 1000)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    stats = pull._core.statistics
    clients = []
    for n in range(3):
        client = ctx.socket(purezmq.PUSH)
        client.linger = 0
        client.plain_username = b"user"
        client.plain_password = b"secret"
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"client %d" % n)
        clients.append(client)
        if n < 2:
            assert zap.poll(int(WAIT * 1000)), "no ZAP request"
    held = [zap.recv_multipart() for _ in range(2)]
    wait_for(lambda: stats().handshakes_refused >= 1, "the third client was not turned away")
    assert stats().handshaking == 2
    for request in held:
        # ZAP request: [routing id, b"", version, request id, ...] -> a 200 reply.
        routing_id, empty, version, request_id = request[:4]
        zap.send_multipart([routing_id, empty, version, request_id, b"200", b"OK", b"user", b""])
    # The two held ones get in; the third is let in (it reconnects) once a slot is free and
    # the handler answers its request too.
    got = {pull.recv(), pull.recv()}
    assert zap.poll(int(WAIT * 1000))
    request = zap.recv_multipart()
    routing_id, empty, version, request_id = request[:4]
    zap.send_multipart([routing_id, empty, version, request_id, b"200", b"OK", b"user", b""])
    got.add(pull.recv())
    assert got == {b"client 0", b"client 1", b"client 2"}
    assert stats().handshaking_peak == 2
    for client in clients:
        client.close()
    pull.close()
    zap.close()
