"""Draft sockets are thread-safe as in libzmq: several threads share one SERVER, one CLIENT
and one RADIO at once, thousands of messages each, none lost, duplicated or mixed."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from typing import Any

import pytest

import purezmq

THREADS = 4
PER_THREAD = 2000


def _run(workers: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # reported below, with the thread's traceback
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guarded(w), daemon=True) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a worker thread hung"
    if errors:
        raise errors[0]


@pytest.fixture
def ctx() -> Any:
    c = purezmq.Context()
    yield c
    c.destroy(0)


def test_shared_client_and_server(ctx: Any) -> None:
    """THREADS threads send on one CLIENT while THREADS threads receive on one SERVER and
    answer each request on it; the CLIENT's own receivers share the replies."""
    server = ctx.socket(purezmq.SERVER)
    server.linger = 0
    server.rcvtimeo = server.sndtimeo = 20000
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = ctx.socket(purezmq.CLIENT)
    client.linger = 0
    client.rcvtimeo = client.sndtimeo = 20000
    client.connect(f"tcp://127.0.0.1:{port}")
    total = THREADS * PER_THREAD
    served: list[list[bytes]] = [[] for _ in range(THREADS)]
    replies: list[list[bytes]] = [[] for _ in range(THREADS)]
    rids: set[int] = set()

    def sender(n: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(PER_THREAD):
                client.send(b"%d:%d" % (n, i))

        return run

    def server_worker(n: int) -> Callable[[], None]:
        share = total // THREADS

        def run() -> None:
            for _ in range(share):
                frame = server.recv(copy=False)
                rids.add(frame.routing_id)
                served[n].append(frame.bytes)
                server.send(b"re " + frame.bytes, routing_id=frame.routing_id)

        return run

    def receiver(n: int) -> Callable[[], None]:
        share = total // THREADS

        def run() -> None:
            for _ in range(share):
                replies[n].append(client.recv())

        return run

    _run(
        [sender(n) for n in range(THREADS)]
        + [server_worker(n) for n in range(THREADS)]
        + [receiver(n) for n in range(THREADS)]
    )
    expected = {b"%d:%d" % (n, i) for n in range(THREADS) for i in range(PER_THREAD)}
    got = [m for part in served for m in part]
    assert len(got) == total and set(got) == expected  # none lost, duplicated or mixed
    back = [m for part in replies for m in part]
    assert len(back) == total and set(back) == {b"re " + m for m in expected}
    assert len(rids) == 1
    # Every message of each sender arrived once.
    for n in range(THREADS):
        order = [int(m.split(b":")[1]) for m in got if m.startswith(b"%d:" % n)]
        assert sorted(order) == list(range(PER_THREAD))


def test_shared_radio(ctx: Any) -> None:
    """THREADS threads publish on one RADIO (NODROP, so that nothing is lost by design) to a
    DISH that joined every thread's group."""
    dish = ctx.socket(purezmq.DISH)
    dish.linger = 0
    dish.rcvtimeo = 20000
    port = dish.bind_to_random_port("tcp://127.0.0.1")
    groups = [f"g{n}" for n in range(THREADS)]
    for g in [*groups, "probe"]:
        dish.join(g)
    radio = ctx.socket(purezmq.RADIO)
    radio.linger = 0
    radio.xpub_nodrop = 1
    radio.sndtimeo = 20000
    radio.connect(f"tcp://127.0.0.1:{port}")
    for _ in range(500):  # the joins travel asynchronously
        radio.send(b"", group="probe")
        if dish.poll(10):
            break
    else:
        pytest.fail("the DISH's JOINs never reached the RADIO")
    while dish.poll(0):
        dish.recv()

    def publisher(n: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(PER_THREAD):
                radio.send(b"%d:%d" % (n, i), group=groups[n])

        return run

    received: list[tuple[str | None, bytes]] = []

    def consumer() -> None:
        for _ in range(THREADS * PER_THREAD):
            frame = dish.recv(copy=False)
            received.append((frame.group, frame.bytes))

    _run([publisher(n) for n in range(THREADS)] + [consumer])
    for n in range(THREADS):
        mine = [body for group, body in received if group == groups[n]]
        assert mine == [b"%d:%d" % (n, i) for i in range(PER_THREAD)]  # whole, in order
    assert len(received) == THREADS * PER_THREAD


def test_blocked_receivers_all_wake(ctx: Any) -> None:
    """Several threads blocked in recv on one GATHER: each message wakes a receiver; none
    stays asleep while messages wait (the wake-up reaches every sleeper)."""
    gather = ctx.socket(purezmq.GATHER)
    gather.linger = 0
    gather.rcvtimeo = 20000
    gather.bind("inproc://threadsafe-gather")
    scatter = ctx.socket(purezmq.SCATTER)
    scatter.linger = 0
    scatter.connect("inproc://threadsafe-gather")
    got: list[bytes] = []
    lock = threading.Lock()

    def receiver() -> None:
        for _ in range(100):
            msg = gather.recv()
            with lock:
                got.append(msg)

    def sender() -> None:
        for i in range(THREADS * 100):
            scatter.send(b"%d" % i)

    _run([receiver for _ in range(THREADS)] + [sender])
    assert sorted(got, key=int) == [b"%d" % i for i in range(THREADS * 100)]


def test_term_wakes_every_waiting_thread() -> None:
    """``Context.term`` reaches all the threads blocked in one draft socket: each gets ETERM
    (whether it was already waiting or not), then ``term`` returns once it is closed."""
    ctx = purezmq.Context()
    server = ctx.socket(purezmq.SERVER)
    server.bind("inproc://threadsafe-term")
    errnos: list[int] = []

    def receiver() -> None:
        try:
            server.recv()
        except purezmq.ZMQError as exc:
            errnos.append(exc.errno)

    threads = [threading.Thread(target=receiver, daemon=True) for _ in range(THREADS)]
    for t in threads:
        t.start()
    terminator = threading.Thread(target=ctx.term, daemon=True)
    terminator.start()
    for t in threads:
        t.join(10)
    assert errnos == [purezmq.ETERM] * THREADS
    server.close()
    terminator.join(10)
    assert not terminator.is_alive()


def test_ctrl_c_interrupts_a_blocked_draft_recv(ctx: Any) -> None:
    """SIGINT reaches the main thread blocked in a draft socket's ``recv`` (it waits in
    slices); nothing was taken, so the socket still works afterwards."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals are delivered to the main thread")
    server = ctx.socket(purezmq.SERVER)
    server.linger = 0
    server.bind("inproc://threadsafe-sigint")
    client = ctx.socket(purezmq.CLIENT)
    client.linger = 0
    client.connect("inproc://threadsafe-sigint")
    idle = threading.Event()

    def interrupt_when_asleep() -> None:
        for _ in range(5000):  # until the main thread waits in recv (bounded)
            if server._sleepers:
                break
            idle.wait(0.001)
        os.kill(os.getpid(), signal.SIGINT)

    killer = threading.Thread(target=interrupt_when_asleep, daemon=True)
    killer.start()
    with pytest.raises(KeyboardInterrupt):
        server.recv()
    killer.join(10)
    client.send(b"after")
    assert server.recv() == b"after"
