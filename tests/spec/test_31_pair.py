"""RFC 31/EXPAIR: one test per testable SHALL of PAIR.

Each test's docstring quotes the clause it checks (https://rfc.zeromq.org/spec/31/).
"""

from __future__ import annotations

import contextlib
from typing import Any

from .conftest import Net, drain_numbered, fill_until_again, matrix


@matrix()
def test_pair_has_at_most_one_peer(net: Net) -> None:
    """PAIR "MAY be connected to at most one PAIR peers, and MAY both send and receive
    messages." and "SHALL receive incoming messages from its single peer if it has one." """
    pair = net.socket("PAIR")
    endpoint = net.bind(pair)
    first = net.socket("PAIR")
    net.connect(first, endpoint)
    first.send(b"hi")
    assert pair.recv() == b"hi"
    intruder = net.socket("PAIR")
    net.connect(intruder, endpoint)
    with contextlib.suppress(net.zmq.Again):  # inproc: the refused intruder has no pipe
        intruder.send(b"intruder", net.zmq.DONTWAIT)
    assert net.nothing_arrives(pair)
    pair.send(b"to first")
    assert first.recv() == b"to first"
    assert net.nothing_arrives(intruder, 50)
    first.send(b"still first")
    assert pair.recv() == b"still first"


@matrix()
def test_pair_does_not_modify_messages(net: Net) -> None:
    """PAIR "SHALL not filter or modify outgoing or incoming messages in any way." """
    a, b = net.pair("PAIR", "PAIR")
    messages = [[b""], [b"\x00", b"", b"\x01\xff"], [b"y" * 70000, b"z"]]
    for msg in messages:
        b.send_multipart(msg)
        a.send_multipart(msg[::-1])
    for msg in messages:
        assert a.recv_multipart() == msg
        assert b.recv_multipart() == msg[::-1]


@matrix()
def test_pair_keeps_queue_before_connection(net: Net) -> None:
    """PAIR "SHALL create a double queue when initiating an outgoing connection to a peer, and
    SHALL maintain the double queue whether or not the connection is established." """
    connecting = net.socket("PAIR")
    endpoint = net.future_endpoint()
    net.connect(connecting, endpoint)
    for i in range(3):
        connecting.send_multipart([b"early", b"%d" % i], net.zmq.DONTWAIT)
    binding = net.socket("PAIR")
    net.bind(binding, endpoint)
    for i in range(3):
        assert binding.recv_multipart() == [b"early", b"%d" % i]
    binding.send(b"back")
    assert connecting.recv() == b"back"


@matrix()
def test_pair_discards_queue_of_disconnected_peer(net: Net) -> None:
    """PAIR "SHALL create a double queue when a peer connects to it. If this peer disconnects,
    the PAIR socket SHALL destroy its double queue and SHALL discard any messages it
    contains." """
    pair = net.socket("PAIR", sndhwm=0)  # unlimited: EAGAIN below can only mean "no peer"
    endpoint = net.bind(pair)
    first = net.socket("PAIR")
    net.connect(first, endpoint)
    first.send(b"hi")
    assert pair.recv() == b"hi"
    for i in range(5):
        pair.send(b"old %d" % i, net.zmq.DONTWAIT)
    net.close(first)

    def no_peer() -> bool:
        try:
            pair.send(b"old", net.zmq.DONTWAIT)
        except net.zmq.Again:
            return True
        return False

    net.wait_until(no_peer, "the PAIR to drop the departed peer's queue", pair)
    # libzmq may still refuse a newcomer for a moment (the old pipe's termination is not
    # acknowledged yet) and then loses its first message, so a newcomer that is not heard
    # from is replaced by another one.
    second: Any = None

    def newcomer_heard() -> bool:
        nonlocal second
        if second is not None:
            net.close(second)
        second = net.socket("PAIR")
        net.connect(second, endpoint)
        with contextlib.suppress(net.zmq.Again):  # refused over inproc: no pipe at all
            second.send(b"hi again", net.zmq.DONTWAIT)
        return not net.nothing_arrives(pair, 200)

    net.wait_until(newcomer_heard, "a new peer to be accepted")
    assert second is not None
    assert pair.recv() == b"hi again"
    pair.send(b"fresh")
    assert second.recv() == b"fresh"


@matrix()
def test_pair_blocks_without_available_peer(net: Net) -> None:
    """PAIR "SHALL consider its peer as available only when it has a outgoing queue that is not
    full.", "SHALL block on sending, or return a suitable error, when it has no available
    peer.", "SHALL not accept further messages when it has no available peer." and "SHALL NOT
    discard messages that it cannot queue." (multipart messages are refused whole)"""
    pair = net.socket("PAIR", sndhwm=1, sndtimeo=100)
    net.assert_again(lambda: pair.send(b"nobody", net.zmq.DONTWAIT))
    net.assert_again(lambda: pair.send(b"nobody"))
    endpoint = net.future_endpoint()
    net.connect(pair, endpoint)
    pair.send_multipart([b"m0", b"a"])
    net.assert_again(lambda: pair.send_multipart([b"m1", b"b"], net.zmq.DONTWAIT))
    net.assert_again(lambda: pair.send_multipart([b"m1", b"b"]))
    peer = net.socket("PAIR")
    net.bind(peer, endpoint)
    assert peer.recv_multipart() == [b"m0", b"a"]
    pair.setsockopt(net.zmq.SNDTIMEO, 3000)
    pair.send_multipart([b"m2", b"c"])
    assert peer.recv_multipart() == [b"m2", b"c"]


@matrix()
def test_pair_queues_directions_independently(net: Net) -> None:
    """PAIR "SHALL maintain a double queue for its peer, allowing outgoing and incoming messages
    to be queued independently." and "SHALL NOT discard messages that it cannot queue." """
    pair = net.socket("PAIR", sndhwm=1, sndbuf=65536)
    peer = net.socket("PAIR", rcvhwm=1, rcvbuf=65536)
    net.connect(peer, net.bind(pair))
    peer.send(b"hi")
    assert pair.recv() == b"hi"
    sent = fill_until_again(net, lambda m: pair.send_multipart(m, net.zmq.DONTWAIT))
    peer.send_multipart([b"up", b"stream"])
    assert pair.recv_multipart() == [b"up", b"stream"]
    drain_numbered(peer, sent)
