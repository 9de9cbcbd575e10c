"""PAIR, PUSH/PULL and STREAM routing; the PATTERNS registry."""

from __future__ import annotations

import pytest

from purezmq.constants import Errno, SocketType
from purezmq.error import ZMQError
from purezmq.patterns import CLOSE_REQUEST, PATTERNS
from purezmq.socket_types import SOCKET_TYPES

from ._helpers import connect, drain, make


def test_registry_covers_every_type_but_udp_only_dgram() -> None:
    assert set(PATTERNS) == set(SOCKET_TYPES) - {SocketType.DGRAM}
    for t, cls in PATTERNS.items():
        assert cls.socket_type == t


@pytest.mark.parametrize("kind", [SocketType.PULL, SocketType.SUB])
def test_receive_only_types_cannot_send(kind: SocketType) -> None:
    pattern, _ = make(kind)
    with pytest.raises(ZMQError) as err:
        pattern.send([b"x"])
    assert err.value.errno == Errno.ENOTSUP
    assert "cannot send" in str(err.value)
    assert not pattern.can_send()


@pytest.mark.parametrize("kind", [SocketType.PUSH, SocketType.PUB])
def test_send_only_types_cannot_recv(kind: SocketType) -> None:
    pattern, _ = make(kind)
    with pytest.raises(ZMQError) as err:
        pattern.recv()
    assert err.value.errno == Errno.ENOTSUP
    assert not pattern.can_recv()


def test_pair_single_peer() -> None:
    pair, _ = make(SocketType.PAIR)
    assert not pair.send([b"nobody yet"])  # mute without a peer: blocks
    first, a = connect(pair, hwm_out=1)
    second, _ = connect(pair, attach=False)
    assert not pair.attach(second)  # refused: the engine closes it
    assert pair.send([b"1", b"2"])
    assert not pair.send([b"3"])
    assert not pair.can_send()
    assert a.read() == [b"1", b"2"]
    assert pair.can_send()
    a.write([b"back"])
    assert pair.can_recv() and pair.recv() == [b"back"]
    a.write([b"last words"])
    pair.detach(first)
    assert pair.attach(second)
    assert pair.recv() == [b"last words"]  # what the old peer sent stays readable


def test_push_blocks_never_drops_and_pull_fair_queues() -> None:
    push, _ = make(SocketType.PUSH)
    _, a = connect(push, hwm_out=1)
    _, b = connect(push, hwm_out=1)
    assert push.send([b"1"]) and push.send([b"2"])
    assert not push.send([b"3"])
    assert push.statistics().messages_dropped == 0
    assert drain(a) == [[b"1"]]
    assert push.send([b"3"])
    assert drain(a) == [[b"3"]] and drain(b) == [[b"2"]]

    pull, _ = make(SocketType.PULL)
    _, x = connect(pull)
    _, y = connect(pull)
    x.write([b"x1"])
    x.write([b"x2"])
    y.write([b"y1"])
    got = [pull.recv() for _ in range(3)]
    assert sorted(m[0] for m in got if m) == [b"x1", b"x2", b"y1"]
    assert got[0] != got[1] and pull.recv() is None


def test_stream_ids_notifications_and_close() -> None:
    stream, _ = make(SocketType.STREAM, seed=2)
    mine, conn = connect(stream)
    rid = mine.routing_id
    assert len(rid) == 5 and rid[0] == 0
    conn.write([b"GET / HTTP/1.0\r\n\r\n"])
    assert stream.recv() == [rid, b""]  # connect notification first
    assert stream.recv() == [rid, b"GET / HTTP/1.0\r\n\r\n"]
    assert stream.send([rid, b"HTTP/1.0 200 OK\r\n"])
    assert stream.send([rid, b""])  # close request
    assert drain(conn) == [[b"HTTP/1.0 200 OK\r\n"], CLOSE_REQUEST]
    with pytest.raises(ZMQError) as err:
        stream.send([rid, b"too late"])
    assert err.value.errno == Errno.EHOSTUNREACH
    conn.write([b"trailing bytes"])
    stream.detach(mine)
    assert stream.recv() == [rid, b"trailing bytes"]
    assert stream.recv() == [rid, b""]  # disconnect notification after the data
    assert stream.recv() is None


def test_stream_notify_off_and_full_pipe() -> None:
    stream, _ = make(SocketType.STREAM, stream_notify=0)
    mine, conn = connect(stream, hwm_out=1)
    rid = mine.routing_id
    assert stream.recv() is None
    assert stream.send([rid, b"a"])
    assert not stream.send([rid, b"b"])  # EAGAIN
    stream.detach(mine)
    assert not stream.can_recv()
    with pytest.raises(ZMQError) as err:
        stream.send([b"x"])
    assert err.value.errno == Errno.EINVAL
    del conn


def test_stream_connect_routing_id() -> None:
    stream, _ = make(SocketType.STREAM)
    mine, _ = connect(stream, routing_id=b"chosen")
    assert mine.routing_id == b"chosen"
    assert stream.recv() == [b"chosen", b""]


def test_detached_pipes_stay_readable_until_drained() -> None:
    for kind in (SocketType.PULL, SocketType.DEALER, SocketType.ROUTER, SocketType.XSUB):
        pattern, _ = make(kind)
        mine, end = connect(pattern, identity=b"P")
        assert pattern.recv() is None
        mine.on_read_activated = lambda _pipe: None  # the engine no longer forwards wake-ups
        end.write([b"a"])
        end.write([b"b"])
        end.close()
        pattern.detach(mine)
        got = [pattern.recv(), pattern.recv(), pattern.recv()]
        assert [m[-1] if m else None for m in got] == [b"a", b"b", None], kind
        pattern.detach(mine)  # idempotent
