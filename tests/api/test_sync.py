"""Sync-only behaviour: threads, Ctrl-C, FD, select, Context lifecycle."""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time
import warnings
from typing import Any

import pytest

import purezmq as zmq
from purezmq import ContextTerminated, ZMQError
from purezmq._engine import SocketCore
from purezmq.constants import Errno

from .conftest import inproc_pair


def _falls_asleep(monkeypatch: pytest.MonkeyPatch, sock: Any) -> threading.Event:
    """An Event set when ``sock``'s owner declares itself asleep (``prepare_to_sleep``, the
    last step before a poll parks the thread) or parks on its signal (a blocking recv, whose
    ``SocketCore.wait_recv`` runs ``prepare_to_sleep``'s steps itself)."""
    asleep = threading.Event()
    core = sock._core
    signal_ = sock._signal
    original = SocketCore.prepare_to_sleep
    signal_class = type(signal_)
    original_wait = signal_class.wait

    def prepare_to_sleep(self: SocketCore) -> bool:
        sleeping = original(self)
        if sleeping and self is core:
            asleep.set()
        return sleeping

    def wait(self: Any, timeout: float | None = None) -> bool:
        if self is signal_:
            asleep.set()
        woken: bool = original_wait(self, timeout)
        return woken

    monkeypatch.setattr(SocketCore, "prepare_to_sleep", prepare_to_sleep)
    monkeypatch.setattr(signal_class, "wait", wait)
    return asleep


def test_term_wakes_a_thread_blocked_in_recv(
    ctx: zmq.Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    sock = ctx.socket(zmq.PULL)
    sock.bind("inproc://blocked")
    asleep = _falls_asleep(monkeypatch, sock)
    outcome: list[BaseException] = []

    def blocked() -> None:
        try:
            sock.recv()
        except BaseException as exc:
            outcome.append(exc)
        finally:
            sock.close()

    t = threading.Thread(target=blocked)
    t.start()
    assert asleep.wait(5), "the thread never blocked in recv"
    ctx.term()  # returns once the woken thread closed its socket
    t.join(5)
    assert not t.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], ContextTerminated)
    assert outcome[0].errno == Errno.ETERM


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.skipif(
    threading.current_thread() is not threading.main_thread(), reason="needs the main thread"
)
@pytest.mark.parametrize("call", ["recv", "poll", "poller"])
def test_ctrl_c_interrupts_a_blocking_call_and_the_socket_survives(
    ctx: zmq.Context, call: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = inproc_pair(ctx)
    main = threading.get_ident()
    asleep = _falls_asleep(monkeypatch, b)

    def interrupt() -> None:
        if asleep.wait(5):  # else the call below fails the test by not being interrupted
            signal.pthread_kill(main, signal.SIGINT)

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    t = threading.Thread(target=interrupt)
    try:
        t.start()
        with pytest.raises(KeyboardInterrupt):
            if call == "recv":
                b.recv()
            elif call == "poll":
                b.poll()
            else:
                poller = zmq.Poller()
                poller.register(b, zmq.POLLIN)
                poller.poll()
    finally:
        t.join(5)
        signal.signal(signal.SIGINT, previous)
    a.send(b"after ctrl-c")
    assert b.recv() == b"after ctrl-c"


def test_fd_turns_readable_when_a_message_arrives(ctx: zmq.Context) -> None:
    import select

    a, b = inproc_pair(ctx)
    fd = b.getsockopt(zmq.FD)
    assert fd == b.fileno() and isinstance(fd, int)
    # libzmq contract: after reading EVENTS and finding nothing, wait on the fd.
    assert not b.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert select.select([fd], [], [], 0)[0] == []
    a.send(b"x")
    assert select.select([fd], [], [], 5)[0] == [fd]
    assert b.getsockopt(zmq.EVENTS) & zmq.POLLIN
    assert b.recv() == b"x"


def test_select(ctx: zmq.Context) -> None:
    a, b = inproc_pair(ctx)
    r, w = os.pipe()
    try:
        assert zmq.select([b, r], [], [], 0) == ([], [], [])
        a.send(b"x")
        os.write(w, b"!")
        rl, wl, xl = zmq.select([b, r], [a], [], 1)
        assert set(rl) == {b, r} and wl == [a] and xl == []
    finally:
        os.close(r)
        os.close(w)


def test_blocked_sender_resumes_when_the_receiver_drains(ctx: zmq.Context) -> None:
    push = ctx.socket(zmq.PUSH)
    pull = ctx.socket(zmq.PULL)
    push.linger = pull.linger = 0
    push.sndhwm = pull.rcvhwm = 2
    pull.bind("inproc://hwm")
    push.connect("inproc://hwm")
    sent: list[int] = []

    def producer() -> None:
        for i in range(50):
            push.send(b"%d" % i)
            sent.append(i)

    t = threading.Thread(target=producer)
    t.start()
    got = [int(pull.recv()) for _ in range(50)]
    t.join(5)
    assert got == list(range(50)) and sent == got


def _is_closed(obj: Any) -> bool:
    """(A helper, so that the type checker does not narrow ``closed`` across the ``with``.)"""
    return bool(obj.closed)


def test_context_lifecycle() -> None:
    inst = zmq.Context.instance()
    assert zmq.Context.instance() is inst
    with pytest.warns(ResourceWarning), zmq.Context() as ctx:
        s = ctx.socket(zmq.PAIR)
        assert not ctx.closed
        assert "Context" in repr(ctx) and "PAIR" in repr(s)
    assert _is_closed(ctx) and _is_closed(s)  # __exit__ destroys, warning about s
    with pytest.raises(ZMQError) as e:
        ctx.socket(zmq.PAIR)
    assert e.value.errno == Errno.ENOTSUP
    ctx.term()  # idempotent
    direct = zmq.Socket(inst, zmq.PUSH)
    assert direct.context is inst
    direct.close()


def test_destroy_closes_sockets_with_linger() -> None:
    ctx = zmq.Context()
    socks = [ctx.socket(zmq.PUSH) for _ in range(3)]
    for s in socks:
        s.connect("tcp://127.0.0.1:9")  # never connects; would linger forever by default
        s.send(b"pending", zmq.DONTWAIT)
    start = time.monotonic()
    ctx.destroy(linger=0)
    assert time.monotonic() - start < 5
    assert all(s.closed for s in socks)


def test_socket_used_after_fork_raises_instead_of_hanging(ctx: zmq.Context) -> None:
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    _a, b = inproc_pair(ctx)
    r, w = os.pipe()
    with warnings.catch_warnings():
        # 3.12+ warns that forking a multi-threaded process is risky: that is the point here.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # child
        try:
            b.recv()
            code = 1
        except ZMQError:
            code = 0
        except BaseException:
            code = 2
        os.write(w, bytes([code]))
        os._exit(0)
    os.close(w)
    _, _status = os.waitpid(pid, 0)
    assert os.read(r, 1) == b"\0"
    os.close(r)


def test_collected_context_stops_its_io_thread() -> None:
    import gc

    before = {t for t in threading.enumerate() if t.name == "purezmq-io"}
    ctx = zmq.Context()
    s = ctx.socket(zmq.PULL)
    s.bind("tcp://127.0.0.1:*")  # starts the I/O thread
    started = {t for t in threading.enumerate() if t.name == "purezmq-io"} - before
    assert len(started) == 1
    s.close()
    del s, ctx
    gc.collect()
    (thread,) = started
    thread.join(5)
    assert not thread.is_alive()


def test_term_closes_this_threads_forgotten_sockets_instead_of_hanging() -> None:
    ctx = zmq.Context()
    forgotten = ctx.socket(zmq.PUB)
    forgotten.bind("tcp://127.0.0.1:*")
    also = ctx.socket(zmq.SUB)
    also.connect("inproc://nowhere")
    ctx.term()  # pyzmq would hang here forever (pytest-timeout bounds a regression)
    assert forgotten.closed and also.closed


def test_a_collected_open_socket_does_not_block_term() -> None:
    import gc

    ctx = zmq.Context()
    s = ctx.socket(zmq.PUSH)
    s.linger = 0
    s.bind("inproc://collected")
    del s
    gc.collect()
    t = threading.Thread(target=ctx.term)  # from another thread: not the owner shortcut
    t.start()
    t.join(5)
    assert not t.is_alive()


def test_sockets_made_directly_belong_to_their_context() -> None:
    ctx = zmq.Context(io_threads=2)
    assert ctx.get(zmq.IO_THREADS) == 2
    s = zmq.Socket(ctx, zmq.PAIR)
    ctx.destroy(0)
    assert s.closed


def _queued_pull(ctx: zmq.Context, messages: list[list[bytes]]) -> Any:
    """A PULL whose pipe already holds ``messages`` (inproc: delivered by send itself); the
    PUSH is closed (what it sent stays queued), so that nothing but the PULL keeps term()
    waiting."""
    pull, push = inproc_pair(ctx, zmq.PULL, zmq.PUSH)
    for msg in messages:
        push.send_multipart(msg)
    assert pull.poll(5000) == zmq.POLLIN  # also attaches the pipe (a mailbox command)
    assert pull._core.statistics().inbound_queued == len(messages)
    push.close()
    return pull


def test_recv_takes_queued_messages_in_runs(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"%d" % i] for i in range(600)])
    assert [pull.recv() for _ in range(600)] == [b"%d" % i for i in range(600)]
    stats = pull._core.statistics()
    assert stats.pattern.messages_in == 600
    assert stats.recv_batches == 3  # runs of up to 256, not 600 engine calls
    with pytest.raises(zmq.Again):
        pull.recv(zmq.DONTWAIT)


def test_frames_and_whole_messages_mix_across_a_run(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"a1", b"a2"], [b"b1", b"b2", b"b3"], [b"c"]])
    assert pull.recv() == b"a1" and pull.rcvmore == 1
    assert pull.recv() == b"a2" and pull.rcvmore == 0
    assert pull.recv() == b"b1"
    assert pull.recv_multipart() == [b"b2", b"b3"]
    frame = pull.recv(copy=False)
    assert frame.bytes == b"c" and not frame.more


def test_messages_taken_in_a_run_still_count_as_pollin(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"1"], [b"2"], [b"3"]])
    assert pull.recv() == b"1"
    assert pull._core.statistics().inbound_queued == 0  # the rest left the pipe with it
    assert pull.get(zmq.EVENTS) & zmq.POLLIN
    assert pull.poll(0) == zmq.POLLIN
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    assert poller.poll(0) == [(pull, zmq.POLLIN)]
    assert [pull.recv(), pull.recv()] == [b"2", b"3"]
    assert not pull.get(zmq.EVENTS) & zmq.POLLIN


def test_term_fails_recv_although_messages_were_taken(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"1"], [b"2"], [b"3"]])
    assert pull.recv() == b"1"
    fd = pull.fileno()
    pull.get(zmq.EVENTS)  # drains the fd: the next wake-up makes it readable
    terminator = threading.Thread(target=ctx.term, daemon=True)  # a failure must not hang exit
    terminator.start()
    readable, _, _ = select.select([fd], [], [], 5)
    assert readable, "term() never woke the socket"
    with pytest.raises(ContextTerminated):
        pull.recv()  # libzmq: every call fails once term() started
    pull.close()
    terminator.join(5)
    assert not terminator.is_alive()


def test_ctrl_c_landing_at_any_moment_of_a_blocking_recv_interrupts_it(ctx: zmq.Context) -> None:
    """A SIGINT that arrives just before the wait begins must still interrupt it (CPython runs
    the handler only when the thread executes bytecode again): 100 interrupts sent as soon as
    the socket says it is blocking, each one ending its recv."""
    a, b = inproc_pair(ctx)
    main = threading.get_ident()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        for _ in range(100):

            def interrupt() -> None:
                deadline = time.monotonic() + 5
                while not b._blocking and time.monotonic() < deadline:
                    pass
                signal.pthread_kill(main, signal.SIGINT)

            t = threading.Thread(target=interrupt)
            t.start()
            with pytest.raises(KeyboardInterrupt):
                b.recv()
            t.join(5)
    finally:
        signal.signal(signal.SIGINT, previous)
    a.send(b"still usable")
    assert b.recv() == b"still usable"
