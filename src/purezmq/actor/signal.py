"""The actor pipe's control frames: ``$TERM`` and the signals.

A signal is one 8-byte frame, czmq's ``zsock_signal`` value ``0x7766554433221100 + status``
(little-endian, as czmq writes it on the usual hosts); ``wait`` skips other messages until one
arrives, as ``zsock_wait`` does. The actor sends ``READY`` once it is set up; the actor's
runner sends ``ENDED`` or ``FAILED`` when the function returns or raises.
"""

from __future__ import annotations

import struct
from typing import Any

#: What the caller sends to ask the actor to stop (czmq's zactor convention).
TERM = b"$TERM"

_SIGNAL = struct.Struct("<Q")
_SIGNAL_BASE = 0x7766554433221100

#: Statuses: the actor is set up; the function returned; the function raised.
READY = 0
ENDED = 1
FAILED = 2


def signal_frame(status: int = READY) -> bytes:
    """The frame that carries ``status`` (0..255)."""
    if not 0 <= status <= 0xFF:
        raise ValueError(f"a signal status is 0..255, not {status}")
    return _SIGNAL.pack(_SIGNAL_BASE + status)


def signal_status(frames: list[bytes]) -> int | None:
    """The status a message carries, or None when it is not a signal."""
    if len(frames) != 1 or len(frames[0]) != _SIGNAL.size:
        return None
    value: int = _SIGNAL.unpack(frames[0])[0]
    status = value - _SIGNAL_BASE
    return status if 0 <= status <= 0xFF else None


def signal(pipe: Any, status: int = READY) -> None:
    """Send a signal on a blocking socket: ``signal(pipe)`` tells the caller the actor is ready."""
    pipe.send(signal_frame(status))


def wait(pipe: Any) -> int:
    """Receive on a blocking socket until a signal arrives; its status."""
    while True:
        status = signal_status(pipe.recv_multipart())
        if status is not None:
            return status


async def signal_async(pipe: Any, status: int = READY) -> None:
    """``signal`` for an asyncio socket: ``await signal_async(pipe)``."""
    await pipe.send(signal_frame(status))


async def wait_async(pipe: Any) -> int:
    """``wait`` for an asyncio socket."""
    while True:
        status = signal_status(await pipe.recv_multipart())
        if status is not None:
            return status
