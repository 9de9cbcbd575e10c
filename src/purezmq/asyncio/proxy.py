"""``proxy`` and ``proxy_steerable`` for asyncio sockets: coroutines on the running loop.

The same device as the blocking ``purezmq.proxy`` / ``purezmq.proxy_steerable``: every message
read on one side is sent whole to the other (read once and sent back when both are the same
socket), a copy goes to ``capture`` first, and ``control`` steers it with libzmq 4.3.5's
commands, replies and counters (``purezmq._proxy_steering``). ``proxy_steerable`` returns after
``TERMINATE``; both raise ``ContextTerminated`` when the Context ends, and stop when their task
is cancelled. pyzmq has no asyncio proxy: this one is purezmq's.
"""

from __future__ import annotations

from typing import Any

from .._proxy_steering import Counters, Steering, watch_lists
from ..constants import PollEvent
from .poll import Poller

_POLLIN = int(PollEvent.POLLIN)


async def _forward(
    src: Any, dst: Any, capture: Any, steering: Steering, counts: tuple[Counters, Counters]
) -> None:
    msg = await src.recv_multipart()
    if capture is not None:
        await capture.send_multipart(msg)
    await dst.send_multipart(msg)
    steering.forwarded(msg, *counts)


async def _run(frontend: Any, backend: Any, capture: Any, control: Any) -> None:
    active, idle = watch_lists(Poller, frontend, backend, control)
    steering = Steering()
    front_to_back = (steering.frontend, steering.backend)
    back_to_front = (steering.backend, steering.frontend)
    while True:
        ready = dict(await (idle if steering.paused else active).poll())
        if control is not None and ready.get(control, 0) & _POLLIN:
            reply = steering.command(await control.recv_multipart(), control.type)
            if reply is not None:
                await control.send_multipart(reply)
            if steering.terminated:
                return
            continue  # commands first: a PAUSE read with traffic applies before it
        if ready.get(frontend, 0) & _POLLIN:
            await _forward(frontend, backend, capture, steering, front_to_back)
        if backend is not frontend and ready.get(backend, 0) & _POLLIN:
            await _forward(backend, frontend, capture, steering, back_to_front)


async def proxy(frontend: Any, backend: Any, capture: Any = None) -> None:
    """Forward messages between two asyncio sockets until the Context ends (or the task is
    cancelled)."""
    await _run(frontend, backend, capture, None)


async def proxy_steerable(
    frontend: Any, backend: Any, capture: Any = None, control: Any = None
) -> None:
    """``proxy`` steered by PAUSE, RESUME, TERMINATE and STATISTICS on ``control``; returns
    after TERMINATE."""
    await _run(frontend, backend, capture, control)


__all__ = ["proxy", "proxy_steerable"]
