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
* ``FdSignal`` (owners that wait through an event loop, e.g. gevent's hub): only the fd.
* ``LoopSignal`` (asyncio sockets): resolves waiter Futures on the owner loop. From another
  thread it goes through that loop's ``wakeup.Wakeup`` (one fd write only when the loop idles),
  never ``call_soon_threadsafe`` (docs/architecture.md §3).

Thread affinity: ``wake`` from any thread; ``wait``/``clear``/``waiter`` on the owner's thread.
"""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from ..constants import Errno
from ..error import ZMQError
from . import wakeup as _wakeup

_get_running_loop = asyncio._get_running_loop
_get_ident = threading.get_ident
_monotonic = time.monotonic

# The main thread waits in slices, so that the interpreter runs signal handlers between them:
# Windows cannot interrupt Lock.acquire with Ctrl-C at all, and elsewhere a SIGINT that lands
# after the handlers' last check but before the wait begins interrupts nothing (CPython runs
# the handler only when the thread next executes bytecode), so Ctrl-C would wait for a message.
_SLICE = 0.1 if sys.platform == "win32" else 0.25
_MAIN_THREAD = threading.main_thread().ident


class OwnerSignal(Protocol):
    """What ``SocketCore`` needs from a signal."""

    def wake(self) -> None: ...

    @property
    def wakes(self) -> int:
        """How many times ``wake()`` was called (statistics)."""

    @property
    def has_fd(self) -> bool:
        """A file descriptor exists (``fileno()`` was called): the ZMQ_FD contract applies."""

    def fileno(self) -> int:
        """The ZMQ_FD (created on first call); ``ZMQError(EINVAL)`` when there can be none."""

    def clear(self) -> object:
        """Drain the fd (owner thread)."""


class _PollFd:
    """A file descriptor that is readable while "set": an eventfd, else a socketpair.

    Closed when the last reference goes (``__del__``), never explicitly: a waker on another
    thread that already holds a reference can still write safely, and a closed fd number that
    the OS reuses is never written to (the race an explicit ``close()`` would open).
    """

    __slots__ = ("_sock_r", "_sock_w", "_wfd", "fd")

    def __init__(self) -> None:
        self._sock_r: socket.socket | None = None
        self._sock_w: socket.socket | None = None
        if hasattr(os, "eventfd"):
            self.fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
            self._wfd = self.fd
        else:  # pragma: no cover - non-Linux
            r, w = socket.socketpair()
            r.setblocking(False)
            w.setblocking(False)
            self._sock_r, self._sock_w = r, w
            self.fd = r.fileno()
            self._wfd = w.fileno()

    def set(self) -> None:
        """Make it readable (any thread)."""
        try:
            if self._sock_w is None:
                os.eventfd_write(self._wfd, 1)
            else:  # pragma: no cover - non-Linux
                self._sock_w.send(b"\0")
        except (BlockingIOError, OSError):
            pass  # a full socketpair is readable already

    def clear(self) -> bool:
        """Drain it (owner thread); True when it was set."""
        if self._sock_r is None:
            try:
                os.eventfd_read(self.fd)
            except (BlockingIOError, OSError):
                return False
            return True
        # pragma: no cover - non-Linux
        drained = False
        try:
            while self._sock_r.recv(4096):
                drained = True
        except (BlockingIOError, OSError):
            pass
        return drained

    def __del__(self) -> None:
        if self._sock_r is None:
            try:  # noqa: SIM105 - __del__ may run at interpreter exit: keep it import-free
                os.close(self.fd)
            except OSError:  # pragma: no cover
                pass
        else:  # pragma: no cover - non-Linux
            self._sock_r.close()
            if self._sock_w is not None:
                self._sock_w.close()


class _FdSignal:
    """The lazily created pollable fd shared by both signal kinds (``getsockopt(FD)``)."""

    __slots__ = ("_pollfd",)

    def __init__(self) -> None:
        self._pollfd: _PollFd | None = None

    @property
    def has_fd(self) -> bool:
        return self._pollfd is not None

    def fileno(self) -> int:
        """A real fd that turns readable on ``wake()`` (created on first call).

        It starts readable: whoever polls it re-checks EVENTS at least once.
        """
        pfd = self._pollfd
        if pfd is None:
            pfd = self._pollfd = _PollFd()
            pfd.set()
        return pfd.fd

    def clear(self) -> bool:
        """Drain the fd (owner thread) before re-checking EVENTS; True when it was readable
        (an edge was pending)."""
        pfd = self._pollfd
        return pfd is not None and pfd.clear()

    def close(self) -> None:
        """The socket was closed: leave the fd readable for good.

        Whoever still watches it (a selector, a loop's reader, a green wait) wakes up and
        learns the news from EVENTS (ENOTSOCK); libzmq's descriptor likewise outlives
        ``zmq_close`` until the socket is reaped. The fd itself is closed with this object
        (``_PollFd``): closing it now could let the OS hand its number to a new descriptor
        that a selector would then confuse with this one.
        """
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()


class FdSignal(_FdSignal):
    """A wake-up that is only a pollable fd, for owners that wait through an event loop
    watching ``fileno()`` (gevent's hub, a selector) rather than parking a thread.

    ``wake()`` (any thread) makes the fd readable; the owner drains it with ``clear()`` before
    re-checking, as the ypipe rule requires (clear, then retry: a wake-up that lands between
    the two leaves its work in the mailbox, which the retry sees). A ``wake()`` before the fd
    exists is not lost: ``fileno()`` creates it readable.
    """

    __slots__ = ("wakes",)

    def __init__(self) -> None:
        super().__init__()
        #: How many times ``wake()`` was called (statistics).
        self.wakes = 0

    def wake(self) -> None:
        """Make the fd readable (any thread). Coalesces; never blocks."""
        self.wakes += 1
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()


class ThreadSignal(_FdSignal):
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

    __slots__ = ("_permit", "wakes")

    def __init__(self) -> None:
        super().__init__()
        self._permit = threading.Lock()
        self._permit.acquire()
        #: How many times ``wake()`` was called (statistics).
        self.wakes = 0

    def wake(self) -> None:
        """Wake the owner (any thread). Coalesces; never blocks."""
        self.wakes += 1
        # A pending wake-up already left the permit released: releasing again raises, and the
        # wake-ups coalesce. (A plain try on this path: contextlib.suppress costs a call.)
        try:  # noqa: SIM105
            self._permit.release()
        except RuntimeError:
            pass
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Park until ``wake()`` or ``timeout`` seconds; True when woken. Interruptible."""
        permit = self._permit
        if timeout is None:
            # The blocking receive of a request/reply turn: no deadline to compute.
            if _get_ident() != _MAIN_THREAD:
                return permit.acquire()
            while not permit.acquire(True, _SLICE):
                pass
            return True
        if _get_ident() != _MAIN_THREAD or timeout <= _SLICE:
            return permit.acquire(True, max(timeout, 0.0))
        deadline = _monotonic() + timeout
        while True:
            left = min(_SLICE, deadline - _monotonic())
            if left <= 0:
                return permit.acquire(False)
            if permit.acquire(True, left):
                return True


class LoopSignal(_FdSignal):
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
    A front-end may use ``sleep()`` (prepare_to_sleep plus waiter) and ``forget()`` instead
    of ``wait()`` to spare a coroutine frame; the same rule holds.
    """

    __slots__ = ("_thread", "_waiters", "_wakeup", "loop", "on_wake", "tid_loop", "wakes")

    def __init__(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        super().__init__()
        if loop is None:
            loop = asyncio.get_running_loop()
        self.loop = loop
        self._wakeup: _wakeup.Wakeup | None = None
        self._waiters: list[asyncio.Future[None]] = []
        #: The thread the loop ran on when a waiter was last registered (0: none yet).
        self._thread = 0
        # asyncio's own loops say which thread runs them (``_thread_id``, None when stopped):
        # one attribute read answers ``runs_here`` exactly. Others (uvloop) keep it private.
        #: ``loop`` when it is one of asyncio's own loops, else None: a caller on a hot path
        #: tests ``tid_loop._thread_id == get_ident()`` itself, a call less than ``runs_here``.
        self.tid_loop: Any = loop if isinstance(loop, asyncio.BaseEventLoop) else None
        self.wakes = 0
        #: Called on the owner loop after the waiters are resolved, by every wake-up: the
        #: asyncio front-end hands what the engine has to its pending Futures there. It runs
        #: synchronously inside ``wake()`` when that is called on the owner loop -- possibly
        #: from inside another socket's pattern call (inproc) -- so it must guard against
        #: re-entering its own socket's pattern (the front-end's ``_busy`` flag).
        self.on_wake: Callable[[], None] | None = None

    def runs_here(self) -> bool:
        """Whether the calling thread is running ``loop`` (a cheap, conservative test).

        ``asyncio._get_running_loop()`` costs a ``getpid()`` system call on CPython 3.11 (its
        fork check), and a request/reply round trip asked it twice on each side. asyncio's own
        loops record their thread (``_thread_id``); for other loops, ``waiter()`` runs on the
        loop's thread and records it, so "same thread as the last waiter, and the loop is
        running" answers the question without the system call. False only means "ask
        ``_get_running_loop()``". Assumes, like ``Peer``'s ``_loop_thread``, that a loop is
        not restarted on another thread while a coroutine still waits here.
        """
        tid_loop = self.tid_loop
        if tid_loop is not None:
            return tid_loop._thread_id == _get_ident()  # type: ignore[no-any-return]
        return self._thread == _get_ident() and self.loop.is_running()

    def get_wakeup(self) -> _wakeup.Wakeup:
        w = self._wakeup
        if w is None or w.closed:
            w = self._wakeup = _wakeup.for_loop(self.loop)
        return w

    def bind_wakeup(self) -> None:
        """Create the loop's ``Wakeup`` now (call on the owner loop, before other threads wake)."""
        self.get_wakeup()

    def wake(self) -> None:
        """Resolve the waiters (any thread)."""
        self.wakes += 1
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()  # getsockopt(FD) users (aiozmq-style integrations) poll this directly
        # runs_here() inlined for asyncio's loops: this runs on every delivery to a sleeper.
        tid_loop = self.tid_loop
        if (
            tid_loop._thread_id == _get_ident()
            if tid_loop is not None
            else self.runs_here() or _get_running_loop() is self.loop
        ):
            if self._waiters:
                self._wake_here()
            else:
                # An asyncio front-end waits through ``on_wake``, not waiters: serve it
                # without the extra call (a request/reply exchange comes here per reply).
                on_wake = self.on_wake
                if on_wake is not None:
                    on_wake()
        else:
            self.get_wakeup().call_soon(self._wake_here)

    def wake_on_loop(self) -> None:
        """``wake()`` from a caller that knows it runs on the owner loop (it tested
        ``runs_here``): the same, without the thread test."""
        self.wakes += 1
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()
        if self._waiters:
            self._wake_here()
        else:
            on_wake = self.on_wake
            if on_wake is not None:
                on_wake()

    def _wake_here(self) -> None:
        """Resolve the waiters (owner loop)."""
        waiters = self._waiters
        if waiters:
            self._waiters = []
            for fut in waiters:
                if not fut.done():
                    fut.set_result(None)
        on_wake = self.on_wake
        if on_wake is not None:
            on_wake()

    def waiter(self) -> asyncio.Future[None]:
        """Create and register a waiter Future (owner loop, right after ``prepare_to_sleep``).

        Whoever awaits it and stops waiting early (cancelled, timed out) calls ``forget``.
        """
        fut: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append(fut)
        if self.tid_loop is None:
            self._thread = _get_ident()
        return fut

    def sleep(self, prepare_to_sleep: Callable[[], bool]) -> asyncio.Future[None] | None:
        """``prepare_to_sleep()`` then ``waiter()`` in one call (owner loop): the Future to
        await, or None when work arrived meanwhile (retry at once). The front-end's blocking
        recv comes here once per message of a request/reply exchange, hence one call, not
        three. Raises ``ZMQError(EINVAL)`` when not called on ``loop``.
        """
        tid_loop = self.tid_loop
        if tid_loop is not None:
            if tid_loop._thread_id != _get_ident():
                raise _wrong_loop()
        elif not self.runs_here() and _get_running_loop() is not self.loop:
            raise _wrong_loop()
        if not prepare_to_sleep():
            return None
        fut: asyncio.Future[None] = self.loop.create_future()
        self._waiters.append(fut)
        if tid_loop is None:
            self._thread = _get_ident()
        return fut

    def may_sleep(self, prepare_to_sleep: Callable[[], bool]) -> bool:
        """``prepare_to_sleep()`` on the owner loop, in one call with the loop check: True
        when the owner is now asleep (a later ``wake()`` runs ``on_wake``), False when work
        arrived meanwhile (serve it at once). Raises ``ZMQError(EINVAL)`` when not called on
        ``loop``. For a front-end that waits through ``on_wake`` rather than a waiter."""
        tid_loop = self.tid_loop
        if tid_loop is not None:
            if tid_loop._thread_id != _get_ident():
                raise _wrong_loop()
        else:
            if not self.runs_here() and _get_running_loop() is not self.loop:
                raise _wrong_loop()
            self._thread = _get_ident()  # what runs_here() needs on a loop like uvloop
        return prepare_to_sleep()

    def forget(self, fut: asyncio.Future[None]) -> None:
        """Stop waiting on ``fut`` (a waiter whose coroutine gave up: cancelled, timed out)."""
        if not fut.done():
            fut.cancel()
        if fut in self._waiters:
            self._waiters.remove(fut)

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
            self.forget(fut)


class SharedThreadSignal(_FdSignal):
    """Parks any number of threads of one thread-safe (draft) socket; ``wake()`` wakes all.

    ``ThreadSignal``'s permit wakes one sleeper; a SERVER with a receiving thread and a
    sending thread blocked at once needs every sleeper to re-check. Protocol (lost-wake-up
    argument): a sleeper reads ``ticket()`` *before* its last try and ``prepare_to_sleep()``,
    then ``wait_past(ticket)`` returns as soon as any ``wake()`` happened after that read,
    even one that came before the wait began. Spurious returns only cost a re-check.
    """

    __slots__ = ("_cond", "_generation", "wakes")

    def __init__(self) -> None:
        super().__init__()
        self._cond = threading.Condition(threading.Lock())
        self._generation = 0
        #: How many times ``wake()`` was called (statistics).
        self.wakes = 0

    def ticket(self) -> int:
        """The current wake-up generation (read before the last try, see the class doc)."""
        return self._generation

    def wake(self) -> None:
        """Wake every sleeper (any thread). Never blocks for long: the lock guards a counter."""
        self.wakes += 1
        with self._cond:
            self._generation += 1
            self._cond.notify_all()
        pfd = self._pollfd
        if pfd is not None:
            pfd.set()

    def wait_past(self, ticket: int, timeout: float | None = None) -> bool:
        """Park until a ``wake()`` after ``ticket`` or ``timeout`` seconds; True when woken.

        The main thread waits in slices, as ``ThreadSignal.wait`` does, so that a SIGINT that
        lands just before the wait begins is handled within one slice."""
        cond = self._cond
        main = _get_ident() == _MAIN_THREAD
        deadline = None if timeout is None else _monotonic() + timeout
        with cond:
            while self._generation == ticket:
                left = None if deadline is None else deadline - _monotonic()
                if left is not None and left <= 0:
                    return False
                if main:
                    left = _SLICE if left is None else min(left, _SLICE)
                cond.wait(left)
            return True

    def wait(self, timeout: float | None = None) -> bool:
        """``wait_past`` from now on (for callers of the one-sleeper protocol)."""
        return self.wait_past(self._generation, timeout)


def _wrong_loop() -> Exception:
    return ZMQError(Errno.EINVAL, "this asyncio socket belongs to another event loop")


__all__ = ["FdSignal", "LoopSignal", "OwnerSignal", "SharedThreadSignal", "ThreadSignal"]
