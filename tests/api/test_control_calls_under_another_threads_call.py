"""A classic socket's control calls (setsockopt, bind, connect, unbind, disconnect, close) made
by one thread while another is inside a blocking send/recv or a control call of the same socket
raise EFAULT naming both threads, and leave the socket as it was; the same calls made after the
other thread is done (a socket handed over, or closed by another thread once its user
finished) work, and the thread-safe draft types allow them. The overlap is forced with a
blocked recv (RCVTIMEO -1) or a control call held open inside the engine, never by timing."""

from __future__ import annotations

import select
import threading
from collections.abc import Callable
from time import monotonic
from typing import Any

import pytest

import purezmq
from purezmq import ZMQError
from purezmq._engine import SocketCore

WAIT = 5.0


class BlockedReader:
    """A thread named ``reader`` blocked in ``sock.recv()`` until ``release()`` sends to it."""

    def __init__(self, ctx: purezmq.Context, sock: purezmq.Socket, endpoint: str) -> None:
        self.sock = sock
        self.got: list[bytes] = []
        self.errors: list[BaseException] = []
        self._feeder = ctx.socket(purezmq.PUSH)
        self._feeder.linger = 0
        self._feeder.connect(endpoint)
        self.thread = threading.Thread(target=self._run, name="reader")
        self.thread.start()
        # The reader is blocked once it is inside recv(): it marks that before it waits
        # (polled, bounded: nothing else tells another thread that a recv() waits).
        deadline = monotonic() + WAIT
        while sock._inside is None and self.thread.is_alive() and monotonic() < deadline:
            select.select([], [], [], 0.001)
        assert sock._inside is not None and sock._inside[1] == "recv"

    def _run(self) -> None:
        try:
            self.got.append(self.sock.recv())
        except BaseException as exc:  # reported by the test's assertions
            self.errors.append(exc)

    def release(self) -> None:
        self._feeder.send(b"go")
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        self._feeder.close()


CONTROL_CALLS: dict[str, Callable[[purezmq.Socket], Any]] = {
    "setsockopt": lambda s: s.setsockopt(purezmq.LINGER, 0),
    "bind": lambda s: s.bind("inproc://second-endpoint"),
    "connect": lambda s: s.connect("inproc://elsewhere"),
    "unbind": lambda s: s.unbind("inproc://blocked"),
    "disconnect": lambda s: s.disconnect("inproc://elsewhere"),
    "bind_to_random_port": lambda s: s.bind_to_random_port("tcp://127.0.0.1"),
    "close": lambda s: s.close(),
}


@pytest.mark.parametrize("call", sorted(CONTROL_CALLS))
def test_a_control_call_while_another_thread_is_blocked_in_recv_gets_efault(
    ctx: purezmq.Context, call: str
) -> None:
    pull = ctx.socket(purezmq.PULL)
    pull.bind("inproc://blocked")
    pull.connect("inproc://elsewhere")  # for disconnect() to have something to undo
    reader = BlockedReader(ctx, pull, "inproc://blocked")
    try:
        with pytest.raises(ZMQError) as info:
            CONTROL_CALLS[call](pull)
        err = info.value
        assert err.errno == purezmq.EFAULT
        message = str(err)
        assert f"{call}()" in message and "blocked in recv()" in message
        assert "'reader'" in message and "'MainThread'" in message
        assert not pull.closed  # a refused close() left the socket open
    finally:
        reader.release()
    # The reader was not disturbed, and the socket is whole: the call works now.
    assert reader.errors == [] and reader.got == [b"go"]
    assert pull._inside is None
    CONTROL_CALLS[call](pull)
    pull.close()


def test_a_blocking_recv_while_another_thread_is_inside_bind_gets_efault(
    ctx: purezmq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other order: a thread is inside a control call (held inside the engine's bind)
    when another thread's recv() starts to wait."""
    inside = threading.Event()
    go_on = threading.Event()
    engine_bind = SocketCore.bind

    def held_bind(core: SocketCore, endpoint: str) -> str:
        if threading.current_thread().name == "binder":
            inside.set()
            go_on.wait(WAIT)
        return engine_bind(core, endpoint)

    monkeypatch.setattr(SocketCore, "bind", held_bind)
    pull = ctx.socket(purezmq.PULL)
    pull.rcvtimeo = 50
    errors: list[BaseException] = []

    def bind() -> None:
        try:
            pull.bind("inproc://held")
        except BaseException as exc:  # reported below
            errors.append(exc)

    binder = threading.Thread(target=bind, name="binder")
    binder.start()
    try:
        assert inside.wait(WAIT)
        with pytest.raises(ZMQError) as info:
            pull.recv()
        assert info.value.errno == purezmq.EFAULT
        assert "inside bind()" in str(info.value) and "'binder'" in str(info.value)
        with pytest.raises(ZMQError) as info:
            pull.connect("inproc://other")
        assert info.value.errno == purezmq.EFAULT
    finally:
        go_on.set()
        binder.join(WAIT)
    assert errors == []
    # Done: the socket is whole and the main thread may use it.
    push = ctx.socket(purezmq.PUSH)
    push.connect("inproc://held")
    push.send(b"after")
    pull.rcvtimeo = int(WAIT * 1000)
    assert pull.recv() == b"after"
    push.close()
    pull.close()


def test_closing_from_another_thread_after_its_user_is_done_works(ctx: purezmq.Context) -> None:
    """What Jupyter, salt and circus do: a thread uses the socket, ends (or stops calling
    it), and another thread closes it."""
    pull = ctx.socket(purezmq.PULL)
    pull.bind("inproc://done-user")
    reader = BlockedReader(ctx, pull, "inproc://done-user")
    reader.release()
    closer = threading.Thread(target=pull.close, name="closer")
    closer.start()
    closer.join(WAIT)
    assert pull.closed


def test_thread_safe_types_take_control_calls_from_any_thread(ctx: purezmq.Context) -> None:
    server = ctx.socket(purezmq.SERVER)
    server.bind("inproc://ts-server")
    errors: list[BaseException] = []
    got: list[bytes] = []

    def serve() -> None:
        try:
            got.append(server.recv())
        except BaseException as exc:  # reported below
            errors.append(exc)

    waiter = threading.Thread(target=serve)
    waiter.start()
    server.setsockopt(purezmq.LINGER, 0)
    server.bind("inproc://ts-server-2")
    client = ctx.socket(purezmq.CLIENT)
    client.connect("inproc://ts-server-2")
    client.send(b"hi")
    waiter.join(WAIT)
    assert errors == [] and got == [b"hi"]
    client.close()
    server.close()
