"""Batched pipe operations (the engine's flush and delivery): same sleep/wake rules as the
one-message calls, one wake-up per batch."""

from __future__ import annotations

from purezmq.patterns.pipe import Pipe, pipe_pair


def _counting(pipe: Pipe, attr: str) -> list[int]:
    calls = [0]

    def hit(_: Pipe) -> None:
        calls[0] += 1

    setattr(pipe, attr, hit)
    return calls


def test_write_many_wakes_a_sleeping_reader_once() -> None:
    a, b = pipe_pair(0, 0)
    woken = _counting(b, "on_read_activated")
    assert b.read_many(10) == []  # b now sleeps as reader
    assert a.write_many([[b"%d" % i] for i in range(100)]) == 100
    assert woken == [1]
    assert b.read_many(1000) == [[b"%d" % i] for i in range(100)]
    assert b.read_many(1000) == []
    assert a.write_many([[b"x"]]) == 1
    assert woken == [2]


def test_write_many_stops_at_hwm_and_sleeps_as_writer() -> None:
    a, b = pipe_pair(10, 10)
    woken = _counting(a, "on_write_activated")
    assert a.write_many([[b"m"]] * 25) == 10
    assert not a.write([b"m"])  # asleep as writer
    got = b.read_many(4)
    assert len(got) == 4 and woken == [0]  # 6 left: above LWM (5)
    assert len(b.read_many(1)) == 1 and woken == [1]  # 5 left: LWM reached, one wake-up
    assert len(b.read_many(100)) == 5 and woken == [1]


def test_read_many_respects_the_limit_and_order() -> None:
    a, b = pipe_pair(0, 0)
    for i in range(7):
        assert a.write([b"%d" % i])
    assert b.read_many(3) == [[b"0"], [b"1"], [b"2"]]
    assert b.read() == [b"3"]
    assert b.read_many(10) == [[b"4"], [b"5"], [b"6"]]


def test_conflate_keeps_the_newest() -> None:
    a, b = pipe_pair(0, 0, conflate_ab=True)
    assert a.write_many([[b"1"], [b"2"], [b"3"]]) == 3
    assert b.read_many(10) == [[b"3"]]


def test_write_many_past_hwm_queues_exactly_the_room_in_order() -> None:
    a, b = pipe_pair(10, 10)
    read_woken = _counting(b, "on_read_activated")
    write_woken = _counting(a, "on_write_activated")
    assert a.write_many([[b"x"]] * 4) == 4
    assert b.read_many(100) == [[b"x"]] * 4
    assert b.read_many(100) == []  # b sleeps as reader
    batch = [[b"%d" % i] for i in range(25)]
    assert a.write_many(batch) == 10
    assert read_woken == [1]  # one wake-up for the slice
    assert a.write_pending() == 10
    assert not a.write([b"late"])  # a sleeps as writer, as after a refused write
    assert b.read_many(5) == batch[:5]
    assert write_woken == [1]  # drained to LWM: the writer is woken once
    assert a.write_many(batch[10:]) == 5  # the room left, in order
    assert b.read_many(100) == batch[5:15]


def test_write_many_goes_on_while_the_reader_drains_during_the_batch() -> None:
    # The reader runs from inside the wake-up (another thread would run at any moment): each
    # slice it empties makes room for the next one.
    a, b = pipe_pair(10, 10)
    got: list[list[bytes]] = []

    def drain(_: Pipe) -> None:
        while batch := b.read_many(100):
            got.extend(batch)

    b.on_read_activated = drain
    assert b.read_many(1) == []
    msgs = [[b"%d" % i] for i in range(35)]
    assert a.write_many(msgs) == 35
    assert got == msgs


def test_write_many_past_hwm_with_a_backlog_mark_runs_the_hook_as_write_does() -> None:
    a, b = pipe_pair(3000, 3000)
    hooks = [0]

    def hook() -> None:
        hooks[0] += 1

    a.set_backlog(2600, hook)
    assert a.write_many([[b"m"]] * 2500) == 2500  # under the HWM: one extend, no hook
    assert hooks == [0]
    assert a.write_many([[b"m"]] * 1000) == 500  # past it: one write() at a time
    assert hooks == [1]  # once, at 2600 queued
    assert b.read_pending() == 3000
