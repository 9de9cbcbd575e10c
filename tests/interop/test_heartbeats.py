"""Heartbeats (37/ZMTP PING/PONG, HEARTBEAT_IVL/TIMEOUT/TTL) against real libzmq (pyzmq): a live
peer stays connected, a silent one is dropped and the connecting side reconnects, for both APIs.

Every wait is bounded and waits on a monitor event or a poll; "nothing happens for a while"
is a poll on the monitor socket that must time out.
"""

from __future__ import annotations

import asyncio
import socket
import struct
import time
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as pzasyncio
from purezmq.constants import Event
from purezmq.testing.raw import connect as raw_connect
from purezmq.testing.raw import greeting, read_exactly, ready
from purezmq.testing.raw import listen as raw_listener

from ..kit.libzmq import (
    bind_fixed,
    close_monitored,
    ctx_of,
    endpoint_for,
    event_names,
    events_until,
    last_endpoint,
    make_socket,
)

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT = 5.0
E = Event


# -- heartbeats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("heartbeating", ["pure", "lib"])
def test_heartbeats_keep_a_libzmq_peer_connected(
    heartbeating: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    other = "lib" if heartbeating == "pure" else "pure"
    bound = make_socket(ctx_of(other, pure_ctx, libzmq_ctx), other, "PAIR")
    bound.bind(endpoint_for(transport, ipc_dir))
    bound_mon = bound.get_monitor_socket()
    client = make_socket(ctx_of(heartbeating, pure_ctx, libzmq_ctx), heartbeating, "PAIR")
    client.setsockopt(zmq.HEARTBEAT_IVL, 50)
    client.setsockopt(zmq.HEARTBEAT_TIMEOUT, 400)
    client.setsockopt(zmq.HEARTBEAT_TTL, 400)  # the bound side must see traffic every 400 ms
    client_mon = client.get_monitor_socket()
    client.connect(last_endpoint(bound))
    events_until(client_mon, E.HANDSHAKE_SUCCEEDED)
    events_until(bound_mon, E.HANDSHAKE_SUCCEEDED)
    # Twelve heartbeat intervals, longer than the TTL, with no user traffic: every PING
    # answered in time, the TTL kept fed.
    assert not client_mon.poll(600), f"client: {client_mon.recv_multipart()}"
    assert not bound_mon.poll(0), f"bound side: {bound_mon.recv_multipart()}"
    client.send_multipart([b"after", b"quiet"])
    assert bound.recv_multipart() == [b"after", b"quiet"]
    bound.send(b"back")
    assert client.recv() == b"back"
    close_monitored(client, client_mon)
    close_monitored(bound, bound_mon)


def silent_after_handshake(raw: socket.socket) -> bytes:
    """NULL handshake as a PAIR, then read (never answer) until a PING shows up."""
    raw.settimeout(TIMEOUT)
    raw.sendall(greeting() + ready(b"PAIR"))
    assert read_exactly(raw, 64)[:1] == b"\xff"
    flags, size = read_exactly(raw, 2)
    assert flags == 0x04, "a READY command"
    assert b"READY" in read_exactly(raw, size)
    seen = b""
    while b"\x04PING" not in seen:  # bounded by the socket timeout
        chunk = raw.recv(4096)
        assert chunk, "closed before any PING"
        seen += chunk
    return seen


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("side", ["connect", "bind"])
@pytest.mark.parametrize("which", ["pure", "lib"])
def test_dead_peer_detected_by_heartbeat_timeout(
    which: str, side: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """A peer that completes the handshake then never answers a PING is dropped after
    HEARTBEAT_TIMEOUT; the connecting side then reconnects. libzmq is the reference."""
    sock = make_socket(ctx_of(which, pure_ctx, libzmq_ctx), which, "PAIR")
    sock.setsockopt(zmq.HEARTBEAT_IVL, 50)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 200)
    sock.setsockopt(zmq.RECONNECT_IVL, 50)
    mon = sock.get_monitor_socket()
    lsock: socket.socket | None = None
    if side == "connect":
        lsock, address = raw_listener(transport, ipc_dir)
        sock.connect(address)
        raw, _ = lsock.accept()
    else:
        sock.bind(endpoint_for(transport, ipc_dir))
        raw = raw_connect(last_endpoint(sock))
    try:
        started = time.monotonic()
        silent_after_handshake(raw)
        events = events_until(mon, E.DISCONNECTED)
        took = time.monotonic() - started
        assert event_names(events)[-2:] == ["HANDSHAKE_SUCCEEDED", "DISCONNECTED"], events
        assert took < 2.0, took
        if side == "connect":  # a timeout is not a protocol error: reconnect
            assert event_names(events_until(mon, E.CONNECT_RETRIED))[-1] == "CONNECT_RETRIED"
            assert lsock is not None
            again, _ = lsock.accept()
            again.close()
    finally:
        raw.close()
        if lsock is not None:
            lsock.close()
        close_monitored(sock, mon)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("which", ["pure", "lib"])
def test_ping_ttl_from_a_peer_that_then_goes_silent(
    which: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """A peer's PING carries a TTL of 200 ms: the socket (no heartbeats of its own) answers
    with a PONG echoing the context, then drops the connection once 200 ms pass in silence."""
    sock = make_socket(ctx_of(which, pure_ctx, libzmq_ctx), which, "PAIR")
    sock.bind(endpoint_for(transport, ipc_dir))
    mon = sock.get_monitor_socket()
    raw = raw_connect(last_endpoint(sock))
    try:
        raw.sendall(greeting() + ready(b"PAIR"))
        assert read_exactly(raw, 64)[:1] == b"\xff"
        flags, size = read_exactly(raw, 2)
        assert flags == 0x04
        read_exactly(raw, size)
        events_until(mon, E.HANDSHAKE_SUCCEEDED)
        ping = b"\x04PING" + struct.pack(">H", 2) + b"ctx"
        raw.sendall(b"\x04" + bytes([len(ping)]) + ping)
        pong = b"\x04PONGctx"
        assert read_exactly(raw, 2 + len(pong)) == b"\x04" + bytes([len(pong)]) + pong
        started = time.monotonic()
        assert event_names(events_until(mon, E.DISCONNECTED)) == ["DISCONNECTED"]
        took = time.monotonic() - started
        assert 0.1 < took < 2.0, took
        assert raw.recv(1) == b"", "the socket closed the connection"
    finally:
        raw.close()
        close_monitored(sock, mon)






# -- the asyncio API: connections driven by the user's event loop -------------------------------


async def aevents_until(mon: Any, last: Event) -> list[tuple[Event, int, bytes]]:
    deadline = time.monotonic() + TIMEOUT
    out: list[tuple[Event, int, bytes]] = []
    while not out or out[-1][0] != last:
        left = deadline - time.monotonic()
        assert left > 0 and await mon.poll(int(left * 1000) + 1), "no monitor event"
        frames = await mon.recv_multipart()
        event, value = struct.unpack("=hi", frames[0])
        out.append((Event(event), value, bytes(frames[1])))
    return out


def run_loop(loop_kind: str, main: Any) -> None:
    if loop_kind == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        asyncio.run(asyncio.wait_for(main(), 30))
    finally:
        asyncio.set_event_loop_policy(None)


@pytest.mark.parametrize(("loop_kind", "transport"), [("asyncio", "tcp"), ("uvloop", "ipc")])
def test_asyncio_heartbeats_and_reconnect_against_libzmq(
    loop_kind: str, transport: str, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """The same engine duties over purezmq.asyncio, whose connections run on the caller's loop:
    heartbeats keep a libzmq peer, the peer restarts, queued messages follow the reconnect."""
    import zmq.asyncio

    async def main() -> None:
        lib_actx = zmq.asyncio.Context(libzmq_ctx)  # shadow: the fixture destroys it
        pure_actx = pzasyncio.Context()
        try:
            pull = make_socket(lib_actx, "lib", "PULL")
            address = bind_fixed(pull, transport, ipc_dir)
            push = make_socket(pure_actx, "pure", "PUSH")
            push.setsockopt(purezmq.HEARTBEAT_IVL, 50)
            push.setsockopt(purezmq.HEARTBEAT_TIMEOUT, 400)
            push.setsockopt(purezmq.HEARTBEAT_TTL, 400)
            push.setsockopt(purezmq.RECONNECT_IVL, 20)
            mon = push.get_monitor_socket()
            push.connect(address)
            await aevents_until(mon, E.HANDSHAKE_SUCCEEDED)
            assert await mon.poll(600) == 0, "heartbeats must keep the connection"
            await push.send(b"after quiet")
            assert await pull.recv() == b"after quiet"
            # Close, and wait for the listener to be gone (see close_bound).
            pull_mon = pull.get_monitor_socket(zmq.EVENT_CLOSED | zmq.EVENT_MONITOR_STOPPED)
            pull.close()
            await aevents_until(pull_mon, E.MONITOR_STOPPED)
            pull_mon.close()
            await aevents_until(mon, E.DISCONNECTED)
            await push.send_multipart([b"queued", b"meanwhile"])
            pull = make_socket(lib_actx, "lib", "PULL")
            pull.bind(address)
            assert await pull.recv_multipart() == [b"queued", b"meanwhile"]
            await aevents_until(mon, E.HANDSHAKE_SUCCEEDED)
            push.disable_monitor()
            mon.close()
            push.close()
            pull.close()
        finally:
            pure_actx.destroy(linger=0)

    run_loop(loop_kind, main)
