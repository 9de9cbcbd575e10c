"""LINGER and context termination: what happens to pending messages and to blocked threads.

purezmq against purezmq and against libzmq (pyzmq). ``term()`` runs in a helper thread joined
with a bound, so a hang fails the test instead of the suite. No sleeps: "term is still waiting"
is checked with a bounded join, deliveries with RCVTIMEO.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as pzasyncio

from ..kit.libzmq import LIBS, free_endpoint

zmq = pytest.importorskip("zmq")

TIMEOUT = 5.0


class Background:
    """Run ``fn`` in a daemon thread; remember its result or exception and when it ended."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.ended_at: float | None = None
        self.started_at = time.monotonic()
        self._fn = fn
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:
            self.error = exc
        finally:
            self.ended_at = time.monotonic()

    def join(self, timeout: float = TIMEOUT) -> float:
        """Wait (bounded) for the end; return how long ``fn`` took."""
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "still running: hung?"
        assert self.ended_at is not None
        return self.ended_at - self.started_at


def pending_push(ctx: Any, lib: Any, address: str, linger: int | None) -> None:
    """A PUSH connected to ``address`` (nobody there) with three messages queued, then closed."""
    push = ctx.socket(lib.PUSH)
    if linger is not None:
        push.setsockopt(lib.LINGER, linger)
    push.setsockopt(lib.RECONNECT_IVL, 20)
    push.connect(address)
    for i in range(3):
        push.send(b"pending-%d" % i, lib.DONTWAIT)
    push.close()


# -- LINGER -------------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("peer", ["pure", "lib"])
def test_default_linger_delivers_pending_before_term_returns(
    peer: str, transport: str, ipc_dir: str
) -> None:
    address = free_endpoint(transport, ipc_dir)
    ctx = purezmq.Context()
    probe = ctx.socket(purezmq.PUSH)
    assert probe.getsockopt(purezmq.LINGER) == -1, "libzmq's default LINGER is infinite"
    probe.close()
    pending_push(ctx, purezmq, address, None)
    term = Background(ctx.term)
    term.thread.join(0.15)
    assert term.thread.is_alive(), "term() must wait for the pending messages"
    peer_ctx = LIBS[peer].Context()
    try:
        pull = peer_ctx.socket(LIBS[peer].PULL)
        pull.setsockopt(zmq.LINGER, 0)
        pull.setsockopt(zmq.RCVTIMEO, int(TIMEOUT * 1000))
        pull.bind(address)
        assert [pull.recv() for _ in range(3)] == [b"pending-0", b"pending-1", b"pending-2"]
        term.join()
        assert term.error is None
        pull.close()
    finally:
        peer_ctx.destroy(linger=0)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("peer", ["pure", "lib"])
def test_linger_zero_discards_pending_and_term_is_prompt(
    peer: str, transport: str, ipc_dir: str
) -> None:
    address = free_endpoint(transport, ipc_dir)
    ctx = purezmq.Context()
    pending_push(ctx, purezmq, address, 0)
    assert Background(ctx.term).join() < 1.0
    # Had anything survived, it would reach a peer binding there now.
    peer_ctx = LIBS[peer].Context()
    try:
        pull = peer_ctx.socket(LIBS[peer].PULL)
        pull.setsockopt(zmq.LINGER, 0)
        pull.bind(address)
        assert not pull.poll(100)
        pull.close()
    finally:
        peer_ctx.destroy(linger=0)


def test_destroy_linger_zero_is_prompt_with_pending_messages(ipc_dir: str) -> None:
    ctx = purezmq.Context()
    push = ctx.socket(purezmq.PUSH)  # default LINGER -1 overridden by destroy(linger=0)
    push.connect(free_endpoint("tcp", ipc_dir))
    for _ in range(5):
        push.send(b"never delivered", purezmq.DONTWAIT)
    assert Background(lambda: ctx.destroy(linger=0)).join() < 1.0
    assert push.closed


@pytest.mark.parametrize("which", ["pure", "lib"])
def test_positive_linger_bounds_term_when_no_peer_comes(which: str, ipc_dir: str) -> None:
    lib = LIBS[which]
    ctx = lib.Context()
    pending_push(ctx, lib, free_endpoint("tcp", ipc_dir), 150)
    took = Background(ctx.term).join()
    assert 0.1 <= took < 2.0, took


# -- blocked threads ----------------------------------------------------------------------------


def _blocked_call(lib: Any, ctx: Any, what: str) -> Callable[[], Any]:
    def run() -> Any:
        if what == "recv":
            sock = ctx.socket(lib.PULL)
            sock.bind("inproc://nobody-sends")
            call: Callable[[], Any] = sock.recv
        elif what == "send":
            sock = ctx.socket(lib.PUSH)  # no peer: send blocks
            call = lambda: sock.send(b"x")  # noqa: E731
        else:
            sock = ctx.socket(lib.SUB)
            sock.connect("inproc://nobody-publishes")
            call = lambda: sock.poll()  # noqa: E731
        try:
            return call()
        finally:
            sock.close(linger=0)  # what a well-behaved thread does after ETERM

    return run


@pytest.mark.parametrize("what", ["recv", "send", "poll"])
@pytest.mark.parametrize("which", ["pure", "lib"])
def test_term_wakes_a_thread_blocked_in_a_call_with_eterm(which: str, what: str) -> None:
    lib = LIBS[which]
    ctx = lib.Context()
    blocked = Background(_blocked_call(lib, ctx, what))
    blocked.thread.join(0.1)
    assert blocked.thread.is_alive(), f"{what} should block"
    term = Background(ctx.term)
    blocked.join()
    term.join()
    assert isinstance(blocked.error, lib.ContextTerminated), repr(blocked.error)
    assert blocked.error.errno == 156384765


@pytest.mark.parametrize("what", ["recv", "send", "poll"])
def test_destroy_wakes_a_thread_blocked_in_a_call_with_eterm(what: str) -> None:
    # pyzmq documents destroy() from another thread as unsafe; purezmq makes it safe.
    ctx = purezmq.Context()
    blocked = Background(_blocked_call(purezmq, ctx, what))
    blocked.thread.join(0.1)
    assert blocked.thread.is_alive(), f"{what} should block"
    Background(lambda: ctx.destroy(linger=0)).join()
    blocked.join()  # it does not hang
    assert isinstance(blocked.error, purezmq.ContextTerminated), repr(blocked.error)


@pytest.mark.parametrize("how", ["term", "destroy"])
def test_asyncio_recv_pending_when_context_ends_raises_eterm(how: str) -> None:
    # pyzmq's asyncio recv stays pending forever after term() (a known trap) and is cancelled
    # by destroy(); purezmq raises ContextTerminated in the awaiting task.
    async def main() -> None:
        ctx = pzasyncio.Context()
        sock = ctx.socket(purezmq.PULL)
        sock.bind("inproc://async-nobody")
        pending = asyncio.ensure_future(sock.recv())
        await asyncio.sleep(0)  # one loop turn: the recv is now waiting
        assert not pending.done()
        loop = asyncio.get_running_loop()
        end = ctx.term if how == "term" else lambda: ctx.destroy(linger=0)
        ending = loop.run_in_executor(None, end)
        with pytest.raises(purezmq.ContextTerminated):
            await asyncio.wait_for(pending, TIMEOUT)
        sock.close()
        await asyncio.wait_for(ending, TIMEOUT)

    asyncio.run(main())


@pytest.mark.parametrize("transport", ["inproc", "ipc", "tcp"])
def test_rep_reply_survives_an_immediate_close(transport: str, tmp_path: object) -> None:
    """A REP that sends its reply and closes at once: libzmq delivers the reply, so do we."""
    endpoint = {
        "inproc": "inproc://reply-then-close",
        "ipc": f"ipc://{tmp_path}/sock",
        "tcp": "tcp://127.0.0.1:*",
    }[transport]
    with purezmq.Context() as ctx:
        rep = ctx.socket(purezmq.REP)
        rep.bind(endpoint)
        req = ctx.socket(purezmq.REQ)
        req.rcvtimeo = 5000
        req.linger = 0
        req.connect(rep.last_endpoint.decode())
        req.send(b"hi")
        rep.send(rep.recv())
        rep.close()  # default LINGER: the reply must still leave
        assert req.recv() == b"hi"
        req.close()
