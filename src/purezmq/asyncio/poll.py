"""The asyncio ``Poller`` (``zmq.asyncio.Poller``): ``await poller.poll(timeout)``.

Registration is synchronous; ``poll`` is a coroutine that runs on the caller's loop. asyncio
sockets are checked with ``EVENTS`` and waited on through their ``LoopSignal`` (after
``prepare_to_sleep``); plain fds, objects with ``fileno()`` and sync purezmq sockets (through
their wake-up fd) through ``loop.add_reader``/``add_writer``. Any wake-up means "re-check".
Results have the sync ``Poller``'s form: a plain item comes back as its fd number.

Layer 4: imports layer 0, the front-ends' base (``_base``) and this front-end's modules only.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any

from .._base.poll import PollerBase, clear_signal, poll_fds, poll_items, ready_items
from .._base.socket import POLLIN, POLLOUT, SocketBase
from .socket import Socket, _bound


class Poller(PollerBase):
    """Wait for events on several asyncio sockets and fds (``poll`` is a coroutine)."""

    async def poll(self, timeout: float | None = None) -> list[tuple[Any, int]]:
        """Wait up to ``timeout`` ms (None or negative: forever); ``[(socket, events)]``."""
        loop = asyncio.get_running_loop()
        forever = timeout is None or timeout < 0
        deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
        items, plain_fds = poll_items(self.sockets)
        asocks = [sock for sock, _, _ in items if isinstance(sock, Socket)]
        ssocks = [sock for sock, _, _ in items if sock is not None and not isinstance(sock, Socket)]

        while True:
            ready = ready_items(items, poll_fds(plain_fds, 0) if plain_fds else {})
            if ready:
                return ready
            remaining: float | None = None
            if deadline is not None:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return []
            signals = [_bound(sock._signal) for sock in asocks]
            if not all(sock._core.prepare_to_sleep() for sock in (*asocks, *ssocks)):
                continue
            await _wait_any(loop, signals, ssocks, plain_fds, remaining)


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
