"""A blocking receive with no RCVTIMEO waits in one engine call (``SocketCore.wait_recv``).

The front-end hands the core its way of parking (the signal's ``wait``, or the front-end's own
``_wait`` where one is defined, as ``purezmq.green`` does); a receive with a deadline keeps the
front-end's loop, which raises ``Again`` when the deadline passes.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

import purezmq as zmq
from purezmq._engine import SocketCore

TIMEOUT = 5.0


@pytest.fixture
def core_waits(monkeypatch: pytest.MonkeyPatch) -> list[SocketCore]:
    """The cores whose owner entered ``wait_recv``."""
    entered: list[SocketCore] = []
    original = SocketCore.wait_recv

    def recording(self: SocketCore, wait: Any) -> Any:
        entered.append(self)
        return original(self, wait)

    monkeypatch.setattr(SocketCore, "wait_recv", recording)
    return entered


def _answer_when_asleep(
    monkeypatch: pytest.MonkeyPatch, waiting: Any, answer: Any
) -> threading.Thread:
    """A thread that calls ``answer()`` once ``waiting``'s owner parks on its signal (it
    declared itself asleep first: ``SocketCore.wait_recv``)."""
    asleep = threading.Event()
    signal = waiting._signal
    signal_class = type(signal)
    original = signal_class.wait

    def wait(self: Any, timeout: float | None = None) -> bool:
        if self is signal:
            asleep.set()
        woken: bool = original(self, timeout)
        return woken

    monkeypatch.setattr(signal_class, "wait", wait)

    def run() -> None:
        if asleep.wait(TIMEOUT):
            answer()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_req_waits_for_its_reply_in_the_core(
    ctx: zmq.Context, monkeypatch: pytest.MonkeyPatch, core_waits: list[SocketCore]
) -> None:
    rep = ctx.socket(zmq.REP)
    rep.bind("inproc://turn")
    req = ctx.socket(zmq.REQ)
    req.connect("inproc://turn")
    req.send(b"question")
    assert rep.recv() == b"question"
    replier = _answer_when_asleep(monkeypatch, req, lambda: rep.send(b"answer"))
    assert req.recv() == b"answer"
    replier.join(TIMEOUT)
    assert core_waits == [req._core]
    # The state machine moved on: the next request may go.
    req.send(b"again")
    assert rep.recv() == b"again"


def test_a_receive_with_rcvtimeo_keeps_its_deadline(
    ctx: zmq.Context, core_waits: list[SocketCore]
) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://deadline")
    pull.rcvtimeo = 20
    with pytest.raises(zmq.Again):
        pull.recv()
    assert core_waits == []


def test_a_front_end_that_waits_its_own_way_is_asked_to_wait(
    ctx: zmq.Context, monkeypatch: pytest.MonkeyPatch, core_waits: list[SocketCore]
) -> None:
    waits: list[float | None] = []

    class OwnWait(zmq.Socket):
        def _wait(self, timeout: float | None) -> None:
            waits.append(timeout)
            super()._wait(timeout)

    pull = OwnWait(ctx, zmq.PULL)
    pull.bind("inproc://own-wait")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://own-wait")
    sender = _answer_when_asleep(monkeypatch, pull, lambda: push.send(b"late"))
    try:
        assert pull.recv() == b"late"
    finally:
        sender.join(TIMEOUT)
        pull.close()
    assert core_waits == [pull._core]
    assert waits and all(timeout is None for timeout in waits)


def test_term_from_another_thread_ends_a_receive_waiting_in_the_core(
    monkeypatch: pytest.MonkeyPatch, core_waits: list[SocketCore]
) -> None:
    ctx = zmq.Context()
    req = ctx.socket(zmq.REQ)
    req.connect("inproc://nobody-answers")
    req.send(b"anyone?")
    terminator = _answer_when_asleep(monkeypatch, req, ctx.term)
    try:
        with pytest.raises(zmq.ContextTerminated):
            req.recv()
    finally:
        req.close()
        terminator.join(TIMEOUT)
    assert not terminator.is_alive()
    assert core_waits == [req._core]
