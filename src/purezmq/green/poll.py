"""The gevent-cooperative ``Poller`` and ``select`` (pyzmq's ``zmq.green.Poller``).

Same items and results as the blocking ``Poller``: purezmq sockets are checked with EVENTS,
plain fds (``int`` or ``fileno()``) with a zero-timeout ``poll(2)``. When nothing is ready the
poller declares each socket's owner asleep and waits through gevent's hub, never blocking the
process: on the green sockets' shared waits (``_hub.HubWaits``), on the wake-up fd of any other
purezmq socket, and on io watchers for the plain fds. Any of them firing means "re-check".

Layer 4: imports layer 0, the front-ends' base, gevent and the blocking front-end's public
``Poller``.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from gevent.event import Event
from gevent.hub import get_hub

from .._base.poll import clear_signal, poll_fds, poll_items, ready_items
from .._base.socket import POLLIN, POLLOUT, SocketBase
from ..constants import PollEvent
from ..sync import Poller as _BlockingPoller
from ._hub import READ, WRITE, HubWaits

_POLLERR = int(PollEvent.POLLERR)


def _libev_events(flags: int) -> int:
    events = 0
    if flags & (POLLIN | _POLLERR):
        events |= READ
    if flags & POLLOUT:
        events |= WRITE
    return events or READ


class Poller(_BlockingPoller):
    """Wait for events on several sockets and fds, blocking only the calling greenlet.

    A blocking ``Poller`` (as pyzmq's green one is a ``zmq.Poller``) whose ``poll`` waits
    through the hub."""

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: forever) for registered events.

        Returns ``[(socket, events), ...]`` for the items that are ready, possibly empty.
        """
        forever = timeout is None or timeout < 0
        deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
        items, plain_fds = poll_items(self.sockets)
        zsocks = [(sock, flags) for sock, _, flags in items if sock is not None]

        while True:
            ready = ready_items(items, poll_fds(plain_fds, 0) if plain_fds else {})
            if ready:
                return ready
            remaining: float | None = None
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return []
            if not all(sock._core.prepare_to_sleep() for sock, _ in zsocks):
                continue  # work arrived between the check and the declaration: re-check
            _wait_any(zsocks, plain_fds, remaining)


def _wait_any(
    zsocks: list[tuple[SocketBase, int]], plain_fds: dict[int, int], timeout: float | None
) -> None:
    """Wait in the hub until one item may have changed, or ``timeout`` seconds."""
    woken = Event()

    def wake(*_: Any) -> None:
        woken.set()

    hub = get_hub()
    entered: list[tuple[HubWaits, Event]] = []
    others: list[SocketBase] = []
    watchers: list[Any] = []
    try:
        for sock, _ in zsocks:
            waits = getattr(sock, "_waits", None)
            if isinstance(waits, HubWaits):
                round_ = waits.enter()
                entered.append((waits, round_))
                round_.rawlink(wake)
            else:
                # A blocking or asyncio socket in a green poll: watch its wake-up fd.
                others.append(sock)
                watcher = hub.loop.io(sock._signal_fileno(), READ)
                watcher.start(wake)
                watchers.append(watcher)
        for fd, flags in plain_fds.items():
            watcher = hub.loop.io(fd, _libev_events(flags))
            watcher.start(wake)
            watchers.append(watcher)
        woken.wait(timeout)
    finally:
        for waits, round_ in entered:
            round_.unlink(wake)
            waits.leave()
        for watcher in watchers:
            watcher.stop()
        for sock in others:
            clear_signal(sock)


#: pyzmq's name for it in ``zmq.green.poll``.
_Poller = Poller


def zmq_poll(sockets: list[tuple[Any, int]], timeout: float | None = -1) -> list[tuple[Any, int]]:
    """pyzmq's low-level ``zmq_poll``: ``[(socket_or_fd, flags)]``, ``timeout`` in ms."""
    poller = Poller()
    for s, flags in sockets:
        poller.register(s, flags)
    return poller.poll(timeout)


def select(
    rlist: list[Any], wlist: list[Any], xlist: list[Any], timeout: float | None = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """``select``-style wait over sockets and fds; ``timeout`` in seconds (None: forever)."""
    if timeout is None:
        timeout = -1
    poller = Poller()
    for s in {*rlist, *wlist, *xlist}:
        flags = 0
        if s in rlist:
            flags |= POLLIN
        if s in wlist:
            flags |= POLLOUT
        if s in xlist:
            flags |= _POLLERR
        poller.register(s, flags)
    events = dict(poller.poll(timeout * 1000 if timeout >= 0 else -1))
    return (
        [s for s in rlist if events.get(s, 0) & POLLIN],
        [s for s in wlist if events.get(s, 0) & POLLOUT],
        [s for s in xlist if events.get(s, 0) & _POLLERR],
    )


__all__ = ["Poller", "select", "zmq_poll"]
