"""An asyncio socket closed after the event loop it ran on was closed (jupyter_client's
heartbeat channel runs a loop per thread, closes that loop, then closes its socket).

pyzmq closes such a socket quietly. purezmq's connecter cancels its connect Task through the
closed loop (``Connecter._cancel_attempts`` → ``Task.cancel`` → ``loop.call_soon``), so
``close()`` raises ``RuntimeError: Event loop is closed`` and the Task is reported destroyed
while pending.
"""

from __future__ import annotations

import asyncio
import socket

import pytest

import purezmq
import purezmq.asyncio as azmq


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.xfail(
    strict=True,
    raises=RuntimeError,
    reason="engine: Connecter.close cancels its connect Task on the closed loop",
)
def test_an_asyncio_socket_closes_after_its_loop_was_closed() -> None:
    ctx = azmq.Context()
    loop = asyncio.new_event_loop()

    async def make() -> azmq.Socket:
        sock: azmq.Socket = ctx.socket(purezmq.REQ)
        sock.connect(f"tcp://127.0.0.1:{_unused_port()}")  # refused: a retry stays scheduled
        await asyncio.sleep(0)
        return sock

    sock = loop.run_until_complete(make())
    loop.close()
    sock.close(linger=0)  # raises RuntimeError today
    assert sock.closed
    ctx.destroy(0)
