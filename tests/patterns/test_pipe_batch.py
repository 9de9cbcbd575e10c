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
