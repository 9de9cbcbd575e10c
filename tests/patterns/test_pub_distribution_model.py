"""PUB/XPUB distribution against a reference model: which subscriber gets which message, what
is dropped and when a full subscriber's queue counts as filled, whatever mix of subscribe-all
and topic subscribers, joins, leaves, HWMs, slow readers and subscribers moving between topics
(the subscribe-all fast path of ``XPub.send`` and ``Distributor.send_to_every`` included)."""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.constants import SocketType
from purezmq.patterns.pipe import Pipe, compute_lwm

from ._helpers import connect, make


@dataclass
class _Subscriber:
    mine: Pipe
    theirs: Pipe
    hwm: int
    topic: bytes
    queue: list[list[bytes]] = field(default_factory=list)
    asleep: bool = False


_op = st.one_of(
    st.tuples(st.just("join"), st.sampled_from([0, 1, 2, 5]), st.sampled_from([b"", b"", b"t"])),
    st.tuples(st.just("send"), st.sampled_from([b"t1", b"x2", b""]), st.just(b"")),
    st.tuples(st.just("send"), st.sampled_from([b"t1", b"x2"]), st.just(b"")),
    st.tuples(st.just("read"), st.integers(0, 7), st.just(b"")),
    st.tuples(st.just("leave"), st.integers(0, 7), st.just(b"")),
    st.tuples(st.just("switch"), st.integers(0, 7), st.sampled_from([b"", b"t"])),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_op, max_size=60), st.sampled_from([SocketType.PUB, SocketType.XPUB]))
def test_distribution_matches_model(
    program: list[tuple[str, int | bytes, bytes]], kind: int
) -> None:
    pub, _ = make(kind)
    subs: list[_Subscriber] = []
    dropped = filled = sent = 0
    for op, arg, topic in program:
        if op == "join":
            assert isinstance(arg, int)
            mine, theirs = connect(pub, hwm_out=arg)
            theirs.write([b"\x01" + topic])
            pub.read_activated(mine)
            subs.append(_Subscriber(mine, theirs, arg, topic))
        elif op == "send":
            assert isinstance(arg, bytes)
            msg = [arg] if arg else []
            assert pub.send(msg)
            sent += 1
            for sub in subs:
                if not (arg or b"").startswith(sub.topic):
                    continue
                if sub.asleep:
                    dropped += 1
                elif sub.hwm and len(sub.queue) >= sub.hwm:
                    dropped += 1
                    filled += 1
                    sub.asleep = True
                else:
                    sub.queue.append(msg)
        elif subs:
            assert isinstance(arg, int)
            sub = subs[arg % len(subs)]
            if op == "switch":
                # The subscriber moves to another topic on the same connection.
                sub.theirs.write([b"\x00" + sub.topic])
                sub.theirs.write([b"\x01" + topic])
                pub.read_activated(sub.mine)
                sub.topic = topic
            elif op == "read":
                # One message read; the writer wakes at the low-water mark (pipe rules).
                msg = sub.theirs.read()
                assert msg == (sub.queue.pop(0) if sub.queue else None)
                if sub.asleep and len(sub.queue) <= compute_lwm(sub.hwm):
                    sub.asleep = False
            else:
                pub.detach(sub.mine)
                subs.remove(sub)
        stats = pub.statistics()
        assert (stats.messages_out, stats.messages_dropped, pub.stats_filled) == (
            sent,
            dropped,
            filled,
        )
    for sub in subs:
        got = sub.theirs.read_many(100)
        assert got == sub.queue
        # The very object sent, not a copy, whichever path delivered it.
        assert all(a is b for a, b in zip(got, sub.queue, strict=True))


def test_subscribe_all_after_a_run_of_matched_sends_still_drops_at_hwm() -> None:
    # Messages routed by topic between two subscribe-all stretches fill the queues too: the
    # fast path must see that, not the room it counted before them.
    pub, _ = make(SocketType.PUB)
    subs = []
    for _ in range(2):
        mine, theirs = connect(pub, hwm_out=5)
        theirs.write([b"\x01"])
        pub.read_activated(mine)
        subs.append((mine, theirs))
    assert pub.send([b"a"])  # subscribe-all: the fast path counts its room (4 left)
    mover, mover_reader = subs[0]
    mover_reader.write([b"\x00"])
    mover_reader.write([b"\x01t"])
    pub.read_activated(mover)
    for _ in range(4):
        assert pub.send([b"t"])  # matched by topic: both queues take them (5 each)
    mover_reader.write([b"\x00t"])
    mover_reader.write([b"\x01"])
    pub.read_activated(mover)
    assert pub.send([b"b"])  # subscribe-all again, and both queues are full
    assert pub.statistics().messages_dropped == 2
    for _, theirs in subs:
        assert theirs.read_many(10) == [[b"a"], [b"t"], [b"t"], [b"t"], [b"t"]]
