"""Owner wake-ups: how a socket's owner (a user thread, or an asyncio loop) is woken.

A ``SocketCore`` calls ``signal.wake()`` only when its owner declared itself asleep
(``SocketCore.prepare_to_sleep()``), from whatever thread produced the work: the I/O loop, an
inproc peer's thread, or ``ContextCore.term()``. So ``wake()`` is callable from any thread and
spurious wake-ups are allowed (the owner always re-checks), but a wake-up must never be lost.

* ``ThreadSignal`` (sync sockets): the owner thread parks in ``wait(timeout)`` on a pre-allocated
  ``threading.Lock`` used as a binary semaphore (a "permit"). ``Lock.acquire`` with a timeout is
  implemented in C, allocates nothing, and is interrupted by signals in the main thread on POSIX
  (verified: a SIGINT handler's ``KeyboardInterrupt`` propagates out of it), so Ctrl-C reaches a
  blocked ``recv``. A real file descriptor for ``getsockopt(FD)``/``Poller``/gevent is created
  lazily by ``fileno()``; sockets that never poll pay nothing.
* ``LoopSignal`` (asyncio sockets): resolves waiter Futures on the owner loop. From another
  thread it goes through that loop's ``wakeup.Wakeup`` (one fd write only when the loop idles),
  never ``call_soon_threadsafe`` (DESIGN.md §3).

Thread affinity: ``wake`` from any thread; ``wait``/``clear``/``waiter`` on the owner's thread.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
from typing import Protocol

from . import wakeup as _wakeup

_get_running_loop = asyncio._get_running_loop

# Windows cannot interrupt Lock.acquire with Ctrl-C: wait in slices there so the interpreter
# gets to run signal handlers between them.
_SLICE = 0.1 if sys.platform == "win32" else None


class OwnerSignal(Protocol):
    """What ``SocketCore`` needs from a signal."""

    def wake(self) -> None: ...


class ThreadSignal:
    """Parks one user thread; wakes it from any thread; optionally exposes a real fd.

    Lost-wake-up argument: the permit is a Lock that is *held* while no wake-up is pending.
    ``wake()`` releases it (a second release finds it unlocked and is ignored: wake-ups
    coalesce); ``wait()`` acquires it, consuming the permit. A ``wake()`` that happens after the
    owner's ``prepare_to_sleep()`` but before ``wait()`` leaves the permit available, so ``wait``
    returns at once. A stale permit (left by a wake-up after a timed-out wait) only causes one
    spurious return, after which the owner re-checks and waits again.

    ZMQ_FD contract (libzmq ``zmq_getsockopt`` FD): the fd becomes readable when EVENTS may have
    changed; the caller re-reads EVENTS (which drains it through ``clear()``) and may wait on it
    again only when EVENTS shows nothing it wants. It starts readable, so that a poller that
    obtains the fd late still re-checks at least once.
    """

    __slots__ = ("_fd_r", "_fd_w", "_permit", "_sock_r", "_sock_w", "wakes")

    def __init__(self) -> None:
        self._permit = threading.Lock()
        self._permit.acquire()
        self._fd_r = -1
        self._fd_w = -1
        self._sock_r: socket.socket | None = None
        self._sock_w: socket.socket | None = None
        #: How many times ``wake()`` was called (statistics).
        self.wakes = 0

    def wake(self) -> None:
        """Wake the owner (any thread). Coalesces; never blocks."""
        self.wakes += 1
        # A pending wake-up already left the permit released: releasing again raises, and the
        # wake-ups coalesce. (No contextlib.suppress on this path: ANCHORS.md §5.3.)
        try:  # noqa: SIM105
            self._permit.release()
        except RuntimeError:
            pass
        if self._fd_w >= 0:
            self._write_fd()

    def _write_fd(self) -> None:
        try:
            if self._sock_w is None:
                os.eventfd_write(self._fd_w, 1)
            else:  # pragma: no cover - non-Linux
                self._sock_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # a full socketpair is readable already

    def wait(self, timeout: float | None = None) -> bool:
        """Park until ``wake()`` or ``timeout`` seconds; True when woken. Interruptible."""
        permit = self._permit
        if _SLICE is None:
            return permit.acquire(True, -1 if timeout is None else max(timeout, 0.0))
        # pragma: no cover - Windows slicing
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
            if left <= 0:
                return permit.acquire(False)
            if permit.acquire(True, left):
                return True

    # -- the pollable fd (lazy) ---------------------------------------------------------------

    @property
    def has_fd(self) -> bool:
        return self._fd_r >= 0

    def fileno(self) -> int:
        """A real fd that turns readable on ``wake()`` (created on first call)."""
        if self._fd_r < 0:
            if hasattr(os, "eventfd"):
                fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
                self._fd_r = fd
                self._fd_w = fd
            else:  # pragma: no cover - non-Linux
                r, w = socket.socketpair()
                r.setblocking(False)
                w.setblocking(False)
                self._sock_r, self._sock_w = r, w
                self._fd_r = r.fileno()
                self._fd_w = w.fileno()
            # Start readable: whoever polls it re-checks EVENTS at least once.
            self._write_fd()
        return self._fd_r

    def clear(self) -> None:
        """Drain the fd (owner thread) before re-checking EVENTS."""
        if self._fd_r < 0:
            return
        try:
            if self._sock_r is None:
                os.eventfd_read(self._fd_r)
            else:  # pragma: no cover - non-Linux
                while self._sock_r.recv(4096):
                    pass
        except (BlockingIOError, OSError):
            pass

    def close(self) -> None:
        """Release the fd (the socket was closed)."""
        if self._fd_r < 0:
            return
        if self._sock_r is None:
            os.close(self._fd_r)
        else:  # pragma: no cover - non-Linux
            self._sock_r.close()
            if self._sock_w is not None:
                self._sock_w.close()
        self._fd_r = self._fd_w = -1
        self._sock_r = self._sock_w = None


class LoopSignal:
    """Wakes the coroutines of an asyncio socket that wait on its owner loop.

    Usage by the front-end (all on the owner loop)::

        while (msg := core.try_recv()) is None:
            if core.prepare_to_sleep():
                await signal.wait()

    Lost-wake-up argument: ``wake()`` always *executes* on the owner loop (directly when called
    there, else as a ``Wakeup`` callback), and ``prepare_to_sleep()`` plus ``wait()``'s waiter
    registration happen in one synchronous step of the loop (no ``await`` in between). So a
    wake-up either runs before ``prepare_to_sleep()`` (whose re-check then sees the work) or
    after the waiter is registered (and resolves it). ``wake()`` resolves *every* current
    waiter: a socket may have a blocked sender and a blocked receiver at once; each re-checks.
    """

    __slots__ = ("_waiters", "_wakeup", "loop", "wakes")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        if loop is None:
            loop = asyncio.get_running_loop()
        self.loop = loop
        self._wakeup: _wakeup.Wakeup | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self.wakes = 0

    def _get_wakeup(self) -> _wakeup.Wakeup:
        w = self._wakeup
        if w is None or w._closed:
            w = self._wakeup = _wakeup.for_loop(self.loop)
        return w

    def bind_wakeup(self) -> None:
        """Create the loop's ``Wakeup`` now (call on the owner loop, before other threads wake)."""
        self._get_wakeup()

    def wake(self) -> None:
        """Resolve the waiters (any thread)."""
        self.wakes += 1
        if _get_running_loop() is self.loop:
            self._wake_here()
        else:
            self._get_wakeup().call_soon(self._wake_here)

    def _wake_here(self) -> None:
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)

    def waiter(self) -> asyncio.Future[None]:
        """Create and register a waiter Future (owner loop, right after ``prepare_to_sleep``)."""
        fut: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append(fut)
        return fut

    async def wait(self, timeout: float | None = None) -> bool:
        """Wait for ``wake()`` (or ``timeout`` seconds); True when woken. Cancel-safe."""
        fut = self.waiter()
        try:
            if timeout is None:
                await fut
                return True
            await asyncio.wait_for(asyncio.shield(fut), timeout)
            return True
        except asyncio.TimeoutError:
            return False
        finally:
            if not fut.done():
                fut.cancel()
            if fut in self._waiters:
                self._waiters.remove(fut)

    def close(self) -> None:
        """Nothing to release: the loop's Wakeup is shared."""


__all__ = ["LoopSignal", "OwnerSignal", "ThreadSignal"]
