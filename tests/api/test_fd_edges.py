"""``getsockopt(FD)`` / ``EVENTS``: libzmq's edge-triggered contract, as loop integrations use it.

The contract (libzmq ``zmq_getsockopt``, ZMQ_FD): the descriptor turns readable whenever
``EVENTS`` may have changed; reading ``EVENTS`` consumes that edge; a user re-checks ``EVENTS``
after every wake-up (several changes may be coalesced into one edge) and after its own calls,
and waits on the descriptor again only when ``EVENTS`` shows nothing it wants. Integrations
built for pyzmq (gevent, tornado's ZMQStream, Qt socket notifiers, aiozmq) rely on two halves:
no edge is lost (every message is received), and the descriptor stays quiet once ``EVENTS``
was read and nothing changed (no busy loop).

Each sync test body runs against purezmq and against pyzmq (libzmq), to show that what it
asserts is libzmq's behaviour.
"""

from __future__ import annotations

import asyncio
import importlib
import selectors
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq
import purezmq.asyncio

libzmq = pytest.importorskip("zmq")

#: How long the descriptor must stay quiet to count as "not spinning" (seconds).
QUIET = 0.2
#: Upper bound on any wait for an edge that must come (seconds); never reached when passing.
GUARD = 5.0


@pytest.fixture(params=["purezmq", "purezmq.green", "pyzmq"])
def zmq(request: pytest.FixtureRequest) -> ModuleType:
    """The implementation under test: purezmq (blocking or gevent sockets: a green socket
    drains its FD only while one of its own calls waits), or pyzmq as the reference."""
    module: ModuleType = purezmq
    if request.param == "pyzmq":
        module = libzmq
    elif request.param == "purezmq.green":
        pytest.importorskip("gevent")
        module = importlib.import_module("purezmq.green")
    return module


class _Tracking:
    """A Context whose sockets are all closed at teardown (pyzmq warns about unclosed ones)."""

    def __init__(self, context: Any) -> None:
        self.context = context
        self.sockets: list[Any] = []

    def socket(self, kind: int) -> Any:
        sock = self.context.socket(kind)
        sock.linger = 0
        self.sockets.append(sock)
        return sock

    def destroy(self) -> None:
        for sock in self.sockets:
            sock.close(0)
        self.context.term()


@pytest.fixture
def ctx(zmq: ModuleType) -> Iterator[Any]:
    context = _Tracking(zmq.Context())
    yield context
    context.destroy()


@pytest.fixture
def peer_ctx() -> Iterator[Any]:
    """A libzmq context for the remote peer."""
    context = _Tracking(libzmq.Context())
    yield context
    context.destroy()


class FdReader:
    """A selector loop on one socket's FD, as a pyzmq loop integration writes it."""

    def __init__(self, sock: Any, zmq: ModuleType) -> None:
        self.sock = sock
        self.zmq = zmq
        self.selector = selectors.DefaultSelector()
        self.selector.register(sock.getsockopt(zmq.FD), selectors.EVENT_READ)
        self.wakes = 0

    def close(self) -> None:
        self.selector.close()

    def wait(self, timeout: float) -> bool:
        """One wait on the FD; True when it turned readable."""
        if self.selector.select(timeout):
            self.wakes += 1
            return True
        return False

    def drain(self) -> list[bytes]:
        """Read EVENTS, then receive without blocking while it says POLLIN."""
        got = []
        while self.sock.getsockopt(self.zmq.EVENTS) & self.zmq.POLLIN:
            got.append(self.sock.recv(self.zmq.NOBLOCK))
        return got

    def receive(self, count: int, *, check_first: bool = True) -> list[bytes]:
        """Wait on the FD and drain after every wake-up until ``count`` messages came.

        ``check_first``: read EVENTS before the first wait, as a user who has not read it
        since its own last call must (False: EVENTS was read and the queue found empty, so
        the first message must produce an edge).
        """
        got = self.drain() if check_first else []
        while len(got) < count:
            assert self.wait(GUARD), f"no edge after {len(got)} of {count} messages"
            got.extend(self.drain())
        return got

    def assert_quiet(self) -> None:
        """EVENTS was read and nothing changed: the FD must not turn readable."""
        assert not self.wait(QUIET), "the FD is readable although EVENTS was read: busy loop"


def _bursts_from(send: Any, bursts: int, size: int) -> tuple[threading.Thread, threading.Event]:
    """A thread sending ``bursts`` bursts of ``size`` messages, each after ``go`` is set."""
    go = threading.Event()

    def run() -> None:
        for b in range(bursts):
            assert go.wait(GUARD)
            go.clear()
            for i in range(size):
                send(b"%d:%d" % (b, i))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, go


def _check_bursts(reader: FdReader, go: threading.Event, bursts: int, size: int) -> None:
    for b in range(bursts):
        reader.drain()
        reader.assert_quiet()  # idle between bursts: the FD stays quiet
        go.set()
        wakes_before = reader.wakes
        got = reader.receive(size, check_first=False)
        assert got == [b"%d:%d" % (b, i) for i in range(size)]
        # Every burst arrived in an empty queue: at least one edge; coalesced ones at most
        # one per message (plus the final drain's own wake-up).
        assert 1 <= reader.wakes - wakes_before <= size + 1
    assert not reader.sock.getsockopt(reader.zmq.EVENTS) & reader.zmq.POLLIN
    reader.assert_quiet()


@pytest.mark.interop
def test_selector_on_fd_receives_bursts_from_a_libzmq_peer_over_tcp(
    zmq: ModuleType, ctx: Any, peer_ctx: Any
) -> None:
    pull = ctx.socket(zmq.PULL)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = peer_ctx.socket(libzmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    reader = FdReader(pull, zmq)
    try:
        # Wait for the connection: a first message through the FD loop.
        push.send(b"hello")
        assert reader.receive(1) == [b"hello"]
        thread, go = _bursts_from(push.send, bursts=3, size=200)
        _check_bursts(reader, go, bursts=3, size=200)
        thread.join(GUARD)
    finally:
        reader.close()


def test_selector_on_fd_receives_bursts_over_inproc_from_another_thread(
    zmq: ModuleType, ctx: Any
) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://fd-bursts")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://fd-bursts")
    lock = threading.Lock()  # the sender thread uses push only while the main thread waits

    def send(data: bytes) -> None:
        with lock:
            push.send(data)

    reader = FdReader(pull, zmq)
    try:
        thread, go = _bursts_from(send, bursts=4, size=300)
        _check_bursts(reader, go, bursts=4, size=300)
        thread.join(GUARD)
    finally:
        reader.close()


def test_many_messages_and_few_wakeups_when_the_sender_is_fast(zmq: ModuleType, ctx: Any) -> None:
    """Edges coalesce: a reader that drains after each wake-up is woken far less than once
    per message when messages arrive faster than it reads."""
    pull = ctx.socket(zmq.PULL)
    pull.bind("inproc://fd-fast")
    push = ctx.socket(zmq.PUSH)
    push.connect("inproc://fd-fast")
    reader = FdReader(pull, zmq)
    try:
        for i in range(500):
            push.send(b"%d" % i)
        got = reader.receive(500)
        assert got == [b"%d" % i for i in range(500)]
        assert reader.wakes <= 2
        reader.assert_quiet()
    finally:
        reader.close()


def _fill(sock: Any, zmq: ModuleType, reader: FdReader, payload: bytes) -> int:
    """Send without blocking until the socket is mute and stays mute; returns the count."""
    sent = 0
    while True:
        try:
            sock.send(payload, zmq.NOBLOCK)
            sent += 1
            continue
        except zmq.Again:
            pass
        if sock.getsockopt(zmq.EVENTS) & zmq.POLLOUT:
            continue  # the queue drained a little meanwhile
        if not reader.wait(QUIET):
            return sent  # full, and the FD quiet: nothing will change until the peer reads


def test_pollout_edge_after_hwm_over_inproc(zmq: ModuleType, ctx: Any) -> None:
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 10
    push.bind("inproc://fd-hwm")
    pull = ctx.socket(zmq.PULL)
    pull.rcvhwm = 10
    pull.connect("inproc://fd-hwm")
    reader = FdReader(push, zmq)
    try:
        sent = _fill(push, zmq, reader, b"x")
        assert sent >= 10
        assert not push.getsockopt(zmq.EVENTS) & zmq.POLLOUT
        reader.assert_quiet()
        for _ in range(sent):
            assert pull.poll(GUARD * 1000)
            pull.recv()
        assert reader.wait(GUARD), "draining the peer did not make the sender's FD readable"
        assert push.getsockopt(zmq.EVENTS) & zmq.POLLOUT
        reader.assert_quiet()
    finally:
        reader.close()


@pytest.mark.interop
def test_pollout_edge_after_hwm_towards_a_libzmq_peer_over_tcp(
    zmq: ModuleType, ctx: Any, peer_ctx: Any
) -> None:
    pull = peer_ctx.socket(libzmq.PULL)
    pull.rcvhwm = 4
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(zmq.PUSH)
    push.sndhwm = 4
    push.connect(f"tcp://127.0.0.1:{port}")
    reader = FdReader(push, zmq)
    payload = b"p" * 100_000
    try:
        sent = _fill(push, zmq, reader, payload)  # ends with the FD quiet for QUIET seconds
        assert sent >= 4
        # The peer reads everything: the sender's queue drains and its FD must fire.
        for _ in range(sent):
            assert pull.poll(GUARD * 1000)
            pull.recv()
        wakes = 0
        while not push.getsockopt(zmq.EVENTS) & zmq.POLLOUT:
            assert reader.wait(GUARD), "the peer drained but the FD never turned readable"
            wakes += 1
        # The last messages may still be leaving: a few more edges, then quiet.
        while reader.wait(QUIET):
            push.getsockopt(zmq.EVENTS)
            wakes += 1
        assert wakes <= 10
    finally:
        reader.close()


def test_fd_and_events_of_a_closed_socket_raise_enotsock(zmq: ModuleType, ctx: Any) -> None:
    pull = ctx.socket(zmq.PULL)
    pull.getsockopt(zmq.FD)
    pull.close()
    for option in (zmq.FD, zmq.EVENTS):
        with pytest.raises(zmq.ZMQError) as info:
            pull.getsockopt(option)
        assert info.value.errno == zmq.ENOTSOCK


@pytest.mark.interop
def test_closing_a_connected_socket_makes_its_fd_readable(peer_ctx: Any) -> None:
    """A loop still watching the FD learns of the close: it turns readable, and the next
    EVENTS read raises ENOTSOCK. The descriptor stays open (and readable) while the socket
    object lives, so its number is not reused under a selector that still holds it. (libzmq
    also keeps it until the socket is reaped, and signals it while tearing down connections
    often but not always: purezmq always does.)"""
    ctx = purezmq.Context()
    try:
        pull = ctx.socket(purezmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = peer_ctx.socket(libzmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"connected")
        assert pull.recv() == b"connected"
        _check_close_is_an_edge(pull)
    finally:
        ctx.destroy(linger=0)


def test_closing_a_socket_without_connections_makes_its_fd_readable() -> None:
    ctx = purezmq.Context()
    try:
        pull = ctx.socket(purezmq.PULL)
        pull.bind("inproc://fd-close")
        _check_close_is_an_edge(pull)
    finally:
        ctx.destroy(linger=0)


def _check_close_is_an_edge(pull: Any) -> None:
    reader = FdReader(pull, purezmq)
    try:
        reader.drain()
        reader.assert_quiet()
        pull.close()
        assert reader.wait(GUARD), "close() did not make the FD readable"
        with pytest.raises(purezmq.ZMQError) as info:
            pull.getsockopt(purezmq.EVENTS)
        assert info.value.errno == purezmq.ENOTSOCK
        assert reader.wait(0), "the FD of a closed socket must stay readable"
    finally:
        reader.close()


def test_the_fd_is_stable_and_starts_by_asking_for_a_check(zmq: ModuleType, ctx: Any) -> None:
    sock = ctx.socket(zmq.DEALER)
    fd = sock.getsockopt(zmq.FD)
    assert fd == sock.FD and isinstance(fd, int)
    reader = FdReader(sock, zmq)
    try:
        # A DEALER with no peer: EVENTS says nothing, and after reading it the FD is quiet.
        assert sock.getsockopt(zmq.EVENTS) == 0
        reader.assert_quiet()
        assert sock.getsockopt(zmq.FD) == fd
    finally:
        reader.close()


# ---- asyncio sockets: the FD watched by the loop itself (aiozmq, tornado's ZMQStream) -------


class LoopFdReader:
    """``loop.add_reader(FD)`` with a callback that reads EVENTS and drains, as aiozmq does."""

    def __init__(self, sock: purezmq.asyncio.Socket) -> None:
        self.sock = sock
        self.fd = sock.getsockopt(purezmq.FD)
        self.got: list[bytes] = []
        self.wakes = 0
        self.changed = asyncio.Event()
        asyncio.get_running_loop().add_reader(self.fd, self._on_readable)

    def _on_readable(self) -> None:
        # Reading EVENTS consumes the edge (a level-triggered add_reader would otherwise
        # call back at once again); the coroutine that waits on ``changed`` drains.
        self.wakes += 1
        self.sock.getsockopt(purezmq.EVENTS)
        self.changed.set()

    async def drain(self) -> None:
        sock = self.sock
        while sock.getsockopt(purezmq.EVENTS) & purezmq.POLLIN:
            self.got.append(await sock.recv(purezmq.NOBLOCK))

    async def receive(self, count: int) -> None:
        await self.drain()
        while len(self.got) < count:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), GUARD)
            await self.drain()

    async def assert_quiet(self) -> None:
        await self.drain()  # reads EVENTS: the edges so far are consumed
        # A readiness the loop collected before that read may still have its callback
        # queued (a spurious wake-up, as with libzmq): let it run before watching.
        await asyncio.sleep(0)
        self.changed.clear()
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(self.changed.wait(), QUIET)

    def close(self) -> None:
        asyncio.get_running_loop().remove_reader(self.fd)


def _send_burst(sock: Any, burst: int, size: int) -> None:
    for i in range(size):
        sock.send(b"%d:%d" % (burst, i))


@pytest.mark.interop
def test_asyncio_socket_fd_in_the_loop_from_a_libzmq_peer_over_tcp(peer_ctx: Any) -> None:
    async def main() -> None:
        ctx = _Tracking(purezmq.asyncio.Context())
        pull = ctx.socket(purezmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = peer_ctx.socket(libzmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        reader = LoopFdReader(pull)
        try:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, push.send, b"hello")  # connected, then quiet
            await reader.receive(1)
            assert reader.got == [b"hello"]
            for burst in range(3):
                await reader.assert_quiet()
                start = len(reader.got)
                await loop.run_in_executor(None, _send_burst, push, burst, 200)
                await reader.receive(start + 200)
                assert reader.got[start:] == [b"%d:%d" % (burst, i) for i in range(200)]
            assert reader.wakes <= 3 * 201 + 2
            await reader.assert_quiet()
        finally:
            reader.close()
            ctx.destroy()

    asyncio.run(main())


def test_asyncio_socket_fd_in_the_loop_over_inproc() -> None:
    async def main() -> None:
        ctx = _Tracking(purezmq.asyncio.Context())
        pull = ctx.socket(purezmq.PULL)
        pull.bind("inproc://fd-async")
        push = ctx.socket(purezmq.PUSH)
        push.connect("inproc://fd-async")
        reader = LoopFdReader(pull)
        try:
            for burst in range(3):
                await reader.assert_quiet()
                start = len(reader.got)
                for i in range(100):
                    await push.send(b"%d:%d" % (burst, i))
                await reader.receive(start + 100)
                assert reader.got[start:] == [b"%d:%d" % (burst, i) for i in range(100)]
            await reader.assert_quiet()
        finally:
            reader.close()
            ctx.destroy()

    asyncio.run(main())


def test_asyncio_socket_made_outside_a_loop_has_a_working_fd() -> None:
    """A socket created before the loop runs (pyzmq allows it) still honours the FD contract,
    fed by a sync socket of the same Context on another thread."""
    ctx = purezmq.asyncio.Context()
    pull = ctx.socket(purezmq.PULL)
    pull.bind("inproc://fd-late")
    sync_ctx = purezmq.Context(ctx)
    push = sync_ctx.socket(purezmq.PUSH)
    push.connect("inproc://fd-late")

    async def main() -> None:
        reader = LoopFdReader(pull)
        try:
            await reader.assert_quiet()
            await asyncio.get_running_loop().run_in_executor(
                None, lambda: [push.send(b"%d" % i) for i in range(50)]
            )
            await reader.receive(50)
            assert reader.got == [b"%d" % i for i in range(50)]
            await reader.assert_quiet()
        finally:
            reader.close()

    try:
        asyncio.run(main())
    finally:
        push.close(0)
        pull.close(0)
        ctx.destroy(linger=0)


@pytest.mark.interop
def test_fd_driven_replier_serves_a_libzmq_requester(
    zmq: ModuleType, ctx: Any, peer_ctx: Any
) -> None:
    """A REP served from a selector loop, as ZMQStream serves one: after its own send the
    loop re-checks EVENTS before waiting again (its own calls make no edge), and every
    request of a libzmq REQ gets its reply."""
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req = peer_ctx.socket(libzmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    rounds = 100
    replies: list[bytes] = []

    def client() -> None:
        for i in range(rounds):
            req.send(b"%d" % i)
            assert req.poll(GUARD * 1000)
            replies.append(req.recv())

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    reader = FdReader(rep, zmq)
    served = 0
    try:
        while served < rounds:
            while rep.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                rep.send(b"re:" + rep.recv(zmq.NOBLOCK))
                served += 1
            if served < rounds:
                assert reader.wait(GUARD), f"stalled after {served} requests"
        thread.join(GUARD)
        assert replies == [b"re:%d" % i for i in range(rounds)]
        assert reader.wakes <= 2 * rounds + 2
        reader.assert_quiet()
    finally:
        reader.close()
