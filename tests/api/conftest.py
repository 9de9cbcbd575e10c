"""Drivers that let one behavioural test run against both public APIs.

A test receives ``driver`` and writes its calls once: ``driver.call(sock, "recv")`` is
``sock.recv()`` for the sync API and ``await sock.recv()`` (run on the driver's loop) for the
asyncio API. The asyncio driver runs every call *inside* its loop, as asyncio code would:
sockets are created there (so they live on that loop) and bind/connect happen there too.
It is parametrised over the default asyncio loop and uvloop.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq.testing import wait_subscribed

#: Upper bound for any single driver call that may block (seconds); tests never rely on it.
GUARD = 10.0

_names = itertools.count()


def subscribed(pub: Any, sub: Any, probe: bytes = b"hello") -> None:
    """Publish ``probe`` until a subscription that matches it has reached ``pub`` (blocking
    sockets, purezmq or pyzmq), then read ``sub`` empty: subscriptions travel asynchronously."""
    wait_subscribed(pub, sub, probe)


class Driver:
    """Common surface; see SyncDriver and AsyncDriver."""

    name = "?"
    is_async = False
    ctx: Any
    tmpdir: str

    def socket(self, kind: int, **options: Any) -> Any:
        raise NotImplementedError

    def call(self, sock: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def poller(self) -> Any:
        raise NotImplementedError

    def invoke(self, fn: Callable[[], Any]) -> Any:
        """Call ``fn()``; the asyncio driver runs it on its loop and awaits an awaitable."""
        return fn()

    def blocking(self, fn: Callable[[], Any]) -> Any:
        """Run a blocking call (e.g. on a pyzmq socket). The asyncio driver runs it in a
        thread while its loop keeps running, so purezmq's connections make progress."""
        return fn()

    def poll(self, poller: Any, timeout: int | None = None) -> list[tuple[Any, int]]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def endpoint(self, transport: str) -> str:
        n = next(_names)
        if transport == "inproc":
            return f"inproc://api-{n}"
        if transport == "ipc":
            return f"ipc://{os.path.join(self.tmpdir, f's{n}')}"
        if transport == "ws":
            return f"ws://127.0.0.1:*/api-{n}"
        return "tcp://127.0.0.1:*"

    def pair(self, kind_a: int, kind_b: int, transport: str = "inproc") -> tuple[Any, Any]:
        """``a`` binds, ``b`` connects; both get LINGER 0."""
        a = self.socket(kind_a, linger=0)
        b = self.socket(kind_b, linger=0)
        self.call(a, "bind", self.endpoint(transport))
        addr = self.call(a, "getsockopt_string", purezmq.LAST_ENDPOINT)
        self.call(b, "connect", addr)
        return a, b


class SyncDriver(Driver):
    name = "sync"

    def __init__(self) -> None:
        self.ctx = purezmq.Context()

    def socket(self, kind: int, **options: Any) -> Any:
        sock = self.ctx.socket(kind)
        for k, v in options.items():
            setattr(sock, k, v)
        return sock

    def call(self, sock: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(sock, method)(*args, **kwargs)

    def poller(self) -> Any:
        return purezmq.Poller()

    def poll(self, poller: Any, timeout: int | None = None) -> list[tuple[Any, int]]:
        return poller.poll(timeout)  # type: ignore[no-any-return]

    def close(self) -> None:
        self.ctx.destroy(0)


class AsyncDriver(Driver):
    is_async = True

    def __init__(self, name: str, loop_factory: Callable[[], asyncio.AbstractEventLoop]) -> None:
        self.name = name
        self.loop = loop_factory()
        self.ctx = purezmq.asyncio.Context()

    def run(self, fn: Callable[[], Any]) -> Any:
        """Run ``fn()`` on the loop, awaiting its result when it is awaitable."""

        async def invoke() -> Any:
            result = fn()
            if inspect.isawaitable(result):
                return await asyncio.wait_for(result, GUARD)
            return result

        return self.loop.run_until_complete(invoke())

    def invoke(self, fn: Callable[[], Any]) -> Any:
        return self.run(fn)

    def blocking(self, fn: Callable[[], Any]) -> Any:
        return self.run(lambda: self.loop.run_in_executor(None, fn))

    def socket(self, kind: int, **options: Any) -> Any:
        def make() -> Any:
            sock = self.ctx.socket(kind)
            for k, v in options.items():
                setattr(sock, k, v)
            return sock

        return self.run(make)

    def call(self, sock: Any, method: str, *args: Any, **kwargs: Any) -> Any:
        return self.run(lambda: getattr(sock, method)(*args, **kwargs))

    def poller(self) -> Any:
        return purezmq.asyncio.Poller()

    def poll(self, poller: Any, timeout: int | None = None) -> list[tuple[Any, int]]:
        return self.run(lambda: poller.poll(timeout))  # type: ignore[no-any-return]

    def close(self) -> None:
        try:
            self.run(lambda: self.ctx.destroy(0))
        finally:
            self.loop.close()


def _uvloop_factory() -> asyncio.AbstractEventLoop:
    uvloop = pytest.importorskip("uvloop")
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


DRIVERS = ["sync", "asyncio", "uvloop"]


def make_driver(kind: str) -> Driver:
    if kind == "sync":
        return SyncDriver()
    if kind == "asyncio":
        return AsyncDriver("asyncio", asyncio.new_event_loop)
    return AsyncDriver("uvloop", _uvloop_factory)


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> Iterator[Driver]:
    d = make_driver(request.param)
    with tempfile.TemporaryDirectory(prefix="purezmq-api-") as tmp:
        d.tmpdir = tmp
        try:
            yield d
        finally:
            d.close()


@pytest.fixture(params=["inproc", "ipc", "tcp", "ws"])
def transport(request: pytest.FixtureRequest) -> str:
    if request.param == "ipc" and not purezmq.has("ipc"):
        pytest.skip("ipc not available")
    if request.param == "ws" and not purezmq.has("ws"):
        pytest.skip("ws needs the ws extra (wsproto)")
    return str(request.param)


@pytest.fixture
def ctx(pure_ctx: purezmq.Context) -> purezmq.Context:
    """A purezmq sync context for this directory's tests (``pure_ctx``: LINGER 0 at the end);
    a test file with other needs defines its own."""
    return pure_ctx


# -- asyncio-only tests (test_asyncio.py, test_asyncio_waiters.py) ---------------------------


@pytest.fixture(params=["asyncio", "uvloop"])
def run(request: pytest.FixtureRequest) -> Iterator[Callable[[Callable[[], Awaitable[Any]]], Any]]:
    """Run one test coroutine on a fresh loop of each kind (with an overall guard)."""
    if request.param == "uvloop":
        uvloop = pytest.importorskip("uvloop")
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()

    def runner(fn: Callable[[], Awaitable[Any]]) -> Any:
        async def guarded() -> Any:
            return await asyncio.wait_for(fn(), 10)

        return loop.run_until_complete(guarded())

    try:
        yield runner
    finally:
        loop.close()


def inproc_pair(ctx: Any, a: int = purezmq.PAIR, b: int = purezmq.PAIR) -> tuple[Any, Any]:
    """Two sockets of ``ctx`` (either API), ``a`` bound and ``b`` connected over inproc."""
    s1 = ctx.socket(a)
    s2 = ctx.socket(b)
    s1.linger = s2.linger = 0
    addr = f"inproc://pair-{id(s1)}"
    s1.bind(addr)
    s2.connect(addr)
    return s1, s2


async def aio_pair(
    ctx: purezmq.asyncio.Context, a: int = purezmq.PAIR, b: int = purezmq.PAIR
) -> Any:
    """Two asyncio sockets of ``ctx``, ``a`` bound and ``b`` connected over inproc."""
    return inproc_pair(ctx, a, b)
