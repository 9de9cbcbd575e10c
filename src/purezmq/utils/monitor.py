"""Decoding socket monitor events (pyzmq's ``zmq.utils.monitor``).

A monitor PAIR socket (``sock.get_monitor_socket()``) receives libzmq's two-frame event
messages: frame 1 is a 16-bit event id and a 32-bit value in native byte order with no padding,
frame 2 the endpoint. ``recv_monitor_message`` works with both APIs: given an asyncio socket it
returns an awaitable, as pyzmq does.

Beyond pyzmq: ``MonitorEvent``, a named tuple with the event, what its value means
(``reason``) and the peer's address where the event knows it, from ``decode_monitor_event``;
``monitor_events(monitor_socket)`` iterates over them and ``amonitor_events`` is its asyncio
twin. Both end after ``EVENT_MONITOR_STOPPED`` (yielded last).
"""

from __future__ import annotations

import errno
import os
import socket as _socket
import struct
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any, NamedTuple, TypedDict

from ..constants import Event, ProtocolErrorCode

_HEADER = struct.Struct("=hi")


class MonitorMessage(TypedDict):
    """One decoded monitor event."""

    event: int
    value: int
    endpoint: bytes


def parse_monitor_message(msg: list[bytes]) -> MonitorMessage:
    """Decode one monitor message into ``{"event", "value", "endpoint"}``.

    Raises ``RuntimeError`` for anything that is not a monitor message, like pyzmq.
    """
    if len(msg) != 2 or len(msg[0]) != 6:
        raise RuntimeError(f"Invalid event message format: {msg}")
    event_id, value = _HEADER.unpack(bytes(msg[0]))
    return {"event": Event(event_id), "value": Event(value), "endpoint": bytes(msg[1])}


async def _parse_monitor_msg_async(awaitable_msg: Awaitable[list[bytes]]) -> MonitorMessage:
    return parse_monitor_message(await awaitable_msg)


def recv_monitor_message(socket: Any, flags: int = 0) -> Any:
    """Receive and decode one event from a monitor socket.

    Returns the decoded dict for a sync socket, an awaitable of it for an asyncio socket.
    """
    msg = socket.recv_multipart(flags)
    if isinstance(msg, Awaitable):
        return _parse_monitor_msg_async(msg)
    return parse_monitor_message(msg)


#: The unsigned layout of frame 1 (ids and values as libzmq writes them).
_HEADER_UNSIGNED = struct.Struct("=HI")

#: Events whose value is an errno (libzmq passes ``zmq_errno()``).
_ERRNO_EVENTS = frozenset(
    {
        Event.CONNECT_DELAYED,
        Event.BIND_FAILED,
        Event.ACCEPT_FAILED,
        Event.CLOSE_FAILED,
        Event.HANDSHAKE_FAILED_NO_DETAIL,
    }
)
#: Events only a connecting socket emits: their endpoint is the peer's address.
_CONNECT_EVENTS = frozenset({Event.CONNECTED, Event.CONNECT_DELAYED, Event.CONNECT_RETRIED})
#: Events whose value is the connection's descriptor.
_FD_OPENED = frozenset({Event.CONNECTED, Event.ACCEPTED})
_FD_CLOSED = frozenset({Event.DISCONNECTED, Event.CLOSED})


class MonitorEvent(NamedTuple):
    """One socket event, decoded.

    ``event``: the ``Event`` member. ``value``: the raw value. ``endpoint``: the endpoint the
    event is about (the bound address for a listening socket's events, the connected address
    for a connecting socket's). ``peer``: the other end as an endpoint (``tcp://host:port``):
    the connected address for a connecting socket's events; for ``ACCEPTED`` the remote
    address read from the connection's descriptor when the event is decoded (None if it is
    gone by then); for ``DISCONNECTED`` the peer of the ``ACCEPTED``/``CONNECTED`` event with
    the same descriptor, when ``monitor_events`` saw it; None otherwise (the handshake events
    carry no descriptor). ``reason``: what the value means, in words: the errno, the ZMTP/ZAP
    protocol error, the ZAP status code, the reconnect interval; None when the value is a
    descriptor or nothing.
    """

    event: Event
    value: int
    endpoint: str
    peer: str | None
    reason: str | None


def _peer_of(fd: int, endpoint: str) -> str | None:
    """The remote address of the connection on ``fd`` as an endpoint with ``endpoint``'s
    scheme, if the descriptor is still open and connected."""
    try:
        dup = os.dup(fd)
    except OSError:
        return None
    try:
        conn = _socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return None
    try:
        with conn:
            name = conn.getpeername()
    except OSError:
        return None
    scheme = endpoint.partition("://")[0] or "tcp"
    if isinstance(name, tuple):
        host, port = name[0], name[1]
        where = f"[{host}]:{port}" if ":" in str(host) else f"{host}:{port}"
        return f"{scheme}://{where}"
    return f"{scheme}://{name}" if name else None


def _reason(event: Event, value: int) -> str | None:
    if event in _ERRNO_EVENTS:
        if value == 0:
            return None
        name = errno.errorcode.get(value, f"errno {value}")
        return f"{name}: {os.strerror(value)}"
    if event == Event.HANDSHAKE_FAILED_PROTOCOL:
        try:
            return ProtocolErrorCode(value).name
        except ValueError:
            return f"protocol error 0x{value:08x}"
    if event == Event.HANDSHAKE_FAILED_AUTH:
        return f"ZAP status code {value}"
    if event == Event.CONNECT_RETRIED:
        return f"reconnecting in {value} ms"
    return None


class MonitorDecoder:
    """Decodes one monitor socket's messages, remembering each open connection's peer by its
    descriptor so that its ``DISCONNECTED`` event names the peer too."""

    def __init__(self) -> None:
        self._peers: dict[int, str] = {}

    def decode(self, msg: list[bytes]) -> MonitorEvent:
        """Decode one monitor message (``RuntimeError`` for anything else, as
        ``parse_monitor_message``)."""
        if len(msg) != 2 or len(msg[0]) != _HEADER_UNSIGNED.size:
            raise RuntimeError(f"Invalid event message format: {msg}")
        event_id, value = _HEADER_UNSIGNED.unpack(bytes(msg[0]))
        event = Event(event_id)  # an IntFlag: ids newer than this module stay numbers
        endpoint = bytes(msg[1]).decode("utf-8", "surrogateescape")
        peer: str | None = None
        if event in _CONNECT_EVENTS:
            peer = endpoint
        elif event == Event.ACCEPTED:
            peer = _peer_of(value, endpoint)
        elif event in _FD_CLOSED:
            peer = self._peers.pop(value, None)
        if event in _FD_OPENED and peer is not None:
            self._peers[value] = peer
        return MonitorEvent(event, value, endpoint, peer, _reason(event, value))


def decode_monitor_event(msg: list[bytes]) -> MonitorEvent:
    """Decode one monitor message into a ``MonitorEvent`` (no memory of earlier events: use
    ``MonitorDecoder`` or ``monitor_events`` to have peers on ``DISCONNECTED``).

    Raises ``RuntimeError`` for anything that is not a monitor message, as
    ``parse_monitor_message`` does.
    """
    return MonitorDecoder().decode(msg)


def monitor_events(monitor_socket: Any, timeout: float | None = None) -> Iterator[MonitorEvent]:
    """The events read from a (blocking) monitor socket, until ``EVENT_MONITOR_STOPPED``.

    ``timeout`` (seconds) ends the iteration when no event comes for that long.
    """
    decoder = MonitorDecoder()
    while True:
        if timeout is not None and not monitor_socket.poll(int(timeout * 1000)):
            return
        event = decoder.decode(monitor_socket.recv_multipart())
        yield event
        if event.event == Event.MONITOR_STOPPED:
            return


async def amonitor_events(
    monitor_socket: Any, timeout: float | None = None
) -> AsyncIterator[MonitorEvent]:
    """``monitor_events`` for an asyncio monitor socket: ``async for event in ...``."""
    decoder = MonitorDecoder()
    while True:
        if timeout is not None and not await monitor_socket.poll(int(timeout * 1000)):
            return
        event = decoder.decode(await monitor_socket.recv_multipart())
        yield event
        if event.event == Event.MONITOR_STOPPED:
            return


__all__ = [
    "MonitorDecoder",
    "MonitorEvent",
    "MonitorMessage",
    "amonitor_events",
    "decode_monitor_event",
    "monitor_events",
    "parse_monitor_message",
    "recv_monitor_message",
]
