"""The asyncio ``Poller`` (``zmq.asyncio.Poller``): ``await poller.poll(timeout)``.

Registration is synchronous; ``poll`` returns a Future (pyzmq's contract), done at once when
something is ready, else a Task on the caller's loop. asyncio sockets are checked with
``EVENTS`` and waited on through their ``LoopSignal`` (after ``prepare_to_sleep``); plain fds,
objects with ``fileno()`` and sync purezmq sockets (through their wake-up fd) through
``loop.add_reader``/``add_writer``. Any wake-up means "re-check". Results have the sync
``Poller``'s form: a plain item comes back as its fd number.

Layer 4: imports layer 0, the front-ends' base (``_base``) and this front-end's modules only.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any

from .._base.poll import PollerBase, clear_signal, fd_of, poll_fds
from .._base.socket import POLLIN, POLLOUT, SocketBase
from ..constants import PollEvent
from .socket import Socket, _bound

_POLLERR = int(PollEvent.POLLERR)


class Poller(PollerBase):
    """Wait for events on several sockets and fds: ``poll`` returns an ``asyncio.Future``."""

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        """The loop ``poll`` makes its Futures on: the running one (pyzmq's ``_get_loop``)."""
        return asyncio.get_running_loop()

    def poll(self, timeout: float | None = None) -> asyncio.Future[list[tuple[Any, int]]]:
        """A Future of ``[(item, events)]`` for the items ready within ``timeout`` ms (None or
        negative: no limit); an empty list on timeout. As pyzmq's: a purezmq socket is
        reported as registered, any other item by its file descriptor (an ``int``).

        Done at once when something is ready (or ``timeout`` is 0); otherwise a Task that
        waits on the sockets' wake-ups and the fds (cancel it to stop polling).
        """
        loop = asyncio.get_running_loop()
        asocks: list[tuple[Socket, int]] = []
        ssocks: list[tuple[SocketBase, int]] = []
        plain: list[tuple[Any, int, int]] = []
        order: list[Any] = []  # the items as registered: sockets, and fd numbers
        for obj, flags in self.sockets:
            if isinstance(obj, SocketBase) and obj.closed and obj._core.closed_by_owner:
                continue  # reports nothing, as in the blocking Poller
            if isinstance(obj, Socket) and obj._loop_owned:
                asocks.append((obj, flags))
                order.append(obj)
            elif isinstance(obj, SocketBase):
                ssocks.append((obj, flags))
                order.append(obj)
            else:
                fd = fd_of(obj)
                plain.append((fd, fd, flags))
                order.append(fd)
        fut: asyncio.Future[list[tuple[Any, int]]]
        try:
            ready = _in_order(_ready_now(asocks, ssocks, plain), order)
        except Exception as exc:
            fut = loop.create_future()
            fut.set_exception(exc)
            return fut
        if ready or timeout == 0:
            fut = loop.create_future()
            fut.set_result(ready)
            return fut
        return loop.create_task(_poll(loop, asocks, ssocks, plain, order, timeout))


def _in_order(ready: list[tuple[Any, int]], order: list[Any]) -> list[tuple[Any, int]]:
    """``ready`` in registration order, as pyzmq's ``zmq_poll`` reports it."""
    if len(ready) < 2:
        return ready
    rank = {id(item): i for i, item in reversed(list(enumerate(order)))}
    return sorted(ready, key=lambda pair: rank.get(id(pair[0]), len(order)))


def _ready_now(
    asocks: list[tuple[Socket, int]],
    ssocks: list[tuple[SocketBase, int]],
    plain: list[tuple[Any, int, int]],
) -> list[tuple[Any, int]]:
    """What is ready now, in registration order by kind (never waits)."""
    ready: list[tuple[Any, int]] = []
    for asock, flags in asocks:
        ev = asock._events_now() & flags
        if ev:
            ready.append((asock, ev))
    for sock, flags in ssocks:
        ev = sock._events() & flags
        if ev:
            ready.append((sock, ev))
    if plain:
        fds: dict[int, int] = {}
        for _, fd, flags in plain:
            fds[fd] = fds.get(fd, 0) | flags
        fd_ready = poll_fds(fds, 0)
        for _, fd, flags in plain:
            # libzmq reports an fd's error conditions whatever was asked (``zmq_poll``).
            ev = fd_ready.get(fd, 0) & (flags | _POLLERR)
            if ev:
                ready.append((fd, ev))
    return ready


async def _poll(
    loop: asyncio.AbstractEventLoop,
    asocks: list[tuple[Socket, int]],
    ssocks: list[tuple[SocketBase, int]],
    plain: list[tuple[Any, int, int]],
    order: list[Any],
    timeout: float | None,
) -> list[tuple[Any, int]]:
    """Re-check after every wake-up until something is ready or ``timeout`` ms pass."""
    forever = timeout is None or timeout < 0
    deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
    plain_fds: dict[int, int] = {}
    for _, fd, flags in plain:
        plain_fds[fd] = plain_fds.get(fd, 0) | flags
    while True:
        ready = _in_order(_ready_now(asocks, ssocks, plain), order)
        if ready:
            return ready
        remaining: float | None = None
        if deadline is not None:
            remaining = deadline - monotonic()
            if remaining <= 0:
                return []
        signals = [_bound(sock._signal) for sock, _ in asocks]
        if not all(sock._core.prepare_to_sleep() for sock, _ in (*asocks, *ssocks)):
            continue
        await _wait_any(loop, signals, [sock for sock, _ in ssocks], plain_fds, remaining)


async def _wait_any(
    loop: asyncio.AbstractEventLoop,
    signals: list[Any],
    ssocks: list[SocketBase],
    plain_fds: dict[int, int],
    timeout: float | None,
) -> None:
    """Until one signal fires or one fd is ready (or ``timeout`` seconds pass)."""
    done: asyncio.Future[None] = loop.create_future()

    def fire() -> None:
        if not done.done():
            done.set_result(None)

    waiters = [sig.waiter() for sig in signals]
    for w in waiters:
        w.add_done_callback(lambda _f: fire())
    readers: list[int] = []
    writers: list[int] = []
    for sock in ssocks:
        fd = sock._signal_fileno()
        loop.add_reader(fd, fire)
        readers.append(fd)
    for fd, flags in plain_fds.items():
        if flags & POLLIN:
            loop.add_reader(fd, fire)
            readers.append(fd)
        if flags & POLLOUT:
            loop.add_writer(fd, fire)
            writers.append(fd)
    try:
        if timeout is None:
            await done
        else:
            try:  # noqa: SIM105
                await asyncio.wait_for(done, timeout)
            except asyncio.TimeoutError:
                pass
    finally:
        for fd in readers:
            loop.remove_reader(fd)
        for fd in writers:
            loop.remove_writer(fd)
        for sig, w in zip(signals, waiters, strict=True):
            if not w.done():
                w.cancel()
            if w in sig._waiters:
                sig._waiters.remove(w)
        for sock in ssocks:
            clear_signal(sock)


__all__ = ["Poller"]
