"""Cross-thread wake-up of one asyncio event loop: ``Wakeup(loop).call_soon(fn, *args)``.

Owns, per event loop, one wake-up file descriptor (``os.eventfd`` on Linux, else a non-blocking
``socketpair``) registered with ``loop.add_reader``, and a deque of callbacks to run on that loop.

Thread affinity: ``call_soon`` may be called from any thread; everything else (``_run``, the
reader callback, ``close``) runs on the loop's thread.

Why not ``loop.call_soon_threadsafe``: it allocates a ``Handle`` and writes to the loop's self-pipe
on *every* call (docs/architecture.md §3). Here a producer pays one ``deque.append``
and a flag read; the fd is written only when the loop side has declared itself idle ("armed"),
so a burst of N calls costs one syscall.

Lost-wake-up argument (libzmq's ypipe rule): the producer *appends then reads
``armed``*; the consumer *sets ``armed`` then re-reads the deque*. Under the GIL these steps are
sequentially consistent, so in any interleaving either the producer sees ``armed`` True (and
kicks), or the consumer's re-read sees the appended callback (and runs it). Two producers may
both see ``armed`` and both kick: that is a spurious wake-up, which only costs an empty pass.
On free-threaded builds the arm/disarm transition would need a lock on this slow path; the
default GIL build needs none.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .gil_held_write import write_keeping_gil

_get_running_loop = asyncio._get_running_loop
#: What a kick adds to the eventfd's counter (eventfd(2): a native-endian 8-byte integer).
_EVENTFD_ONE = (1).to_bytes(8, sys.byteorder)
_UNKNOWN: Any = object()

#: Callbacks run per loop turn before yielding to other loop work (so one busy producer cannot
#: starve the loop's other callbacks); the rest run in the next turn.
_BATCH = 1024
#: Pyodide (Emscripten): no threads to wake the loop from, and no fds for the loop to watch.
_SINGLE_THREADED = sys.platform == "emscripten"


@dataclass(frozen=True, slots=True)
class WakeupStatistics:
    """A loop's wake-up counters at one moment (``Wakeup.statistics()``)."""

    #: Writes to the wake-up fd (from other threads, only while the loop idled).
    kicks: int
    #: Wake-ups the loop read from the fd.
    wakeups_received: int
    #: Calls scheduled from the loop's own thread (no fd write).
    local_schedules: int
    #: Batches of calls the loop ran.
    batches: int
    #: Calls waiting to run now.
    pending: int


class Wakeup:
    """Run callbacks on ``loop`` from any thread, with coalesced fd kicks.

    Create it on (or for) the loop; use ``for_loop(loop)`` to share one per loop.
    """

    __slots__ = (
        "__weakref__",
        "_armed",
        "_closed",
        "_finalizer",
        "_loop",
        "_pending",
        "_rfd",
        "_sock_r",
        "_sock_w",
        "_wfd",
        "batches",
        "kicks",
        "local_schedules",
        "wakeups_received",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._pending: deque[tuple[Callable[..., Any], tuple[Any, ...]]] = deque()
        #: True while the loop side is idle and must be kicked to notice new work.
        self._armed = True
        self._closed = False
        self._sock_r: socket.socket | None = None
        self._sock_w: socket.socket | None = None
        if _SINGLE_THREADED:
            # Pyodide: one thread, and no file descriptors a loop could watch (its WebLoop
            # has no add_reader); every call_soon comes from the loop's own thread.
            self._rfd = self._wfd = -1
        elif hasattr(os, "eventfd"):
            fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self._rfd = fd
            self._wfd = fd
        else:  # pragma: no cover - non-Linux
            r, w = socket.socketpair()
            r.setblocking(False)
            w.setblocking(False)
            self._sock_r, self._sock_w = r, w
            self._rfd = r.fileno()
            self._wfd = w.fileno()
        #: statistics(): fd writes, fd wake-ups seen by the loop, in-thread schedules, batches.
        self.kicks = 0
        self.wakeups_received = 0
        self.local_schedules = 0
        self.batches = 0
        # Closes the fd exactly once: on ``close()`` or when this object is collected (its loop
        # was closed without closing us).
        self._finalizer = weakref.finalize(self, _close_fds, self._rfd, self._sock_r, self._sock_w)
        # Not at interpreter exit: atexit handlers that run after weakref's own (a program's
        # own term() of its contexts, ipykernel's) still need the loop's wake-up fd.
        self._finalizer.atexit = False
        if self._rfd >= 0:
            loop.add_reader(self._rfd, self._on_readable)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop, soon, in call order. Any thread; never blocks."""
        self._pending.append((fn, args))
        # Producer side of the protocol: append first, then read ``armed``.
        if self._armed:
            self._armed = False
            # "On the loop's thread" is asked of the thread the loop runs on (asyncio's loops
            # record it), not of ``_get_running_loop()``: under gevent's monkey-patching the
            # I/O thread is a greenlet, every greenlet of the OS thread sees its loop as
            # running, and a callback merely scheduled would never wake the loop's selector.
            # (``threading.get_ident`` is read at call time, as asyncio reads it.)
            loop = self._loop
            tid = getattr(loop, "_thread_id", _UNKNOWN)
            if tid == threading.get_ident() if tid is not _UNKNOWN else _get_running_loop() is loop:
                # Already on the loop thread: no syscall, one Handle per batch.
                self.local_schedules += 1
                loop.call_soon(self._run)
            else:
                self._kick()

    def _kick(self) -> None:
        self.kicks += 1
        if self._closed:
            return
        if self._wfd < 0:
            self._loop.call_soon(self._run)
            return
        if self._sock_w is None:
            # The GIL stays with this thread for the write: the loop's thread, woken by it,
            # would otherwise take the GIL at once and flush one message per wake-up
            # (gil_held_write.py). A full eventfd counter already means "readable".
            write_keeping_gil(self._wfd, _EVENTFD_ONE)
            return
        # A full socketpair buffer already means "readable": the kick is not lost.
        with contextlib.suppress(OSError):  # pragma: no cover - non-Linux
            self._sock_w.send(b"\0")

    def _on_readable(self) -> None:
        self.wakeups_received += 1
        try:
            if self._sock_r is None:
                os.eventfd_read(self._rfd)
            else:  # pragma: no cover - non-Linux
                while self._sock_r.recv(4096):
                    pass
        except (BlockingIOError, OSError):
            pass
        self._run()

    def _run(self) -> None:
        """Run pending callbacks; then re-arm and re-check (consumer side of the protocol)."""
        self.batches += 1
        pending = self._pending
        popleft = pending.popleft
        for _ in range(min(len(pending), _BATCH)):
            fn, args = popleft()
            try:
                fn(*args)
            except Exception as exc:  # one bad callback must not lose the others
                self._loop.call_exception_handler(
                    {"message": "purezmq wake-up callback failed", "exception": exc}
                )
        # Consumer side: set ``armed`` first, then re-read the deque.
        self._armed = True
        if pending:
            self._armed = False
            self._loop.call_soon(self._run)

    def close(self) -> None:
        """Unregister and close the fd (loop thread, or after the loop stopped)."""
        if self._closed:
            return
        self._closed = True
        try:
            if self._rfd >= 0 and not self._loop.is_closed():
                self._loop.remove_reader(self._rfd)
        except (RuntimeError, ValueError):  # pragma: no cover - loop already torn down
            pass
        self._finalizer()
        if _by_loop.get(id(self._loop)) is self:
            del _by_loop[id(self._loop)]

    @property
    def closed(self) -> bool:
        """``close()`` was called: nothing more runs through this wake-up."""
        return self._closed

    def statistics(self) -> WakeupStatistics:
        return WakeupStatistics(
            kicks=self.kicks,
            wakeups_received=self.wakeups_received,
            local_schedules=self.local_schedules,
            batches=self.batches,
            pending=len(self._pending),
        )


# Keyed by ``id(loop)`` with weak values: the loop's reader registration keeps its Wakeup alive,
# and a Wakeup holds its loop strongly, so weak *keys* would never be released. A stale entry
# after id reuse is detected by the identity check in ``for_loop``.
_by_loop: weakref.WeakValueDictionary[int, Wakeup] = weakref.WeakValueDictionary()


def _close_fds(rfd: int, sock_r: socket.socket | None, sock_w: socket.socket | None) -> None:
    """Close a wake-up fd (finalizer: runs once, from ``close()`` or at collection)."""
    if rfd < 0:
        return
    try:
        if sock_r is None:
            os.close(rfd)
        else:  # pragma: no cover - non-Linux
            sock_r.close()
            if sock_w is not None:
                sock_w.close()
    except OSError:
        pass


def for_loop(loop: asyncio.AbstractEventLoop) -> Wakeup:
    """The shared ``Wakeup`` of ``loop``, created on first use.

    Must be first called from the loop's thread or before the loop runs (``add_reader`` is not
    thread-safe); later calls from any thread just read the cache.
    """
    w = _by_loop.get(id(loop))
    if w is None or w._closed or w._loop is not loop:
        w = Wakeup(loop)
        _by_loop[id(loop)] = w
    return w


__all__ = ["Wakeup", "for_loop"]
