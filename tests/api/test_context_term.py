"""``Context.term()`` returns once threads that got ETERM have returned, even when they did not
close their sockets (the Guide's lbbroker2, fileio1/fileio2 workers do exactly that): a socket
dropped by its thread is collected and closed, as pyzmq's ``Socket.__del__`` closes it.

``term()`` runs in a helper thread joined with a bound, so a hang fails the test instead of
stalling the suite; every wait is an event with a timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

LIBS = {"pure": purezmq, "lib": zmq}
TIMEOUT = 10.0

# Dropping an open socket is what these programs do; pyzmq warns about it when it collects one.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


def worker(
    lib: Any, ctx: Any, socket_type: int, endpoint: str, ready: threading.Barrier
) -> Callable[[], None]:
    """A thread body that blocks in ``recv`` and returns on ETERM without closing its socket."""

    def run() -> None:
        sock = ctx.socket(socket_type)
        sock.connect(endpoint)
        if socket_type == lib.REQ:
            sock.send(b"READY")  # lbbroker2's worker: announce, then wait for work
        ready.wait(TIMEOUT)
        try:
            sock.recv_multipart()
        except lib.ContextTerminated:
            return  # the socket is dropped here, not closed

    return run


def term_in_thread(ctx: Any) -> threading.Thread:
    term = threading.Thread(target=ctx.term, daemon=True)  # a regression must not hang exit
    term.start()
    return term


@pytest.mark.parametrize("workers", [1, 3])
@pytest.mark.parametrize("which", list(LIBS))
def test_term_returns_when_woken_threads_return_without_closing(which: str, workers: int) -> None:
    lib = LIBS[which]
    ctx = lib.Context()
    # The lbbroker2 shape: a ROUTER in the main thread, REQ/DEALER workers in threads.
    router = ctx.socket(lib.ROUTER)
    router.bind("inproc://term-workers")
    ready = threading.Barrier(workers + 1)
    threads = [
        threading.Thread(
            target=worker(lib, ctx, lib.DEALER, "inproc://term-workers", ready), daemon=True
        )
        for _ in range(workers)
    ]
    for t in threads:
        t.start()
    ready.wait(TIMEOUT)
    router.close()
    term = term_in_thread(ctx)
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive(), "a worker never got ETERM"
    term.join(TIMEOUT)
    assert not term.is_alive(), "term() hangs on sockets dropped by threads that returned"


@pytest.mark.parametrize("which", list(LIBS))
def test_term_from_the_main_thread_after_the_workers_drop_their_sockets(which: str) -> None:
    """The fileio shape: the main thread's own sockets are closed, then ``term()`` is called
    while the workers still block; ``term()`` wakes them and returns once they are gone."""
    lib = LIBS[which]
    ctx = lib.Context()
    router = ctx.socket(lib.ROUTER)
    router.bind("inproc://term-fileio")
    ready = threading.Barrier(3)
    threads = [
        threading.Thread(
            target=worker(lib, ctx, socket_type, "inproc://term-fileio", ready), daemon=True
        )
        for socket_type in (lib.DEALER, lib.REQ)
    ]
    for t in threads:
        t.start()
    ready.wait(TIMEOUT)
    router.close()
    done = threading.Event()

    def main() -> None:
        ctx.term()
        done.set()

    threading.Thread(target=main, daemon=True).start()
    assert done.wait(TIMEOUT), "term() hangs on sockets dropped by threads that returned"
    for t in threads:
        t.join(TIMEOUT)
        assert not t.is_alive()


def test_term_closes_a_socket_collected_while_it_waits() -> None:
    """A socket whose last reference goes away while ``term()`` is already waiting (the
    thread returns after the reap started) is still closed: ``term()`` keeps reaping."""
    ctx = purezmq.Context()
    proceed = threading.Event()
    holder: list[Any] = [ctx.socket(purezmq.PAIR)]
    holder[0].bind("inproc://term-late")

    def let_go() -> None:
        proceed.wait(TIMEOUT)
        holder.clear()  # the socket's last reference: collected now, while term() waits

    releaser = threading.Thread(target=let_go, daemon=True)
    releaser.start()
    term = threading.Thread(target=ctx.term, daemon=True)
    term.start()
    term.join(0.2)
    assert term.is_alive(), "term() must wait for a socket another thread still holds"
    proceed.set()
    term.join(TIMEOUT)
    assert not term.is_alive(), "term() never closed the socket collected while it waited"


@pytest.mark.parametrize("which", list(LIBS))
def test_term_leaves_sockets_handed_to_another_thread_to_that_thread(which: str) -> None:
    """The Guide's broker shape: sockets made in the main thread, handed to a proxy thread. The
    proxy thread uses them, so ``term()`` in the main thread must not close them under it: the
    proxy gets ContextTerminated and closes them itself."""
    lib = LIBS[which]
    ctx = lib.Context()
    front = ctx.socket(lib.PULL)
    front.bind("inproc://handed-in")
    back = ctx.socket(lib.PUSH)
    back.bind("inproc://handed-out")
    outcome: list[str] = []

    def forward() -> None:
        try:
            lib.proxy(front, back)
        except lib.ContextTerminated:
            # Still open: nobody else closed them while this thread was using them.
            outcome.append(f"ETERM, closed={front.closed or back.closed}")
        except Exception as exc:  # the assertion below shows it
            outcome.append(repr(exc))
        finally:
            front.close()
            back.close()

    proxy = threading.Thread(target=forward, daemon=True)
    proxy.start()
    src = ctx.socket(lib.PUSH)
    src.connect("inproc://handed-in")
    dst = ctx.socket(lib.PULL)
    dst.connect("inproc://handed-out")
    dst.rcvtimeo = int(TIMEOUT * 1000)
    for n in range(50):
        src.send(b"%d" % n)
        assert dst.recv() == b"%d" % n
    src.close()
    dst.close()
    ctx.term()
    proxy.join(TIMEOUT)
    assert outcome == ["ETERM, closed=False"]
