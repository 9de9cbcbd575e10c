"""FairQueue / LoadBalancer / Distributor against simple reference models."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.patterns.pipe import Pipe, pipe_pair
from purezmq.patterns.strategies import Distributor, FairQueue, LoadBalancer


def _fq_pipe(fq: FairQueue, hwm: int = 0) -> tuple[Pipe, Pipe]:
    mine, theirs = pipe_pair(0, hwm)
    mine.on_read_activated = fq.activated
    fq.attach(mine)
    return mine, theirs


def test_fair_queue_round_robin_over_ready_pipes() -> None:
    fq = FairQueue()
    ends = [_fq_pipe(fq)[1] for _ in range(3)]
    for i, end in enumerate(ends):
        for j in range(3):
            end.write([b"%d" % i, b"%d" % j])
    got = [fq.read() for _ in range(9)]
    # One message per pipe per round, whole multipart messages.
    firsts = [m[0] for m in got if m]
    for r in range(3):
        assert sorted(firsts[3 * r : 3 * r + 3]) == [b"0", b"1", b"2"]
    assert fq.read() is None
    assert fq.active_count == 0


def test_fair_queue_reactivation_by_callback() -> None:
    fq = FairQueue()
    _, a = _fq_pipe(fq)
    _, b = _fq_pipe(fq)
    assert fq.read() is None  # both asleep now
    b.write([b"b"])
    assert fq.active_count == 1
    assert fq.read() == [b"b"]
    a.write([b"a"])
    assert fq.read() == [b"a"]


def test_fair_queue_detach_keeps_queued_messages_readable() -> None:
    fq = FairQueue()
    drained: list[Pipe] = []
    fq.on_drained = drained.append
    mine, theirs = _fq_pipe(fq)
    theirs.write([b"1"])
    theirs.write([b"2"])
    fq.detach(mine)
    assert mine in fq
    assert fq.read() == [b"1"]
    assert fq.read() == [b"2"]
    assert fq.read() is None
    assert mine not in fq
    assert drained == [mine]


ops = st.lists(
    st.one_of(
        st.tuples(st.just("attach"), st.integers(0, 5)),
        st.tuples(st.just("detach"), st.integers(0, 5)),
        st.tuples(st.just("write"), st.integers(0, 5)),
        st.tuples(st.just("read"), st.integers(0, 5)),
    ),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(ops)
def test_fair_queue_matches_model(program: list[tuple[str, int]]) -> None:
    """No loss, no duplication, per-pipe order, None iff nothing readable, fairness."""
    fq = FairQueue()
    ends: dict[int, tuple[Pipe, Pipe]] = {}
    model: dict[int, list[bytes]] = {}  # per attached-or-draining pipe: queued payloads
    detached: set[int] = set()
    counter = 0
    for op, k in program:
        if op == "attach" and k not in ends:
            ends[k] = _fq_pipe(fq)
            model[k] = []
        elif op == "detach" and k in ends and k not in detached:
            fq.detach(ends[k][0])
            detached.add(k)
            if not model[k]:
                del ends[k], model[k]
                detached.discard(k)
        elif op == "write" and k in ends and k not in detached:
            counter += 1
            payload = b"%d" % counter
            ends[k][1].write([payload, b"tail"])
            model[k].append(payload)
        elif op == "read":
            msg = fq.read()
            if msg is None:
                assert all(not q for q in model.values())
                # Draining pipes that are empty have been forgotten.
                for d in list(detached):
                    del ends[d], model[d]
                    detached.discard(d)
                continue
            assert msg[1] == b"tail"
            owners = [i for i, q in model.items() if q and q[0] == msg[0]]
            assert len(owners) == 1
            model[owners[0]].pop(0)
            assert fq.last_in is ends[owners[0]][0]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5))
def test_fair_queue_is_fair_while_all_pipes_busy(n: int, rounds: int) -> None:
    fq = FairQueue()
    ends = [_fq_pipe(fq) for _ in range(n)]
    for i, (_, theirs) in enumerate(ends):
        for _ in range(rounds):
            theirs.write([b"%d" % i])
    seen = [fq.read() for _ in range(n * rounds)]
    for r in range(rounds):
        window = {m[0] for m in seen[r * n : (r + 1) * n] if m}
        assert len(window) == n


def _lb_pipe(lb: LoadBalancer, hwm: int) -> tuple[Pipe, Pipe]:
    mine, theirs = pipe_pair(hwm, 0)
    mine.on_write_activated = lb.activated
    lb.attach(mine)
    return mine, theirs


def test_load_balancer_skips_full_pipes_and_reports_mute() -> None:
    lb = LoadBalancer()
    a_mine, a = _lb_pipe(lb, 1)
    b_mine, b = _lb_pipe(lb, 2)
    assert lb.send([b"1"]) and lb.last_out is a_mine
    assert lb.send([b"2"]) and lb.last_out is b_mine
    assert lb.send([b"3"]) and lb.last_out is b_mine  # a is full: skipped
    assert not lb.send([b"4"])
    assert not lb.has_out()
    assert a.read() == [b"1"]  # a drains to LWM: woken
    assert lb.has_out()
    assert lb.send([b"4"]) and lb.last_out is a_mine
    assert b.read() == [b"2"] and b.read() == [b"3"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("attach"), st.integers(0, 4), st.integers(0, 3)),
            st.tuples(st.just("detach"), st.integers(0, 4), st.just(0)),
            st.tuples(st.just("send"), st.just(0), st.just(0)),
            st.tuples(st.just("read"), st.integers(0, 4), st.just(0)),
        ),
        max_size=80,
    )
)
def test_load_balancer_matches_model(program: list[tuple[str, int, int]]) -> None:
    """A send succeeds iff some attached pipe has room; it lands in one with room; fairness."""
    lb = LoadBalancer()
    ends: dict[int, tuple[Pipe, Pipe]] = {}
    hwms: dict[int, int] = {}
    for op, k, hwm in program:
        if op == "attach" and k not in ends:
            ends[k] = _lb_pipe(lb, hwm)
            hwms[k] = hwm
        elif op == "detach" and k in ends:
            lb.detach(ends.pop(k)[0])
        elif op == "read" and k in ends:
            ends[k][1].read()
        elif op == "send":
            room = {
                k for k, (mine, _) in ends.items() if not hwms[k] or mine.write_pending() < hwms[k]
            }
            ok = lb.send([b"x"])
            assert ok == bool(room)
            if ok:
                assert lb.last_out in {ends[k][0] for k in room}


def test_load_balancer_round_robin_when_all_have_room() -> None:
    lb = LoadBalancer()
    pipes = [_lb_pipe(lb, 0)[0] for _ in range(4)]
    used = []
    for _ in range(8):
        assert lb.send([b"m"])
        used.append(lb.last_out)
    assert used[:4] == used[4:] and set(used[:4]) == set(pipes)


def test_distributor_copies_and_drops_for_full_pipes() -> None:
    dist = Distributor()
    ends = []
    for hwm in (1, 2):
        mine, theirs = pipe_pair(hwm, 0)
        mine.on_write_activated = dist.activated
        dist.attach(mine)
        ends.append((mine, theirs))
    msg = [b"a", b"b"]
    assert dist.send_to_all(msg) == 0
    assert dist.send_to_all([b"c"]) == 1  # first pipe full: dropped there
    assert ends[0][0] not in dist.active
    assert ends[0][1].read() is msg  # same object to every pipe
    assert ends[1][1].read() is msg
    assert ends[0][0] in dist.active  # woken at LWM
    assert dist.check_hwm(dist.pipes())
    dist.detach(ends[1][0])
    assert len(dist) == 1


def test_distributor_keeps_conflate_backlog_and_wakeup_rules_of_pipe_write() -> None:
    # send_to writes pipes with room itself; CONFLATE, the backlog mark and a sleeping reader
    # must behave as through Pipe.write.
    dist = Distributor()
    conflated, conflated_peer = pipe_pair(0, 0, conflate_ab=True)
    backlogged, backlogged_peer = pipe_pair(0, 0)
    hooks: list[str] = []
    backlogged.set_backlog(2, lambda: hooks.append("backlog"))
    woken: list[Pipe] = []
    backlogged_peer.on_read_activated = woken.append
    for mine in (conflated, backlogged):
        dist.attach(mine)
    assert backlogged_peer.read() is None  # the reader sleeps: the next write wakes it
    for i in range(4):
        assert dist.send_to_all([b"%d" % i]) == 0
    assert woken == [backlogged_peer]  # once, not per message
    assert conflated_peer.read_many(10) == [[b"3"]]
    assert backlogged_peer.read_many(10) == [[b"0"], [b"1"], [b"2"], [b"3"]]
    assert hooks == ["backlog"]  # past the mark of 2, once per BACKLOG_STEP


def test_load_balancer_keeps_no_reference_to_a_detached_pipe() -> None:
    lb = LoadBalancer()
    mine, _theirs = pipe_pair(0, 0)
    lb.attach(mine)
    assert lb.send([b"queued"]) and lb.last_out is mine
    lb.detach(mine)
    # What the pipe holds (a closed connection's queued messages) must be freeable.
    assert lb.last_out is None


def test_distributor_send_to_every_counts_and_wakes_as_send_to() -> None:
    # send_to_every(msg) is send_to(msg, all attached pipes): full and asleep pipes count as
    # drops, a sleeping reader is woken once, and joins, leaves and reactivations take effect
    # on the next message.
    dist = Distributor()
    woken: list[Pipe] = []
    ends = []
    for hwm in (1, 0):
        mine, theirs = pipe_pair(hwm, 0)
        mine.on_write_activated = dist.activated
        theirs.on_read_activated = woken.append
        dist.attach(mine)
        ends.append((mine, theirs))
    (small, small_reader), (big, big_reader) = ends
    assert big_reader.read() is None  # asleep as reader
    assert dist.send_to_every([b"0"]) == 0
    assert woken == [big_reader]
    assert dist.send_to_every([b"1"]) == 1  # the small pipe filled up: dropped there
    assert dist.send_to_every([b"2"]) == 1  # and asleep: dropped again
    assert dist.filled == 1 and small not in dist.active
    assert small_reader.read() == [b"0"]  # drained to LWM: active again
    late, late_reader = pipe_pair(0, 0)
    dist.attach(late)
    assert dist.send_to_every([b"3"]) == 0
    dist.detach(big)
    assert dist.send_to_every([b"4"]) == 1  # the small pipe is full again
    assert dist.filled == 2
    assert small_reader.read_many(9) == [[b"3"]]
    assert late_reader.read_many(9) == [[b"3"], [b"4"]]
    assert big_reader.read_many(9) == [[b"0"], [b"1"], [b"2"], [b"3"]]


def test_distributor_send_to_every_leaves_conflate_to_pipe_write() -> None:
    dist = Distributor()
    conflated, conflated_reader = pipe_pair(0, 0, conflate_ab=True)
    plain, plain_reader = pipe_pair(0, 0)
    dist.attach(conflated)
    dist.attach(plain)
    for i in range(3):
        assert dist.send_to_every([b"%d" % i]) == 0
    assert conflated_reader.read_many(9) == [[b"2"]]
    assert plain_reader.read_many(9) == [[b"0"], [b"1"], [b"2"]]


def test_distributor_send_to_every_runs_a_backlog_hook_before_any_queue_takes_the_message() -> None:
    # The hook may hand the GIL to the thread that flushes every subscriber's queue: it must
    # find the same messages in all of them, whichever queue reached its mark first.
    dist = Distributor()
    readers: list[Pipe] = []
    flushed: list[list[list[list[bytes]]]] = []

    def flush_all() -> None:  # what the I/O thread does when the hook hands it the GIL
        flushed.append([r.read_many(100) for r in readers])

    ends = []
    for _ in range(3):
        mine, theirs = pipe_pair(0, 0)
        mine.set_backlog(4, flush_all)
        ends.append(mine)
        readers.append(theirs)
    dist.attach(ends[1])
    dist.attach(ends[2])
    assert dist.send_to_every([b"early"]) == 0
    # The pipe one message behind comes first in the fan-out order: it would take each
    # message before the others reach their mark.
    dist.attach(ends[0])
    for pipe in ends[1:]:
        dist.detach(pipe)
        dist.attach(pipe)
    for i in range(8):
        assert dist.send_to_every([b"%d" % i]) == 0
    first = [[b"early"], [b"0"], [b"1"], [b"2"]]
    assert flushed[0] == [first[1:], first, first]
    assert all(len(set(map(len, runs))) == 1 for runs in flushed[1:])  # aligned from then on
    rest = [r.read_many(100) for r in readers]
    assert rest[0] == rest[1] == rest[2]
