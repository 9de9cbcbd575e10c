"""RFC 30/PIPELINE: one test per testable SHALL of PUSH and PULL.

Each test's docstring quotes the clause it checks (https://rfc.zeromq.org/spec/30/).
"""

from __future__ import annotations

from .conftest import Net, fair_queue, matrix

# -------------------------------------------------------------------------------------- PUSH


@matrix()
def test_push_only_sends(net: Net) -> None:
    """PUSH "MAY be connected to any number of PULL peers, and SHALL only send messages." """
    push = net.socket("PUSH")
    net.bind(push)
    net.assert_errno(net.zmq.ENOTSUP, push.recv)


@matrix()
def test_push_pull_do_not_modify_messages(net: Net) -> None:
    """PUSH "SHALL not filter or modify outgoing messages in any way."; PULL "SHALL not filter
    or modify incoming messages in any way." """
    pull, push = net.pair("PULL", "PUSH")
    messages = [[b""], [b"\x00", b"", b"\x01\xff"], [b"y" * 70000, b"z"]]
    for msg in messages:
        push.send_multipart(msg)
    for msg in messages:
        assert pull.recv_multipart() == msg


@matrix()
def test_push_keeps_queue_before_connection(net: Net) -> None:
    """PUSH "SHALL create this queue when initiating an outgoing connection to a peer, and SHALL
    maintain the queue whether or not the connection is established." """
    push = net.socket("PUSH")
    endpoint = net.future_endpoint()
    net.connect(push, endpoint)
    for i in range(3):
        push.send_multipart([b"early", b"%d" % i], net.zmq.DONTWAIT)
    pull = net.socket("PULL")
    net.bind(pull, endpoint)
    for i in range(3):
        assert pull.recv_multipart() == [b"early", b"%d" % i]


@matrix()
def test_push_discards_queue_of_disconnected_peer(net: Net) -> None:
    """PUSH "SHALL create this queue when a peer connects to it. If this peer disconnects, the
    PUSH socket SHALL destroy its queue and SHALL discard any messages it contains." """
    push = net.socket("PUSH", sndhwm=0)  # unlimited: EAGAIN below can only mean "no peer"
    endpoint = net.bind(push)
    first = net.socket("PULL")
    net.connect(first, endpoint)
    net.sync_pipes(push, [first])
    for i in range(5):
        push.send(b"old %d" % i, net.zmq.DONTWAIT)
    net.close(first)

    def no_peer() -> bool:
        try:
            push.send(b"old", net.zmq.DONTWAIT)
        except net.zmq.Again:
            return True
        return False

    net.wait_until(no_peer, "the PUSH to drop the departed peer's queue", push)
    second = net.socket("PULL")
    net.connect(second, endpoint)
    net.sync_pipes(push, [second])  # every message it sees is a probe: nothing "old"
    push.send(b"fresh")
    assert second.recv() == b"fresh"


@matrix()
def test_push_skips_full_peers(net: Net) -> None:
    """PUSH "SHALL consider a peer as available only when it has a outgoing queue that is not
    full." """
    push = net.socket("PUSH", sndhwm=1)
    stuck = net.future_endpoint()  # nobody listens: its queue fills at one message
    net.connect(push, stuck)
    pull = net.socket("PULL")
    net.connect(push, net.bind(pull))
    for i in range(10):
        push.send(b"%d" % i)
    got = [pull.recv() for _ in range(9)]
    assert net.nothing_arrives(pull)
    late = net.socket("PULL")
    net.bind(late, stuck)
    got.append(late.recv())
    assert sorted(got) == [b"%d" % i for i in range(10)]
    assert got[-1] in (b"0", b"1")


@matrix()
def test_push_round_robin(net: Net) -> None:
    """PUSH "SHALL route outgoing messages to available peers using a round-robin strategy."
    (peers the PUSH connected to)"""
    push = net.socket("PUSH")
    pulls = [net.socket("PULL") for _ in range(3)]
    for p in pulls:
        net.connect(push, net.bind(p))
    for i in range(30):
        push.send_multipart([b"%d" % i, b"tail"])
    for p in pulls:
        got = [int(p.recv_multipart()[0]) for _ in range(10)]
        assert len({g % 3 for g in got}) == 1, got
        assert got == sorted(got)
        assert net.nothing_arrives(p, 50)


@matrix()
def test_push_round_robin_to_connected_peers(net: Net) -> None:
    """PUSH "SHALL route outgoing messages to available peers using a round-robin strategy."
    (peers that connected to the PUSH)"""
    push = net.socket("PUSH")
    endpoint = net.bind(push)
    pulls = [net.socket("PULL") for _ in range(3)]
    for p in pulls:
        net.connect(p, endpoint)
    net.sync_pipes(push, pulls)
    for i in range(30):
        push.send_multipart([b"%d" % i, b"tail"])
    for p in pulls:
        got = [int(p.recv_multipart()[0]) for _ in range(10)]
        assert len({g % 3 for g in got}) == 1, got
        assert got == sorted(got)
        assert net.nothing_arrives(p, 50)


@matrix()
def test_push_blocks_without_available_peers(net: Net) -> None:
    """PUSH "SHALL block on sending, or return a suitable error, when it has no available
    peers.", "SHALL not accept further messages when it has no available peers." and "SHALL NOT
    discard messages that it cannot queue." (multipart messages are refused whole)"""
    push = net.socket("PUSH", sndhwm=1, sndtimeo=100)
    net.assert_again(lambda: push.send(b"nobody", net.zmq.DONTWAIT))
    net.assert_again(lambda: push.send(b"nobody"))
    endpoint = net.future_endpoint()
    net.connect(push, endpoint)
    push.send_multipart([b"m0", b"a", b"b"])
    net.assert_again(lambda: push.send_multipart([b"m1", b"a"], net.zmq.DONTWAIT))
    net.assert_again(lambda: push.send_multipart([b"m1", b"a"]))
    pull = net.socket("PULL")
    net.bind(pull, endpoint)
    assert pull.recv_multipart() == [b"m0", b"a", b"b"]
    push.setsockopt(net.zmq.SNDTIMEO, 3000)
    push.send_multipart([b"m2", b"c"])
    assert pull.recv_multipart() == [b"m2", b"c"]


# -------------------------------------------------------------------------------------- PULL


@matrix()
def test_pull_only_receives(net: Net) -> None:
    """PULL "MAY be connected to any number of PUSH peers, and SHALL only receive messages." """
    pull = net.socket("PULL")
    net.bind(pull)
    net.assert_errno(net.zmq.ENOTSUP, lambda: pull.send(b"x"))


@matrix()
def test_pull_keeps_queue_before_connection(net: Net) -> None:
    """PULL "SHALL create this queue when initiating an outgoing connection to a peer, and SHALL
    maintain the queue whether or not the connection is established." """
    pull = net.socket("PULL")
    endpoint = net.future_endpoint()
    net.connect(pull, endpoint)
    push = net.socket("PUSH")
    net.bind(push, endpoint)
    push.send_multipart([b"late", b"binder"])
    assert pull.recv_multipart() == [b"late", b"binder"]


@matrix()
def test_pull_fair_queues(net: Net) -> None:
    """PULL "SHALL receive incoming messages from its peers using a fair-queuing strategy." and
    "SHALL deliver these to its calling application." """
    pull = net.socket("PULL")
    endpoint = net.bind(pull)
    pushes = [net.socket("PUSH") for _ in range(2)]
    for p in pushes:
        net.connect(p, endpoint)
    fair_queue(net, pull.recv_multipart, pushes[0].send_multipart, pushes[1].send_multipart)


@matrix()
def test_pull_fair_queues_connected_pushers(net: Net) -> None:
    """PULL "SHALL receive incoming messages from its peers using a fair-queuing strategy."
    (PUSH peers the PULL connected to)"""
    pull = net.socket("PULL")
    pushes = [net.socket("PUSH") for _ in range(2)]
    for p in pushes:
        net.connect(pull, net.bind(p))
    fair_queue(net, pull.recv_multipart, pushes[0].send_multipart, pushes[1].send_multipart)
