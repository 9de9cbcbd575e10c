"""One CLIENT, one SERVER, one RADIO and one DISH, each shared by several threads that send
and receive at once: thousands of messages, none lost, duplicated or mixed with another's
(docs/architecture.md §8, thread-safe draft sockets). Every wait is bounded by a receive
timeout; a stuck socket fails the test instead of hanging it."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest

import purezmq

THREADS = 4
PER_THREAD = 1500
TIMEOUT_MS = 10000


def body(sender: int, seq: int) -> bytes:
    """A message whose every byte says who sent it: a mix-up of two messages shows."""
    head = b"%d:%d:" % (sender, seq)
    return head + bytes([65 + sender]) * (seq % 97)


def parse(msg: bytes) -> tuple[int, int]:
    sender, seq, tail = msg.split(b":", 2)
    s, q = int(sender), int(seq)
    assert tail == bytes([65 + s]) * (q % 97), f"message mixed up: {msg!r}"
    return s, q


def run_all(targets: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guard(fn: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            try:
                fn()
            except BaseException as exc:  # reported by the test thread below
                errors.append(exc)

        return run

    threads = [threading.Thread(target=guard(t), daemon=True) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
        assert not t.is_alive(), "a thread is stuck"
    if errors:
        raise errors[0]


def test_shared_client_and_server(ctx: purezmq.Context) -> None:
    server = ctx.socket(purezmq.SERVER)
    server.rcvtimeo = server.sndtimeo = TIMEOUT_MS
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = ctx.socket(purezmq.CLIENT)
    client.rcvtimeo = client.sndtimeo = TIMEOUT_MS
    client.connect(f"tcp://127.0.0.1:{port}")
    total = THREADS * PER_THREAD
    served: list[list[bytes]] = [[] for _ in range(THREADS)]
    replies: list[list[bytes]] = [[] for _ in range(THREADS)]
    lock = threading.Lock()
    counts = {"served": 0, "replied": 0}

    def take(key: str) -> bool:
        """Claim one of the ``total`` messages for this thread to receive."""
        with lock:
            if counts[key] == total:
                return False
            counts[key] += 1
            return True

    def sender(n: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(PER_THREAD):
                client.send(body(n, i))

        return run

    def echo(n: int) -> Callable[[], None]:
        def run() -> None:
            while take("served"):
                frame = server.recv(copy=False)
                served[n].append(frame.bytes)
                server.send(frame.bytes, routing_id=frame.routing_id)

        return run

    def receiver(n: int) -> Callable[[], None]:
        def run() -> None:
            while take("replied"):
                replies[n].append(client.recv())

        return run

    run_all(
        [sender(n) for n in range(THREADS)]
        + [echo(n) for n in range(THREADS)]
        + [receiver(n) for n in range(THREADS)]
    )
    expected = Counter(body(n, i) for n in range(THREADS) for i in range(PER_THREAD))
    for got in (served, replies):
        assert Counter(m for part in got for m in part) == expected
    # One connection, FIFO: what each echo thread took from one sender came in the order that
    # sender sent it. (Replies may not: two echo threads answer in either order.)
    for part in served:
        for n in range(THREADS):
            seqs = [q for s, q in map(parse, part) if s == n]
            assert seqs == sorted(seqs)


def test_shared_radio_and_dish(ctx: purezmq.Context) -> None:
    dish = ctx.socket(purezmq.DISH)
    dish.rcvtimeo = TIMEOUT_MS
    dish.rcvhwm = 0  # RADIO drops at HWM: no limit, so that every message is counted
    groups = [f"g{n}" for n in range(THREADS)]
    for g in groups:
        dish.join(g)
    dish.join("shared")
    port = dish.bind_to_random_port("tcp://127.0.0.1")
    radio = ctx.socket(purezmq.RADIO)
    radio.sndhwm = 0
    radio.connect(f"tcp://127.0.0.1:{port}")
    # Joins travel as commands: wait until one message gets through before counting.
    for _ in range(200):
        radio.send(b"probe", group="shared")
        if dish.poll(50):
            break
    else:
        pytest.fail("the DISH's joins never reached the RADIO")
    while dish.poll(50):
        assert dish.recv() == b"probe"
    total = 2 * THREADS * PER_THREAD
    got: list[list[tuple[str, bytes]]] = [[] for _ in range(THREADS)]
    lock = threading.Lock()
    taken = [0]

    def sender(n: int) -> Callable[[], None]:
        def run() -> None:
            for i in range(PER_THREAD):
                radio.send(body(n, i), group=groups[n])
                radio.send(body(n, PER_THREAD + i), group="shared")

        return run

    def receiver(n: int) -> Callable[[], None]:
        def run() -> None:
            while True:
                with lock:
                    if taken[0] == total:
                        return
                    taken[0] += 1
                frame = dish.recv(copy=False)
                got[n].append((frame.group, frame.bytes))

        return run

    run_all([sender(n) for n in range(THREADS)] + [receiver(n) for n in range(THREADS)])
    everything = [pair for part in got for pair in part]
    expected = Counter(
        pair
        for n in range(THREADS)
        for i in range(PER_THREAD)
        for pair in ((groups[n], body(n, i)), ("shared", body(n, PER_THREAD + i)))
    )
    assert Counter(everything) == expected
    for group, msg in everything:
        sender_no, seq = parse(msg)
        assert group == ("shared" if seq >= PER_THREAD else groups[sender_no])
