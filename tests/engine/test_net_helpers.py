"""A stand-in for ``SocketCore`` so the network side can be tested on its own.

It implements the hooks of contracts.md ("Inside the engine"): pipes from ``pipe_pair`` with the
socket's HWMs, ``attach_pipe``/``pipe_disconnected`` recorded, monitor events collected; all on
the running loop. Waiting is always on a condition with a bounded timeout (never a sleep).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from purezmq.constants import Event, SocketType
from purezmq.options import SocketOptions
from purezmq.patterns.pipe import Pipe, pipe_pair
from purezmq.zmtp.bodies import BodyPool

TIMEOUT = 10.0


class StubCore:
    def __init__(self, socket_type: int, **options: Any) -> None:
        self.loop = asyncio.get_running_loop()
        self.socket_type = SocketType(socket_type)
        self.options: Any = SocketOptions(self.socket_type)
        for name, value in options.items():
            setattr(self.options, name, value)
        self.events: list[tuple[int, int, str]] = []
        self.attached: list[Pipe] = []  # socket ends
        self.disconnected: list[tuple[Pipe, bool]] = []
        self.sessions: dict[Any, Pipe] = {}
        self._changed = asyncio.Event()
        self.direct_writes = 0
        self.bodies = BodyPool()

    # -- hooks ----------------------------------------------------------------------------------

    def call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def _make(self) -> Pipe:
        s_end, e_end = pipe_pair(self.options.sndhwm, self.options.rcvhwm)
        s_end.on_read_activated = self._poke_pipe
        s_end.on_write_activated = self._poke_pipe
        return e_end

    def new_pipe(self) -> Pipe:
        return self._make()

    def session_pipe(self, connecter: Any) -> Pipe:
        if connecter not in self.sessions:
            self.sessions[connecter] = self._make()
        return self.sessions[connecter]

    def attach_pipe(self, engine_end: Pipe) -> None:
        if engine_end.peer not in self.attached:
            self.attached.append(engine_end.peer)
        self._poke()

    def pipe_disconnected(self, engine_end: Pipe, reconnecting: bool) -> None:
        self.disconnected.append((engine_end, reconnecting))
        if not reconnecting and engine_end.peer in self.attached:
            self.attached.remove(engine_end.peer)
        self._poke()

    def emit(self, event: int, value: int, endpoint: str) -> None:
        self.events.append((event, value, endpoint))
        self._poke()

    # -- test helpers ---------------------------------------------------------------------------

    def _poke(self) -> None:
        self._changed.set()

    def _poke_pipe(self, pipe: Pipe) -> None:
        self._changed.set()

    async def until(self, predicate: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever something happened)."""
        deadline = self.loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            self._changed.clear()
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; events={self.named_events()}")
            # Re-check at least every 50 ms: some conditions (a transport finishing its close)
            # do not come with a notification.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    def count(self, event: int) -> int:
        return sum(1 for e, _, _ in self.events if e == event)

    async def event(self, event: int, n: int = 1, timeout: float = TIMEOUT) -> int:
        """Wait for the n-th occurrence of ``event``; returns its value."""
        await self.until(lambda: self.count(event) >= n, timeout)
        return [v for e, v, _ in self.events if e == event][n - 1]

    def named_events(self) -> list[tuple[str, int]]:
        return [(Event(e).name or str(e), v) for e, v, _ in self.events]

    async def recv(self, pipe: Pipe, timeout: float = TIMEOUT) -> list[bytes]:
        box: list[list[bytes]] = []

        def ready() -> bool:
            msg = pipe.read()
            if msg is None:
                return False
            box.append(msg)
            return True

        await self.until(ready, timeout)
        return box[0]

    async def closed(self, *objs: Any) -> None:
        """Wait until listeners/connecters have no live connection left (their transports are
        closed), so that no socket outlives the test's event loop."""

        def idle() -> bool:
            for obj in objs:
                if getattr(obj, "peer", None) is not None:
                    return False
                if getattr(obj, "peers", None):
                    return False
            return True

        await self.until(idle)

    async def pipe(self, index: int = 0) -> Pipe:
        await self.until(lambda: len(self.attached) > index)
        return self.attached[index]
