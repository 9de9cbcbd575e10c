"""PUB/XPUB distribution against a reference model: which subscriber gets which message, what
is dropped and when a full subscriber's queue counts as filled, whatever mix of subscribe-all
and topic subscribers, joins, leaves, HWMs and slow readers (the subscribe-all fast path of
``XPub.send`` and ``Distributor.send_to_every`` included)."""

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
            if op == "read":
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
