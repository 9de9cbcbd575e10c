"""A blocking PUSH whose pipe has room still refuses a send once its socket is closed or its
Context terminated: the one-frame and multipart fast paths route nothing into a dead core, and
the error names why (ENOTSOCK after close, ETERM after term, as libzmq)."""

from __future__ import annotations

import threading
import time

import pytest

import purezmq


def _push_with_room(ctx: purezmq.Context) -> purezmq.Socket:
    push: purezmq.Socket = ctx.socket(purezmq.PUSH)
    push.setsockopt(purezmq.LINGER, 0)
    push.connect("tcp://127.0.0.1:1")  # nobody listens: the pipe exists and takes messages
    push.send(b"room")
    assert push._core.statistics().outbound_queued == 1
    return push


def test_send_after_close_raises_enotsock_even_with_room_in_the_pipe() -> None:
    ctx = purezmq.Context()
    try:
        push = _push_with_room(ctx)
        push.close()
        for call in (lambda: push.send(b"x"), lambda: push.send_multipart([b"a", b"b"])):
            with pytest.raises(purezmq.ZMQError) as info:
                call()
            assert info.value.errno == purezmq.ENOTSOCK
    finally:
        ctx.term()


def test_send_after_term_raises_eterm_even_with_room_in_the_pipe() -> None:
    ctx = purezmq.Context()
    push = _push_with_room(ctx)
    term = threading.Thread(target=ctx.term)
    term.start()
    try:
        # term() marks the socket at once, then waits for it to be closed.
        deadline = time.monotonic() + 5
        while not push._core.dead and time.monotonic() < deadline:
            term.join(0.001)
        assert push._core.dead
        for call in (lambda: push.send(b"x"), lambda: push.send_multipart([b"a", b"b"])):
            with pytest.raises(purezmq.ZMQError) as info:
                call()
            assert info.value.errno == purezmq.ETERM
    finally:
        push.close()
        term.join(5)
    assert not term.is_alive()
