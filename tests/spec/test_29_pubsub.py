"""RFC 29/PUBSUB: one test per testable SHALL of PUB, XPUB, SUB and XSUB.

Each test's docstring quotes the clause it checks (https://rfc.zeromq.org/spec/29/). Clauses
that PUB and XPUB share run for both (``kind``). Slow joiners are synchronised by publishing
probes until one arrives (``Net.sync_subscribers``).
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import (
    QUIET_MS,
    Net,
    drain_numbered,
    fair_queue,
    fill_until_again,
    matrix,
    overflow,
)

PUBLISHERS = pytest.mark.parametrize("kind", ["PUB", "XPUB"])


def subscribe(net: Net, sub: Any, topic: bytes) -> None:
    """SUBSCRIBE on a SUB, the subscription message on an XSUB."""
    if sub.getsockopt(net.zmq.TYPE) == net.zmq.SUB:
        sub.setsockopt(net.zmq.SUBSCRIBE, topic)
    else:
        sub.send(b"\x01" + topic)


def subscribed_pair(
    net: Net, kind: str, topic: bytes = b"", receiver: str = "SUB", **options: Any
) -> tuple[Any, Any]:
    """A ``kind`` publisher bound, a ``receiver`` connected and subscribed to ``topic``,
    synced."""
    pub = net.socket(kind, **options.get("pub", {}))
    sub = net.socket(receiver, **options.get("sub", {}))
    net.connect(sub, net.bind(pub))
    subscribe(net, sub, topic)
    net.sync_subscribers(pub, [sub], topic)
    return pub, sub


# --------------------------------------------------------------------------------------- PUB


@matrix()
def test_pub_only_sends(net: Net) -> None:
    """PUB "MAY be connected to any number of SUB or XSUB subscribers, and SHALL only send
    messages." """
    pub = net.socket("PUB")
    net.bind(pub)
    net.assert_errno(net.zmq.ENOTSUP, pub.recv)


@PUBLISHERS
@matrix()
def test_pub_queue_before_connection(net: Net, kind: str) -> None:
    """PUB/XPUB "SHALL create a queue when initiating an outgoing connection to a subscriber,
    and SHALL maintain the queue whether or not the connection is established." """
    pub = net.socket(kind)
    endpoint = net.future_endpoint()
    net.connect(pub, endpoint)
    sub = net.socket("SUB")
    sub.setsockopt(net.zmq.SUBSCRIBE, b"t")
    net.bind(sub, endpoint)
    net.sync_subscribers(pub, [sub], b"t")
    pub.send_multipart([b"topic", b"body"])
    assert sub.recv_multipart() == [b"topic", b"body"]


@PUBLISHERS
@matrix()
def test_pub_discards_queue_of_departed_subscriber(net: Net, kind: str) -> None:
    """PUB/XPUB "SHALL create a queue when a subscriber connects to it. If this subscriber
    disconnects, the PUB socket SHALL destroy its queue and SHALL discard any messages it
    contains." """
    pub, first = subscribed_pair(net, kind)
    for i in range(5):
        pub.send(b"old %d" % i)
    endpoint = pub.getsockopt(net.zmq.LAST_ENDPOINT).decode()
    net.close(first)
    second = net.socket("SUB")
    second.setsockopt(net.zmq.SUBSCRIBE, b"")
    net.connect(second, endpoint)
    # Every message the new subscriber sees is a probe: nothing queued for the old one.
    net.sync_subscribers(pub, [second])
    pub.send(b"fresh")
    assert second.recv() == b"fresh"


@PUBLISHERS
@matrix()
def test_pub_fans_out_to_matching_subscribers(net: Net, kind: str) -> None:
    """PUB/XPUB "SHALL maintain a single outgoing message queue for each connected subscriber."
    — every subscriber gets its own copy of each message that matches its subscriptions."""
    pub = net.socket(kind)
    endpoint = net.bind(pub)
    topics = {0: [b"A"], 1: [b"A", b"B"], 2: [b""], 3: [b"C"]}
    subs = [net.socket("SUB") for _ in topics]
    for i, sub in enumerate(subs):
        net.connect(sub, endpoint)
        for t in [*topics[i], b"sync"]:
            sub.setsockopt(net.zmq.SUBSCRIBE, t)
    net.sync_subscribers(pub, subs, b"sync")
    sent = [[b"A1", b"x"], [b"B1"], [b"C1", b""], [b"D1"], [b"AB"]]
    for msg in sent:
        pub.send_multipart(msg)
    pub.send(b"sync-end")
    for i, sub in enumerate(subs):
        expected = [m for m in sent if any(m[0].startswith(t) for t in topics[i])]
        got = []
        while (msg := sub.recv_multipart()) != [b"sync-end"]:
            got.append(msg)
        assert got == expected, i


@matrix()
def test_pub_discards_messages_from_subscribers(net: Net) -> None:
    """PUB "SHALL silently discard any messages that subscribers send it." """
    pub = net.socket("PUB")
    xsub = net.socket("XSUB")
    net.connect(xsub, net.bind(pub))
    xsub.send_multipart([b"not a", b"subscription"])
    xsub.send(b"\x01A")
    net.sync_subscribers(pub, [xsub], b"A")
    assert pub.poll(QUIET_MS, net.zmq.POLLIN) == 0
    net.assert_errno(net.zmq.ENOTSUP, pub.recv)
    pub.send(b"A-still-works")
    assert xsub.recv() == b"A-still-works"


@PUBLISHERS
@matrix()
def test_pub_does_not_modify_messages(net: Net, kind: str) -> None:
    """PUB/XPUB "SHALL not modify outgoing messages in any way."; SUB "SHALL not modify
    incoming messages in any way." """
    pub, sub = subscribed_pair(net, kind)
    msg = [b"\x00\xff", b"", b"\x01" * 5000, b"\x00"]
    pub.send_multipart(msg)
    assert sub.recv_multipart() == msg


@pytest.mark.parametrize("receiver", ["SUB", "XSUB"])
@PUBLISHERS
@matrix()
def test_prefix_match_on_first_frame(net: Net, kind: str, receiver: str) -> None:
    """PUB/XPUB "SHALL perform a binary comparison of the subscription against the start of the
    first frame of the message." """
    topic = b"\x00\xffA"
    pub = net.socket(kind)
    sub = net.socket(receiver)
    net.connect(sub, net.bind(pub))
    subscribe(net, sub, topic)
    net.sync_subscribers(pub, [sub], topic)
    for msg in (
        [b"\x00\xff"],  # shorter than the subscription
        [b"\x00\xfeA-more"],  # differs in one byte
        [b"\x00\xffa"],  # case matters: binary comparison
        [b"other", topic],  # only the first frame counts
        [b"", topic],
        [topic + b"B", b"tail"],
        [topic],
        [topic + b"-end"],
    ):
        pub.send_multipart(msg)
    assert sub.recv_multipart() == [topic + b"B", b"tail"]
    assert sub.recv_multipart() == [topic]
    assert sub.recv_multipart() == [topic + b"-end"]


@pytest.mark.parametrize("receiver", ["SUB", "XSUB"])
@PUBLISHERS
@matrix()
def test_pub_drops_when_queue_full(net: Net, kind: str, receiver: str) -> None:
    """PUB/XPUB "SHALL silently drop the message if the queue for a subscriber is full." and
    "SHALL NOT block on sending."; SUB/XSUB "SHALL silently discard messages if the (incoming)
    queue for a publisher is full." (a subscriber that reads nothing never blocks its
    publisher)"""
    pub, sub = subscribed_pair(
        net,
        kind,
        receiver=receiver,
        pub={"sndhwm": 1, "sndbuf": 65536},
        sub={"rcvhwm": 1, "rcvbuf": 65536},
    )
    overflow(net, lambda m: pub.send_multipart(m, net.zmq.DONTWAIT), sub)


@PUBLISHERS
@matrix()
def test_pub_never_blocks_without_subscribers(net: Net, kind: str) -> None:
    """PUB/XPUB "SHALL NOT block on sending." (nobody subscribed, or nobody connected)"""
    pub = net.socket(kind, sndtimeo=-1)
    endpoint = net.bind(pub)
    for i in range(100):
        pub.send_multipart([b"%d" % i, b"x"], net.zmq.DONTWAIT)
    sub = net.socket("SUB")  # connected but subscribed to nothing
    net.connect(sub, endpoint)
    for i in range(2000):
        pub.send_multipart([b"%d" % i, b"x"])
    assert net.nothing_arrives(sub, 50)


@matrix()
def test_pub_applies_subscribe_and_unsubscribe(net: Net) -> None:
    """PUB "SHALL receive subscribe and unsubscribe requests from subscribers depending on the
    transport protocol used." (seen through an XSUB, which does not filter locally)"""
    pub = net.socket("PUB")
    xsub = net.socket("XSUB")
    net.connect(xsub, net.bind(pub))
    xsub.send(b"\x01A")
    net.sync_subscribers(pub, [xsub], b"A")
    pub.send(b"B-not-subscribed")
    pub.send(b"A-1")
    assert xsub.recv() == b"A-1"
    xsub.send(b"\x00A")
    xsub.send(b"\x01C")
    # Once C's probes arrive the cancel that preceded C's subscription has been applied.
    net.sync_subscribers(pub, [xsub], b"C")
    pub.send(b"A-2")
    pub.send(b"C-mark")
    assert xsub.recv() == b"C-mark"


@matrix()
def test_pub_does_not_deliver_subscriptions(net: Net) -> None:
    """PUB "SHALL NOT deliver these commands to its calling application." """
    pub, _ = subscribed_pair(net, "PUB", b"topic")
    assert pub.poll(QUIET_MS, net.zmq.POLLIN) == 0
    net.assert_errno(net.zmq.ENOTSUP, pub.recv)


@matrix()
def test_subscriptions_are_counted(net: Net) -> None:
    """SUB "MAY, depending on the transport, filter messages according to subscriptions, using a
    prefix match algorithm." — a topic subscribed twice needs two unsubscribes (libzmq)."""
    pub = net.socket("PUB")
    sub = net.socket("SUB")
    net.connect(sub, net.bind(pub))
    sub.setsockopt(net.zmq.SUBSCRIBE, b"A")
    sub.setsockopt(net.zmq.SUBSCRIBE, b"A")
    sub.setsockopt(net.zmq.UNSUBSCRIBE, b"A")
    sub.setsockopt(net.zmq.SUBSCRIBE, b"S1")
    net.sync_subscribers(pub, [sub], b"S1")
    pub.send(b"A-1")
    pub.send(b"S1-mark")
    assert sub.recv() == b"A-1"
    assert sub.recv() == b"S1-mark"
    sub.setsockopt(net.zmq.UNSUBSCRIBE, b"A")
    sub.setsockopt(net.zmq.SUBSCRIBE, b"S2")
    net.sync_subscribers(pub, [sub], b"S2")
    pub.send(b"A-2")
    pub.send(b"S2-mark")
    assert sub.recv() == b"S2-mark"


# -------------------------------------------------------------------------------------- XPUB


@matrix()
def test_xpub_receives_messages_from_subscribers(net: Net) -> None:
    """XPUB "SHALL receive incoming messages from its subscribers using a fair-queuing
    strategy." and "SHALL deliver these messages to its calling application." — libzmq's XPUB
    moves everything a pipe holds into one local queue when the pipe wakes up, so it is fair
    per batch, not per message: only delivery, wholeness and order are checked."""
    xpub = net.socket("XPUB")
    endpoint = net.bind(xpub)
    xsubs = [net.socket("XSUB") for _ in range(2)]
    for x in xsubs:
        net.connect(x, endpoint)
    fair_queue(
        net, xpub.recv_multipart, xsubs[0].send_multipart, xsubs[1].send_multipart, fair=False
    )


@matrix()
def test_xpub_delivers_subscriptions(net: Net) -> None:
    """XPUB "SHALL receive subscribe and unsubscribe requests from subscribers depending on the
    transport protocol used." and "SHALL deliver these commands to its calling application." """
    xpub = net.socket("XPUB")
    sub = net.socket("SUB")
    net.connect(sub, net.bind(xpub))
    sub.setsockopt(net.zmq.SUBSCRIBE, b"weather")
    assert xpub.recv() == b"\x01weather"
    xpub.send(b"weather: sunny")
    assert sub.recv() == b"weather: sunny"
    sub.setsockopt(net.zmq.UNSUBSCRIBE, b"weather")
    assert xpub.recv() == b"\x00weather"
    sub.setsockopt(net.zmq.SUBSCRIBE, b"")
    assert xpub.recv() == b"\x01"


@matrix()
def test_xpub_normalizes_duplicate_subscriptions(net: Net) -> None:
    """XPUB "MAY, depending on configuration, normalize commands delivered to its calling
    application so that multiple identical subscriptions result in a single command only."
    (libzmq's default: only the first subscribe and the last unsubscribe are delivered)"""
    xpub = net.socket("XPUB")
    endpoint = net.bind(xpub)
    subs = [net.socket("SUB") for _ in range(2)]
    for s in subs:
        net.connect(s, endpoint)
    subs[0].setsockopt(net.zmq.SUBSCRIBE, b"A")
    assert xpub.recv() == b"\x01A"
    subs[1].setsockopt(net.zmq.SUBSCRIBE, b"A")
    subs[1].setsockopt(net.zmq.SUBSCRIBE, b"B")
    assert xpub.recv() == b"\x01B"  # the second "A" was not delivered
    subs[0].setsockopt(net.zmq.UNSUBSCRIBE, b"A")
    subs[0].setsockopt(net.zmq.SUBSCRIBE, b"C")
    assert xpub.recv() == b"\x01C"  # "A" is still held by the other subscriber
    subs[1].setsockopt(net.zmq.UNSUBSCRIBE, b"A")
    assert xpub.recv() == b"\x00A"


@matrix()
def test_xpub_unsubscribes_departed_subscriber(net: Net) -> None:
    """XPUB "SHALL, if the subscriber peer disconnects prematurely, generate a suitable
    unsubscribe request for the calling application." """
    xpub = net.socket("XPUB")
    endpoint = net.bind(xpub)
    sub = net.socket("SUB")
    net.connect(sub, endpoint)
    sub.setsockopt(net.zmq.SUBSCRIBE, b"topic")
    assert xpub.recv() == b"\x01topic"
    net.close(sub)
    assert xpub.recv() == b"\x00topic"


@matrix()
def test_xpub_queues_directions_independently(net: Net) -> None:
    """XPUB "SHALL maintain a double queue for each connected subscriber, allowing outgoing and
    incoming messages to be queued independently." — subscriptions still arrive while the
    subscriber's outgoing queue is full."""
    xpub = net.socket("XPUB", sndhwm=1, sndbuf=65536, xpub_nodrop=1)
    sub = net.socket("SUB", rcvhwm=1, rcvbuf=65536)
    net.connect(sub, net.bind(xpub))
    sub.setsockopt(net.zmq.SUBSCRIBE, b"")
    assert xpub.recv() == b"\x01"
    # XPUB_NODROP turns "full" into EAGAIN, so the queue is known to be full.
    sent = fill_until_again(net, lambda m: xpub.send_multipart(m, net.zmq.DONTWAIT))
    sub.setsockopt(net.zmq.SUBSCRIBE, b"more")
    assert xpub.recv() == b"\x01more"
    drain_numbered(sub, sent)


@matrix()
def test_xsub_queues_directions_independently(net: Net) -> None:
    """XSUB "SHALL maintain a double queue for each connected publisher, allowing outgoing and
    incoming messages to be queued independently." — it still sends upstream while its
    incoming queue is full."""
    xpub = net.socket("XPUB", sndhwm=1, sndbuf=65536, xpub_nodrop=1)
    xsub = net.socket("XSUB", rcvhwm=1, rcvbuf=65536)
    net.connect(xsub, net.bind(xpub))
    xsub.send(b"\x01")
    assert xpub.recv() == b"\x01"
    sent = fill_until_again(net, lambda m: xpub.send_multipart(m, net.zmq.DONTWAIT))
    xsub.send_multipart([b"up", b"stream"])
    assert xpub.recv_multipart() == [b"up", b"stream"]
    drain_numbered(xsub, sent)


# --------------------------------------------------------------------------------------- SUB


@matrix()
def test_sub_only_receives(net: Net) -> None:
    """SUB "MAY be connected to any number of PUB or XPUB publishers, and SHALL only receive
    messages." """
    sub = net.socket("SUB")
    net.bind(sub)
    net.assert_errno(net.zmq.ENOTSUP, lambda: sub.send(b"x"))


@matrix()
def test_sub_queue_before_connection(net: Net) -> None:
    """SUB "SHALL create a queue when initiating an outgoing connection to a publisher, and
    SHALL maintain the queue whether or not the connection is established." """
    sub = net.socket("SUB")
    endpoint = net.future_endpoint()
    net.connect(sub, endpoint)
    sub.setsockopt(net.zmq.SUBSCRIBE, b"early")
    pub = net.socket("PUB")
    net.bind(pub, endpoint)
    net.sync_subscribers(pub, [sub], b"early")
    pub.send(b"late")
    pub.send(b"early-bird")
    assert sub.recv() == b"early-bird"


@pytest.mark.parametrize("receiver", ["SUB", "XSUB"])
@matrix()
def test_sub_fair_queues_publishers(net: Net, receiver: str) -> None:
    """SUB/XSUB "SHALL receive incoming messages from its publishers using a fair-queuing
    strategy." and "SHALL deliver messages to its calling application." """
    sub = net.socket(receiver)
    pubs = [net.socket("PUB") for _ in range(2)]
    for p in pubs:
        net.connect(sub, net.bind(p))
    subscribe(net, sub, b"")
    for p in pubs:
        net.sync_subscribers(p, [sub])
    fair_queue(net, sub.recv_multipart, pubs[0].send_multipart, pubs[1].send_multipart)


# -------------------------------------------------------------------------------------- XSUB


@matrix()
def test_xsub_does_not_modify_messages(net: Net) -> None:
    """XSUB "SHALL not modify incoming messages in any way." and "SHALL not modify outgoing
    messages in any way." """
    xpub = net.socket("XPUB")
    xsub = net.socket("XSUB")
    net.connect(xsub, net.bind(xpub))
    xsub.send(b"\x01")
    assert xpub.recv() == b"\x01"
    # libzmq's XSUB reads any frame starting with 0/1 as an (un)subscription, even a later
    # frame of a multipart message, so the user frames here avoid those first bytes.
    up = [b"\x02up", b"", b"\x02\x00" * 2000]
    xsub.send_multipart(up)
    assert xpub.recv_multipart() == up
    down = [b"\x00down", b"", b"\xff" * 3000]
    xpub.send_multipart(down)
    assert xsub.recv_multipart() == down


@matrix()
def test_xsub_sends_to_all_publishers(net: Net) -> None:
    """XSUB "SHALL send all messages to all connected publishers." """
    xsub = net.socket("XSUB")
    xpubs = [net.socket("XPUB") for _ in range(3)]
    for x in xpubs:
        net.connect(xsub, net.bind(x))
    xsub.send(b"\x01topic")
    xsub.send_multipart([b"hello", b"all"])
    for x in xpubs:
        assert x.recv() == b"\x01topic"
        assert x.recv_multipart() == [b"hello", b"all"]


@matrix()
def test_xsub_drops_when_queue_full(net: Net) -> None:
    """XSUB "SHALL silently drop the message if the outgoing queue for a publisher is full." and
    "SHALL NOT block on sending." """
    xsub = net.socket("XSUB", sndhwm=1, sndtimeo=-1)
    xsub.send(b"no publisher at all", net.zmq.DONTWAIT)
    endpoint = net.future_endpoint()  # nobody listens: the queue fills at one message
    net.connect(xsub, endpoint)
    for i in range(50):
        xsub.send_multipart([b"m%d" % i, b"x"], net.zmq.DONTWAIT)
    xsub.send_multipart([b"blocking call", b"x"])  # no DONTWAIT, no timeout: must not block
    xpub = net.socket("XPUB")
    net.bind(xpub, endpoint)
    assert xpub.recv_multipart() == [b"m0", b"x"]
    assert net.nothing_arrives(xpub)


@matrix()
def test_xsub_sends_subscriptions(net: Net) -> None:
    """XSUB "SHALL accept subscription commands from its calling application." and "SHALL send
    subscribe and unsubscribe requests to publishers depending on the transport protocol
    used." """
    xpub = net.socket("XPUB")
    xsub = net.socket("XSUB")
    net.connect(xsub, net.bind(xpub))
    xsub.send(b"\x01news")
    assert xpub.recv() == b"\x01news"
    xpub.send(b"news-1")
    xpub.send(b"sport-1")
    xpub.send(b"news-2")
    assert xsub.recv() == b"news-1"
    assert xsub.recv() == b"news-2"
    xsub.send(b"\x00news")
    assert xpub.recv() == b"\x00news"
