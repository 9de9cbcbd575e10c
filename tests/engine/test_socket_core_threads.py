"""Cross-thread behaviour of SocketCore: no lost wake-ups, few wake-ups, ETERM, ZMQ_FD."""

from __future__ import annotations

import select
import sys
import threading

import pytest

from purezmq._engine import ContextCore, ThreadSignal
from purezmq.constants import Errno, PollEvent, SocketOption, SocketType
from purezmq.error import ContextTerminated

from ..kit.engine import TIMEOUT, recv, send, sync_socket

T = SocketType


@pytest.mark.parametrize("hwm", [1, 2, 7])
def test_producer_consumer_no_lost_wakeups(ctx: ContextCore, hwm: int) -> None:
    """Tiny HWMs make both sides park constantly; a lost wake-up would hang (bounded)."""
    pull = sync_socket(ctx, T.PULL)
    pull.setsockopt(SocketOption.RCVHWM, hwm)
    pull.bind("inproc://pc")
    push = sync_socket(ctx, T.PUSH)
    push.setsockopt(SocketOption.SNDHWM, hwm)
    push.connect("inproc://pc")
    n = 20_000
    errors: list[BaseException] = []

    def produce() -> None:
        try:
            for i in range(n):
                send(push, [i.to_bytes(4, "big")])
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    t = threading.Thread(target=produce)
    t.start()
    for i in range(n):
        assert recv(pull) == [i.to_bytes(4, "big")]
    t.join(TIMEOUT)
    assert not t.is_alive() and not errors


def test_ping_pong_no_lost_wakeups(ctx: ContextCore) -> None:
    rep = sync_socket(ctx, T.REP)
    rep.bind("inproc://pp")
    req = sync_socket(ctx, T.REQ)
    req.connect("inproc://pp")
    n = 3000

    def serve() -> None:
        for _ in range(n):
            send(rep, recv(rep))

    t = threading.Thread(target=serve)
    t.start()
    for i in range(n):
        send(req, [b"%d" % i])
        assert recv(req) == [b"%d" % i]
    t.join(TIMEOUT)
    assert not t.is_alive()


def test_busy_consumer_gets_few_wakeups(ctx: ContextCore) -> None:
    """Wake only a sleeping consumer (ypipe rule): a burst costs far fewer than N wake-ups."""
    pull = sync_socket(ctx, T.PULL)
    pull.setsockopt(SocketOption.RCVHWM, 0)
    pull.bind("inproc://busy")
    push = sync_socket(ctx, T.PUSH)
    push.setsockopt(SocketOption.SNDHWM, 0)
    push.connect("inproc://busy")
    n = 20_000
    got: list[int] = []

    def consume() -> None:
        for _ in range(n):
            got.append(int(recv(pull)[0]))

    t = threading.Thread(target=consume)
    t.start()
    for i in range(n):
        assert push.try_send([b"%d" % i])
    t.join(TIMEOUT)
    assert got == list(range(n))
    stats = pull.statistics()
    assert stats.wakeups_sent < n // 10, stats
    assert stats.signal_wakes == stats.wakeups_sent


def test_burst_to_sleeping_consumer_is_one_wakeup(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://one")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://one")
    assert pull.try_recv() is None  # the pipe now sleeps as reader
    assert pull.prepare_to_sleep()
    for i in range(500):
        assert push.try_send([b"%d" % i])
    assert pull.statistics().wakeups_sent == 1
    assert isinstance(pull.signal, ThreadSignal) and pull.signal.wait(0)
    assert [recv(pull) for _ in range(500)] == [[b"%d" % i] for i in range(500)]


@pytest.mark.parametrize("blocked_in", ["recv", "send"])
def test_term_unblocks_parked_thread_with_eterm(blocked_in: str) -> None:
    ctx = ContextCore.threaded()
    sock = sync_socket(ctx, T.PAIR)
    sock.bind("inproc://t")
    parked = threading.Event()
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            parked.set()
            if blocked_in == "recv":
                recv(sock, timeout=60)
            else:
                send(sock, [b"x"], timeout=60)  # PAIR without peer: mute
        except BaseException as exc:
            outcome.append(exc)
        sock.close()

    t = threading.Thread(target=worker)
    t.start()
    assert parked.wait(TIMEOUT)
    assert ctx.term(timeout=TIMEOUT)  # returns once the worker closed its socket
    t.join(TIMEOUT)
    assert len(outcome) == 1 and isinstance(outcome[0], ContextTerminated)
    assert outcome[0].errno == Errno.ETERM


def test_term_makes_every_call_eterm_but_close_works() -> None:
    ctx = ContextCore.threaded()
    sock = sync_socket(ctx, T.PUSH)
    done = threading.Event()

    def term() -> None:
        ctx.term()
        done.set()

    t = threading.Thread(target=term)
    t.start()
    # term() waits for our socket; meanwhile every call says ETERM.
    with pytest.raises(ContextTerminated):
        while True:
            sock.try_send([b"x"])
    with pytest.raises(ContextTerminated):
        sock.events()
    assert not sock.prepare_to_sleep()
    with pytest.raises(ContextTerminated):
        sync_socket(ctx, T.PULL)
    sock.close()
    assert done.wait(TIMEOUT)
    t.join(TIMEOUT)


def test_fd_becomes_readable_when_events_change(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://fd")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://fd")
    fd = pull.getsockopt(SocketOption.FD)
    assert isinstance(fd, int) and fd >= 0
    assert select.select([fd], [], [], 0)[0] == [fd]  # starts readable: check EVENTS first
    assert pull.events() == 0  # drains the fd
    assert select.select([fd], [], [], 0)[0] == []

    def later() -> None:
        push.try_send([b"hello"])

    t = threading.Thread(target=later)
    t.start()
    assert select.select([fd], [], [], TIMEOUT)[0] == [fd]
    t.join(TIMEOUT)
    assert pull.events() & PollEvent.POLLIN
    assert pull.try_recv() == [b"hello"]
    assert pull.events() == 0
    assert select.select([fd], [], [], 0)[0] == []


if sys.platform != "win32":

    def test_wait_is_interruptible_by_signals() -> None:
        import signal as _signal

        if threading.current_thread() is not threading.main_thread():
            pytest.skip("signals are delivered to the main thread")
        sig = ThreadSignal()

        class Interrupted(Exception):
            pass

        def handler(signum: int, frame: object) -> None:
            raise Interrupted

        old = _signal.signal(_signal.SIGALRM, handler)
        try:
            _signal.setitimer(_signal.ITIMER_REAL, 0.05)
            with pytest.raises(Interrupted):
                sig.wait(TIMEOUT)
        finally:
            _signal.setitimer(_signal.ITIMER_REAL, 0)
            _signal.signal(_signal.SIGALRM, old)


@pytest.mark.parametrize("blocked_in", ["recv", "send"])
def test_destroy_from_another_thread_gives_eterm(blocked_in: str) -> None:
    ctx = ContextCore.threaded()
    sock = sync_socket(ctx, T.PAIR)
    sock.bind("inproc://d")
    parked = threading.Event()
    outcome: list[BaseException] = []

    def worker() -> None:
        parked.set()
        try:
            if blocked_in == "recv":
                recv(sock, timeout=60)
            else:
                send(sock, [b"x"], timeout=60)
        except BaseException as exc:
            outcome.append(exc)

    t = threading.Thread(target=worker)
    t.start()
    assert parked.wait(TIMEOUT)
    ctx.destroy(0)
    t.join(TIMEOUT)
    assert len(outcome) == 1 and isinstance(outcome[0], ContextTerminated)
    assert sock.closed
