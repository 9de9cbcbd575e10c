"""Inproc routing through the real patterns: identities, subscriptions, HWM, PAIR, closing."""

from __future__ import annotations

import threading

import pytest

from purezmq._engine import ContextCore, ThreadSignal
from purezmq.constants import Errno, SocketOption, SocketType
from purezmq.error import ZMQError

from ..kit.engine import recv, send, sync_socket

T = SocketType


def test_router_sees_dealer_identity(ctx: ContextCore) -> None:
    router = sync_socket(ctx, T.ROUTER)
    router.bind("inproc://r")
    dealer = sync_socket(ctx, T.DEALER)
    dealer.setsockopt(SocketOption.ROUTING_ID, b"alice")
    dealer.connect("inproc://r")
    send(dealer, [b"hello"])
    assert recv(router) == [b"alice", b"hello"]
    send(router, [b"alice", b"hi alice"])
    assert recv(dealer) == [b"hi alice"]


def test_router_to_router_with_connect_routing_id(ctx: ContextCore) -> None:
    server = sync_socket(ctx, T.ROUTER)
    server.setsockopt(SocketOption.ROUTING_ID, b"server")
    server.bind("inproc://rr")
    client = sync_socket(ctx, T.ROUTER)
    client.setsockopt(SocketOption.ROUTING_ID, b"client")
    client.setsockopt(SocketOption.CONNECT_ROUTING_ID, b"srv")
    client.connect("inproc://rr")
    # The connector names the bound peer with CONNECT_ROUTING_ID; the binder sees "client".
    send(client, [b"srv", b"ping"])
    assert recv(server) == [b"client", b"ping"]
    send(server, [b"client", b"pong"])
    assert recv(client) == [b"srv", b"pong"]


def test_router_connect_before_bind_learns_identity(ctx: ContextCore) -> None:
    client = sync_socket(ctx, T.ROUTER)
    client.setsockopt(SocketOption.ROUTING_ID, b"c")
    client.connect("inproc://later")
    server = sync_socket(ctx, T.ROUTER)
    server.setsockopt(SocketOption.ROUTING_ID, b"s")
    server.bind("inproc://later")
    client.setsockopt(SocketOption.ROUTER_MANDATORY, 1)
    send(client, [b"s", b"x"])
    assert recv(server) == [b"c", b"x"]


def test_generated_routing_ids(ctx: ContextCore) -> None:
    router = sync_socket(ctx, T.ROUTER)
    router.bind("inproc://gen")
    dealers = [sync_socket(ctx, T.DEALER) for _ in range(3)]
    ids = set()
    for d in dealers:
        d.connect("inproc://gen")
        send(d, [b"x"])
        rid, body = recv(router)
        assert body == b"x" and rid[:1] == b"\x00" and len(rid) == 5
        ids.add(rid)
    assert len(ids) == 3


def test_pub_sub_subscriptions(ctx: ContextCore) -> None:
    pub = sync_socket(ctx, T.PUB)
    pub.bind("inproc://ps")
    sub = sync_socket(ctx, T.SUB)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"a")
    sub.connect("inproc://ps")
    # The subscription travels as a message through the pipe; PUB learns it on its next call.
    for topic in (b"b1", b"a1", b"b2", b"a2"):
        pub.try_send([topic])
    assert recv(sub) == [b"a1"]
    assert recv(sub) == [b"a2"]
    sub.setsockopt(SocketOption.UNSUBSCRIBE, b"a")
    sub.setsockopt(SocketOption.SUBSCRIBE, b"b")
    pub.try_send([b"a3"])
    pub.try_send([b"b3"])
    assert recv(sub) == [b"b3"]
    assert sub.try_recv() is None


def test_xpub_sees_subscribe_messages(ctx: ContextCore) -> None:
    xpub = sync_socket(ctx, T.XPUB)
    xpub.bind("inproc://xp")
    sub = sync_socket(ctx, T.SUB)
    sub.connect("inproc://xp")
    sub.setsockopt(SocketOption.SUBSCRIBE, b"topic")
    assert recv(xpub) == [b"\x01topic"]


def test_hwm_blocks_then_resumes_at_lwm(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.setsockopt(SocketOption.RCVHWM, 3)
    pull.bind("inproc://hwm")
    push = sync_socket(ctx, T.PUSH)
    push.setsockopt(SocketOption.SNDHWM, 2)
    push.connect("inproc://hwm")
    sent = 0
    while push.try_send([b"%d" % sent]):
        sent += 1
    assert sent == 5  # SNDHWM + RCVHWM over inproc
    assert push.prepare_to_sleep()
    # Draining to just above LWM (= (5 + 1) // 2 = 3) must not wake the sender...
    assert recv(pull) == [b"0"]
    assert push.statistics().wakeups_sent == 0
    # ...reaching LWM does, exactly once.
    assert recv(pull) == [b"1"]
    assert isinstance(push.signal, ThreadSignal) and push.signal.wait(0)
    assert push.statistics().wakeups_sent == 1
    assert push.try_send([b"5"])
    assert [recv(pull) for _ in range(4)] == [[b"2"], [b"3"], [b"4"], [b"5"]]


def test_hwm_zero_is_unlimited(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.setsockopt(SocketOption.RCVHWM, 0)
    pull.bind("inproc://nohwm")
    push = sync_socket(ctx, T.PUSH)
    push.setsockopt(SocketOption.SNDHWM, 1)
    push.connect("inproc://nohwm")
    for i in range(5000):
        assert push.try_send([b"%d" % i])


def test_pair_refuses_second_peer(ctx: ContextCore) -> None:
    a = sync_socket(ctx, T.PAIR)
    a.bind("inproc://pair")
    b = sync_socket(ctx, T.PAIR)
    b.connect("inproc://pair")
    c = sync_socket(ctx, T.PAIR)
    c.connect("inproc://pair")
    send(b, [b"from b"])
    assert recv(a) == [b"from b"]
    assert a.statistics().pipes == 1
    # c's pipe was refused by a: c is left without a peer and stays mute once it learns so.
    c.events()
    assert c.statistics().pipes == 0


def test_messages_of_closed_peer_stay_readable(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://gone")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://gone")
    for i in range(3):
        assert push.try_send([b"%d" % i])
    push.close()
    assert [recv(pull) for _ in range(3)] == [[b"0"], [b"1"], [b"2"]]
    assert pull.try_recv() is None
    assert pull.statistics().pipes == 0


def test_disconnect_ends_the_pipe(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://dc")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://dc")
    assert push.try_send([b"a"])
    push.disconnect("inproc://dc")
    assert not push.try_send([b"b"])  # no peer left: mute
    assert recv(pull) == [b"a"]
    assert pull.try_recv() is None


def test_unbind_keeps_existing_pipes(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://ub")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://ub")
    pull.unbind("inproc://ub")
    assert push.try_send([b"still"])
    assert recv(pull) == [b"still"]
    other = sync_socket(ctx, T.PULL)
    other.bind("inproc://ub")  # the name is free again


def test_sync_and_threads_many_pairs(ctx: ContextCore) -> None:
    """Several PUSH threads into one PULL: every message arrives once."""
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://fan")
    n_threads, n = 4, 500
    pushes = [sync_socket(ctx, T.PUSH) for _ in range(n_threads)]
    for p in pushes:
        p.setsockopt(SocketOption.SNDHWM, 10)
        p.connect("inproc://fan")

    def produce(k: int) -> None:
        for i in range(n):
            send(pushes[k], [b"%d:%d" % (k, i)])

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(n_threads)]
    for t in threads:
        t.start()
    got = {tuple(recv(pull)) for _ in range(n_threads * n)}
    for t in threads:
        t.join(5)
    assert len(got) == n_threads * n


def test_setsockopt_errors(ctx: ContextCore) -> None:
    s = sync_socket(ctx, T.PUSH)
    with pytest.raises(ZMQError) as info:
        s.setsockopt(SocketOption.TYPE, 1)
    assert info.value.errno == Errno.EINVAL
    s.setsockopt(SocketOption.LINGER, 10)
    assert s.getsockopt(SocketOption.LINGER) == 10


def test_peer_closing_before_we_attach_leaves_no_dead_pipe(ctx: ContextCore) -> None:
    push = sync_socket(ctx, T.PUSH)
    push.bind("inproc://dead")
    pull = sync_socket(ctx, T.PULL)
    pull.connect("inproc://dead")
    pull.close()  # before push ever processed the attach
    assert not push.try_send([b"lost?"])  # mute: no live peer, nothing routed into the void
    assert push.statistics().pipes == 0


def test_pending_connect_closed_before_bind(ctx: ContextCore) -> None:
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://never")
    push.close()
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://never")
    assert pull.try_recv() is None
    assert pull.statistics().pipes == 0


def test_connecting_router_with_connect_routing_id_queues_before_bind(ctx: ContextCore) -> None:
    """RFC 28: the ROUTER keeps the double queue of an outgoing connection from connect() on."""
    router = sync_socket(ctx, T.ROUTER)
    router.setsockopt(SocketOption.ROUTER_MANDATORY, 1)
    router.setsockopt(SocketOption.CONNECT_ROUTING_ID, b"server")
    router.connect("inproc://rq")
    assert router.options.connect_routing_id == b""  # applies to one connect only
    assert router.try_send([b"server", b"early"])
    dealer = sync_socket(ctx, T.DEALER)
    dealer.bind("inproc://rq")
    assert recv(dealer) == [b"early"]
