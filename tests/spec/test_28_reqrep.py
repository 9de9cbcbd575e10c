"""RFC 28/REQREP: one test per testable SHALL of REQ, REP, DEALER and ROUTER.

Each test's docstring quotes the clause it checks (https://rfc.zeromq.org/spec/28/).
"""

from __future__ import annotations

import contextlib
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


def which(net: Net, socks: list[Any]) -> int:
    """Index of the one socket in ``socks`` that has a message (waits, bounded)."""
    poller = net.zmq.Poller()
    for s in socks:
        poller.register(s, net.zmq.POLLIN)
    ready = dict(poller.poll(3000))
    hits = [i for i, s in enumerate(socks) if s in ready]
    assert len(hits) == 1, hits
    return hits[0]


def set_rcvtimeo(net: Net, sock: Any, ms: int) -> None:
    sock.setsockopt(net.zmq.RCVTIMEO, ms)


# --------------------------------------------------------------------------------------- REQ


@matrix()
def test_req_send_then_receive_one_at_a_time(net: Net) -> None:
    """REQ "SHALL send and then receive exactly one message at a time." """
    rep, req = net.pair("REP", "REQ")
    net.assert_errno(net.zmq.EFSM, req.recv)
    req.send(b"q1")
    net.assert_errno(net.zmq.EFSM, lambda: req.send(b"q2"))
    assert rep.recv() == b"q1"
    rep.send(b"a1")
    assert req.recv() == b"a1"
    net.assert_errno(net.zmq.EFSM, req.recv)
    req.send(b"q3")
    assert rep.recv() == b"q3"


@matrix()
def test_req_prefixes_empty_delimiter(net: Net) -> None:
    """REQ "SHALL prefix the outgoing message with an empty delimiter frame." """
    router, req = net.pair("ROUTER", "REQ")
    req.send_multipart([b"a", b"", b"b"])
    frames = router.recv_multipart()
    assert len(frames) == 5 and frames[0]
    assert frames[1:] == [b"", b"a", b"", b"b"]
    router.send_multipart([frames[0], b"", b"reply", b""])
    assert req.recv_multipart() == [b"reply", b""]


@matrix()
def test_req_round_robin(net: Net) -> None:
    """REQ "SHALL route outgoing messages to connected peers using a round-robin strategy." """
    reps = [net.socket("REP") for _ in range(3)]
    req = net.socket("REQ")
    for rep in reps:
        net.connect(req, net.bind(rep))
    order = []
    for i in range(9):
        req.send(b"%d" % i)
        k = which(net, reps)
        assert reps[k].recv() == b"%d" % i
        reps[k].send(b"r%d" % i)
        assert req.recv() == b"r%d" % i
        order.append(k)
    assert sorted(order[:3]) == [0, 1, 2]
    assert order == order[:3] * 3


@matrix()
def test_req_blocks_or_errors_without_peers(net: Net) -> None:
    """REQ "SHALL block on sending, or return a suitable error, when it has no connected
    peers." """
    req = net.socket("REQ", sndtimeo=100)
    net.assert_again(lambda: req.send(b"q", net.zmq.DONTWAIT))
    net.assert_again(lambda: req.send(b"q"))
    # The refused request left REQ ready to send: once a peer exists the request goes out.
    rep = net.socket("REP")
    net.connect(req, net.bind(rep))
    req.send(b"q")
    assert rep.recv() == b"q"


@matrix()
def test_req_does_not_discard_unsent_request(net: Net) -> None:
    """REQ "SHALL NOT discard messages that it cannot send to a connected peer." """
    req = net.socket("REQ")
    endpoint = net.future_endpoint()
    net.connect(req, endpoint)
    req.send_multipart([b"early", b"request"])
    rep = net.socket("REP")
    net.bind(rep, endpoint)
    assert rep.recv_multipart() == [b"early", b"request"]
    rep.send(b"ok")
    assert req.recv() == b"ok"


@matrix()
def test_req_accepts_only_from_last_peer(net: Net) -> None:
    """REQ "SHALL accept an incoming message only from the last peer that it sent a request
    to." and "SHALL discard silently any messages received from other peers." """
    routers = [net.socket("ROUTER") for _ in range(2)]
    req = net.socket("REQ")
    for r in routers:
        net.connect(req, net.bind(r))
    req.send(b"q1")
    first = routers[which(net, routers)]
    second = routers[1 - routers.index(first)]
    req_id, empty, body = first.recv_multipart()
    assert (empty, body) == (b"", b"q1")
    first.send_multipart([req_id, b"", b"a1"])
    assert req.recv() == b"a1"

    req.send(b"q2")  # round-robin: goes to the other router
    req_id2, _, body = second.recv_multipart()
    assert body == b"q2"
    first.send_multipart([req_id, b"", b"stale from first"])
    set_rcvtimeo(net, req, QUIET_MS)
    net.assert_again(req.recv)  # the first router's message is not a reply to q2
    second.send_multipart([req_id2, b"", b"a2"])
    set_rcvtimeo(net, req, 3000)
    assert req.recv() == b"a2"

    req.send(b"q3")  # back to the first router: its stale message must be gone
    assert first.recv_multipart() == [req_id, b"", b"q3"]
    first.send_multipart([req_id, b"", b"a3"])
    assert req.recv() == b"a3"


@matrix()
def test_req_never_delivers_reply_without_delimiter(net: Net) -> None:
    """Request and reply "SHALL have this format on the wire: A delimiter, consisting of an
    empty frame, added by the REQ socket. One or more data frames..." — a reply without the
    delimiter is not a reply: the application never sees it. (libzmq skips it over inproc and
    delivers the good reply behind it; over tcp/ipc see the next test.)"""
    router, req = net.pair("ROUTER", "REQ")
    req.send(b"q")
    req_id, _, _ = router.recv_multipart()
    router.send_multipart([req_id, b"bad"])
    router.send_multipart([req_id, b"", b"good"])
    if net.transport == "inproc":
        assert req.recv() == b"good"
    else:
        set_rcvtimeo(net, req, QUIET_MS)
        with contextlib.suppress(net.zmq.Again):
            assert req.recv() == b"good"


@matrix(transports=("ipc", "tcp"))
def test_req_malformed_reply_kills_connection(net: Net) -> None:
    """Request and reply "SHALL have this format on the wire" — over a network transport libzmq
    treats a reply without the empty delimiter as a protocol error of that connection: the
    connection is dropped and nothing more is delivered from it."""
    router = net.socket("ROUTER", router_mandatory=1)
    req = net.socket("REQ")
    net.connect(req, net.bind(router))
    req.send(b"q")
    req_id, _, _ = router.recv_multipart()
    router.send_multipart([req_id, b"bad"])
    set_rcvtimeo(net, req, QUIET_MS)
    net.assert_again(req.recv)

    def dropped() -> bool:
        try:
            router.send_multipart([req_id, b"", b"late"], net.zmq.DONTWAIT)
        except net.zmq.ZMQError as exc:
            return bool(exc.errno == net.zmq.EHOSTUNREACH)
        return False

    net.wait_until(dropped, "the ROUTER to see the REQ's connection dropped", router)
    net.assert_again(req.recv)


# --------------------------------------------------------------------------------------- REP


@matrix()
def test_rep_does_not_modify_messages(net: Net) -> None:
    """REP "SHALL not filter or modify outgoing or incoming messages in any way." """
    rep, req = net.pair("REP", "REQ")
    request = [b"", b"\x00\xff\x01", b"x" * 5000, b""]
    req.send_multipart(request)
    assert rep.recv_multipart() == request
    reply = [b"", b"\x00", b"y" * 300]
    rep.send_multipart(reply)
    assert req.recv_multipart() == reply


@matrix()
def test_rep_receive_then_send_one_at_a_time(net: Net) -> None:
    """REP "SHALL receive and then send exactly one message at a time." """
    rep, req = net.pair("REP", "REQ")
    net.assert_errno(net.zmq.EFSM, lambda: rep.send(b"unasked"))
    req.send(b"q")
    assert rep.recv() == b"q"
    net.assert_errno(net.zmq.EFSM, rep.recv)
    rep.send(b"a")
    net.assert_errno(net.zmq.EFSM, lambda: rep.send(b"again"))
    assert req.recv() == b"a"


@matrix()
def test_rep_fair_queues_requests(net: Net) -> None:
    """REP "SHALL receive incoming messages from its peers using a fair-queuing strategy." """
    rep = net.socket("REP")
    endpoint = net.bind(rep)
    dealers = [net.socket("DEALER") for _ in range(2)]
    for d in dealers:
        net.connect(d, endpoint)

    def recv() -> list[bytes]:
        msg: list[bytes] = rep.recv_multipart()
        rep.send(b"ok")  # replies go back to the DEALERs, which never read them
        return msg

    fair_queue(
        net,
        recv,
        lambda m: dealers[0].send_multipart([b"", *m]),
        lambda m: dealers[1].send_multipart([b"", *m]),
        receiver=rep,
    )


@matrix()
def test_rep_strips_and_restores_envelope(net: Net) -> None:
    """REP "SHALL remove and store the address envelope, including the delimiter.", "SHALL pass
    the remaining data frames to its calling application." and "SHALL prepend the address
    envelope and delimiter." """
    rep, dealer = net.pair("REP", "DEALER")
    dealer.send_multipart([b"hop2", b"hop1", b"", b"body", b"more"])
    assert rep.recv_multipart() == [b"body", b"more"]
    rep.send_multipart([b"answer", b""])
    assert dealer.recv_multipart() == [b"hop2", b"hop1", b"", b"answer", b""]


@matrix()
def test_rep_discards_request_without_delimiter(net: Net) -> None:
    """Requests "SHALL have this format on the wire: An address envelope ... A delimiter,
    consisting of an empty frame. One or more data frames" — REP passes on nothing from a
    request that lacks the delimiter."""
    rep, dealer = net.pair("REP", "DEALER")
    dealer.send_multipart([b"no", b"delimiter"])
    dealer.send_multipart([b"", b"fine"])
    assert rep.recv_multipart() == [b"fine"]


@matrix()
def test_rep_replies_to_originating_peer(net: Net) -> None:
    """REP "SHALL deliver this message back to the originating peer." """
    rep = net.socket("REP")
    endpoint = net.bind(rep)
    reqs = [net.socket("REQ") for _ in range(3)]
    for i, req in enumerate(reqs):
        net.connect(req, endpoint)
        req.send(b"from %d" % i)
    for _ in reqs:
        request = rep.recv()
        rep.send(b"reply to " + request)
    for i, req in enumerate(reqs):
        assert req.recv() == b"reply to from %d" % i


@matrix()
def test_rep_discards_reply_to_vanished_peer(net: Net) -> None:
    """REP "SHALL silently discard the reply, or return an error, if the originating peer is no
    longer connected." """
    rep = net.socket("REP")
    endpoint = net.bind(rep)
    gone = net.socket("REQ")
    net.connect(gone, endpoint)
    gone.send(b"q-gone")
    assert rep.recv() == b"q-gone"
    net.close(gone)
    try:
        rep.send(b"lost", net.zmq.DONTWAIT)
    except net.zmq.ZMQError as exc:  # an error is allowed; blocking (EAGAIN) is not
        assert exc.errno != net.zmq.EAGAIN
    req = net.socket("REQ")
    net.connect(req, endpoint)
    req.send(b"q-new")
    assert rep.recv() == b"q-new"
    rep.send(b"a-new")
    assert req.recv() == b"a-new"


@matrix()
def test_rep_does_not_block_on_sending(net: Net) -> None:
    """REP "SHALL not block on sending." (replies to a peer that reads nothing)"""
    rep = net.socket("REP", sndhwm=1, sndbuf=65536)
    dealer = net.socket("DEALER", rcvhwm=1, rcvbuf=65536)
    net.connect(dealer, net.bind(rep))
    big = b"r" * 65536
    for i in range(200):
        dealer.send_multipart([b"", b"%d" % i])
        assert rep.recv() == b"%d" % i
        rep.send(big, net.zmq.DONTWAIT)


# ------------------------------------------------------------------------------------ DEALER


@matrix()
def test_dealer_does_not_modify_messages(net: Net) -> None:
    """DEALER "SHALL not filter or modify outgoing or incoming messages in any way." """
    a, b = net.pair("DEALER", "DEALER")
    msg = [b"", b"\x00", b"", b"z" * 5000, b"\x01"]
    b.send_multipart(msg)
    assert a.recv_multipart() == msg
    a.send_multipart(msg[::-1])
    assert b.recv_multipart() == msg[::-1]


@matrix()
def test_dealer_keeps_queue_before_connection(net: Net) -> None:
    """DEALER "SHALL create a double queue when initiating an outgoing connection to a peer, and
    SHALL maintain the double queue whether or not the connection is established." """
    dealer = net.socket("DEALER")
    endpoint = net.future_endpoint()
    net.connect(dealer, endpoint)
    for i in range(3):
        dealer.send_multipart([b"early", b"%d" % i], net.zmq.DONTWAIT)
    router = net.socket("ROUTER")
    net.bind(router, endpoint)
    for i in range(3):
        assert router.recv_multipart()[1:] == [b"early", b"%d" % i]


@matrix()
def test_dealer_discards_queue_of_disconnected_peer(net: Net) -> None:
    """DEALER "SHALL create a double queue when a peer connects to it. If this peer disconnects,
    the DEALER socket SHALL destroy its double queue and SHALL discard any messages it
    contains." """
    dealer = net.socket("DEALER", sndhwm=0)  # unlimited: EAGAIN below can only mean "no peer"
    endpoint = net.bind(dealer)
    first = net.socket("DEALER")
    net.connect(first, endpoint)
    first.send(b"hello")
    assert dealer.recv() == b"hello"
    for i in range(5):
        dealer.send(b"old %d" % i, net.zmq.DONTWAIT)
    net.close(first)

    def no_peer() -> bool:
        try:
            dealer.send(b"old", net.zmq.DONTWAIT)
        except net.zmq.Again:
            return True
        return False

    net.wait_until(no_peer, "the DEALER to drop the departed peer's queue", dealer)
    second = net.socket("DEALER")
    net.connect(second, endpoint)
    second.send(b"hello again")
    assert dealer.recv() == b"hello again"
    dealer.send(b"fresh")
    assert second.recv() == b"fresh"


@matrix()
def test_dealer_round_robin_over_available_peers(net: Net) -> None:
    """DEALER "SHALL consider a peer as available only when it has a outgoing queue that is not
    full." and "SHALL route outgoing messages to available peers using a round-robin
    strategy." """
    dealer = net.socket("DEALER", sndhwm=1)
    stuck = net.future_endpoint()  # nobody listens: its queue fills at one message
    net.connect(dealer, stuck)
    router = net.socket("ROUTER")
    net.connect(dealer, net.bind(router))
    for i in range(10):
        dealer.send(b"%d" % i)
    got = [router.recv_multipart()[1] for _ in range(9)]
    assert net.nothing_arrives(router)
    late = net.socket("ROUTER")
    net.bind(late, stuck)
    got.append(late.recv_multipart()[1])
    assert sorted(got) == [b"%d" % i for i in range(10)]
    assert got[-1] in (b"0", b"1")


@matrix()
def test_dealer_round_robin_to_bound_peers(net: Net) -> None:
    """DEALER "SHALL route outgoing messages to available peers using a round-robin strategy."
    (peers that connected to the DEALER)"""
    dealer = net.socket("DEALER")
    endpoint = net.bind(dealer)
    peers = [net.socket("DEALER") for _ in range(3)]
    for p in peers:
        net.connect(p, endpoint)
    net.sync_pipes(dealer, peers)
    for i in range(30):
        dealer.send_multipart([b"%d" % i, b"tail"])
    for p in peers:
        got = [int(p.recv_multipart()[0]) for _ in range(10)]
        assert len({g % 3 for g in got}) == 1, got
        assert got == sorted(got)
        assert net.nothing_arrives(p, 50)


@matrix()
def test_dealer_blocks_without_available_peers(net: Net) -> None:
    """DEALER "SHALL block on sending, or return a suitable error, when it has no available
    peers.", "SHALL not accept further messages when it has no available peers." and "SHALL NOT
    discard messages that it cannot queue." """
    dealer = net.socket("DEALER", sndhwm=1, sndtimeo=100)
    net.assert_again(lambda: dealer.send(b"nobody", net.zmq.DONTWAIT))
    endpoint = net.future_endpoint()
    net.connect(dealer, endpoint)
    dealer.send(b"m0")
    net.assert_again(lambda: dealer.send(b"m1", net.zmq.DONTWAIT))
    net.assert_again(lambda: dealer.send(b"m1"))
    router = net.socket("ROUTER")
    net.bind(router, endpoint)
    assert router.recv_multipart()[1] == b"m0"
    dealer.setsockopt(net.zmq.SNDTIMEO, 3000)
    dealer.send(b"m2")
    assert router.recv_multipart()[1] == b"m2"


@matrix()
def test_dealer_fair_queues(net: Net) -> None:
    """DEALER "SHALL receive incoming messages from its peers using a fair-queuing strategy."
    and "SHALL deliver these to its calling application." """
    dealer = net.socket("DEALER")
    endpoint = net.bind(dealer)
    peers = [net.socket("DEALER") for _ in range(2)]
    for p in peers:
        net.connect(p, endpoint)
    fair_queue(net, dealer.recv_multipart, peers[0].send_multipart, peers[1].send_multipart)


# ------------------------------------------------------------------------------------ ROUTER


@matrix()
def test_router_identifies_each_queue_uniquely(net: Net) -> None:
    """ROUTER "SHALL identify each double queue using a unique "identity" binary string." and
    "SHOULD allow the peer to specify its identity explicitly through the Identity metadata
    property." """
    router = net.socket("ROUTER")
    endpoint = net.bind(router)
    anon = [net.socket("DEALER") for _ in range(3)]
    named = net.socket("DEALER", routing_id=b"alice")
    for d in [*anon, named]:
        net.connect(d, endpoint)
        d.send(b"hi")
    ids = [router.recv_multipart()[0] for _ in range(4)]
    assert len(set(ids)) == 4 and all(ids)
    assert b"alice" in ids


@matrix()
def test_router_keeps_queue_before_connection(net: Net) -> None:
    """ROUTER "SHALL create a double queue when initiating an outgoing connection to a peer, and
    SHALL maintain the double queue whether or not the connection is established." """
    router = net.socket("ROUTER", router_mandatory=1, connect_routing_id=b"server")
    endpoint = net.future_endpoint()
    net.connect(router, endpoint)
    router.send_multipart([b"server", b"early", b"bird"], net.zmq.DONTWAIT)
    dealer = net.socket("DEALER")
    net.bind(dealer, endpoint)
    assert dealer.recv_multipart() == [b"early", b"bird"]


@matrix()
def test_router_destroys_queue_of_disconnected_peer(net: Net) -> None:
    """ROUTER "SHALL create a double queue when a peer connects to it. If this peer disconnects,
    the ROUTER socket SHALL destroy its double queue and SHALL discard any messages it
    contains." """
    router = net.socket("ROUTER", router_mandatory=1)
    endpoint = net.bind(router)
    first = net.socket("DEALER")
    net.connect(first, endpoint)
    first.send(b"hi")
    first_id, _ = router.recv_multipart()
    for i in range(5):
        router.send_multipart([first_id, b"old %d" % i], net.zmq.DONTWAIT)
    net.close(first)

    def unroutable() -> bool:
        try:
            router.send_multipart([first_id, b"old"], net.zmq.DONTWAIT)
        except net.zmq.ZMQError as exc:
            return bool(exc.errno == net.zmq.EHOSTUNREACH)
        return False

    net.wait_until(unroutable, "the ROUTER to destroy the departed peer's queue", router)
    second = net.socket("DEALER")
    net.connect(second, endpoint)
    second.send(b"hi")
    second_id, _ = router.recv_multipart()
    assert second_id != first_id
    router.send_multipart([second_id, b"fresh"])
    assert second.recv() == b"fresh"


@matrix()
def test_router_fair_queues(net: Net) -> None:
    """ROUTER "SHALL receive incoming messages from its peers using a fair-queuing strategy." """
    router = net.socket("ROUTER")
    endpoint = net.bind(router)
    peers = [net.socket("DEALER") for _ in range(2)]
    for p in peers:
        net.connect(p, endpoint)
    fair_queue(
        net,
        lambda: router.recv_multipart()[1:],
        peers[0].send_multipart,
        peers[1].send_multipart,
        receiver=router,
    )


@matrix()
def test_router_prefixes_identity(net: Net) -> None:
    """ROUTER "SHALL prefix each incoming message with a frame containing the identity of the
    originating double queue." and "SHALL deliver the resulting messages to its calling
    application." """
    router = net.socket("ROUTER")
    endpoint = net.bind(router)
    dealer = net.socket("DEALER", routing_id=b"bob")
    net.connect(dealer, endpoint)
    dealer.send_multipart([b"", b"a", b"\x00b"])
    assert router.recv_multipart() == [b"bob", b"", b"a", b"\x00b"]
    anon = net.socket("DEALER")
    net.connect(anon, endpoint)
    anon.send(b"x")
    anon_id, body = router.recv_multipart()
    assert anon_id and anon_id != b"bob" and body == b"x"


@matrix()
def test_router_routes_by_first_frame(net: Net) -> None:
    """ROUTER "SHALL remove the first frame from each outgoing message and use this as the
    identity of a double queue." and "SHALL route the message to the outgoing queue if that
    queue exists, and has space." """
    router = net.socket("ROUTER")
    endpoint = net.bind(router)
    peers = {}
    for name in (b"d1", b"d2"):
        d = net.socket("DEALER", routing_id=name)
        net.connect(d, endpoint)
        d.send(b"hi")
        peers[name] = d
    assert sorted(router.recv_multipart()[0] for _ in peers) == [b"d1", b"d2"]
    router.send_multipart([b"d2", b"for", b"two"])
    router.send_multipart([b"d1", b"for one"])
    assert peers[b"d2"].recv_multipart() == [b"for", b"two"]
    assert peers[b"d1"].recv_multipart() == [b"for one"]
    assert net.nothing_arrives(peers[b"d2"], 50)


@matrix()
def test_router_drops_or_errors_on_unknown_identity(net: Net) -> None:
    """ROUTER "SHALL either silently drop the message, or return an error, depending on
    configuration, if the queue does not exist, or is full." (queue does not exist)"""
    router = net.socket("ROUTER")
    endpoint = net.bind(router)
    dealer = net.socket("DEALER", routing_id=b"known")
    net.connect(dealer, endpoint)
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"known", b"hi"]
    router.send_multipart([b"unknown", b"lost"], net.zmq.DONTWAIT)  # silently dropped
    router.send_multipart([b"known", b"after"])
    assert dealer.recv() == b"after"
    router.setsockopt(net.zmq.ROUTER_MANDATORY, 1)
    net.assert_errno(
        net.zmq.EHOSTUNREACH, lambda: router.send_multipart([b"unknown", b"x"], net.zmq.DONTWAIT)
    )
    router.send_multipart([b"known", b"still routable"])
    assert dealer.recv() == b"still routable"


@matrix()
def test_router_drops_on_full_queue_without_blocking(net: Net) -> None:
    """ROUTER "SHALL either silently drop the message, or return an error, depending on
    configuration, if the queue does not exist, or is full." and "SHALL NOT block on sending."
    (full queue, default configuration: dropped)"""
    router = net.socket("ROUTER", sndhwm=1, sndbuf=65536)
    dealer = net.socket("DEALER", routing_id=b"slow", rcvhwm=1, rcvbuf=65536)
    net.connect(dealer, net.bind(router))
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"slow", b"hi"]
    overflow(
        net,
        lambda m: router.send_multipart([b"slow", *m], net.zmq.DONTWAIT),
        dealer,
    )


@matrix()
def test_router_mandatory_full_queue_errors(net: Net) -> None:
    """ROUTER "SHALL either silently drop the message, or return an error, depending on
    configuration, if the queue does not exist, or is full." (full queue, ROUTER_MANDATORY:
    EAGAIN, and nothing is lost) and "SHALL maintain a double queue for each connected peer,
    allowing outgoing and incoming messages to be queued independently." """
    router = net.socket("ROUTER", sndhwm=1, sndbuf=65536, router_mandatory=1)
    dealer = net.socket("DEALER", routing_id=b"slow", rcvhwm=1, rcvbuf=65536)
    net.connect(dealer, net.bind(router))
    dealer.send(b"hi")
    assert router.recv_multipart() == [b"slow", b"hi"]
    sent = fill_until_again(net, lambda m: router.send_multipart([b"slow", *m], net.zmq.DONTWAIT))
    dealer.send_multipart([b"up", b"stream"])  # the other direction still flows
    assert router.recv_multipart() == [b"slow", b"up", b"stream"]
    drain_numbered(dealer, sent)


@matrix()
def test_dealer_queues_directions_independently(net: Net) -> None:
    """DEALER "SHALL maintain a double queue for each connected peer, allowing outgoing and
    incoming messages to be queued independently." """
    dealer = net.socket("DEALER", sndhwm=1, sndbuf=65536)
    peer = net.socket("DEALER", rcvhwm=1, rcvbuf=65536)
    net.connect(peer, net.bind(dealer))
    peer.send(b"hi")
    assert dealer.recv() == b"hi"
    sent = fill_until_again(net, lambda m: dealer.send_multipart(m, net.zmq.DONTWAIT))
    peer.send_multipart([b"up", b"stream"])
    assert dealer.recv_multipart() == [b"up", b"stream"]
    drain_numbered(peer, sent)


# ------------------------------------------------------------------------------- envelopes


@matrix()
def test_envelope_through_router_dealer_hops(net: Net) -> None:
    """REP "SHALL remove and store the address envelope, including the delimiter." and "SHALL
    prepend the address envelope and delimiter."; ROUTER "SHALL prefix each incoming message
    with a frame containing the identity of the originating double queue." — through a
    ROUTER/DEALER proxy each REQ gets its own reply."""
    front = net.socket("ROUTER")
    back = net.socket("DEALER")
    rep = net.socket("REP")
    net.connect(rep, net.bind(back))
    front_endpoint = net.bind(front)
    reqs = [net.socket("REQ") for _ in range(2)]
    for i, req in enumerate(reqs):
        net.connect(req, front_endpoint)
        req.send_multipart([b"job", b"%d" % i])
    for _ in reqs:
        frames = front.recv_multipart()
        assert frames[1:3] == [b"", b"job"]
        back.send_multipart(frames)
        assert rep.recv_multipart()[0] == b"job"
        # REP saw only the body; the envelope (id + delimiter) came back on the reply.
        rep.send_multipart([b"done", frames[3]])
        reply = back.recv_multipart()
        assert reply == [frames[0], b"", b"done", frames[3]]
        front.send_multipart(reply)
    for i, req in enumerate(reqs):
        assert req.recv_multipart() == [b"done", b"%d" % i]


@pytest.mark.parametrize("kind", ["REQ", "DEALER"])
@matrix()
def test_multipart_atomic_through_rep(net: Net, kind: str) -> None:
    """REP "SHALL not filter or modify outgoing or incoming messages in any way." — multipart
    requests from several clients arrive whole, never interleaved."""
    rep = net.socket("REP")
    endpoint = net.bind(rep)
    clients = [net.socket(kind) for _ in range(3)]
    for c in clients:
        net.connect(c, endpoint)
    prefix = [b""] if kind == "DEALER" else []
    for i, c in enumerate(clients):
        c.send_multipart([*prefix, b"c%d" % i, b"middle", b"c%d-end" % i])
    seen = set()
    for _ in clients:
        first, middle, last = rep.recv_multipart()
        assert middle == b"middle" and last == first + b"-end"
        seen.add(first)
        rep.send(first)
    assert seen == {b"c0", b"c1", b"c2"}
