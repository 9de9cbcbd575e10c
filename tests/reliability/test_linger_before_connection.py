"""LINGER for connections that are not up yet (sync API, libzmq peers through pyzmq): what a
socket queued before its connection was made reaches the peer although the socket is closed and
its context terminated at once, even when the handshake ends while the socket closes; an
unreachable endpoint with nothing queued does not hold ``term()``. Bounded waits only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import zmq

import purezmq

WAIT_MS = 5000


def _push_with_two_queued(port: int) -> tuple[purezmq.Context, purezmq.Socket]:
    """A PUSH (LINGER 2 s) that connects to ``port`` and at once queues b"one", b"two"."""
    ctx = purezmq.Context()
    s = ctx.socket(purezmq.PUSH)
    s.linger = 2000
    s.connect(f"tcp://127.0.0.1:{port}")
    s.send(b"one")
    s.send(b"two")
    return ctx, s


def test_messages_sent_before_the_connection_is_up_survive_close_and_term(libzmq_ctx: Any) -> None:
    z = libzmq_ctx.socket(zmq.PULL)
    port = z.bind_to_random_port("tcp://127.0.0.1")
    for _ in range(3):
        ctx, s = _push_with_two_queued(port)
        s.close()
        ctx.term()
        z.rcvtimeo = WAIT_MS
        assert [z.recv(), z.recv()] == [b"one", b"two"]
    z.close(0)


def test_a_handshake_that_ends_while_the_socket_closes_delivers_what_was_queued(
    libzmq_ctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a rare loss in the test above, made certain: the handshake asks for
    its pipe while the owner thread is closing the socket, and gets it only after close() has
    cleared the socket's sessions. It must still deliver the session pipe's messages (it got
    a fresh, empty pipe, 1 run in ~300 under load)."""
    from purezmq._engine import socket_core

    asking = threading.Event()
    closed = threading.Event()
    session_pipe = socket_core.SocketCore.session_pipe
    close = socket_core.SocketCore._close

    def slow_session_pipe(self: Any, connecter: Any) -> Any:
        if threading.current_thread().name == "purezmq-io" and not closed.is_set():
            asking.set()
            closed.wait(WAIT_MS / 1000)
        return session_pipe(self, connecter)

    def signalling_close(self: Any, *args: Any) -> None:
        close(self, *args)
        closed.set()

    monkeypatch.setattr(socket_core.SocketCore, "session_pipe", slow_session_pipe)
    monkeypatch.setattr(socket_core.SocketCore, "_close", signalling_close)
    z = libzmq_ctx.socket(zmq.PULL)
    port = z.bind_to_random_port("tcp://127.0.0.1")
    ctx, s = _push_with_two_queued(port)
    assert asking.wait(WAIT_MS / 1000)  # the handshake is done and waits for its pipe
    s.close()
    ctx.term()
    z.rcvtimeo = WAIT_MS
    assert [z.recv(), z.recv()] == [b"one", b"two"]
    z.close(0)


def test_unreachable_idle_endpoint_does_not_block_term() -> None:
    ctx = purezmq.Context()
    s = ctx.socket(purezmq.PUSH)
    s.linger = -1
    s.connect("tcp://127.0.0.1:1")
    s.close()
    ctx.term()  # returns at once: nothing was queued
