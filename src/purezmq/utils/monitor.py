"""Decoding socket monitor events (pyzmq's ``zmq.utils.monitor``).

A monitor PAIR socket (``sock.get_monitor_socket()``) receives libzmq's two-frame event
messages: frame 1 is a 16-bit event id and a 32-bit value in native byte order with no padding,
frame 2 the endpoint. ``recv_monitor_message`` works with both APIs: given an asyncio socket it
returns an awaitable, as pyzmq does.
"""

from __future__ import annotations

import struct
from collections.abc import Awaitable
from typing import Any, TypedDict

from ..constants import Event

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


__all__ = ["MonitorMessage", "parse_monitor_message", "recv_monitor_message"]
