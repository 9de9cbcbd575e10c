"""The loop ``Wakeup`` (``_engine.wakeup``): calls from other threads coalesce into few kicks,
calls on the loop's own thread need no fd, and there is one per loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

from purezmq._engine.wakeup import Wakeup, for_loop

from ..kit.engine import TIMEOUT


def run(coro_fn: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(coro_fn(), TIMEOUT))


def test_wakeup_coalesces_cross_thread_calls() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        w = Wakeup(loop)
        seen: list[int] = []
        done = asyncio.Event()
        n = 10_000

        produced = threading.Event()

        def produce() -> None:
            for i in range(n):
                w.call_soon(seen.append, i)
            w.call_soon(done.set)
            produced.set()

        t = threading.Thread(target=produce)
        t.start()
        # The loop stays busy until every call is queued: only the first one needs a kick,
        # the others find it pending (how many kicks a free-running loop needs depends on
        # how the two threads are scheduled).
        assert produced.wait(TIMEOUT)
        await done.wait()
        t.join(TIMEOUT)
        assert seen == list(range(n))
        assert w.kicks == 1
        w.close()

    run(main)


def test_wakeup_local_calls_need_no_fd_and_survive_errors() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        errors: list[object] = []
        loop.set_exception_handler(lambda _loop, context: errors.append(context))
        w = Wakeup(loop)
        seen: list[int] = []

        def boom() -> None:
            raise RuntimeError("bad callback")

        w.call_soon(seen.append, 1)
        w.call_soon(boom)
        w.call_soon(seen.append, 2)
        fut = loop.create_future()
        w.call_soon(fut.set_result, None)
        await fut
        assert seen == [1, 2]
        assert w.kicks == 0 and w.local_schedules == 1
        assert len(errors) == 1
        w.close()

    run(main)


def test_for_loop_is_shared_per_loop() -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        assert for_loop(loop) is for_loop(loop)

    run(main)
