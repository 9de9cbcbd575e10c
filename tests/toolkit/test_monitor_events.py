"""``purezmq.utils.monitor``'s named events: ``MonitorEvent`` with the peer and the reason,
``monitor_events`` (blocking) and ``amonitor_events`` (asyncio), on purezmq's monitors and on
libzmq's (pyzmq's) monitor messages."""

from __future__ import annotations

import asyncio
import errno
import struct
from collections.abc import Iterator

import pytest

import purezmq as zmq
import purezmq.asyncio as zasyncio
from purezmq.utils.monitor import (
    MonitorDecoder,
    MonitorEvent,
    amonitor_events,
    decode_monitor_event,
    monitor_events,
)

WAIT_S = 5.0


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


def until(events: Iterator[MonitorEvent], wanted: zmq.Event) -> MonitorEvent:
    for event in events:
        if event.event == wanted:
            return event
    raise AssertionError(f"no {wanted!r} before the monitor went quiet")


def frames(event: int, value: int, endpoint: str) -> list[bytes]:
    return [struct.pack("=HI", event, value), endpoint.encode()]


def test_reasons_name_what_the_value_means() -> None:
    ep = "tcp://127.0.0.1:5555"
    bind_failed = decode_monitor_event(frames(zmq.EVENT_BIND_FAILED, errno.EADDRINUSE, ep))
    assert bind_failed.reason is not None and bind_failed.reason.startswith("EADDRINUSE: ")
    mismatch = decode_monitor_event(frames(zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL, 0x11000002, ep))
    assert mismatch.reason == "ZMTP_MECHANISM_MISMATCH"
    auth = decode_monitor_event(frames(zmq.EVENT_HANDSHAKE_FAILED_AUTH, 400, ep))
    assert auth.reason == "ZAP status code 400"
    retried = decode_monitor_event(frames(zmq.EVENT_CONNECT_RETRIED, 200, ep))
    assert (retried.reason, retried.peer) == ("reconnecting in 200 ms", ep)
    stopped = decode_monitor_event(frames(zmq.EVENT_MONITOR_STOPPED, 0, ""))
    assert stopped == MonitorEvent(zmq.Event.MONITOR_STOPPED, 0, "", None, None)
    with pytest.raises(RuntimeError):
        decode_monitor_event([b"short", b""])


def test_events_name_the_peer_on_both_sides_and_stop_with_the_monitor(
    ctx: zmq.Context,
) -> None:
    server = ctx.socket(zmq.ROUTER)
    port = server.bind_to_random_port("tcp://127.0.0.1")
    endpoint = f"tcp://127.0.0.1:{port}"
    server_events = monitor_events(server.get_monitor_socket(), timeout=WAIT_S)
    client = ctx.socket(zmq.DEALER)
    client_events = monitor_events(client.get_monitor_socket(), timeout=WAIT_S)
    client.connect(endpoint)

    connected = until(client_events, zmq.Event.CONNECTED)
    assert (connected.endpoint, connected.peer, connected.reason) == (endpoint, endpoint, None)
    until(client_events, zmq.Event.HANDSHAKE_SUCCEEDED)
    # Once the handshake is done the server holds the connection: its descriptor is live.
    client.send(b"hello")
    assert server.poll(WAIT_S * 1000)
    accepted = until(server_events, zmq.Event.ACCEPTED)
    assert accepted.endpoint == endpoint
    assert accepted.peer is not None and accepted.peer.startswith("tcp://127.0.0.1:")
    assert accepted.peer != endpoint

    client.close(linger=0)
    gone = until(server_events, zmq.Event.DISCONNECTED)
    assert (gone.value, gone.peer) == (accepted.value, accepted.peer)
    server.disable_monitor()
    assert until(server_events, zmq.Event.MONITOR_STOPPED).endpoint == ""  # as libzmq
    assert list(server_events) == []  # the iteration ended with MONITOR_STOPPED
    server.close(linger=0)


def test_a_handshake_failure_has_its_protocol_reason(ctx: zmq.Context) -> None:
    server = ctx.socket(zmq.ROUTER)
    server.curve_server = True
    server.curve_secretkey = zmq.curve_keypair()[1]
    port = server.bind_to_random_port("tcp://127.0.0.1")
    events = monitor_events(server.get_monitor_socket(), timeout=WAIT_S)
    client = ctx.socket(zmq.DEALER)  # NULL mechanism against CURVE
    client.connect(f"tcp://127.0.0.1:{port}")
    failed = until(events, zmq.Event.HANDSHAKE_FAILED_PROTOCOL)
    assert failed.reason == "ZMTP_MECHANISM_MISMATCH"
    client.close(linger=0)
    server.close(linger=0)


def test_libzmq_monitor_messages_decode_the_same() -> None:
    pyzmq = pytest.importorskip("zmq")
    ctx = pyzmq.Context()
    try:
        server = ctx.socket(pyzmq.ROUTER)
        port = server.bind_to_random_port("tcp://127.0.0.1")
        monitor = server.get_monitor_socket()
        client = ctx.socket(pyzmq.DEALER)
        client.connect(f"tcp://127.0.0.1:{port}")
        client.send(b"hello")
        assert server.poll(WAIT_S * 1000)
        decoder = MonitorDecoder()
        seen: dict[zmq.Event, MonitorEvent] = {}
        while zmq.Event.HANDSHAKE_SUCCEEDED not in seen:
            assert monitor.poll(WAIT_S * 1000)
            event = decoder.decode(monitor.recv_multipart())
            seen[event.event] = event
        accepted = seen[zmq.Event.ACCEPTED]
        assert accepted.endpoint == f"tcp://127.0.0.1:{port}"
        assert accepted.peer is not None and accepted.peer.startswith("tcp://127.0.0.1:")
        client.close(linger=0)
        while True:
            assert monitor.poll(WAIT_S * 1000)
            event = decoder.decode(monitor.recv_multipart())
            if event.event == zmq.Event.DISCONNECTED:
                break
        assert event.peer == accepted.peer
        monitor.close(linger=0)
        server.close(linger=0)
    finally:
        ctx.destroy(linger=0)


def test_async_monitor_events() -> None:
    async def main() -> list[zmq.Event]:
        ctx = zasyncio.Context()
        try:
            server = ctx.socket(zmq.ROUTER)
            port = server.bind_to_random_port("tcp://127.0.0.1")
            client = ctx.socket(zmq.DEALER)
            events = amonitor_events(client.get_monitor_socket(), timeout=WAIT_S)
            client.connect(f"tcp://127.0.0.1:{port}")
            kinds = []
            async for event in events:
                kinds.append(event.event)
                if event.event == zmq.Event.CONNECTED:
                    assert event.peer == f"tcp://127.0.0.1:{port}"
                if event.event == zmq.Event.HANDSHAKE_SUCCEEDED:
                    client.disable_monitor()
            server.close(linger=0)
            client.close(linger=0)
            return kinds
        finally:
            ctx.destroy(linger=0)

    kinds = asyncio.run(asyncio.wait_for(main(), WAIT_S * 2))
    assert zmq.Event.CONNECTED in kinds
    assert kinds[-2:] == [zmq.Event.HANDSHAKE_SUCCEEDED, zmq.Event.MONITOR_STOPPED]
