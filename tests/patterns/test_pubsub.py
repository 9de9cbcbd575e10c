"""PUB / SUB / XPUB / XSUB: subscriptions through pipes, filtering, drop rules, XPUB options."""

from __future__ import annotations

import pytest

from purezmq.constants import Errno, SocketOption, SocketType
from purezmq.error import ZMQError

from ._helpers import connect, drain, make

SUB, UNSUB = SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE


def test_pub_filters_by_prefix_and_consumes_subscriptions() -> None:
    pub, _ = make(SocketType.PUB)
    _, a = connect(pub)
    _, b = connect(pub)
    a.write([b"\x01news"])
    b.write([b"\x01"])
    b.write([b"not a subscription"])  # upstream junk: PUB ignores it
    assert pub.send([b"news.today", b"body"])
    assert pub.send([b"weather"])
    assert drain(a) == [[b"news.today", b"body"]]
    assert drain(b) == [[b"news.today", b"body"], [b"weather"]]
    assert pub.getsockopt(SocketOption.TOPICS_COUNT) == 2
    a.write([b"\x00news"])
    pub.send([b"news.tomorrow"])
    assert drain(a) == []
    with pytest.raises(ZMQError) as err:
        pub.recv()
    assert err.value.errno == Errno.ENOTSUP
    assert not pub.setsockopt(SUB, b"x")


def test_pub_drops_at_hwm_per_subscriber_unless_nodrop() -> None:
    pub, opts = make(SocketType.PUB)
    _, slow = connect(pub, hwm_out=2)
    _, fast = connect(pub)
    slow.write([b"\x01"])
    fast.write([b"\x01"])
    for i in range(5):
        assert pub.send([b"%d" % i])
    assert drain(slow) == [[b"0"], [b"1"]]
    assert len(drain(fast)) == 5
    assert pub.statistics().messages_dropped == 3
    opts.xpub_nodrop = 1
    assert pub.send([b"a"]) and pub.send([b"b"])
    assert not pub.send([b"c"])  # mute: the caller blocks / EAGAIN
    assert drain(fast) == [[b"a"], [b"b"]]  # nothing partial was sent
    slow.read()
    assert pub.send([b"c"])


def test_pub_counts_each_time_a_subscriber_queue_fills_up() -> None:
    pub, _ = make(SocketType.PUB)
    hooked: list[int] = []
    pub.on_filled = lambda: hooked.append(pub.stats_filled)
    mine, slow = connect(pub, hwm_out=2)
    _, fast = connect(pub)
    slow.write([b"\x01"])
    fast.write([b"\x01"])
    for i in range(6):
        assert pub.send([b"%d" % i])
    # Filled once: the three drops after it go to a pipe already asleep.
    assert (pub.stats_filled, pub.statistics().messages_dropped) == (1, 4)
    drain(slow)
    pub.write_activated(mine)
    for i in range(3):
        assert pub.send([b"%d" % i])
    assert pub.stats_filled == 2
    assert hooked == [1, 2]  # called from within the send that filled a queue, and only then
    assert make(SocketType.PUSH)[0].stats_filled == 0


def test_invert_matching_on_pub_and_sub() -> None:
    pub, _ = make(SocketType.PUB, invert_matching=1)
    _, a = connect(pub)
    _, b = connect(pub)
    a.write([b"\x01A"])
    pub.send([b"A1"])
    pub.send([b"B1"])
    assert drain(a) == [[b"B1"]]
    assert drain(b) == [[b"A1"], [b"B1"]]  # no subscription matches: gets everything

    sub, _ = make(SocketType.SUB, invert_matching=1)
    _, p = connect(sub)
    sub.setsockopt(SUB, b"A")
    p.write([b"A1"])
    p.write([b"B1"])
    assert sub.recv() == [b"B1"]
    assert sub.recv() is None


def test_sub_counted_subscriptions_sent_upstream() -> None:
    sub, _ = make(SocketType.SUB)
    _, p = connect(sub)
    assert sub.setsockopt(SUB, b"A")
    assert sub.setsockopt(SUB, b"A")
    assert sub.setsockopt(UNSUB, b"A")
    assert drain(p) == [[b"\x01A"], [b"\x01A"]]  # the first unsubscribe only drops a count
    sub.setsockopt(UNSUB, b"A")
    assert drain(p) == [[b"\x00A"]]
    sub.setsockopt(UNSUB, b"never")
    assert drain(p) == []
    assert sub.getsockopt(SocketOption.TOPICS_COUNT) == 0
    with pytest.raises(ZMQError) as err:
        sub.send([b"x"])
    assert err.value.errno == Errno.ENOTSUP
    with pytest.raises(ZMQError) as err:
        sub.setsockopt(SUB, 5)
    assert err.value.errno == Errno.EINVAL


def test_sub_filters_locally_and_resends_on_attach_and_hiccup() -> None:
    sub, _ = make(SocketType.SUB)
    sub.setsockopt(SUB, b"topicA")
    sub.setsockopt(SUB, b"")
    sub.setsockopt(UNSUB, b"")
    sub.setsockopt(SUB, b"")
    mine, p = connect(sub)
    assert drain(p) == [[b"\x01"], [b"\x01topicA"]]  # trie order, each topic once
    sub.hiccup(mine)
    assert drain(p) == [[b"\x01"], [b"\x01topicA"]]
    sub.setsockopt(UNSUB, b"")
    p.write([b"other"])
    p.write([b"topicA", b"x"])
    assert sub.can_recv()
    assert sub.recv() == [b"topicA", b"x"]
    assert sub.recv() is None


def test_sub_subscription_dropped_when_pipe_full() -> None:
    sub, _ = make(SocketType.SUB)
    _, p = connect(sub, hwm_out=1)
    sub.setsockopt(SUB, b"a")
    sub.setsockopt(SUB, b"b")  # dropped silently (§4.3)
    assert drain(p) == [[b"\x01a"]]


def test_xsub_no_local_filter_and_user_subscriptions() -> None:
    xsub, opts = make(SocketType.XSUB)
    _, a = connect(xsub)
    _, b = connect(xsub)
    assert xsub.send([b"\x01A"])
    assert xsub.send([b"\x01A"])  # duplicates go upstream (XPUB_VERBOSE behind proxies)
    assert xsub.send([b"\x00A"])  # count 2 → 1: swallowed
    assert xsub.send([b"\x00nope"])  # not held: swallowed
    assert xsub.send([b"upstream", b"msg"])
    expected = [[b"\x01A"], [b"\x01A"], [b"upstream", b"msg"]]
    assert drain(a) == expected and drain(b) == expected
    opts.xsub_verbose_unsubscribe = 1
    xsub.send([b"\x00nope"])
    assert drain(a) == [[b"\x00nope"]]
    a.write([b"anything"])
    assert xsub.recv() == [b"anything"]
    assert xsub.getsockopt(SocketOption.TOPICS_COUNT) == 1
    assert not xsub.setsockopt(SUB, b"x")


def test_xpub_reports_state_changes_only_by_default() -> None:
    xpub, _ = make(SocketType.XPUB)
    _, a = connect(xpub)
    _, b = connect(xpub)
    a.write([b"\x01A"])
    b.write([b"\x01A"])
    a.write([b"\x01A"])
    assert xpub.recv() == [b"\x01A"]
    assert xpub.recv() is None
    a.write([b"\x00A"])
    assert xpub.recv() is None  # b still holds it
    b.write([b"\x00A"])
    assert xpub.recv() == [b"\x00A"]
    b.write([b"hello upstream", b"2"])
    assert xpub.can_recv()
    assert xpub.recv() == [b"hello upstream", b"2"]


def test_xpub_verbose_and_verboser() -> None:
    xpub, opts = make(SocketType.XPUB, xpub_verbose=1)
    _, a = connect(xpub)
    _, b = connect(xpub)
    a.write([b"\x01A"])
    b.write([b"\x01A"])
    a.write([b"\x00A"])
    b.write([b"\x00A"])
    assert drain_pattern(xpub) == [[b"\x01A"], [b"\x01A"], [b"\x00A"]]
    opts.xpub_verboser = 1
    a.write([b"\x01A"])
    b.write([b"\x01A"])
    a.write([b"\x00A"])
    b.write([b"\x00A"])
    assert drain_pattern(xpub) == [[b"\x01A"], [b"\x01A"], [b"\x00A"], [b"\x00A"]]


def drain_pattern(pattern: object) -> list[list[bytes]]:
    out = []
    while (msg := pattern.recv()) is not None:  # type: ignore[attr-defined]
        out.append(msg)
    return out


def test_xpub_generates_unsubscribes_on_detach() -> None:
    xpub, _ = make(SocketType.XPUB)
    a_mine, a = connect(xpub)
    b_mine, b = connect(xpub)
    a.write([b"\x01A"])
    a.write([b"\x01B"])
    b.write([b"\x01B"])
    drain_pattern(xpub)
    xpub.detach(a_mine)
    assert drain_pattern(xpub) == [[b"\x00A"]]  # B is still held by b
    xpub.detach(b_mine)
    assert drain_pattern(xpub) == [[b"\x00B"]]
    xpub.send([b"A"])
    assert drain(a) == [] and drain(b) == []


def test_xpub_verboser_reports_every_topic_on_detach() -> None:
    xpub, _ = make(SocketType.XPUB, xpub_verboser=1)
    a_mine, a = connect(xpub)
    _, b = connect(xpub)
    a.write([b"\x01B"])
    b.write([b"\x01B"])
    drain_pattern(xpub)
    xpub.detach(a_mine)
    assert drain_pattern(xpub) == [[b"\x00B"]]


def test_xpub_manual() -> None:
    xpub, _ = make(SocketType.XPUB, xpub_manual=1)
    a_mine, a = connect(xpub)
    _, b = connect(xpub)
    a.write([b"\x01A"])
    b.write([b"\x01B"])
    assert xpub.recv() == [b"\x01A"]
    xpub.send([b"A1"])
    assert drain(a) == []  # reported but not applied
    assert xpub.setsockopt(SUB, b"A")  # applies to a, the last pipe reported
    assert xpub.recv() == [b"\x01B"]
    assert xpub.setsockopt(SUB, b"X")  # applies to b
    xpub.send([b"A2"])
    xpub.send([b"X2"])
    assert drain(a) == [[b"A2"]]
    assert drain(b) == [[b"X2"]]
    xpub.detach(a_mine)
    assert drain_pattern(xpub) == [[b"\x00A"]]  # what a asked for, reported on detach


def test_xpub_manual_last_value() -> None:
    """XPUB_MANUAL_LAST_VALUE (draft): manual mode, and the first message sent after a
    subscription was handled reaches only that subscriber (its "last value"), then everyone."""
    xpub, _ = make(SocketType.XPUB, xpub_manual_last_value=1)
    _, a = connect(xpub)
    _, b = connect(xpub)
    a.write([b"\x01T"])
    assert xpub.recv() == [b"\x01T"]
    assert xpub.setsockopt(SUB, b"T")  # manual mode: applies to a
    xpub.send([b"T1"])
    b.write([b"\x01T"])
    assert xpub.recv() == [b"\x01T"]
    assert xpub.setsockopt(SUB, b"T")
    xpub.send([b"T last value"])  # b only: a has it already
    xpub.send([b"T2"])  # everyone
    assert drain(a) == [[b"T1"], [b"T2"]]
    assert drain(b) == [[b"T last value"], [b"T2"]]


def test_xpub_subscribe_option_needs_manual() -> None:
    xpub, _ = make(SocketType.XPUB)
    with pytest.raises(ZMQError) as err:
        xpub.setsockopt(SUB, b"A")
    assert err.value.errno == Errno.EINVAL
    assert not xpub.setsockopt(SocketOption.LINGER, 0)


def test_xpub_welcome_message_precedes_everything() -> None:
    xpub, _ = make(SocketType.XPUB, xpub_welcome_msg=b"WELCOME")
    _, a = connect(xpub)
    a.write([b"\x01"])
    xpub.send([b"data"])
    assert drain(a) == [[b"WELCOME"], [b"data"]]


def test_xpub_sees_subscriptions_queued_before_attach() -> None:
    xpub, _ = make(SocketType.XPUB)
    mine, a = connect(xpub, attach=False)
    a.write([b"\x01early"])
    xpub.attach(mine)
    assert xpub.recv() == [b"\x01early"]


def test_pub_sub_over_one_pipe_end_to_end() -> None:
    from purezmq.patterns.pipe import pipe_pair

    pub, _ = make(SocketType.PUB)
    sub, _ = make(SocketType.SUB)
    p_end, s_end = pipe_pair(0, 0)
    p_end.on_read_activated = pub.read_activated
    s_end.on_read_activated = sub.read_activated
    sub.attach(s_end)
    pub.attach(p_end)
    sub.setsockopt(SUB, b"t")
    pub.send([b"t1", b"multi", b"part"])
    pub.send([b"u1"])
    assert sub.recv() == [b"t1", b"multi", b"part"]
    assert sub.recv() is None


def test_xpub_reads_what_a_leaving_peer_sent() -> None:
    xpub, _ = make(SocketType.XPUB)
    mine, a = connect(xpub)
    assert xpub.recv() is None  # the pipe sleeps; its wake-up is never delivered below
    mine.on_read_activated = lambda _pipe: None
    a.write([b"\x01T"])
    a.write([b"goodbye"])
    xpub.detach(mine)
    assert drain_pattern(xpub) == [[b"\x01T"], [b"goodbye"], [b"\x00T"]]
