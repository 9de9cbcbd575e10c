"""The asyncio floor of a request/reply round trip: no ZeroMQ at all.

A bare ``asyncio.BufferedProtocol`` echo over the cell's tcp or ipc endpoint, each side a
coroutine that awaits one Future per message, set by the protocol's ``buffer_updated`` when a
whole message of the cell's size is in. That is the least any asyncio library can do per round
trip on the same loop (two loop turns, a read and a write per side), so the asyncio REQ↔REP bar
compares purezmq's asyncio API with it (``floor-asyncio`` cells, ``lat`` test only).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

#: Receive buffer of each side; the floor's messages are never larger than a latency cell's.
BUFFER = 64 * 1024


class _Echo(asyncio.BufferedProtocol):
    """Collects ``size`` bytes per message and hands each whole message to one Future."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.buf = bytearray(BUFFER)
        self.have = 0
        self.waiter: asyncio.Future[bytes] | None = None
        self.transport: asyncio.Transport | None = None
        self.connected: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.connected.set_result(None)

    def get_buffer(self, sizehint: int) -> memoryview:
        return memoryview(self.buf)[self.have :]

    def buffer_updated(self, nbytes: int) -> None:
        self.have += nbytes
        if self.have >= self.size and self.waiter is not None:
            msg = bytes(self.buf[: self.size])
            rest = self.have - self.size
            if rest:
                self.buf[:rest] = self.buf[self.size : self.have]
            self.have = rest
            waiter, self.waiter = self.waiter, None
            waiter.set_result(msg)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(ConnectionError("peer closed"))

    def recv(self) -> asyncio.Future[bytes]:
        fut: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self.waiter = fut
        if self.have >= self.size:
            self.buffer_updated(0)
        return fut

    def send(self, msg: bytes) -> None:
        assert self.transport is not None
        self.transport.write(msg)


def _split(endpoint: str) -> tuple[str, str]:
    scheme, _, rest = endpoint.partition("://")
    return scheme, rest


async def serve(endpoint: str, size: int, rounds: int, ready: Callable[[str], None]) -> None:
    """Echo ``rounds`` messages of ``size`` bytes to the first client, then return."""
    loop = asyncio.get_running_loop()
    made: list[_Echo] = []

    def factory() -> _Echo:
        proto = _Echo(size)
        made.append(proto)
        return proto

    scheme, where = _split(endpoint)
    if scheme == "ipc":
        server = await loop.create_unix_server(factory, where)
        bound = endpoint
    else:
        host, _, _port = where.rpartition(":")
        server = await loop.create_server(factory, host, 0)
        port = server.sockets[0].getsockname()[1]
        bound = f"tcp://{host}:{port}"
    ready(bound)
    while not made:
        await asyncio.sleep(0.001)
    proto = made[0]
    await proto.connected
    for _ in range(rounds):
        proto.send(await proto.recv())
    server.close()


async def connect(endpoint: str, size: int) -> _Echo:
    loop = asyncio.get_running_loop()
    scheme, where = _split(endpoint)
    if scheme == "ipc":
        _, proto = await loop.create_unix_connection(lambda: _Echo(size), where)
    else:
        host, _, port = where.rpartition(":")
        _, proto = await loop.create_connection(lambda: _Echo(size), host, int(port))
    await proto.connected
    return proto


async def request(endpoint: str, size: int, warmup: int, count: int) -> list[float]:
    """Round trips of ``size`` bytes; return the ``count`` timed ones (seconds)."""
    proto = await connect(endpoint, size)
    msg = b"\x00" * size
    for _ in range(warmup):
        proto.send(msg)
        await proto.recv()
    pc = time.perf_counter
    times = [0.0] * count
    for i in range(count):
        t = pc()
        proto.send(msg)
        await proto.recv()
        times[i] = pc() - t
    return times


def run_side(spec: Any, report: Callable[[dict[str, Any]], None], stats: Any) -> None:
    """One side of a ``floor-asyncio`` latency cell (``lat-bind`` or ``lat-connect``)."""
    side = spec.role.partition("-")[2]

    async def main() -> None:
        if side == "bind":
            await serve(
                spec.endpoint,
                spec.size,
                spec.warmup + spec.count,
                lambda ep: report({"event": "ready", "endpoint": ep, "server_key": ""}),
            )
            report({"event": "served"})
        else:
            times = await request(spec.endpoint, spec.size, spec.warmup, spec.count)
            report({"event": "result", **stats(times)})

    asyncio.run(main())
