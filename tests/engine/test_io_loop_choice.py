"""Which event loop a sync Context's I/O thread runs (``_engine.context.io_loop_factory``)."""

from __future__ import annotations

import asyncio

import pytest

import purezmq
from purezmq._engine.context import io_loop_factory


def _io_loop_type(ctx: purezmq.Context) -> str:
    sock = ctx.socket(purezmq.PAIR)
    try:
        sock.bind("tcp://127.0.0.1:*")  # starts the I/O thread
        return type(sock._core.io_loop).__module__
    finally:
        sock.close(0)


def test_uvloop_when_installed() -> None:
    uvloop = pytest.importorskip("uvloop")
    assert io_loop_factory() is uvloop.new_event_loop
    ctx = purezmq.Context()
    try:
        assert _io_loop_type(ctx).startswith("uvloop")
    finally:
        ctx.term()


def test_environment_keeps_the_standard_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUREZMQ_IO_LOOP", "asyncio")
    assert io_loop_factory() is asyncio.new_event_loop
    ctx = purezmq.Context()
    try:
        assert _io_loop_type(ctx).startswith("asyncio")
        # The whole API works on it: a round trip through the I/O thread.
        a, b = ctx.socket(purezmq.PAIR), ctx.socket(purezmq.PAIR)
        a.rcvtimeo = b.rcvtimeo = 5000
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        b.send(b"ping")
        assert a.recv() == b"ping"
        a.send(b"pong")
        assert b.recv() == b"pong"
        a.close(0)
        b.close(0)
    finally:
        ctx.term()
