"""``Poller`` and ``select`` (``zmq.Poller``, ``zmq.select``) for blocking code.

A poll item is either a purezmq socket or anything with an OS file descriptor (an ``int`` or an
object with ``fileno()``). As in pyzmq (and ``select.poll``), a ready item that is not a purezmq
socket is reported by its fd number, whichever way it was registered: programs index the result
by ``sock.fileno()``. Results keep the registration order.

Sockets are checked with ``EVENTS`` (which runs their pending engine work first); fds with a
zero-timeout ``poll(2)``. When nothing is ready each socket declares its owner asleep
(``prepare_to_sleep``: False means work arrived, so re-check instead) and one ``poll(2)`` waits
on the sockets' wake-up fds together with the plain fds. A wake-up only means "re-check",
exactly like libzmq's ``ZMQ_FD``, so spurious ones are harmless.

Layer 4: imports layer 0, the front-ends' base and ``_engine.signal`` (to tell thread-owned
sockets from loop-owned ones).
"""

from __future__ import annotations

import threading
from time import monotonic
from typing import Any

from .._base.poll import PollerBase, clear_signal, poll_fds, poll_items, ready_items
from .._base.socket import POLLIN, POLLOUT
from .._engine.signal import ThreadSignal
from ..constants import PollEvent
from .socket import Socket

_POLLERR = int(PollEvent.POLLERR)


class Poller(PollerBase):
    """Wait for events on several sockets and fds at once (``zmq.Poller``)."""

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: forever) for registered events.

        Returns ``[(socket, events), ...]`` for the items that are ready, possibly empty.
        """
        forever = timeout is None or timeout < 0
        deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
        items, plain_fds = poll_items(self.sockets)
        zsocks = [sock for sock, _, _ in items if sock is not None]
        me = threading.get_ident()
        for sock in zsocks:
            # The polling thread uses these sockets now (``Socket._owner``).
            if isinstance(sock, Socket):
                sock._owner = me

        while True:
            ready = ready_items(items, poll_fds(plain_fds, 0) if plain_fds else {})
            if ready:
                return ready
            remaining: float | None = None
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return []
            if not all(sock._core.prepare_to_sleep() for sock in zsocks):
                continue  # work arrived between the check and the declaration: re-check
            if len(zsocks) == 1 and not plain_fds:
                signal = zsocks[0]._signal
                if isinstance(signal, ThreadSignal):
                    signal.wait(remaining)  # no fd needed for one sync socket
                    continue
            # Several items (or an asyncio socket): one poll(2) over the wake-up fds.
            wait_fds = dict(plain_fds)
            for sock in zsocks:
                wait_fds[sock._signal_fileno()] = POLLIN
            poll_fds(wait_fds, remaining)
            for sock in zsocks:
                clear_signal(sock)


def zmq_poll(sockets: list[tuple[Any, int]], timeout: float | None = -1) -> list[tuple[Any, int]]:
    """pyzmq's low-level ``zmq_poll``: ``[(socket_or_fd, flags)]``, ``timeout`` in ms.

    Every pair is one poll item, as given (a repeated item is reported once per pair).
    """
    poller = Poller()
    poller.sockets = list(sockets)
    return poller.poll(timeout)


def select(
    rlist: list[Any], wlist: list[Any], xlist: list[Any], timeout: float | None = None
) -> tuple[list[Any], list[Any], list[Any]]:
    """``select``-style wait over sockets and fds; ``timeout`` in seconds (None: forever).

    Like pyzmq's, the lists hold the ready purezmq sockets and the fd numbers of the ready
    plain items (a ``socket.socket`` comes back as its ``fileno()``).
    """
    if timeout is None:
        timeout = -1
    pairs: list[tuple[Any, int]] = []
    for s in dict.fromkeys([*rlist, *wlist, *xlist]):
        flags = 0
        if s in rlist:
            flags |= POLLIN
        if s in wlist:
            flags |= POLLOUT
        if s in xlist:
            flags |= _POLLERR
        pairs.append((s, flags))
    ready = zmq_poll(pairs, timeout * 1000 if timeout >= 0 else -1)
    return (
        [s for s, ev in ready if ev & POLLIN],
        [s for s, ev in ready if ev & POLLOUT],
        [s for s, ev in ready if ev & _POLLERR],
    )


__all__ = ["Poller", "select", "zmq_poll"]
