"""Waking another thread's event loop without handing it the GIL: ``write_keeping_gil``.

A thread that queues messages for the I/O thread wakes that thread's loop by writing to its
wake-up descriptor (``wakeup.py``). Every I/O call of the standard library (``os.write``,
``os.eventfd_write``, ``socket.send``) releases the GIL around its system call, and the thread
woken by that very write is often run at once on the writer's own CPU (the kernel favours a
thread that slept), finds the GIL free and takes it: the writer, back from the system call,
waits. A thread streaming small messages then hands the GIL over after nearly every message:
the I/O thread wakes, flushes the one message queued, sleeps again, and the next message wakes
it again (bench/README.md, "small messages through the blocking API": 5,000-14,000 flushes of
1-9 messages per million messages, a third of the sender's time).

libc's ``write`` called through ``ctypes.PyDLL`` keeps the GIL for the system call (a
non-blocking eventfd or socketpair write never waits). The woken loop thread then waits for
the GIL, as it waits after any other event, and gets it when the writer blocks (a full queue,
a receive, a poll) or at the interpreter's switch interval, and finds everything queued
meanwhile: one flush per batch.

Where there is no GIL to keep (a free-threaded build), no ``ctypes``, or another interpreter
than CPython, the standard library's write is used.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable

#: The writer once resolved (``_resolve``); None until the first call.
_write: Callable[[int, bytes], None] | None = None


def write_keeping_gil(fd: int, data: bytes) -> None:
    """Write ``data`` to the non-blocking ``fd`` without releasing the GIL, ignoring errors
    (a full wake-up descriptor is readable already; a closed one has no reader to wake)."""
    write = _write
    if write is None:
        write = _resolve()
    write(fd, data)


def _resolve() -> Callable[[int, bytes], None]:
    """Pick the writer on first use: ``ctypes`` is loaded only by a process that wakes a loop
    from another thread (about 2 ms, once)."""
    global _write
    _write = _libc_write() or _os_write
    return _write


def _libc_write() -> Callable[[int, bytes], None] | None:
    """libc's ``write`` as a ``PyDLL`` function (called with the GIL held), or None."""
    gil_enabled = getattr(sys, "_is_gil_enabled", None)
    if sys.implementation.name != "cpython" or (gil_enabled is not None and not gil_enabled()):
        return None
    try:
        import ctypes

        function = ctypes.PyDLL(None).write
    except (ImportError, OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t)
    function.restype = ctypes.c_ssize_t

    def write(fd: int, data: bytes) -> None:
        function(fd, data, len(data))

    return write


def _os_write(fd: int, data: bytes) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, data)


__all__ = ["write_keeping_gil"]
