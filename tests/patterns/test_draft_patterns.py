"""The draft thread-safe types at the patterns layer (spec patterns.md §7): CLIENT/SERVER and
PEER routing ids, RADIO/DISH groups and joins, SCATTER/GATHER, CHANNEL, single-frame rules."""

from __future__ import annotations

import pytest

from purezmq.constants import Errno, SocketType
from purezmq.error import ZMQError
from purezmq.patterns.radiodish import Dish, Radio
from purezmq.patterns.threadsafe import Server, pack_routing_id, unpack_routing_id

from ._helpers import connect, drain, make

T = SocketType


def test_server_ids_are_nonzero_uint32_counting_up() -> None:
    server, _ = make(T.SERVER)
    assert isinstance(server, Server)
    server._next_id = 0xFFFFFFFF  # the wrap: 0 is skipped ("no routing id")
    a, _ = connect(server)
    b, _ = connect(server)
    assert unpack_routing_id(a.routing_id) == 0xFFFFFFFF
    assert unpack_routing_id(b.routing_id) == 1
    assert server.last_attached_id == 1


def test_server_routes_by_id_and_reports_the_sender() -> None:
    server, _ = make(T.SERVER)
    a, a_peer = connect(server, hwm_out=1)
    b, b_peer = connect(server)
    b_peer.write([b"from b"])
    a_peer.write([b"from a"])
    got = [server.recv(), server.recv()]
    assert None not in got
    expected = [[a.routing_id, b"from a"], [b.routing_id, b"from b"]]
    assert sorted(m for m in got if m is not None) == sorted(expected)
    assert server.recv() is None
    assert server.send([b.routing_id, b"reply"])
    assert b_peer.read() == [b"reply"]  # the id never travels to the peer
    assert server.send([a.routing_id, b"1"])
    assert not server.send([a.routing_id, b"2"])  # full: mute (EAGAIN), never a drop
    assert server.can_send()


def test_server_unknown_or_departed_peer_is_ehostunreach() -> None:
    server, _ = make(T.SERVER)
    a, _ = connect(server)
    rid = a.routing_id
    server.detach(a)
    for target in (rid, pack_routing_id(12345)):
        with pytest.raises(ZMQError) as err:
            server.send([target, b"x"])
        assert err.value.errno == Errno.EHOSTUNREACH


@pytest.mark.parametrize("kind", [T.SERVER, T.CLIENT, T.GATHER, T.CHANNEL, T.PEER])
def test_multipart_messages_that_arrive_are_dropped(kind: SocketType) -> None:
    pattern, _ = make(kind)
    _, peer = connect(pattern)
    peer.write([b"a", b"b"])
    peer.write([b"whole"])
    peer.write([b"c", b"d", b"e"])
    assert pattern.can_recv()
    msg = pattern.recv()
    assert msg is not None and msg[-1] == b"whole"
    assert pattern.recv() is None
    assert not pattern.can_recv()
    assert pattern.statistics().messages_dropped == 2


def test_gather_batches_skip_multipart() -> None:
    gather, _ = make(T.GATHER)
    _, peer = connect(gather)
    for msg in ([b"1"], [b"x", b"y"], [b"2"], [b"3"]):
        peer.write(msg)
    assert gather.recv_batch(10) == [[b"1"], [b"2"], [b"3"]]


def test_client_round_robin_and_mute() -> None:
    client, _ = make(T.CLIENT)
    assert not client.send([b"nobody"])  # no peer: blocks like DEALER
    _, a = connect(client, hwm_out=1)
    _, b = connect(client, hwm_out=1)
    assert client.send([b"1"]) and client.send([b"2"])
    assert not client.send([b"3"])
    assert drain(a) + drain(b) == [[b"1"], [b"2"]]


def test_scatter_round_robin_gather_fair_queue() -> None:
    scatter, _ = make(T.SCATTER)
    _, a = connect(scatter)
    _, b = connect(scatter)
    for i in range(4):
        assert scatter.send([b"%d" % i])
    assert drain(a) == [[b"0"], [b"2"]] and drain(b) == [[b"1"], [b"3"]]
    with pytest.raises(ZMQError) as err:
        scatter.recv()
    assert err.value.errno == Errno.ENOTSUP
    gather, _ = make(T.GATHER)
    with pytest.raises(ZMQError) as err:
        gather.send([b"x"])
    assert err.value.errno == Errno.ENOTSUP


def test_channel_takes_one_peer() -> None:
    channel, _ = make(T.CHANNEL)
    assert not channel.send([b"early"])
    first, peer = connect(channel)
    second, _ = connect(channel, attach=False)
    assert not channel.attach(second)
    assert channel.send([b"x"])
    assert peer.read() == [b"x"]
    channel.detach(first)
    assert not channel.can_send()


def test_peer_is_a_symmetric_server() -> None:
    peer, _ = make(T.PEER)
    assert isinstance(peer, Server)
    mine, other = connect(peer)
    assert peer.last_attached_id == unpack_routing_id(mine.routing_id)  # connect_peer's answer
    assert peer.send([mine.routing_id, b"hi"])
    assert other.read() == [b"hi"]
    other.write([b"back"])
    assert peer.recv() == [mine.routing_id, b"back"]


def test_dish_sends_joins_to_new_and_reconnected_peers() -> None:
    dish, _ = make(T.DISH)
    assert isinstance(dish, Dish)
    dish.join(b"weather")
    _, radio_end = connect(dish)
    assert radio_end.read() == [b"\x01weather"]
    dish.join(b"news")
    dish.leave(b"weather")
    assert drain(radio_end) == [[b"\x01news"], [b"\x00weather"]]
    mine, _ = connect(dish, attach=False)
    dish.attach(mine)
    dish.hiccup(mine)  # after a reconnect: every group again
    assert drain(mine.peer) == [[b"\x01news"], [b"\x01news"]]


def test_dish_join_rules() -> None:
    dish, _ = make(T.DISH)
    assert isinstance(dish, Dish)
    dish.join(b"g" * 255)
    dish.join(b"")  # the empty group is a group
    for bad, call in ((b"g" * 255, dish.join), (b"absent", dish.leave), (b"g" * 256, dish.join)):
        with pytest.raises(ZMQError) as err:
            call(bad)
        assert err.value.errno == Errno.EINVAL
    assert dish.can_send()  # libzmq dish_t::xhas_out
    with pytest.raises(ZMQError) as err:
        dish.send([b"x"])
    assert err.value.errno == Errno.ENOTSUP


def test_dish_filters_exactly_on_joined_groups() -> None:
    dish, _ = make(T.DISH)
    assert isinstance(dish, Dish)
    dish.join(b"weather")
    _, radio_end = connect(dish)
    for msg in (
        [b"weather", b"1"],
        [b"weatherX", b"2"],
        [b"weathe", b"3"],
        [b"x"],
        [b"weather", b"4"],
    ):
        radio_end.write(msg)
    assert dish.can_recv()
    assert dish.recv() == [b"weather", b"1"]
    assert dish.recv() == [b"weather", b"4"]
    assert dish.recv() is None


def test_radio_sends_to_members_only() -> None:
    radio, _ = make(T.RADIO)
    assert isinstance(radio, Radio)
    _, a_dish = connect(radio)
    b, b_dish = connect(radio)
    a_dish.write([b"\x01weather"])
    b_dish.write([b"\x01news"])
    b_dish.write([b"not a join", b"at all"])  # ignored
    assert radio.groups() == {b"weather": 1, b"news": 1}
    assert radio.send([b"weather", b"sunny"])
    assert radio.send([b"sport", b"nobody"])
    assert drain(a_dish) == [[b"weather", b"sunny"]]
    assert drain(b_dish) == []
    a_dish.write([b"\x00weather"])
    assert radio.send([b"weather", b"gone"])
    assert drain(a_dish) == []
    radio.detach(b)
    assert radio.groups() == {}
    with pytest.raises(ZMQError) as err:
        radio.recv()
    assert err.value.errno == Errno.ENOTSUP


def test_radio_drops_when_full_or_is_mute_under_nodrop() -> None:
    radio, opts = make(T.RADIO)
    _, dish_end = connect(radio, hwm_out=1)
    dish_end.write([b"\x01g"])
    filled: list[int] = []
    radio.on_filled = lambda: filled.append(1)
    assert radio.send([b"g", b"1"])
    assert radio.send([b"g", b"2"])  # dropped for that peer
    assert radio.statistics().messages_dropped == 1 and filled == [1]
    opts.xpub_nodrop = 1
    assert dish_end.read() == [b"g", b"1"]
    radio.write_activated(dish_end.peer)
    assert radio.send([b"g", b"3"])
    assert not radio.send([b"g", b"4"])  # NODROP: EAGAIN instead of a drop
