"""A classic socket used by two threads at once: the second thread to block in send/recv gets
EFAULT naming both threads; handing a socket over between calls, a thread in poll() beside one
in recv(), and the thread-safe draft types keep working (docs/lifecycle.md)."""

from __future__ import annotations

import threading
from time import monotonic

import pytest

import purezmq
from purezmq import Again, ZMQError


def recv_until_error(sock: purezmq.Socket, stop: threading.Event, errors: list[ZMQError]) -> None:
    """Blocking receives (each bounded by RCVTIMEO) until ``stop`` or an error other than
    EAGAIN, which goes to ``errors``."""
    while not stop.is_set():
        try:
            sock.recv()
        except Again:
            continue
        except ZMQError as exc:
            errors.append(exc)
            return


def test_a_second_thread_blocking_in_recv_gets_efault(pure_ctx: purezmq.Context) -> None:
    pull = pure_ctx.socket(purezmq.PULL)
    pull.rcvtimeo = 20
    pull.bind("inproc://two-readers")
    stop = threading.Event()
    errors: list[ZMQError] = []
    reader = threading.Thread(
        target=recv_until_error, args=(pull, stop, errors), name="first-reader"
    )
    reader.start()
    deadline = monotonic() + 5
    while not errors and monotonic() < deadline:
        try:
            pull.recv()
        except Again:
            continue
        except ZMQError as exc:
            errors.append(exc)
    stop.set()
    reader.join(5)
    assert errors, "two threads blocked in recv() at once and neither was told"
    err = errors[0]
    assert err.errno == purezmq.EFAULT
    assert "first-reader" in str(err) and "MainThread" in str(err)
    assert "one socket per thread" in str(err)
    # The socket is intact: a message sent now is received once.
    push = pure_ctx.socket(purezmq.PUSH)
    push.connect("inproc://two-readers")
    push.send(b"after")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"after"
    push.close()
    pull.close()


def test_a_socket_handed_over_between_calls_works(pure_ctx: purezmq.Context) -> None:
    made: list[purezmq.Socket] = []

    def make_and_wait() -> None:
        pull = pure_ctx.socket(purezmq.PULL)
        pull.rcvtimeo = 10
        pull.bind("inproc://handed-over")
        with pytest.raises(Again):
            pull.recv()  # a blocking wait in this thread, that ends
        made.append(pull)

    creator = threading.Thread(target=make_and_wait)
    creator.start()
    creator.join(5)
    pull = made[0]
    with pytest.raises(Again):
        pull.recv()  # blocks in the main thread now: no EFAULT
    push = pure_ctx.socket(purezmq.PUSH)
    push.connect("inproc://handed-over")
    push.send(b"hello")
    pull.rcvtimeo = 5000
    assert pull.recv() == b"hello"
    push.close()
    pull.close()


def test_a_thread_in_poll_beside_one_in_recv_is_allowed(pure_ctx: purezmq.Context) -> None:
    pull = pure_ctx.socket(purezmq.PULL)
    pull.rcvtimeo = 5000
    pull.bind("inproc://poll-and-recv")
    polled: list[int] = []
    poller_in = threading.Event()

    def poll() -> None:
        poller_in.set()
        polled.append(pull.poll(5000))

    poller = threading.Thread(target=poll)
    poller.start()
    assert poller_in.wait(5)
    push = pure_ctx.socket(purezmq.PUSH)
    push.connect("inproc://poll-and-recv")
    push.send(b"one")
    push.send(b"two")
    assert pull.recv() == b"one"
    poller.join(5)
    assert polled == [purezmq.POLLIN]
    assert pull.recv() == b"two"
    push.close()
    pull.close()


def test_draft_thread_safe_types_serve_several_waiting_threads(pure_ctx: purezmq.Context) -> None:
    server = pure_ctx.socket(purezmq.SERVER)
    server.rcvtimeo = 5000
    server.bind("inproc://shared-server")
    got: list[bytes] = []
    errors: list[BaseException] = []

    def serve() -> None:
        try:
            got.append(server.recv())
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=serve) for _ in range(3)]
    for thread in threads:
        thread.start()
    client = pure_ctx.socket(purezmq.CLIENT)
    client.connect("inproc://shared-server")
    for n in range(3):
        client.send(b"%d" % n)
    for thread in threads:
        thread.join(5)
    assert errors == []
    assert sorted(got) == [b"0", b"1", b"2"]
    client.close()
    server.close()
