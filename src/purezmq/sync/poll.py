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

Layer 4: imports layer 0, ``_sugar`` and ``_engine.signal`` (to tell thread-owned sockets
from loop-owned ones).
"""

from __future__ import annotations

import select as _select
from time import monotonic
from typing import Any

from .._engine.signal import ThreadSignal
from .._sugar import POLLIN, POLLOUT, SocketBase
from ..constants import PollEvent

_POLLERR = int(PollEvent.POLLERR)
_POLLPRI = int(PollEvent.POLLPRI)
_HAVE_POLL = hasattr(_select, "poll")


def _fd_of(obj: Any) -> int:
    """The fd of a plain poll item; TypeError/ValueError as pyzmq's ``zmq_poll`` raises."""
    if isinstance(obj, int):
        return obj
    fileno = getattr(obj, "fileno", None)
    if fileno is None:
        raise TypeError(
            f"cannot poll {obj!r}: not a purezmq socket, an fd or an object with fileno()"
        )
    try:
        return int(fileno())
    except Exception as exc:
        raise ValueError(f"cannot poll {obj!r}: fileno() must return a valid integer fd") from exc


#: One poll item: ``(socket, -1, flags)`` for a purezmq socket, ``(None, fd, flags)`` otherwise.
_Item = tuple[SocketBase | None, int, int]


def _items(pairs: list[tuple[Any, int]]) -> tuple[list[_Item], dict[int, int]]:
    """Split ``(socket_or_fd, flags)`` pairs into poll items and ``{fd: flags}`` of the fds."""
    items: list[_Item] = []
    fds: dict[int, int] = {}
    for obj, flags in pairs:
        if isinstance(obj, SocketBase):
            items.append((obj, -1, flags))
        else:
            fd = _fd_of(obj)
            items.append((None, fd, flags))
            fds[fd] = fds.get(fd, 0) | flags
    return items, fds


def _ready(items: list[_Item], fd_ready: dict[int, int]) -> list[tuple[Any, int]]:
    """The ready items, in order: ``(socket, events)`` or ``(fd, events)`` (pyzmq's form)."""
    out: list[tuple[Any, int]] = []
    for sock, fd, flags in items:
        if sock is not None:
            ev = sock._events() & flags
            if ev:
                out.append((sock, ev))
        else:
            # libzmq reports an fd's error conditions whatever was asked (``zmq_poll``).
            ev = fd_ready.get(fd, 0) & (flags | _POLLERR)
            if ev:
                out.append((fd, ev))
    return out


def _os_events(flags: int) -> int:
    mask = 0
    if flags & POLLIN:
        mask |= _select.POLLIN
    if flags & POLLOUT:
        mask |= _select.POLLOUT
    if flags & _POLLPRI:
        mask |= _select.POLLPRI
    return mask


def _zmq_events(revents: int) -> int:
    """libzmq ``zmq_poll``: IN/OUT/PRI as such, anything else (ERR, HUP, NVAL) as POLLERR."""
    events = 0
    if revents & _select.POLLIN:
        events |= POLLIN
    if revents & _select.POLLOUT:
        events |= POLLOUT
    if revents & _select.POLLPRI:
        events |= _POLLPRI
    if revents & ~(_select.POLLIN | _select.POLLOUT | _select.POLLPRI):
        events |= _POLLERR
    return events


def _poll_fds(fds: dict[int, int], timeout: float | None) -> dict[int, int]:
    """One ``poll(2)`` over ``{fd: zmq flags}``; ``timeout`` in seconds (None: forever)."""
    if not fds:
        return {}
    if _HAVE_POLL:
        poller = _select.poll()
        for fd, flags in fds.items():
            poller.register(fd, _os_events(flags))
        ms = None if timeout is None else max(0, int(timeout * 1000 + 0.999))
        return {fd: _zmq_events(rev) for fd, rev in poller.poll(ms)}
    # Windows: select() on sockets only.  # pragma: no cover
    rl = [fd for fd, f in fds.items() if f & POLLIN]
    wl = [fd for fd, f in fds.items() if f & POLLOUT]
    r, w, x = _select.select(rl, wl, list(fds), timeout)
    out: dict[int, int] = {}
    for fd in r:
        out[fd] = out.get(fd, 0) | POLLIN
    for fd in w:
        out[fd] = out.get(fd, 0) | POLLOUT
    for fd in x:
        out[fd] = out.get(fd, 0) | _POLLERR
    return out


def _clear_signal(sock: SocketBase) -> None:
    clear = getattr(sock._signal, "clear", None)
    if clear is not None:
        clear()


class Poller:
    """Wait for events on several sockets and fds at once (``zmq.Poller``)."""

    def __init__(self) -> None:
        #: ``(socket_or_fd, flags)`` pairs in registration order, as in pyzmq.
        self.sockets: list[tuple[Any, int]] = []
        self._map: dict[Any, int] = {}

    def __contains__(self, socket: Any) -> bool:
        return socket in self._map

    def register(self, socket: Any, flags: int = POLLIN | POLLOUT) -> None:
        """Watch ``socket`` (or an fd) for ``flags``; ``flags=0`` unregisters."""
        if flags:
            if socket in self._map:
                idx = self._map[socket]
                self.sockets[idx] = (socket, flags)
            else:
                self.sockets.append((socket, flags))
                self._map[socket] = len(self.sockets) - 1
        elif socket in self._map:
            self.unregister(socket)

    def modify(self, socket: Any, flags: int = POLLIN | POLLOUT) -> None:
        """Change the flags of a registered socket."""
        self.register(socket, flags)

    def unregister(self, socket: Any) -> None:
        """Stop watching ``socket``; KeyError if it was not registered."""
        idx = self._map.pop(socket)
        self.sockets.pop(idx)
        for s, i in list(self._map.items()):
            if i > idx:
                self._map[s] = i - 1

    def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: forever) for registered events.

        Returns ``[(socket, events), ...]`` for the items that are ready, possibly empty.
        """
        forever = timeout is None or timeout < 0
        deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
        items, plain_fds = _items(self.sockets)
        zsocks = [sock for sock, _, _ in items if sock is not None]

        while True:
            ready = _ready(items, _poll_fds(plain_fds, 0) if plain_fds else {})
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
            _poll_fds(wait_fds, remaining)
            for sock in zsocks:
                _clear_signal(sock)


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
