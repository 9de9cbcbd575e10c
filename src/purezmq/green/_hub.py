"""Waiting through gevent's hub on a socket's wake-up fd (its ``getsockopt(FD)``).

libzmq's FD contract, which every wait here follows: the fd turns readable when the socket's
state may have changed; the waiter drains it, then re-checks (a green call retries its
``try_send``/``try_recv``; a Poller re-reads EVENTS). Draining before re-checking is what makes
a lost wake-up impossible: work posted after the drain sets the fd again, work posted before it
is in the socket's mailbox, which the re-check processes.

Several greenlets may wait on one socket at once (a sender and a receiver, a Poller). One drain
would satisfy only one of them, so the socket has one ``HubWaits``: a single io watcher on the
fd, active only while some greenlet waits, whose callback drains the fd and wakes *every*
waiter of that round. A greenlet that drains the fd itself by reading EVENTS wakes the
waiters too (``Socket._events``), but only when it consumed an edge, so two greenlets that
both read EVENTS never keep waking each other.

Layer 4 (the gevent front-end): imports ``_engine.signal`` and gevent.
"""

from __future__ import annotations

from typing import Any

from gevent.event import Event
from gevent.hub import get_hub

from .._engine.signal import ThreadSignal

#: libev's read event (``gevent.core.READ``).
READ = 1
#: libev's write event.
WRITE = 2


class HubWaits:
    """The greenlets waiting on one socket's fd, woken together (see the module docstring)."""

    __slots__ = ("_hub", "_round", "_signal", "_waiting", "_watcher")

    def __init__(self, signal: ThreadSignal) -> None:
        self._signal = signal
        #: Set when the fd fires; replaced by a fresh one each time, so a waiter that comes
        #: back waits for the *next* change.
        self._round = Event()
        self._waiting = 0
        self._watcher: Any = None
        self._hub: Any = None

    def enter(self) -> Event:
        """Start waiting: the Event of the current round (call ``leave`` when done)."""
        self._waiting += 1
        hub = get_hub()
        watcher = self._watcher
        if watcher is None or self._hub is not hub:
            if watcher is not None:
                watcher.stop()
            # A socket moved to another thread waits through that thread's hub.
            watcher = self._watcher = hub.loop.io(self._signal.fileno(), READ)
            self._hub = hub
        if not watcher.active:
            watcher.start(self._on_readable)
        return self._round

    def leave(self) -> None:
        self._waiting -= 1
        if self._waiting <= 0:
            self._waiting = 0
            # Nobody waits: stop draining the fd, so that a user's own selector on FD sees
            # every edge while no green call is blocked.
            if self._watcher is not None:
                self._watcher.stop()

    def wait(self, timeout: float | None) -> bool:
        """Wait for the next change (or ``timeout`` seconds); True when woken."""
        round_ = self.enter()
        try:
            return bool(round_.wait(timeout))
        finally:
            self.leave()

    def notify(self) -> None:
        """Wake every greenlet waiting now; they re-check."""
        if self._waiting:
            round_ = self._round
            self._round = Event()
            round_.set()

    def _on_readable(self) -> None:
        # Runs in the hub: drain first, then wake (see the module docstring).
        self._signal.clear()
        self.notify()

    def stop(self) -> None:
        """The socket is closed: stop watching and wake whoever still waits."""
        self.notify()
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None


__all__ = ["READ", "WRITE", "HubWaits"]
