"""What every front-end's ``Poller`` shares: registration of poll items, and the translation
between libzmq's poll flags and the OS's for plain file descriptors.

A poll item is either a purezmq socket or anything with an OS file descriptor (an ``int`` or an
object with ``fileno()``). Each front-end's ``Poller`` adds only its way of waiting.

Layer 4 base: imports layer 0 only.
"""

from __future__ import annotations

import select as _select
from typing import Any

from ..constants import PollEvent
from .socket import POLLIN, POLLOUT, SocketBase

_POLLERR = int(PollEvent.POLLERR)
_POLLPRI = int(PollEvent.POLLPRI)
_HAVE_POLL = hasattr(_select, "poll")


def fd_of(obj: Any) -> int:
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
PollItem = tuple[SocketBase | None, int, int]


def poll_items(pairs: list[tuple[Any, int]]) -> tuple[list[PollItem], dict[int, int]]:
    """Split ``(socket_or_fd, flags)`` pairs into poll items and ``{fd: flags}`` of the fds."""
    items: list[PollItem] = []
    fds: dict[int, int] = {}
    for obj, flags in pairs:
        if isinstance(obj, SocketBase):
            if obj.closed and obj._core.closed_by_owner:
                # A socket closed while registered reports nothing (pyzmq's zmq_poll does not
                # fail on it either: aiozmq closes sockets its selector still polls). One closed
                # by the end of its Context still raises ETERM, which pollers stop on.
                continue
            items.append((obj, -1, flags))
        else:
            fd = fd_of(obj)
            items.append((None, fd, flags))
            fds[fd] = fds.get(fd, 0) | flags
    return items, fds


def ready_items(items: list[PollItem], fd_ready: dict[int, int]) -> list[tuple[Any, int]]:
    """The ready items, in order: ``(socket, events)`` or ``(fd, events)``: as in pyzmq (and
    ``select.poll``), a ready item that is not a purezmq socket is reported by its fd number,
    whichever way it was registered; programs index the result by ``sock.fileno()``."""
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


def poll_fds(fds: dict[int, int], timeout: float | None) -> dict[int, int]:
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


def clear_signal(sock: SocketBase) -> None:
    clear = getattr(sock._signal, "clear", None)
    if clear is not None:
        clear()


class PollerBase:
    """Registration of sockets and fds (``zmq.Poller`` without its ``poll``)."""

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


__all__ = [
    "PollItem",
    "PollerBase",
    "clear_signal",
    "fd_of",
    "poll_fds",
    "poll_items",
    "ready_items",
]
