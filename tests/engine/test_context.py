"""``ContextCore`` (``_engine.context``): its I/O thread (lazy, which event loop it runs, calls
run on it), its options, and what a forked child or a call after ``term`` gets."""

from __future__ import annotations

import asyncio
import os
import select
import threading
import warnings

import pytest

import purezmq
from purezmq._engine import ContextCore
from purezmq._engine.context import io_loop_factory
from purezmq.constants import Errno, SocketType
from purezmq.error import ContextTerminated, ZMQError

from ..kit.engine import TIMEOUT, sync_socket

T = SocketType


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


def test_ctx_run_and_call_soon_on_io_thread(ctx: ContextCore) -> None:
    main = threading.get_ident()
    ident = ctx.run(threading.get_ident)
    assert ident != main
    # Run inline when already on the I/O loop.
    assert ctx.run(lambda: ctx.run(threading.get_ident)) == ident
    seen: list[int] = []
    done = threading.Event()
    for i in range(100):
        ctx.call_soon(seen.append, i)
    ctx.call_soon(done.set)
    assert done.wait(TIMEOUT)
    assert seen == list(range(100))
    with pytest.raises(ZeroDivisionError):
        ctx.run(lambda: 1 // 0)


def test_io_thread_is_lazy_and_stops_at_term() -> None:
    ctx = ContextCore.threaded()
    s = sync_socket(ctx, T.PAIR)
    s.bind("inproc://lazy")
    assert ctx.statistics().io is None  # inproc needs no I/O thread
    io_ident = ctx.run(threading.get_ident)
    thread = next(t for t in threading.enumerate() if t.ident == io_ident)
    assert thread.daemon and thread.name == "purezmq-io"
    s.close()
    assert ctx.term(TIMEOUT)
    assert not thread.is_alive()


def test_context_options_and_max_sockets() -> None:
    from purezmq.constants import ContextOption

    ctx = ContextCore.threaded()
    assert ctx.get(ContextOption.IO_THREADS) == 1
    ctx.set(ContextOption.MAX_SOCKETS, 2)
    a = sync_socket(ctx, T.PUSH)
    b = sync_socket(ctx, T.PUSH)
    with pytest.raises(ZMQError) as info:
        sync_socket(ctx, T.PUSH)
    assert info.value.errno == Errno.EMFILE
    with pytest.raises(ZMQError) as info:
        ctx.set(999, 1)
    assert info.value.errno == Errno.EINVAL
    ctx.destroy(0)
    assert a.closed and b.closed


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_gets_clear_error_not_hang(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://fork")
    ctx.run(lambda: None)  # the I/O thread exists and will not exist in the child
    r, w = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12: fork with threads
        pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        code = 1
        try:
            try:
                pull.try_recv()
            except ZMQError as exc:
                ok = exc.errno == Errno.EFAULT and "another process" in str(exc)
                try:
                    ctx.run(lambda: None)
                except ZMQError as exc2:
                    ok = ok and exc2.errno == Errno.EFAULT
                pull.close()
                ctx.term()
                code = 0 if ok else 2
            os.write(w, bytes([code]))
        finally:
            os._exit(0)
    os.close(w)
    ready = select.select([r], [], [], TIMEOUT)[0]
    result = os.read(r, 1) if ready else b""
    os.close(r)
    os.waitpid(pid, 0)
    assert result == b"\x00"
    assert pull.try_recv() is None  # the parent is unaffected


def test_run_after_term_is_eterm_not_hang() -> None:
    ctx = ContextCore.threaded()
    assert ctx.run(lambda: 1) == 1
    assert ctx.term(TIMEOUT)
    with pytest.raises(ContextTerminated):
        ctx.run(lambda: 2)


def test_uvloop_io_thread() -> None:
    uvloop = pytest.importorskip("uvloop")
    ctx = ContextCore.threaded(loop_factory=uvloop.new_event_loop)
    assert type(ctx.io_loop).__module__.startswith("uvloop")
    assert ctx.run(lambda: 42) == 42
    assert ctx.term(TIMEOUT)
