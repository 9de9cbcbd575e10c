"""Engine behaviour against real libzmq (pyzmq) that the socket-pair matrix does not cover:
heartbeats, dead-peer detection, reconnect after the peer restarts, monitor event sequences.

Every wait is bounded and waits on a monitor event or a poll; "nothing happens for a while"
is a poll on the monitor socket that must time out.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
import time
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as pzasyncio
from purezmq.constants import Event

from .conftest import endpoint_for

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT = 5.0
E = Event
LIBS = {"pure": purezmq, "lib": zmq}


def ctx_of(which: str, pure_ctx: Any, libzmq_ctx: Any) -> Any:
    return pure_ctx if which == "pure" else libzmq_ctx


def make(ctx: Any, which: str, kind: str) -> Any:
    lib = LIBS[which]
    sock = ctx.socket(getattr(lib, kind))
    sock.setsockopt(lib.LINGER, 0)
    sock.setsockopt(lib.RCVTIMEO, int(TIMEOUT * 1000))
    sock.setsockopt(lib.SNDTIMEO, int(TIMEOUT * 1000))
    return sock


def last_endpoint(sock: Any) -> str:
    address = sock.getsockopt(zmq.LAST_ENDPOINT)
    return address.decode() if isinstance(address, bytes) else str(address)


def next_event(mon: Any, deadline: float) -> tuple[Event, int, bytes]:
    left = deadline - time.monotonic()
    if left <= 0 or not mon.poll(int(left * 1000) + 1):
        raise AssertionError("timed out waiting for a monitor event")
    frames = mon.recv_multipart()
    event, value = struct.unpack("=hi", frames[0])
    return Event(event), value, bytes(frames[1])


def events_until(mon: Any, last: Event, count: int = 1) -> list[tuple[Event, int, bytes]]:
    """Monitor events up to and including the ``count``-th ``last`` (bounded)."""
    deadline = time.monotonic() + TIMEOUT
    out: list[tuple[Event, int, bytes]] = []
    while count:
        out.append(next_event(mon, deadline))
        if out[-1][0] == last:
            count -= 1
    return out


def close_monitored(sock: Any, mon: Any) -> None:
    """Stop the monitor, then close both. libzmq sends monitor events with a blocking send from
    its I/O thread: closing the monitor PAIR before the monitored socket can leave that thread
    stuck on the next event (and the whole libzmq context with it)."""
    sock.disable_monitor()
    mon.close()
    sock.close()


def names(events: list[tuple[Event, int, bytes]]) -> list[str]:
    return [str(e.name) for e, _, _ in events]


#: events whose value is a file descriptor or a randomised interval, not comparable
UNCOMPARABLE = {E.CONNECTED, E.ACCEPTED, E.LISTENING, E.CLOSED, E.DISCONNECTED, E.CONNECT_RETRIED}


def comparable(events: list[tuple[Event, int, bytes]]) -> list[tuple[str, int | None]]:
    return [(str(e.name), None if e in UNCOMPARABLE else v) for e, v, _ in events]


# -- heartbeats ---------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("heartbeating", ["pure", "lib"])
def test_heartbeats_keep_a_libzmq_peer_connected(
    heartbeating: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    other = "lib" if heartbeating == "pure" else "pure"
    bound = make(ctx_of(other, pure_ctx, libzmq_ctx), other, "PAIR")
    bound.bind(endpoint_for(transport, ipc_dir))
    bound_mon = bound.get_monitor_socket()
    client = make(ctx_of(heartbeating, pure_ctx, libzmq_ctx), heartbeating, "PAIR")
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


def greeting() -> bytes:
    return b"\xff" + bytes(8) + b"\x7f\x03\x01" + b"NULL".ljust(20, b"\0") + b"\0" + bytes(31)


def ready(socket_type: bytes) -> bytes:
    body = b"\x05READY\x0bSocket-Type" + struct.pack(">I", len(socket_type)) + socket_type
    return b"\x04" + bytes([len(body)]) + body


def read_exactly(raw: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = raw.recv(n - len(data))
        assert chunk, "peer closed during the handshake"
        data += chunk
    return data


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


def raw_listener(transport: str, ipc_dir: str) -> tuple[socket.socket, str]:
    if transport == "tcp":
        lsock = socket.socket()
        lsock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{lsock.getsockname()[1]}"
    else:
        path = os.path.join(ipc_dir, "raw")
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(path)
        address = f"ipc://{path}"
    lsock.listen(4)
    lsock.settimeout(TIMEOUT)
    return lsock, address


def raw_connect(address: str) -> socket.socket:
    if address.startswith("tcp://"):
        host, port = address.removeprefix("tcp://").rsplit(":", 1)
        return socket.create_connection((host, int(port)), timeout=TIMEOUT)
    raw = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    raw.settimeout(TIMEOUT)
    raw.connect(address.removeprefix("ipc://"))
    return raw


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("side", ["connect", "bind"])
@pytest.mark.parametrize("which", ["pure", "lib"])
def test_dead_peer_detected_by_heartbeat_timeout(
    which: str, side: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """A peer that completes the handshake then never answers a PING is dropped after
    HEARTBEAT_TIMEOUT; the connecting side then reconnects. libzmq is the reference."""
    sock = make(ctx_of(which, pure_ctx, libzmq_ctx), which, "PAIR")
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
        assert names(events)[-2:] == ["HANDSHAKE_SUCCEEDED", "DISCONNECTED"], events
        assert took < 2.0, took
        if side == "connect":  # a timeout is not a protocol error: reconnect
            assert names(events_until(mon, E.CONNECT_RETRIED))[-1] == "CONNECT_RETRIED"
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
    sock = make(ctx_of(which, pure_ctx, libzmq_ctx), which, "PAIR")
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
        assert names(events_until(mon, E.DISCONNECTED)) == ["DISCONNECTED"]
        took = time.monotonic() - started
        assert 0.1 < took < 2.0, took
        assert raw.recv(1) == b"", "the socket closed the connection"
    finally:
        raw.close()
        close_monitored(sock, mon)


# -- reconnect after the peer restarts ----------------------------------------------------------


def fixed_endpoint(sock: Any, transport: str, ipc_dir: str) -> str:
    sock.bind(endpoint_for(transport, ipc_dir))
    return last_endpoint(sock)  # tcp: the port chosen now is reused by the restarted socket


def close_bound(sock: Any) -> None:
    """Close a bound socket and wait until its listener is gone (CLOSED, then MONITOR_STOPPED).

    libzmq unlinks an ipc socket file from its I/O thread after zmq_close returns: rebinding the
    path before that would see the new file unlinked by the old listener.
    """
    mon = sock.get_monitor_socket(zmq.EVENT_CLOSED | zmq.EVENT_MONITOR_STOPPED)
    sock.close()
    assert names(events_until(mon, E.MONITOR_STOPPED)) == ["CLOSED", "MONITOR_STOPPED"]
    mon.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("restarting", ["lib", "pure"])
def test_push_reconnects_after_the_bound_peer_restarts(
    restarting: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    connecting = "pure" if restarting == "lib" else "lib"
    bctx = ctx_of(restarting, pure_ctx, libzmq_ctx)
    pull = make(bctx, restarting, "PULL")
    address = fixed_endpoint(pull, transport, ipc_dir)
    push = make(ctx_of(connecting, pure_ctx, libzmq_ctx), connecting, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    mon = push.get_monitor_socket()
    push.connect(address)
    push.send(b"before")
    assert pull.recv() == b"before"
    events_until(mon, E.HANDSHAKE_SUCCEEDED)
    close_bound(pull)
    events_until(mon, E.DISCONNECTED)
    # Queued while nobody listens, delivered once the restarted peer is there.
    push.send_multipart([b"queued", b"meanwhile"])
    pull = make(bctx, restarting, "PULL")
    pull.bind(address)
    assert pull.recv_multipart() == [b"queued", b"meanwhile"]
    push.send(b"after")
    assert pull.recv() == b"after"
    assert names(events_until(mon, E.HANDSHAKE_SUCCEEDED))[-1] == "HANDSHAKE_SUCCEEDED"
    close_monitored(push, mon)
    pull.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("restarting", ["lib", "pure"])
def test_sub_resubscribes_after_the_publisher_restarts(
    restarting: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    subscribing = "pure" if restarting == "lib" else "lib"
    pctx = ctx_of(restarting, pure_ctx, libzmq_ctx)
    xpub = make(pctx, restarting, "XPUB")
    address = fixed_endpoint(xpub, transport, ipc_dir)
    sub = make(ctx_of(subscribing, pure_ctx, libzmq_ctx), subscribing, "SUB")
    sub.setsockopt(zmq.RECONNECT_IVL, 20)
    sub.setsockopt(zmq.SUBSCRIBE, b"topic")
    mon = sub.get_monitor_socket()
    sub.connect(address)

    def subscription_seen(pub: Any) -> bytes:
        deadline = time.monotonic() + TIMEOUT
        while not pub.poll(20):
            sub.poll(0)  # a SUB resends its subscriptions when its owner touches it
            assert time.monotonic() < deadline, "no subscription reached the publisher"
        return bytes(pub.recv())

    def delivered(pub: Any) -> None:
        pub.send_multipart([b"other", b"filtered out"])
        pub.send_multipart([b"topic", b"payload"])
        assert sub.recv_multipart() == [b"topic", b"payload"]

    assert subscription_seen(xpub) == b"\x01topic"
    delivered(xpub)
    close_bound(xpub)
    events_until(mon, E.DISCONNECTED)
    xpub = make(pctx, restarting, "XPUB")
    xpub.bind(address)
    # The same filter comes back by itself, exactly once.
    assert subscription_seen(xpub) == b"\x01topic"
    delivered(xpub)
    assert not xpub.poll(0)
    assert not sub.poll(0)
    close_monitored(sub, mon)
    xpub.close()


# -- monitor event sequences --------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("monitored", ["lib", "pure"])
def test_bound_side_events_same_for_purezmq_and_libzmq_peers(
    monitored: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """A ROUTER of either library, monitored from before bind to after close, sees a libzmq
    DEALER, a purezmq DEALER and a libzmq DEALER again connect, talk and leave: the same events
    each time, and the same as libzmq's ROUTER reports."""
    router = make(ctx_of(monitored, pure_ctx, libzmq_ctx), monitored, "ROUTER")
    mon = router.get_monitor_socket()
    router.bind(endpoint_for(transport, ipc_dir))
    address = last_endpoint(router)
    listening = events_until(mon, E.LISTENING)
    assert [(e, ep) for e, _, ep in listening] == [(E.LISTENING, address.encode())]
    cycles = []
    for peer in ("lib", "pure", "lib"):
        dealer = make(ctx_of(peer, pure_ctx, libzmq_ctx), peer, "DEALER")
        dealer.connect(address)
        dealer.send(b"hi")
        ident, body = router.recv_multipart()
        assert body == b"hi"
        router.send_multipart([ident, b"bye"])
        assert dealer.recv() == b"bye"
        dealer.close()
        cycle = events_until(mon, E.DISCONNECTED)
        assert {ep for _, _, ep in cycle} == {address.encode()}
        cycles.append(comparable(cycle))
    expected = [("ACCEPTED", None), ("HANDSHAKE_SUCCEEDED", 0), ("DISCONNECTED", None)]
    assert cycles == [expected] * 3
    router.close()
    assert comparable(events_until(mon, E.MONITOR_STOPPED)) == [
        ("CLOSED", None),
        ("MONITOR_STOPPED", 0),
    ]
    mon.close()


def connect_side_story(
    which: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> list[tuple[str, int | None]]:
    """A DEALER of ``which`` connects to a libzmq ROUTER, which closes and comes back: the
    DEALER's monitor events, from CONNECT_DELAYED to the second HANDSHAKE_SUCCEEDED."""
    router = make(libzmq_ctx, "lib", "ROUTER")
    ipc_dir = os.path.join(ipc_dir, which)  # the path is rebound: one per story
    os.mkdir(ipc_dir)
    address = fixed_endpoint(router, transport, ipc_dir)
    dealer = make(ctx_of(which, pure_ctx, libzmq_ctx), which, "DEALER")
    ivl = 300
    dealer.setsockopt(zmq.RECONNECT_IVL, ivl)
    mon = dealer.get_monitor_socket()
    dealer.connect(address)
    dealer.send(b"x")
    router.recv_multipart()
    story = events_until(mon, E.HANDSHAKE_SUCCEEDED)
    close_bound(router)
    lost = events_until(mon, E.CONNECT_RETRIED)
    # The retry is at least RECONNECT_IVL away: rebind before it fires, so it succeeds.
    router = make(libzmq_ctx, "lib", "ROUTER")
    router.bind(address)
    back = events_until(mon, E.HANDSHAKE_SUCCEEDED)
    retried = [i for i, (e, _, _) in enumerate(back) if e == E.CONNECT_RETRIED]
    if retried:  # a slow machine let a refused attempt happen first: compare what follows it
        back = back[retried[-1] + 1 :]
    assert ivl <= lost[-1][1] < 2 * ivl, "jittered interval"
    assert {ep for _, _, ep in story + lost + back} == {address.encode()}
    close_monitored(dealer, mon)
    router.close()
    return comparable(story + lost + back)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_connect_side_events_match_pyzmq(
    transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    theirs = connect_side_story("lib", transport, pure_ctx, libzmq_ctx, ipc_dir)
    ours = connect_side_story("pure", transport, pure_ctx, libzmq_ctx, ipc_dir)
    assert ours == theirs
    if transport == "tcp":
        assert theirs[0] == ("CONNECT_DELAYED", 115)  # EINPROGRESS, as the spec says


def refused_attempt(which: str, transport: str, ctx: Any, ipc_dir: str) -> list[Any]:
    if transport == "tcp":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    else:
        address = f"ipc://{os.path.join(ipc_dir, 'nobody-' + which)}"
    dealer = make(ctx, which, "DEALER")
    dealer.setsockopt(zmq.RECONNECT_IVL, 50)
    mon = dealer.get_monitor_socket()
    dealer.connect(address)
    events = comparable(events_until(mon, E.CONNECT_RETRIED))
    close_monitored(dealer, mon)
    return events


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_refused_connect_events_match_pyzmq(
    transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    theirs = refused_attempt("lib", transport, libzmq_ctx, ipc_dir)
    ours = refused_attempt("pure", transport, pure_ctx, ipc_dir)
    assert ours == theirs


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
            pull = make(lib_actx, "lib", "PULL")
            address = fixed_endpoint(pull, transport, ipc_dir)
            push = make(pure_actx, "pure", "PUSH")
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
            pull = make(lib_actx, "lib", "PULL")
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
