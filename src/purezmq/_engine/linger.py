"""LINGER accounting: a closed socket's connections that still flush hold ``term()`` (and, for
an asyncio socket closed on its own running loop, that loop's shutdown) until they are done or
their LINGER expired (contracts.md, "Close/LINGER"; docs/architecture.md §8).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .context import ContextCore


def linger_token(
    ctx: ContextCore, owner_loop: asyncio.AbstractEventLoop | None
) -> Callable[[], None]:
    """Tell ``ctx`` a LINGER flush starts; returns the once-only "it ended" call.

    ``owner_loop``: the loop of an asyncio socket that runs its own connections, else None.
    """
    ctx.linger_begin()
    release = hold_loop_open(owner_loop, ctx.flush_progress)
    called = False

    def done() -> None:
        nonlocal called
        if not called:
            called = True
            ctx.linger_end()
            if release is not None:
                release()

    return done


#: Once the loop is shutting down, seconds without progress after which a LINGER flush is
#: abandoned (the interpreter-exit rule of docs/lifecycle.md: a gone peer never hangs an exit).
SHUTDOWN_STALL = 2.0


async def until_flushed(
    flushed: asyncio.Future[None], progress: Callable[[], object] | None = None
) -> None:
    """Finishes when a LINGER flush does, or, once cancelled, when it stops moving
    (``progress()`` changes while bytes still leave)."""
    shutting_down = False
    last: object = None
    last_change = 0.0
    while not flushed.done():
        try:
            if not shutting_down:
                await asyncio.shield(flushed)
            else:
                await asyncio.wait_for(asyncio.shield(flushed), SHUTDOWN_STALL / 8)
        except asyncio.CancelledError:
            # asyncio.run() (and uvloop.run) cancel every task on the way out, then wait for
            # them to finish: carrying on keeps the loop running until the flush ends or its
            # LINGER expires, as libzmq's term() blocks until then — but, as at interpreter
            # exit, not for a flush that makes no progress (LINGER -1 to a peer that is gone).
            if not shutting_down:
                shutting_down = True
                last = progress() if progress is not None else None
                last_change = asyncio.get_running_loop().time()
            continue
        except asyncio.TimeoutError:
            now_progress = progress() if progress is not None else None
            now = asyncio.get_running_loop().time()
            if now_progress != last:
                last, last_change = now_progress, now
            elif now - last_change >= SHUTDOWN_STALL:
                return


def hold_loop_open(
    loop: asyncio.AbstractEventLoop | None, progress: Callable[[], object] | None = None
) -> Callable[[], None] | None:
    """For a socket of the asyncio API closed on its running loop (which runs its
    connections): a task that lives as long as the LINGER flush, so that the loop's shutdown
    waits for the flush instead of dropping queued messages. Returns its release call (safe
    from any thread), or None when the socket's connections run on the I/O thread."""
    if loop is None:
        return None
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        return None
    if running is not loop:
        return None
    flushed: asyncio.Future[None] = loop.create_future()
    loop.create_task(until_flushed(flushed, progress))
    thread = threading.get_ident()

    def release() -> None:
        if threading.get_ident() == thread:
            if not flushed.done():
                flushed.set_result(None)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(release)

    return release


__all__ = ["SHUTDOWN_STALL", "hold_loop_open", "linger_token", "until_flushed"]
