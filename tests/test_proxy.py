"""purezmq.proxy / proxy_steerable: libzmq's devices on the sync API."""

from __future__ import annotations

import functools
import struct
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq

TIMEOUT_MS = 5000


class Runner:
    """Runs ``fn`` in a thread and keeps what it raised."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.error: BaseException | None = None
        self.result: Any = None

        def main() -> None:
            try:
                self.result = fn()
            except BaseException as exc:  # reported to the test
                self.error = exc

        self.thread = threading.Thread(target=main, daemon=True)
        self.thread.start()

    def join(self) -> None:
        self.thread.join(TIMEOUT_MS / 1000)
        assert not self.thread.is_alive(), "did not finish"


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


def _sock(ctx: purezmq.Context, kind: int) -> purezmq.Socket:
    s: purezmq.Socket = ctx.socket(kind)
    s.linger = 0
    s.rcvtimeo = TIMEOUT_MS
    s.sndtimeo = TIMEOUT_MS
    return s


def _steered(ctx: purezmq.Context, name: str, front: purezmq.Socket, back: purezmq.Socket,
             capture: purezmq.Socket | None) -> tuple[Runner, purezmq.Socket]:
    """A proxy_steerable in a thread and the PAIR that steers it."""
    ctl_in = _sock(ctx, purezmq.PAIR)
    ctl_in.bind(f"inproc://{name}-ctl")
    ctl_out = _sock(ctx, purezmq.PAIR)
    ctl_out.connect(f"inproc://{name}-ctl")
    runner = Runner(lambda: purezmq.proxy_steerable(front, back, capture, ctl_in))
    return runner, ctl_out


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_broker_req_clients_rep_workers_with_capture(
    ctx: purezmq.Context, transport: str
) -> None:
    front = _sock(ctx, purezmq.ROUTER)
    back = _sock(ctx, purezmq.DEALER)
    if transport == "inproc":
        f_addr, b_addr = "inproc://front", "inproc://back"
        front.bind(f_addr)
        back.bind(b_addr)
    else:
        f_addr = f"tcp://127.0.0.1:{front.bind_to_random_port('tcp://127.0.0.1')}"
        b_addr = f"tcp://127.0.0.1:{back.bind_to_random_port('tcp://127.0.0.1')}"
    cap_in = _sock(ctx, purezmq.PAIR)
    cap_in.bind("inproc://capture")
    cap_out = _sock(ctx, purezmq.PAIR)
    cap_out.connect("inproc://capture")
    runner, ctl = _steered(ctx, "broker", front, back, cap_out)

    n_workers, n_clients, n_requests = 2, 3, 5

    def worker(i: int) -> None:
        rep = _sock(ctx, purezmq.REP)
        rep.connect(b_addr)
        try:
            while True:
                req = rep.recv()
                if req == b"stop":
                    rep.send(b"stopped")
                    return
                rep.send(req + b" by w" + str(i).encode())
        finally:
            rep.close()

    def client(i: int) -> list[bytes]:
        req = _sock(ctx, purezmq.REQ)
        req.connect(f_addr)
        try:
            replies = []
            for j in range(n_requests):
                req.send(f"c{i}r{j}".encode())
                replies.append(req.recv())
            return replies
        finally:
            req.close()

    workers = [Runner(functools.partial(worker, i)) for i in range(n_workers)]
    clients = [Runner(functools.partial(client, i)) for i in range(n_clients)]
    for c in clients:
        c.join()
        assert c.error is None, repr(c.error)
    for i, c in enumerate(clients):
        assert [r.split(b" by ")[0] for r in c.result] == [
            f"c{i}r{j}".encode() for j in range(n_requests)
        ]
    # Stop the workers through the broker too (one "stop" each, from one REQ).
    stopper = _sock(ctx, purezmq.REQ)
    stopper.connect(f_addr)
    for _ in range(n_workers):
        stopper.send(b"stop")
        assert stopper.recv() == b"stopped"
    stopper.close()
    for w in workers:
        w.join()
        assert w.error is None, repr(w.error)

    # Every forwarded message, both ways, arrived on the capture socket, whole.
    total = 2 * (n_clients * n_requests + n_workers)
    captured = [cap_in.recv_multipart() for _ in range(total)]
    # ROUTER -> DEALER and back, both [client id, b"", body]: the envelope travels whole.
    assert all(len(m) == 3 and m[1] == b"" for m in captured)
    bodies = sorted(m[2] for m in captured)
    requests = [b for b in bodies if b.startswith(b"c") and b" by " not in b]
    replies = [b for b in bodies if b" by w" in b]
    assert len(requests) == len(replies) == n_clients * n_requests
    assert bodies.count(b"stop") == bodies.count(b"stopped") == n_workers
    ctl.send(b"STATISTICS")
    stats = struct.unpack("=8Q", b"".join(ctl.recv_multipart()))
    # libzmq counts message parts: each request and reply is [client id, b"", body].
    assert stats[0] == stats[6] == 3 * (n_clients * n_requests + n_workers)  # front in = back out
    assert stats[4] == stats[2] == 3 * (n_clients * n_requests + n_workers)  # back in = front out
    ctl.send(b"TERMINATE")
    assert ctl.recv_multipart() == [b""]  # every command but STATISTICS is answered (libzmq)
    runner.join()
    assert runner.error is None and runner.result is None


def test_pause_holds_messages_until_resume(ctx: purezmq.Context) -> None:
    front = _sock(ctx, purezmq.PULL)
    front.bind("inproc://p-in")
    back = _sock(ctx, purezmq.PUSH)
    back.bind("inproc://p-out")
    push = _sock(ctx, purezmq.PUSH)
    push.connect("inproc://p-in")
    pull = _sock(ctx, purezmq.PULL)
    pull.connect("inproc://p-out")
    runner, ctl = _steered(ctx, "pause", front, back, None)
    push.send(b"before")
    assert pull.recv() == b"before"
    ctl.send(b"PAUSE")
    assert ctl.recv_multipart() == [b""]  # answered once applied (libzmq 4.3.5)
    ctl.send(b"STATISTICS")
    assert len(ctl.recv_multipart()) == 8
    push.send(b"during")
    assert not pull.poll(50)  # a negative check: nothing may be forwarded while paused
    ctl.send(b"RESUME")
    assert ctl.recv_multipart() == [b""]
    assert pull.recv() == b"during"
    ctl.send(b"TERMINATE")
    runner.join()
    assert runner.error is None


def test_reflector_with_one_socket(ctx: purezmq.Context) -> None:
    # frontend is backend: each message goes back out of the socket it came in on.
    pair = _sock(ctx, purezmq.PAIR)
    pair.bind("inproc://mirror")
    peer = _sock(ctx, purezmq.PAIR)
    peer.connect("inproc://mirror")
    runner, ctl = _steered(ctx, "mirror", pair, pair, None)
    peer.send_multipart([b"a", b"b"])
    assert peer.recv_multipart() == [b"a", b"b"]
    ctl.send(b"TERMINATE")
    runner.join()


def test_proxy_ends_with_the_context() -> None:
    ctx = purezmq.Context()
    ready = threading.Event()

    def run() -> None:
        # The device thread owns its sockets (libzmq's rule), so term() leaves them to it.
        front = ctx.socket(purezmq.PULL)
        front.bind("inproc://t-in")
        back = ctx.socket(purezmq.PUSH)
        back.bind("inproc://t-out")
        ready.set()
        try:
            purezmq.proxy(front, back)
        finally:
            front.close(0)
            back.close(0)

    runner = Runner(run)
    assert ready.wait(TIMEOUT_MS / 1000)
    ctx.term()  # wakes the proxy's poll with ETERM; term returns once it closed its sockets
    runner.join()
    assert isinstance(runner.error, purezmq.ContextTerminated), repr(runner.error)


def test_proxy_thread_using_sockets_made_by_the_terminating_thread() -> None:
    # term() closes sockets its own thread made and left idle; a device thread polling them
    # learns that the Context ended (ETERM), not that a socket vanished (ENOTSOCK).
    ctx = purezmq.Context()
    front = ctx.socket(purezmq.PULL)
    front.bind("inproc://m-in")
    back = ctx.socket(purezmq.PUSH)
    back.bind("inproc://m-out")
    runner = Runner(lambda: purezmq.proxy(front, back))
    ctx.term()
    runner.join()
    assert isinstance(runner.error, purezmq.ContextTerminated), repr(runner.error)


def test_device_is_a_proxy_that_ignores_its_type() -> None:
    """pyzmq's deprecated ``zmq.device(QUEUE, ...)``: a proxy that ends with the Context."""
    ctx = purezmq.Context()
    ready = threading.Event()

    def run() -> None:
        front = ctx.socket(purezmq.PULL)
        front.bind("inproc://d-in")
        back = ctx.socket(purezmq.PUSH)
        back.bind("inproc://d-out")
        ready.set()
        try:
            purezmq.device(purezmq.QUEUE, front, back)
        finally:
            front.close(0)
            back.close(0)

    runner = Runner(run)
    assert ready.wait(TIMEOUT_MS / 1000)
    push = ctx.socket(purezmq.PUSH)
    push.connect("inproc://d-in")
    pull = ctx.socket(purezmq.PULL)
    pull.rcvtimeo = TIMEOUT_MS
    pull.connect("inproc://d-out")
    push.send_multipart([b"through", b"the device"])
    assert pull.recv_multipart() == [b"through", b"the device"]
    push.close(0)
    pull.close(0)
    ctx.term()
    runner.join()
    assert isinstance(runner.error, purezmq.ContextTerminated), repr(runner.error)
