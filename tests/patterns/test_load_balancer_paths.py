"""``LoadBalancer.send`` appends to a pipe with room itself (the fast path) and leaves every
other case to ``Pipe.write``: a CONFLATE pipe (whose ``alarm`` is 0), a pipe at its HWM or past
its backlog mark. With one active pipe the cursor never moves; with several it goes round."""

from __future__ import annotations

from purezmq.patterns.pipe import Pipe, pipe_pair
from purezmq.patterns.strategies import LoadBalancer


def _lb_pipe(lb: LoadBalancer, hwm: int, *, conflate: bool = False) -> tuple[Pipe, Pipe]:
    mine, theirs = pipe_pair(hwm, 0, conflate_ab=conflate)
    mine.on_write_activated = lb.activated
    lb.attach(mine)
    return mine, theirs


def test_a_conflate_pipe_takes_pipe_write_and_keeps_only_the_newest() -> None:
    lb = LoadBalancer()
    mine, theirs = _lb_pipe(lb, 1, conflate=True)
    assert mine.outbound.alarm == 0  # never the fast path
    for i in range(5):
        assert lb.send([b"%d" % i])
    assert lb.sent == 5
    assert theirs.read() == [b"4"]
    assert theirs.read() is None
    mine.set_hwms(10, 10)
    assert mine.outbound.alarm == 0  # still CONFLATE after a change of limits
    assert lb.send([b"5"]) and lb.send([b"6"])
    assert theirs.read_many(10) == [[b"6"]]


def test_one_pipe_fills_to_its_hwm_then_resumes_at_lwm() -> None:
    lb = LoadBalancer()
    mine, theirs = _lb_pipe(lb, 4)
    woken: list[Pipe] = []
    theirs.on_read_activated = woken.append
    assert theirs.read() is None  # the reader sleeps: the next write wakes it, once
    for i in range(4):
        assert lb.send([b"%d" % i]) and lb.last_out is mine
    assert woken == [theirs]
    assert not lb.send([b"4"])  # HWM: mute, the pipe sleeps as writer
    assert lb.active_count == 0
    assert theirs.read_many(2) == [[b"0"], [b"1"]]  # drained to LWM: activated
    assert lb.active_count == 1
    assert lb.send([b"4"]) and lb.sent == 5
    assert theirs.read_many(10) == [[b"2"], [b"3"], [b"4"]]


def test_several_pipes_take_turns_and_a_full_one_is_skipped() -> None:
    lb = LoadBalancer()
    ends = [_lb_pipe(lb, hwm) for hwm in (0, 2, 0)]
    order = []
    for i in range(9):
        assert lb.send([b"%d" % i])
        order.append(next(k for k, (mine, _) in enumerate(ends) if lb.last_out is mine))
    # Round-robin until the second pipe (HWM 2) is full, then the other two alternate.
    assert order == [0, 1, 2, 0, 1, 2, 0, 2, 0]
    assert [len(theirs.read_many(10)) for _, theirs in ends] == [4, 2, 3]


def test_the_one_active_pipe_follows_every_change_of_the_active_region() -> None:
    """With one active pipe ``send`` takes a short path; it must go wherever the round-robin
    would: to the pipe left when others fill up or go away, and to none once that one does."""
    lb = LoadBalancer()
    (a, a_end), (b, b_end) = _lb_pipe(lb, 2), _lb_pipe(lb, 0)
    lb.detach(b)  # one pipe left
    assert lb.send([b"0"]) and lb.last_out is a
    assert lb.send([b"1"]) and lb.last_out is a
    assert not lb.send([b"2"])  # a is full: mute, nothing active
    assert lb.active_count == 0
    c, c_end = _lb_pipe(lb, 0)  # a new peer while a sleeps: the only active one
    assert lb.send([b"2"]) and lb.last_out is c
    assert a_end.read_many(10) == [[b"0"], [b"1"]]  # a wakes: two active, turns again
    assert lb.active_count == 2
    sent_to = []
    for i in range(3, 7):
        assert lb.send([b"%d" % i])
        sent_to.append(lb.last_out)
    assert sent_to.count(a) == 2 and sent_to.count(c) == 2
    assert len(a_end.read_many(10)) == 2  # room in a again
    lb.detach(c)  # a alone again
    assert lb.send([b"7"]) and lb.last_out is a
    lb.detach(a)
    assert not lb.send([b"8"])
    assert lb.sent == 8
    assert lb.active_count == 0
    assert b_end.read() is None
    expected = [[b"%d" % i] for i, pipe in zip(range(3, 7), sent_to, strict=True) if pipe is c]
    assert c_end.read_many(10) == [[b"2"], *expected]
