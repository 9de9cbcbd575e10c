"""A flush of several messages with bodies of COPY_THRESHOLD bytes or more goes to the socket in
one ``writev`` (``Peer._write_out``), not one ``write`` per chunk (which cost a system call and a
tiny TCP segment per frame header). What the kernel does not take goes through the transport.
These tests hold the wire to what libzmq must see regardless: every message, intact and in
order, whatever part of the ``writev`` the kernel took, for both APIs and both bind sides."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq._engine import transport_io

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

Writev = Callable[[int, list[Any]], int]


def _burst() -> list[list[bytes]]:
    # Bodies on both sides of COPY_THRESHOLD and of the view size, and small ones between.
    sizes = [4096, 10, 3000, 70_000, 2048, 0, 20_000, 4096, 300_000, 1]
    return [[b"%d" % i, os.urandom(size)] for i, size in enumerate(sizes * 6)]


def _stingy(limit: int, calls: list[int]) -> Writev:
    """os.writev that takes at most ``limit`` bytes (0: the socket is full)."""
    real = os.writev

    def writev(fd: int, chunks: list[Any]) -> int:
        calls.append(len(chunks))
        if limit == 0:
            raise BlockingIOError(11, "pretend the socket buffer is full")
        taken: list[Any] = []
        room = limit
        for chunk in chunks:
            if room <= 0:
                break
            part = memoryview(chunk)[:room]
            taken.append(part)
            room -= len(part)
        return real(fd, taken)

    return writev


@pytest.fixture
def pull() -> Iterator[Any]:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    sock.linger = 0
    sock.rcvtimeo = 10_000
    yield sock
    sock.close(0)
    ctx.term()


@pytest.mark.skipif(not hasattr(os, "writev"), reason="no writev on this platform")
@pytest.mark.parametrize("limit", [None, 0, 1000, 5000], ids=["real", "full", "1000", "5000"])
@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
@pytest.mark.parametrize("api", ["sync", "asyncio"])
def test_gathered_writes_reach_libzmq_intact(
    monkeypatch: pytest.MonkeyPatch, pull: Any, api: str, pure_binds: bool, limit: int | None
) -> None:
    calls: list[int] = []
    real = os.writev

    def counted(fd: int, chunks: list[Any]) -> int:
        calls.append(len(chunks))
        return real(fd, chunks)

    monkeypatch.setattr(
        transport_io, "os_writev", counted if limit is None else _stingy(limit, calls)
    )
    burst = _burst()

    def connect(sock: Any) -> None:
        if pure_binds:
            sock.bind("tcp://127.0.0.1:*")
            pull.connect(sock.last_endpoint.decode())
        else:
            port = pull.bind_to_random_port("tcp://127.0.0.1")
            sock.connect(f"tcp://127.0.0.1:{port}")

    if api == "sync":
        ctx = purezmq.Context()
        try:
            push = ctx.socket(purezmq.PUSH)
            push.linger = 0
            connect(push)
            # One message first, so that the burst meets an established connection.
            push.send_multipart([b"hello", b""])
            assert pull.recv_multipart() == [b"hello", b""]
            for msg in burst:
                push.send_multipart(msg)
            got = [pull.recv_multipart() for _ in burst]
        finally:
            ctx.destroy(0)
    else:

        async def main() -> list[list[bytes]]:
            ctx = purezmq.asyncio.Context()
            loop = asyncio.get_running_loop()
            try:
                push = ctx.socket(purezmq.PUSH)
                push.linger = 0
                connect(push)
                await push.send_multipart([b"hello", b""])
                assert await loop.run_in_executor(None, pull.recv_multipart) == [b"hello", b""]
                for msg in burst:  # no await yields in between: one flush takes them all
                    await push.send_multipart(msg)
                return await loop.run_in_executor(
                    None, lambda: [pull.recv_multipart() for _ in burst]
                )
            finally:
                ctx.destroy(0)

        got = asyncio.run(main())
    assert got == burst
    # The path was taken (how the flushes batch up depends on thread timing).
    assert calls and max(calls) >= 2
