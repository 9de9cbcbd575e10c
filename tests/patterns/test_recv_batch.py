"""``Pattern.recv_batch``: a run of messages in one call, exactly as that many ``recv`` calls
would give them (the blocking front-end's receive batching)."""

from __future__ import annotations

import pytest

from purezmq.constants import Errno, SocketOption, SocketType
from purezmq.error import ZMQError

from ._helpers import connect, make


@pytest.mark.parametrize("kind", [SocketType.PULL, SocketType.DEALER, SocketType.PAIR])
def test_one_readable_pipe_gives_a_run_up_to_the_limit(kind: SocketType) -> None:
    pattern, _ = make(kind)
    _, theirs = connect(pattern)
    for i in range(10):
        assert theirs.write([b"%d" % i])
    assert pattern.recv_batch(4) == [[b"0"], [b"1"], [b"2"], [b"3"]]
    assert pattern.recv_batch(100) == [[b"%d" % i] for i in range(4, 10)]
    assert pattern.recv_batch(100) == []
    assert pattern.statistics().messages_in == 10
    # The pipe went to sleep as reader like after an empty recv: a write wakes it again.
    assert theirs.write([b"again"])
    assert pattern.recv_batch(100) == [[b"again"]]


@pytest.mark.parametrize("kind", [SocketType.PULL, SocketType.DEALER])
def test_several_readable_pipes_still_take_turns_per_message(kind: SocketType) -> None:
    pattern, _ = make(kind)
    _, a = connect(pattern)
    _, b = connect(pattern)
    for i in range(3):
        a.write([b"a%d" % i])
        b.write([b"b%d" % i])
    got = []
    while batch := pattern.recv_batch(64):
        got.extend(batch)
    # The same order as one recv at a time: alternating while both have messages.
    assert got == [[b"a0"], [b"b0"], [b"a1"], [b"b1"], [b"a2"], [b"b2"]]


def test_a_run_from_one_pipe_wakes_its_writer_at_the_low_water_mark() -> None:
    pattern, _ = make(SocketType.PULL)
    _, theirs = connect(pattern, hwm_in=10)
    woken: list[object] = []
    theirs.on_write_activated = woken.append
    assert theirs.write_many([[b"m"]] * 20) == 10  # full: the writer sleeps
    assert len(pattern.recv_batch(4)) == 4 and woken == []  # 6 left, above LWM 5
    assert len(pattern.recv_batch(4)) == 4 and woken == [theirs]


def test_req_replies_still_pass_the_state_machine_one_at_a_time() -> None:
    req, _ = make(SocketType.REQ)
    _, rep = connect(req)
    assert req.send([b"hello"])
    assert rep.read() == [b"", b"hello"]
    rep.write([b"", b"world"])
    rep.write([b"", b"stale"])
    assert req.recv_batch(64) == [[b"world"]]  # envelope stripped, one reply only
    with pytest.raises(ZMQError) as err:
        req.recv_batch(64)  # the reply ended the request: nothing more to receive
    assert err.value.errno == Errno.EFSM


def test_sub_takes_the_run_that_matches_and_leaves_the_rest_for_later_receives() -> None:
    sub, _ = make(SocketType.SUB)
    _, theirs = connect(sub)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"A")
    for msg in (b"B0", b"A1", b"A2", b"B3", b"A4"):
        assert theirs.write([msg])
    # B0 is dropped as recv would drop it; the run stops before B3, which is matched only by
    # the receive that reaches it: here under the subscription to B made meanwhile.
    assert sub.recv_batch(64) == [[b"A1"], [b"A2"]]
    sub.setsockopt(SocketOption.SUBSCRIBE, b"B")
    assert sub.recv_batch(64) == [[b"B3"], [b"A4"]]
    assert sub.recv_batch(64) == []
    stats = sub.statistics()
    assert (stats.messages_in, stats.messages_dropped) == (4, 1)


def test_sub_matches_messages_given_back_again() -> None:
    sub, _ = make(SocketType.SUB)
    _, theirs = connect(sub)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"A")
    sub.setsockopt(SocketOption.SUBSCRIBE, b"B")
    for msg in (b"A1", b"B1", b"A2", b"B2"):
        assert theirs.write([msg])
    batch = sub.recv_batch(64)
    assert batch == [[b"A1"], [b"B1"], [b"A2"], [b"B2"]]
    sub.setsockopt(SocketOption.UNSUBSCRIBE, b"B")
    assert sub.unread(batch[1:])
    assert sub.recv_batch(2) == [[b"A2"]]
    assert sub.recv() is None
    stats = sub.statistics()
    assert (stats.messages_in, stats.messages_dropped) == (2, 2)


def test_sub_inverted_takes_the_run_that_does_not_match() -> None:
    sub, _ = make(SocketType.SUB, invert_matching=1)
    _, theirs = connect(sub)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"A")
    for msg in (b"A0", b"B1", b"B2", b"A3", b"B4"):
        assert theirs.write([msg])
    assert sub.recv_batch(64) == [[b"B1"], [b"B2"]]
    assert sub.recv_batch(64) == [[b"B4"]]


@pytest.mark.parametrize("invert", [0, 1])
def test_sub_run_under_the_empty_topic_and_with_odd_messages(invert: int) -> None:
    # The empty topic matches every message, an empty one and a lent (bytearray) body too;
    # a second topic switches nothing off.
    sub, _ = make(SocketType.SUB, invert_matching=invert)
    _, theirs = connect(sub)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"")
    msgs: list[list[bytes]] = [[b"A0"], [], [bytearray(b"B1")], [b"C2", b"x"]]  # type: ignore[list-item]
    for msg in msgs:
        assert theirs.write(msg)
    assert sub.recv_batch(64) == ([] if invert else msgs)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"B")
    sub.setsockopt(SocketOption.UNSUBSCRIBE, b"")
    for msg in msgs:
        assert theirs.write(msg)
    assert sub.recv_batch(64) == ([[b"A0"], []] if invert else [[bytearray(b"B1")]])
    assert sub.recv_batch(64) == ([[b"C2", b"x"]] if invert else [])


@pytest.mark.parametrize("kind", [SocketType.XSUB, SocketType.PULL])
def test_patterns_that_do_not_filter_take_nothing_back(kind: SocketType) -> None:
    pattern, _ = make(kind)
    _, theirs = connect(pattern)
    for msg in (b"A1", b"B1"):
        assert theirs.write([msg])
    assert pattern.recv_batch(64) == [[b"A1"], [b"B1"]]
    assert pattern.unread([[b"B1"]]) is (kind == SocketType.XSUB)


def test_sub_under_the_empty_topic_takes_the_run_whole_until_it_is_unsubscribed() -> None:
    # With the empty topic among others the whole run matches (no per-message match); once
    # it is unsubscribed, messages given back are matched under what is left.
    sub, _ = make(SocketType.SUB)
    _, theirs = connect(sub)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"A")
    sub.setsockopt(SocketOption.SUBSCRIBE, b"")
    msgs = [[b"A0"], [b"B1"], [b"A2"], [b"B3"]]
    for msg in msgs:
        assert theirs.write(msg)
    run = sub.recv_batch(64)
    assert run == msgs
    assert sub.unread(run[1:])
    sub.setsockopt(SocketOption.UNSUBSCRIBE, b"")
    assert sub.recv_batch(64) == [[b"A2"]]  # B1 dropped, B3 waits to be matched
    assert sub.recv_batch(64) == []
    assert sub.statistics().messages_in == 2
    assert sub.statistics().messages_dropped == 2
