"""Helpers for the tornado integration tests: each test runs one coroutine on a fresh loop.

tornado ≥ 6 runs on asyncio, so ``asyncio.run`` gives the coroutine a tornado ``IOLoop``
(``IOLoop.current()`` wraps the running loop). Every wait is bounded by ``GUARD``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from purezmq.constants import PAIR

pytest.importorskip("tornado")

T = TypeVar("T")

#: Upper bound of any one test's coroutine (seconds); the tests never rely on it.
GUARD = 10.0


def inproc_pair(ctx: Any, name: str) -> tuple[Any, Any]:
    """Two PAIR sockets of ``ctx`` joined over ``inproc://name``: the first binds."""
    a = ctx.socket(PAIR)
    b = ctx.socket(PAIR)
    a.bind(f"inproc://{name}")
    b.connect(f"inproc://{name}")
    return a, b


def run(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main()`` on a new event loop, failing after ``GUARD`` seconds."""

    async def guarded() -> T:
        return await asyncio.wait_for(main(), GUARD)

    return asyncio.run(guarded())


class Collector:
    """Collects callback arguments; ``await wait(n)`` until ``n`` were collected."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._event = asyncio.Event()
        self._want = 0

    def __call__(self, *args: Any) -> None:
        self.items.append(args[0] if len(args) == 1 else args)
        if len(self.items) >= self._want:
            self._event.set()

    async def wait(self, n: int) -> list[Any]:
        self._want = n
        if len(self.items) < n:
            self._event.clear()
            await asyncio.wait_for(self._event.wait(), GUARD)
        return self.items
