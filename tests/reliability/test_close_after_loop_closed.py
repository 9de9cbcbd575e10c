"""An asyncio socket closed after the event loop it ran on was closed (jupyter_client's
heartbeat channel runs a loop per thread, closes that loop, then closes its socket).

pyzmq closes such a socket quietly, and so must purezmq: nothing may be scheduled on the
closed loop (a connecter's pending connect Task is left alone, not cancelled through it).
"""

from __future__ import annotations

import asyncio
import gc
import socket

import purezmq
import purezmq.asyncio as azmq


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    sock.close(linger=0)
    assert sock.closed
    ctx.destroy(0)
    # The attempt the closed loop dropped closes its OS socket when collected: an unclosed
    # one would be a ResourceWarning here, which fails the test.
    gc.collect()
