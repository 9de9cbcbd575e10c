"""DEALER / ROUTER / REQ / REP routing and envelopes, driven from the engine end of pipes."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.constants import Errno, SocketType
from purezmq.error import ZMQError
from purezmq.patterns import DisconnectReason
from purezmq.patterns.reqrep import Req, Router

from ._helpers import connect, drain, make


def test_dealer_load_balances_and_fair_queues() -> None:
    dealer, _ = make(SocketType.DEALER)
    _, a = connect(dealer)
    _, b = connect(dealer)
    for i in range(4):
        assert dealer.send([b"%d" % i, b"more"])
    assert drain(a) == [[b"0", b"more"], [b"2", b"more"]]
    assert drain(b) == [[b"1", b"more"], [b"3", b"more"]]
    a.write([b"x"])
    b.write([b"y"])
    a.write([b"z"])
    assert [dealer.recv(), dealer.recv(), dealer.recv(), dealer.recv()] == [
        [b"x"],
        [b"y"],
        [b"z"],
        None,
    ]


def test_dealer_is_mute_without_room() -> None:
    dealer, _ = make(SocketType.DEALER)
    assert not dealer.send([b"nobody"])
    assert not dealer.can_send()
    _, a = connect(dealer, hwm_out=1)
    assert dealer.can_send()
    assert dealer.send([b"1"])
    assert not dealer.send([b"2"])
    assert a.read() == [b"1"]  # drained to LWM: write_activated
    assert dealer.can_send() and dealer.send([b"2"])


def test_probe_router_on_attach() -> None:
    for kind in (SocketType.DEALER, SocketType.REQ, SocketType.ROUTER):
        pattern, _ = make(kind, probe_router=1)
        _, end = connect(pattern)
        assert drain(end) == [[b""]]


def test_req_envelope_and_strict_state_machine() -> None:
    req, _ = make(SocketType.REQ)
    _, rep = connect(req)
    with pytest.raises(ZMQError) as err:
        req.recv()
    assert err.value.errno == Errno.EFSM
    assert req.send([b"hello"])
    assert not req.can_send()
    with pytest.raises(ZMQError) as err:
        req.send([b"again"])
    assert err.value.errno == Errno.EFSM
    assert rep.read() == [b"", b"hello"]
    assert req.recv() is None
    rep.write([b"", b"world", b"!"])
    assert req.can_recv()
    assert req.recv() == [b"world", b"!"]
    assert req.can_send() and not req.can_recv()


def test_req_accepts_reply_only_from_request_pipe_and_discards_stale() -> None:
    req, _ = make(SocketType.REQ)
    _, a = connect(req)
    _, b = connect(req)
    req.send([b"q1"])
    assert a.read() == [b"", b"q1"]
    b.write([b"", b"not for you"])
    assert req.recv() is None
    a.write([b"", b"r1"])
    a.write([b"", b"late duplicate"])
    assert req.recv() == [b"r1"]
    req.send([b"q2"])  # goes to b; the unread duplicate from a is discarded
    assert b.read() == [b"", b"q2"]
    a.write([b"", b"stale"])
    assert req.recv() is None
    b.write([b"", b"r2"])
    assert req.recv() == [b"r2"]
    assert req.statistics().messages_dropped >= 2


def test_req_drops_malformed_reply_and_asks_for_disconnect() -> None:
    """Over a network session the bad reply fails the connection: nothing after it counts."""
    req, _ = make(SocketType.REQ)
    mine, a = connect(req)
    mine.session = True
    req.send([b"q"])
    a.write([b"no delimiter"])
    a.write([b"", b"sent after the bad one"])
    assert req.recv() is None
    assert req.take_disconnects() == [(mine, DisconnectReason.PROTOCOL)]
    assert req.disconnects == []
    a.write([b"", b"still from the broken pipe"])
    assert req.recv() is None


def test_req_skips_malformed_reply_over_inproc() -> None:
    """Without a session (inproc) libzmq's REQ merely skips the bad reply."""
    req, _ = make(SocketType.REQ)
    _, a = connect(req)
    req.send([b"q"])
    a.write([b"no delimiter"])
    a.write([b"", b"good"])
    assert req.recv() == [b"good"]
    assert req.take_disconnects() == []


def test_req_keeps_a_reply_written_before_send_returns() -> None:
    """Stale replies are dropped before the request is written, not after (inproc race)."""
    req, _ = make(SocketType.REQ)
    _, a = connect(req)

    def answer_at_once(_pipe: object) -> None:
        a.write([b"", b"instant"])

    a.on_read_activated = answer_at_once
    assert a.read() is None  # the peer sleeps as reader: the request wakes it
    req.send([b"q"])
    assert req.recv() == [b"instant"]


def test_req_relaxed_allows_new_request_and_ignores_old_reply() -> None:
    req, _ = make(SocketType.REQ, req_relaxed=1)
    _, a = connect(req)
    _, b = connect(req)
    req.send([b"q1"])  # to a
    req.send([b"q2"])  # to b, abandons q1
    a.write([b"", b"r1"])
    assert req.recv() is None
    b.write([b"", b"r2"])
    assert req.recv() == [b"r2"]
    # Two requests out, one abandoned, one answered; the late reply to q1 was dropped.
    stats = req.statistics()
    assert (stats.messages_out, stats.messages_in, stats.messages_dropped) == (2, 1, 1)
    req.send([b"q3"])
    assert req.statistics().messages_in == 1  # q3 is outstanding


def test_req_correlate_ids() -> None:
    req, _ = make(SocketType.REQ, seed=7, req_correlate=1, req_relaxed=1)
    _, a = connect(req)
    req.send([b"q1"])
    first = a.read()
    assert first is not None and len(first[0]) == 4 and first[1:] == [b"", b"q1"]
    rid = int.from_bytes(first[0], sys.byteorder)
    req.send([b"q2"])
    second = a.read()
    assert second is not None
    assert int.from_bytes(second[0], sys.byteorder) == (rid + 1) & 0xFFFFFFFF
    a.write([first[0], b"", b"old"])  # reply to the abandoned request
    assert req.recv() is None
    a.write([second[0], b"", b"new"])
    assert req.recv() == [b"new"]


def test_req_correlate_start_is_random_but_injectable() -> None:
    ids = []
    for _ in range(2):
        req, _ = make(SocketType.REQ, seed=3, req_correlate=1)
        _, a = connect(req)
        req.send([b"q"])
        msg = a.read()
        assert msg is not None
        ids.append(msg[0])
    assert ids[0] == ids[1]


def test_req_detach_of_reply_pipe_loses_request() -> None:
    req, _ = make(SocketType.REQ)
    mine, _a = connect(req)
    req.send([b"q"])
    req.detach(mine)
    assert isinstance(req, Req)
    assert req.recv() is None
    with pytest.raises(ZMQError):
        req.send([b"strict REQ still waits"])


def test_rep_backtrace_envelope() -> None:
    rep, _ = make(SocketType.REP)
    _, a = connect(rep)
    with pytest.raises(ZMQError) as err:
        rep.send([b"nothing to reply to"])
    assert err.value.errno == Errno.EFSM
    a.write([b"id2", b"id1", b"", b"body", b"more"])
    assert rep.recv() == [b"body", b"more"]
    with pytest.raises(ZMQError) as err:
        rep.recv()
    assert err.value.errno == Errno.EFSM
    assert rep.can_send() and not rep.can_recv()
    assert rep.send([b"reply"])
    assert a.read() == [b"id2", b"id1", b"", b"reply"]


def test_rep_discards_requests_without_delimiter() -> None:
    rep, _ = make(SocketType.REP)
    _, a = connect(rep)
    a.write([b"no", b"delimiter"])
    a.write([b"trailing", b""])  # an empty last frame is not a delimiter (no body after it)
    a.write([b"", b"ok"])
    assert rep.can_recv()
    assert rep.recv() == [b"ok"]
    assert rep.statistics().messages_dropped == 2


def test_rep_replies_to_the_requester_and_drops_for_gone_peer() -> None:
    rep, _ = make(SocketType.REP)
    a_mine, a = connect(rep)
    _, b = connect(rep)
    a.write([b"", b"from a"])
    b.write([b"", b"from b"])
    assert rep.recv() == [b"from a"]
    rep.send([b"to a"])
    assert rep.recv() == [b"from b"]
    rep.send([b"to b"])
    assert drain(a) == [[b"", b"to a"]]
    assert drain(b) == [[b"", b"to b"]]
    a.write([b"", b"again"])
    assert rep.recv() == [b"again"]
    stats = rep.statistics()
    assert (stats.messages_out, stats.messages_in, stats.messages_dropped) == (2, 3, 0)
    rep.detach(a_mine)
    assert rep.send([b"lost"])
    assert drain(a) == []
    stats = rep.statistics()
    assert (stats.messages_out, stats.messages_in, stats.messages_dropped) == (2, 3, 1)


def test_router_ids_prefix_and_routing() -> None:
    router, _ = make(SocketType.ROUTER, seed=5)
    _, a = connect(router, identity=b"alice")
    b_mine, b = connect(router)  # empty identity: generated
    rid = b_mine.routing_id
    assert len(rid) == 5 and rid[0] == 0
    c_mine, _ = connect(router, identity=b"")  # empty Identity falls back to generated
    assert c_mine.routing_id[0] == 0 and c_mine.routing_id != rid
    assert router.recv() is None
    a.write([b"", b"hi"])
    assert router.recv() == [b"alice", b"", b"hi"]
    assert router.send([b"alice", b"", b"back"])
    assert a.read() == [b"", b"back"]
    assert router.send([rid, b"x"])
    assert b.read() == [b"x"]


def test_router_generated_ids_count_up_from_random_start() -> None:
    router, _ = make(SocketType.ROUTER, seed=11)
    first, _ = connect(router)
    second, _ = connect(router)
    assert first.routing_id[0] == 0 and second.routing_id[0] == 0
    assert int.from_bytes(second.routing_id[1:], "big") == (
        int.from_bytes(first.routing_id[1:], "big") + 1
    ) & 0xFFFFFFFF


def test_router_connect_routing_id_wins() -> None:
    router, _ = make(SocketType.ROUTER)
    mine, _ = connect(router, identity=b"peer-says", routing_id=b"i-say")
    assert mine.routing_id == b"i-say"
    assert isinstance(router, Router)
    assert router.peer(b"i-say") is mine


def test_router_unknown_id_dropped_or_ehostunreach() -> None:
    router, opts = make(SocketType.ROUTER)
    assert router.send([b"ghost", b"data"])
    assert router.statistics().messages_dropped == 1
    opts.router_mandatory = 1
    with pytest.raises(ZMQError) as err:
        router.send([b"ghost", b"data"])
    assert err.value.errno == Errno.EHOSTUNREACH


def test_router_full_pipe_dropped_or_mute_with_mandatory() -> None:
    router, opts = make(SocketType.ROUTER)
    _, a = connect(router, hwm_out=1, identity=b"a")
    assert router.send([b"a", b"1"])
    assert router.send([b"a", b"2"])  # dropped silently
    assert drain(a) == [[b"1"]]
    opts.router_mandatory = 1
    assert router.send([b"a", b"3"])
    assert not router.send([b"a", b"4"])
    assert not router.can_send()
    a.read()
    assert router.can_send()


def test_router_duplicate_identity_is_ignored() -> None:
    router, _ = make(SocketType.ROUTER)
    _, a = connect(router, identity=b"dup")
    second, b = connect(router, identity=b"dup")
    b.write([b"ignored"])
    a.write([b"heard"])
    assert router.recv() == [b"dup", b"heard"]
    assert router.recv() is None
    router.send([b"dup", b"reply"])
    assert drain(a) == [[b"reply"]] and drain(b) == []
    assert router.take_disconnects() == []
    router.detach(second)  # harmless


def test_router_handover() -> None:
    router, _ = make(SocketType.ROUTER, router_handover=1)
    old, a = connect(router, identity=b"dup")
    new, b = connect(router, identity=b"dup")
    assert new.routing_id == b"dup"
    assert old.routing_id != b"dup" and old.routing_id[0] == 0
    assert router.take_disconnects() == [(old, DisconnectReason.HANDOVER)]
    router.send([b"dup", b"to new"])
    assert drain(b) == [[b"to new"]] and drain(a) == []
    router.detach(old)
    b.write([b"hello"])
    assert router.recv() == [b"dup", b"hello"]


def test_multipart_is_atomic_through_router_dealer() -> None:
    router, _ = make(SocketType.ROUTER)
    dealer, _ = make(SocketType.DEALER)
    # Join the two patterns by one pipe, as inproc does.
    from purezmq.patterns.pipe import pipe_pair

    d_end, r_end = pipe_pair(0, 0)
    d_end.on_read_activated = dealer.read_activated
    r_end.on_read_activated = router.read_activated
    r_end.metadata = {"Identity": b"D"}
    dealer.attach(d_end)
    router.attach(r_end)
    dealer.send([b"a", b"b", b"c"])
    assert router.recv() == [b"D", b"a", b"b", b"c"]
    router.send([b"D", b"x", b"y"])
    assert dealer.recv() == [b"x", b"y"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["req.send", "req.recv", "rep.send", "rep.recv"]), max_size=40))
def test_req_rep_state_machines_against_model(ops: list[str]) -> None:
    """REQ ⇄ REP joined by one pipe: EFSM exactly when the model says, replies in order."""
    from purezmq.patterns.pipe import pipe_pair

    req, _ = make(SocketType.REQ)
    rep, _ = make(SocketType.REP)
    q_end, p_end = pipe_pair(0, 0)
    q_end.on_read_activated = req.read_activated
    p_end.on_read_activated = rep.read_activated
    req.attach(q_end)
    rep.attach(p_end)
    req_waiting = False  # REQ sent a request, reply not yet received
    in_flight: list[bytes] = []  # requests REP has not received yet
    rep_replying: bytes | None = None  # request REP must answer
    replies: list[bytes] = []  # replies REQ has not received yet
    for n, op in enumerate(ops):
        tag = b"%d" % n
        if op == "req.send":
            if req_waiting:
                with pytest.raises(ZMQError):
                    req.send([tag])
            else:
                assert req.send([tag])
                req_waiting = True
                in_flight.append(tag)
        elif op == "req.recv":
            if not req_waiting:
                with pytest.raises(ZMQError):
                    req.recv()
            else:
                got = req.recv()
                if replies:
                    assert got == [b"re:" + replies.pop(0)]
                    req_waiting = False
                else:
                    assert got is None
        elif op == "rep.recv":
            if rep_replying is not None:
                with pytest.raises(ZMQError):
                    rep.recv()
            else:
                got = rep.recv()
                if in_flight:
                    rep_replying = in_flight.pop(0)
                    assert got == [rep_replying]
                else:
                    assert got is None
        else:
            if rep_replying is None:
                with pytest.raises(ZMQError):
                    rep.send([b"x"])
            else:
                assert rep.send([b"re:" + rep_replying])
                replies.append(rep_replying)
                rep_replying = None


def test_req_gets_a_reply_that_arrived_before_the_peer_left() -> None:
    """A REP that answers and closes at once: the reply already queued is still the answer."""
    req, _ = make(SocketType.REQ)
    mine, a = connect(req)
    req.send([b"q"])
    assert a.read() == [b"", b"q"]
    a.write([b"", b"answer"])
    req.detach(mine)
    assert req.recv() == [b"answer"]
