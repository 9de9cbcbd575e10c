"""The loop ``Wakeup`` where there are no threads and no file descriptors to watch (Pyodide,
whose WebLoop has no ``add_reader``): calls still run on the loop, in order
(docs/pyodide.md)."""

from __future__ import annotations

import asyncio

import pytest

from purezmq._engine import wakeup


def test_without_threads_the_wakeup_needs_no_fd(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wakeup, "_SINGLE_THREADED", True)
    loop = asyncio.new_event_loop()

    def no_readers(*args: object) -> None:
        raise NotImplementedError("this loop watches no file descriptors")

    monkeypatch.setattr(loop, "add_reader", no_readers)
    monkeypatch.setattr(loop, "remove_reader", no_readers)
    try:
        w = wakeup.Wakeup(loop)
        seen: list[int] = []
        # Before the loop runs (as from Pyodide's runPython), then from inside it.
        w.call_soon(seen.append, 1)
        w.call_soon(seen.append, 2)

        async def more() -> None:
            w.call_soon(seen.append, 3)
            for _ in range(10):
                if len(seen) == 3:
                    return
                await asyncio.sleep(0)

        loop.run_until_complete(asyncio.wait_for(more(), 5))
        assert seen == [1, 2, 3]
        w.close()
    finally:
        loop.close()
