from __future__ import annotations

import threading

from purezmq.patterns.pipe import Pipe, compute_lwm, pipe_pair


def test_messages_flow_both_ways_in_order() -> None:
    a, b = pipe_pair(10, 10)
    assert a.write([b"1"]) and a.write([b"2", b"3"])
    assert b.write([b"x"])
    assert b.read() == [b"1"]
    assert b.read() == [b"2", b"3"]
    assert b.read() is None
    assert a.read() == [b"x"]


def test_hwm_blocks_writer_and_lwm_wakes_it_once() -> None:
    a, b = pipe_pair(4, 4)
    woken: list[Pipe] = []
    a.on_write_activated = woken.append
    for i in range(4):
        assert a.write([b"%d" % i])
    assert not a.write([b"full"])
    assert not a.check_write()
    assert compute_lwm(4) == 2
    b.read()
    assert woken == []  # 3 left: above LWM
    b.read()
    assert woken == [a]  # drained to LWM: exactly one wake-up
    b.read()
    b.read()
    assert woken == [a]
    assert a.write([b"again"])


def test_reader_woken_only_when_asleep() -> None:
    a, b = pipe_pair(0, 0)
    woken: list[Pipe] = []
    b.on_read_activated = woken.append
    a.write([b"1"])
    assert woken == []  # b never declared itself asleep
    assert b.read() == [b"1"]
    assert b.read() is None  # now asleep
    a.write([b"2"])
    a.write([b"3"])
    assert woken == [b]  # one wake-up for the burst
    assert b.check_read()


def test_zero_hwm_is_unlimited() -> None:
    a, b = pipe_pair(0, 0)
    for i in range(10_000):
        assert a.write([b"%d" % i])
    assert b.read_pending() == 10_000


def test_conflate_keeps_newest() -> None:
    a, b = pipe_pair(1, 1, conflate_ab=True)
    for i in range(5):
        assert a.write([b"%d" % i])
    assert b.read() == [b"4"]
    assert b.read() is None


def test_close_wakes_sleeping_reader() -> None:
    a, b = pipe_pair(1, 1)
    woken: list[Pipe] = []
    b.on_read_activated = woken.append
    assert b.read() is None
    a.close()
    assert woken == [b]
    assert b.peer_closed


def test_drop_inbound_wakes_blocked_writer() -> None:
    a, b = pipe_pair(2, 2)
    woken: list[Pipe] = []
    a.on_write_activated = woken.append
    a.write([b"1"])
    a.write([b"2"])
    assert not a.write([b"3"])
    assert b.drop_inbound() == 2
    assert woken == [a]


def test_no_lost_wakeups_across_threads() -> None:
    """A producer thread and a consumer that parks whenever the pipe reads empty."""
    n = 20_000
    a, b = pipe_pair(64, 64)
    readable = threading.Semaphore(0)
    writable = threading.Semaphore(0)
    b.on_read_activated = lambda _pipe: readable.release()
    a.on_write_activated = lambda _pipe: writable.release()

    def produce() -> None:
        for i in range(n):
            while not a.write([i.to_bytes(4, "big")]):
                assert writable.acquire(timeout=10), "writer never woken"

    thread = threading.Thread(target=produce)
    thread.start()
    got: list[int] = []
    while len(got) < n:
        msg = b.read()
        if msg is None:
            assert readable.acquire(timeout=10), "reader never woken"
            continue
        got.append(int.from_bytes(msg[0], "big"))
    thread.join(timeout=10)
    assert got == list(range(n))
