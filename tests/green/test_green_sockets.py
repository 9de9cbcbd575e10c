"""``purezmq.green``: blocking calls that block only the calling greenlet.

Every test runs its greenlets in the test's own thread. "The hub was not blocked" is shown
by a greenlet that counts while another one waits: it can only advance if the wait yielded.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("gevent")

import gevent
import gevent.event

import purezmq
import purezmq.green as zmq

#: Upper bound on any wait that must end (seconds); never reached when passing.
GUARD = 10.0


@pytest.fixture
def ctx() -> Iterator[zmq.Context]:
    context = zmq.Context()
    yield context
    context.destroy(linger=0)


class Counter:
    """A greenlet that counts its turns: proof that the hub keeps running others."""

    def __init__(self) -> None:
        self.turns = 0
        self.reached = gevent.event.Event()
        self.target = 0
        self.greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        while True:
            self.turns += 1
            if self.target and self.turns >= self.target:
                self.reached.set()
            gevent.sleep(0)

    def wait_for(self, turns: int) -> None:
        self.target = self.turns + turns
        assert self.reached.wait(GUARD), "the counting greenlet did not run"
        self.reached.clear()

    def stop(self) -> None:
        self.greenlet.kill()


@pytest.fixture
def counter() -> Iterator[Counter]:
    c = Counter()
    yield c
    c.stop()


def _join(*greenlets: Any) -> None:
    gevent.joinall(list(greenlets), timeout=GUARD, raise_error=True)
    for g in greenlets:
        assert g.ready(), f"{g!r} did not finish"


# ---- module surface --------------------------------------------------------------------------


def test_star_import_gives_pyzmq_names_with_green_classes() -> None:
    namespace: dict[str, Any] = {}
    exec("from purezmq.green import *", namespace)
    for name in ("REQ", "REP", "POLLIN", "NOBLOCK", "EVENTS", "FD", "ZMQError", "Again",
                 "ContextTerminated", "Frame", "proxy", "device", "has", "zmq_version_info"):
        assert name in namespace, name
    assert namespace["Context"] is zmq.Context
    assert namespace["Socket"] is zmq.Socket
    assert namespace["Poller"] is zmq.Poller
    assert zmq.Context is not purezmq.Context
    assert issubclass(zmq.Socket, purezmq.Socket)


def test_pyzmq_green_submodules() -> None:
    import purezmq.green.core
    import purezmq.green.device
    import purezmq.green.poll

    assert purezmq.green.core._Socket is zmq.Socket
    assert purezmq.green.core._Context is zmq.Context
    assert purezmq.green.poll._Poller is zmq.Poller
    assert callable(zmq.device) and zmq.device is purezmq.device


def test_green_context_instance_is_its_own() -> None:
    green = zmq.Context.instance()
    try:
        assert isinstance(green, zmq.Context)
        assert isinstance(green.socket(zmq.PAIR), zmq.Socket)
    finally:
        green.destroy(linger=0)


def test_without_gevent_the_import_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['gevent'] = None\n"
        "try:\n"
        "    import purezmq.green\n"
        "except ImportError as e:\n"
        "    print(e.name, e)\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=GUARD
    )
    assert out.stdout.startswith("gevent "), out.stdout + out.stderr
    assert "pip install 'purezmq[gevent]'" in out.stdout, out.stdout + out.stderr


# ---- send/recv ------------------------------------------------------------------------------


@pytest.mark.parametrize("transport", ["inproc", "tcp"])
def test_req_rep_ping_pong_between_two_greenlets(ctx: zmq.Context, transport: str) -> None:
    rep = ctx.socket(zmq.REP)
    if transport == "inproc":
        endpoint = "inproc://green-pingpong"
        rep.bind(endpoint)
    else:
        endpoint = f"tcp://127.0.0.1:{rep.bind_to_random_port('tcp://127.0.0.1')}"
    req = ctx.socket(zmq.REQ)
    req.connect(endpoint)
    rounds = 200

    def serve() -> None:
        for _ in range(rounds):
            msg = rep.recv_multipart()
            rep.send_multipart([b"re", *msg])

    def ask() -> list[list[bytes]]:
        replies = []
        for i in range(rounds):
            req.send_string(str(i))
            replies.append(req.recv_multipart())
        return replies

    server, client = gevent.spawn(serve), gevent.spawn(ask)
    _join(server, client)
    assert client.value == [[b"re", str(i).encode()] for i in range(rounds)]


def test_a_waiting_recv_lets_other_greenlets_run(ctx: zmq.Context, counter: Counter) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-wait")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-wait")
    receiver = gevent.spawn(pull.recv)
    # The sender only sends once the counter advanced a lot *while* the receiver waits.
    counter.wait_for(200)
    assert not receiver.ready()
    push.send(b"late")
    _join(receiver)
    assert receiver.value == b"late"


def test_recv_all_variants(ctx: zmq.Context) -> None:
    a = ctx.socket(zmq.PAIR)
    a.bind("inproc://green-variants")
    b = ctx.socket(zmq.PAIR)
    b.connect("inproc://green-variants")

    def receive() -> list[Any]:
        buf = bytearray(8)
        return [
            b.recv(),
            b.recv_string(),
            b.recv_json(),
            b.recv_pyobj(),
            b.recv_multipart(),
            b.recv(copy=False).bytes,
            (b.recv_into(buf), bytes(buf[:3])),
            b.recv_serialized(lambda frames: b"+".join(frames)),
        ]

    receiver = gevent.spawn(receive)
    gevent.sleep(0)  # the receiver now waits (nothing sent yet)
    a.send(b"raw")
    a.send_string("text")
    a.send_json({"k": 1})
    a.send_pyobj((1, 2))
    a.send_multipart([b"m1", b"m2"])
    a.send(b"frame", copy=False)
    a.send(b"abc")
    a.send_serialized("x", lambda s: [s.encode(), b"y"])
    _join(receiver)
    assert receiver.value == [
        b"raw", "text", {"k": 1}, (1, 2), [b"m1", b"m2"], b"frame", (3, b"abc"), b"x+y",
    ]


def test_rcvtimeo_raises_again_without_blocking_the_hub(
    ctx: zmq.Context, counter: Counter
) -> None:
    pull = ctx.socket(zmq.PULL)
    with pytest.warns(UserWarning, match="RCVTIMEO is honoured"):
        pull.rcvtimeo = 200
    pull.bind("inproc://green-rcvtimeo")
    start = counter.turns
    with pytest.raises(zmq.Again):
        pull.recv()
    assert counter.turns - start > 10, "the hub did not run while recv waited"


def test_sndtimeo_raises_again_at_hwm(ctx: zmq.Context, counter: Counter) -> None:
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 1
    with pytest.warns(UserWarning, match="SNDTIMEO is honoured"):
        push.sndtimeo = 200
    push.bind("inproc://green-sndtimeo")
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = 1
    pull.connect("inproc://green-sndtimeo")
    start = counter.turns
    with pytest.raises(zmq.Again):
        for _ in range(100):
            push.send(b"x")
    assert counter.turns - start > 10


def test_a_blocked_sender_resumes_when_another_greenlet_reads(ctx: zmq.Context) -> None:
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 5
    push.bind("inproc://green-hwm")
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = 5
    pull.connect("inproc://green-hwm")
    n = 500

    def produce() -> None:
        for i in range(n):
            push.send(b"%d" % i)

    def consume() -> list[bytes]:
        return [pull.recv() for _ in range(n)]

    producer, consumer = gevent.spawn(produce), gevent.spawn(consume)
    _join(producer, consumer)
    assert consumer.value == [b"%d" % i for i in range(n)]


def test_a_sender_and_a_receiver_blocked_on_one_socket_both_proceed(ctx: zmq.Context) -> None:
    """One wake-up serves every greenlet waiting on a socket: a DEALER blocked in send (at
    HWM) and blocked in recv at the same time, each woken by its own kind of change."""
    dealer = ctx.socket(zmq.DEALER)
    dealer.sndhwm = 2
    dealer.bind("inproc://green-two-waiters")
    peer = ctx.socket(zmq.DEALER)
    peer.rcvhwm = 2
    peer.connect("inproc://green-two-waiters")
    n = 100
    sender = gevent.spawn(lambda: [dealer.send(b"out%d" % i) for i in range(n)])
    receiver = gevent.spawn(lambda: [dealer.recv() for _ in range(n)])
    gevent.sleep(0)

    def peer_side() -> list[bytes]:
        got = []
        for i in range(n):
            peer.send(b"in%d" % i)
            got.append(peer.recv())
        return got

    other = gevent.spawn(peer_side)
    _join(sender, receiver, other)
    assert receiver.value == [b"in%d" % i for i in range(n)]
    assert other.value == [b"out%d" % i for i in range(n)]


def test_two_receivers_on_one_socket_share_the_messages(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-two-receivers")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-two-receivers")
    got: list[bytes] = []

    def receive() -> None:
        while True:
            msg = pull.recv()
            if msg == b"stop":
                return
            got.append(msg)

    receivers = [gevent.spawn(receive), gevent.spawn(receive)]
    gevent.sleep(0)
    for i in range(300):
        push.send(b"%d" % i)
        if i % 50 == 0:
            gevent.sleep(0)
    push.send(b"stop")
    push.send(b"stop")
    _join(*receivers)
    assert sorted(got, key=int) == [b"%d" % i for i in range(300)]


def test_gevent_timeout_around_recv_loses_no_message(ctx: zmq.Context) -> None:
    """A ``gevent.Timeout`` interrupts recv only while it waits; a message is taken only by
    a recv that returns it. Short timeouts fire at many points of a stream of messages."""
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-timeouts")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-timeouts")
    n = 2000

    def produce() -> None:
        for i in range(n):
            push.send(b"%d" % i)
            if i % 7 == 0:
                gevent.sleep(0)  # let the receiver empty the queue and wait again

    producer = gevent.spawn(produce)
    got: list[bytes] = []
    timeouts = 0
    with gevent.Timeout(GUARD):
        while len(got) < n:
            try:
                with gevent.Timeout(0.0005):
                    got.append(pull.recv())
            except gevent.Timeout:
                timeouts += 1
    _join(producer)
    assert got == [b"%d" % i for i in range(n)]
    assert timeouts > 0, "no recv was ever interrupted: the test did not test anything"


def test_gevent_timeout_around_recv_from_a_tcp_peer_loses_no_message(
    ctx: zmq.Context,
) -> None:
    """The same over tcp, from another context's sender on another OS thread, so that
    messages arrive while the timeouts fire."""
    pull = ctx.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    other = purezmq.Context()
    n = 3000
    push = other.socket(purezmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    thread = threading.Thread(target=lambda: [push.send(b"%d" % i) for i in range(n)])
    thread.start()
    got: list[bytes] = []
    timeouts = 0
    try:
        with gevent.Timeout(GUARD):
            while len(got) < n:
                try:
                    with gevent.Timeout(0.0002):
                        got.append(pull.recv())
                except gevent.Timeout:
                    timeouts += 1
    finally:
        thread.join(GUARD)
        other.destroy(linger=0)
    assert got == [b"%d" % i for i in range(n)]


def test_kill_of_a_waiting_greenlet_keeps_the_socket_usable(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-kill")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-kill")
    waiter = gevent.spawn(pull.recv)
    gevent.sleep(0)
    waiter.kill()
    push.send(b"kept")
    assert pull.poll(GUARD * 1000) == zmq.POLLIN
    assert pull.recv() == b"kept"


def test_close_wakes_a_greenlet_blocked_in_recv(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-close")
    waiter = gevent.spawn(pull.recv)
    gevent.sleep(0)
    pull.close()
    waiter.join(GUARD)
    assert waiter.ready()
    assert isinstance(waiter.exception, zmq.ZMQError)
    assert waiter.exception.errno == zmq.ENOTSOCK


def test_term_wakes_a_greenlet_blocked_in_recv(counter: Counter) -> None:
    context = zmq.Context()
    pull = context.socket(zmq.PULL)
    pull.bind("inproc://green-term")

    def receive() -> None:
        try:
            pull.recv()
        finally:
            pull.close()

    waiter = gevent.spawn(receive)
    gevent.sleep(0)
    terminator = gevent.spawn(context.term)
    _join(terminator)
    waiter.join(GUARD)
    assert isinstance(waiter.exception, zmq.ContextTerminated)


# ---- poll -----------------------------------------------------------------------------------


def test_poller_times_out_without_blocking_the_hub(ctx: zmq.Context, counter: Counter) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-poll")
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    start = counter.turns
    assert poller.poll(200) == []
    assert counter.turns - start > 10


def test_poller_returns_when_a_message_arrives(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-poll-msg")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-poll-msg")
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    waiter = gevent.spawn(poller.poll, GUARD * 1000)
    gevent.sleep(0)
    assert not waiter.ready()
    push.send(b"x")
    _join(waiter)
    assert waiter.value == [(pull, zmq.POLLIN)]


def test_poller_watches_sockets_and_plain_fds(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-poll-fd")
    r, w = os.pipe()
    try:
        poller = zmq.Poller()
        poller.register(pull, zmq.POLLIN)
        poller.register(r, zmq.POLLIN)
        waiter = gevent.spawn(poller.poll, GUARD * 1000)
        gevent.sleep(0)
        assert not waiter.ready()
        os.write(w, b"!")
        _join(waiter)
        assert waiter.value == [(r, zmq.POLLIN)]
    finally:
        os.close(r)
        os.close(w)


def test_poller_and_recv_on_one_socket(ctx: zmq.Context) -> None:
    """A greenlet polling a socket and another one blocked in recv on it are both woken."""
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-poll-recv")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-poll-recv")
    poller = zmq.Poller()
    poller.register(pull, zmq.POLLIN)
    receiver = gevent.spawn(pull.recv)
    polling = gevent.spawn(poller.poll, GUARD * 1000)
    gevent.sleep(0)
    push.send(b"one")
    _join(receiver)
    assert receiver.value == b"one"
    # The poller saw POLLIN, or the receiver took the message first and the poller, after
    # re-checking, waits again: both are right. It must not stay asleep with a message queued.
    push.send(b"two")
    _join(polling)
    assert polling.value == [(pull, zmq.POLLIN)]


def test_socket_poll_method(ctx: zmq.Context, counter: Counter) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-sock-poll")
    start = counter.turns
    assert pull.poll(100) == 0
    assert counter.turns - start > 5
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://green-sock-poll")
    waiter = gevent.spawn(pull.poll, GUARD * 1000)
    gevent.sleep(0)
    push.send(b"x")
    _join(waiter)
    assert waiter.value == zmq.POLLIN


def test_select(ctx: zmq.Context) -> None:
    a = ctx.socket(zmq.PAIR)
    a.bind("inproc://green-select")
    b = ctx.socket(zmq.PAIR)
    b.connect("inproc://green-select")
    assert zmq.select([b], [], [], 0) == ([], [], [])
    waiter = gevent.spawn(zmq.select, [b], [], [], GUARD)
    gevent.sleep(0)
    a.send(b"x")
    _join(waiter)
    assert waiter.value == ([b], [], [])


# ---- devices --------------------------------------------------------------------------------


def test_proxy_runs_in_a_greenlet(ctx: zmq.Context) -> None:
    frontend = ctx.socket(zmq.ROUTER)
    frontend.bind("inproc://green-front")
    backend = ctx.socket(zmq.DEALER)
    backend.bind("inproc://green-back")
    device = gevent.spawn(zmq.proxy, frontend, backend)
    worker = ctx.socket(zmq.REP)
    worker.connect("inproc://green-back")
    client = ctx.socket(zmq.REQ)
    client.connect("inproc://green-front")

    def work() -> None:
        for _ in range(20):
            worker.send(worker.recv().upper())

    def ask() -> list[bytes]:
        out = []
        for i in range(20):
            client.send(b"q%d" % i)
            out.append(client.recv())
        return out

    w, c = gevent.spawn(work), gevent.spawn(ask)
    _join(w, c)
    assert c.value == [b"Q%d" % i for i in range(20)]
    device.kill()


def test_device_runs_in_a_greenlet(ctx: zmq.Context) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://green-device-in")
    push = ctx.socket(zmq.PUSH)
    push.bind("inproc://green-device-out")
    device = gevent.spawn(zmq.device, zmq.STREAMER, pull, push)
    source = ctx.socket(zmq.PUSH)
    source.connect("inproc://green-device-in")
    sink = ctx.socket(zmq.PULL)
    sink.connect("inproc://green-device-out")
    for i in range(20):
        source.send(b"%d" % i)
    receiver = gevent.spawn(lambda: [sink.recv() for _ in range(20)])
    _join(receiver)
    assert receiver.value == [b"%d" % i for i in range(20)]
    device.kill()


# ---- against libzmq -------------------------------------------------------------------------


@pytest.mark.interop
def test_green_req_against_a_libzmq_rep_over_tcp(ctx: zmq.Context, counter: Counter) -> None:
    libzmq = pytest.importorskip("zmq")
    lctx = libzmq.Context()
    rep = lctx.socket(libzmq.REP)
    rep.linger = 0
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    rounds = 100

    def serve() -> None:
        for _ in range(rounds):
            rep.send(b"re:" + rep.recv())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    req = ctx.socket(zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    try:
        start = counter.turns
        replies = []
        for i in range(rounds):
            req.send(b"%d" % i)
            replies.append(req.recv())
        assert replies == [b"re:%d" % i for i in range(rounds)]
        assert counter.turns > start, "the hub never ran while recv waited for libzmq"
        thread.join(GUARD)
    finally:
        rep.close()
        lctx.term()


@pytest.mark.interop
def test_green_rep_serves_a_libzmq_req_over_tcp(ctx: zmq.Context) -> None:
    libzmq = pytest.importorskip("zmq")
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    rounds = 100

    def serve() -> None:
        for _ in range(rounds):
            rep.send(b"re:" + rep.recv())

    server = gevent.spawn(serve)
    lctx = libzmq.Context()
    req = lctx.socket(libzmq.REQ)
    req.linger = 0
    req.connect(f"tcp://127.0.0.1:{port}")
    replies: list[bytes] = []

    def ask() -> None:
        for i in range(rounds):
            req.send(b"%d" % i)
            replies.append(req.recv())

    thread = threading.Thread(target=ask, daemon=True)
    thread.start()
    try:
        _join(server)
        thread.join(GUARD)
        assert replies == [b"re:%d" % i for i in range(rounds)]
    finally:
        req.close()
        lctx.term()


@pytest.mark.parametrize("name", ["rcvtimeo", "sndtimeo"])
def test_timeout_options_warn_that_they_are_honoured_unlike_pyzmq_green(
    ctx: zmq.Context, name: str
) -> None:
    sock = ctx.socket(zmq.REQ)
    try:
        option = getattr(zmq, name.upper())
        with pytest.warns(UserWarning, match="honoured by purezmq's green sockets") as set_:
            setattr(sock, name, 5)
        with pytest.warns(UserWarning, match="pyzmq's zmq.green ignores") as get:
            assert getattr(sock, name) == 5
        with pytest.warns(UserWarning):
            sock.setsockopt(option, 7)
        with pytest.warns(UserWarning):
            assert sock.getsockopt(option) == 7
        assert len(set_) == 1 and len(get) == 1
        assert set_[0].category is UserWarning  # exactly, as pyzmq's tests check
        assert set_[0].filename == __file__  # points at the caller
    finally:
        sock.close()


def test_other_options_do_not_warn(ctx: zmq.Context) -> None:
    sock = ctx.socket(zmq.REQ)
    try:
        sock.linger = 0
        assert sock.linger == 0
        sock.rcvhwm = 5
    finally:
        sock.close()
