"""Behaviour shared by both APIs, written once and run by every driver (sync, asyncio, uvloop)."""

from __future__ import annotations

import os
import pickle
import time

import pytest

import purezmq as zmq
from purezmq import Again, ZMQError
from purezmq.constants import Errno
from purezmq.utils.monitor import recv_monitor_message

from .conftest import Driver


def _errno(excinfo: pytest.ExceptionInfo[ZMQError]) -> int:
    return excinfo.value.errno


# ---- data flow --------------------------------------------------------------------------------


def test_pair_round_trip_every_codec(driver: Driver, transport: str) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR, transport)
    driver.call(a, "send", b"raw")
    assert driver.call(b, "recv") == b"raw"
    driver.call(b, "send_multipart", [b"x", bytearray(b"y"), memoryview(b"z")])
    assert driver.call(a, "recv_multipart") == [b"x", b"y", b"z"]
    driver.call(a, "send_string", "héllo")
    assert driver.call(b, "recv_string") == "héllo"
    driver.call(a, "send_json", {"k": [1, 2]})
    assert driver.call(b, "recv_json") == {"k": [1, 2]}
    driver.call(b, "send_pyobj", {"set": {1, 2}})
    assert driver.call(a, "recv_pyobj") == {"set": {1, 2}}
    driver.call(a, "send_serialized", 3, lambda n: [pickle.dumps(i) for i in range(n)])
    got = driver.call(b, "recv_serialized", lambda frames: [pickle.loads(f) for f in frames])
    assert got == [0, 1, 2]


def test_copy_false_gives_frames(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    driver.call(a, "send_multipart", [b"one", zmq.Frame(b"two")])
    frames = driver.call(b, "recv_multipart", copy=False)
    assert [f.bytes for f in frames] == [b"one", b"two"]
    assert [f.more for f in frames] == [True, False]
    driver.call(a, "send", b"solo")
    frame = driver.call(b, "recv", copy=False)
    assert isinstance(frame, zmq.Frame)
    assert bytes(frame) == b"solo" and len(frame) == 4 and not frame.more


def test_frame_by_frame_recv_and_rcvmore(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    driver.call(a, "send_multipart", [b"1", b"2", b"3"])
    driver.call(a, "send_multipart", [b"next"])
    assert driver.call(b, "recv") == b"1"
    assert b.rcvmore == 1
    assert b.getsockopt(zmq.RCVMORE) == 1
    assert b.getsockopt(zmq.EVENTS) & zmq.POLLIN
    # recv_multipart after a partial read returns the rest of that message only.
    assert driver.call(b, "recv_multipart") == [b"2", b"3"]
    assert b.rcvmore == 0
    assert driver.call(b, "recv") == b"next"
    assert b.rcvmore == 0


def test_sndmore_hands_over_the_whole_message_at_once(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    driver.call(a, "send", b"a", zmq.SNDMORE)
    driver.call(a, "send_multipart", [b"b", b"c"], zmq.SNDMORE)
    # Nothing is visible to the peer before the final frame.
    with pytest.raises(Again):
        driver.call(b, "recv", zmq.DONTWAIT)
    driver.call(a, "send", b"d")
    assert driver.call(b, "recv_multipart") == [b"a", b"b", b"c", b"d"]


def test_req_rep_and_router_dealer_envelopes(driver: Driver, transport: str) -> None:
    rep, req = driver.pair(zmq.REP, zmq.REQ, transport)
    driver.call(req, "send", b"ping")
    assert driver.call(rep, "recv") == b"ping"
    driver.call(rep, "send", b"pong")
    assert driver.call(req, "recv") == b"pong"

    router = driver.socket(zmq.ROUTER, linger=0)
    dealer = driver.socket(zmq.DEALER, linger=0, identity=b"alice")
    assert dealer.identity == b"alice"
    driver.call(router, "bind", driver.endpoint(transport))
    driver.call(dealer, "connect", router.getsockopt_string(zmq.LAST_ENDPOINT))
    driver.call(dealer, "send_multipart", [b"", b"hello"])
    assert driver.call(router, "recv_multipart") == [b"alice", b"", b"hello"]
    driver.call(router, "send_multipart", [b"alice", b"", b"hi"])
    assert driver.call(dealer, "recv_multipart") == [b"", b"hi"]


def test_pub_sub_topics(driver: Driver, transport: str) -> None:
    pub, sub = driver.pair(zmq.PUB, zmq.SUB, transport)
    sub.subscribe("weather")
    sub.setsockopt(zmq.SUBSCRIBE, b"sync")
    # Subscriptions reach the publisher asynchronously: publish a probe until one arrives.
    deadline = time.monotonic() + 5
    while True:
        driver.call(pub, "send", b"sync")
        if driver.call(sub, "poll", 10):
            break
        assert time.monotonic() < deadline, "subscription never reached the publisher"
    driver.call(pub, "send_multipart", [b"sports", b"3-1"])
    driver.call(pub, "send_multipart", [b"weather", b"sunny"])
    msg = driver.call(sub, "recv_multipart")
    while msg == [b"sync"]:  # probes sent before the first one arrived come first
        msg = driver.call(sub, "recv_multipart")
    assert msg == [b"weather", b"sunny"]
    sub.unsubscribe(b"weather")
    assert driver.call(sub, "poll", 0) == 0


def test_recv_into(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    driver.call(a, "send", b"0123456789")
    buf = bytearray(4)
    assert driver.call(b, "recv_into", buf) == 10
    assert buf == b"0123"
    driver.call(a, "send", b"ab")
    buf2 = bytearray(8)
    assert driver.call(b, "recv_into", buf2, nbytes=1) == 2
    assert buf2[:2] == b"a\0"


def test_bind_to_random_port(driver: Driver) -> None:
    a = driver.socket(zmq.PAIR, linger=0)
    b = driver.socket(zmq.PAIR, linger=0)
    port = driver.call(a, "bind_to_random_port", "tcp://127.0.0.1")
    assert isinstance(port, int) and 0 < port < 65536
    driver.call(b, "connect", f"tcp://127.0.0.1:{port}")
    driver.call(b, "send", b"x")
    assert driver.call(a, "recv") == b"x"
    c = driver.socket(zmq.PAIR, linger=0)
    port2 = driver.call(c, "bind_to_random_port", "tcp://127.0.0.1", 40000, 60000, 50)
    assert 40000 <= port2 < 60000


def test_unbind_and_disconnect(driver: Driver) -> None:
    a = driver.socket(zmq.PULL, linger=0)
    b = driver.socket(zmq.PUSH, linger=0)
    driver.call(a, "bind", "inproc://unbind-me")
    driver.call(b, "connect", "inproc://unbind-me")
    driver.call(b, "disconnect", "inproc://unbind-me")
    driver.call(a, "unbind", "inproc://unbind-me")
    with pytest.raises(ZMQError) as e:
        driver.call(a, "unbind", "inproc://unbind-me")
    assert _errno(e) == Errno.ENOENT


def test_poll_method(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    assert driver.call(b, "poll", 0) == 0
    assert driver.call(b, "poll", 0, zmq.POLLOUT) == zmq.POLLOUT
    driver.call(a, "send", b"x")
    assert driver.call(b, "poll", 1000) == zmq.POLLIN
    assert driver.call(b, "poll", None, zmq.POLLIN | zmq.POLLOUT) == zmq.POLLIN | zmq.POLLOUT


def test_poller_over_sockets_and_a_pipe(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    c, d = driver.pair(zmq.PUSH, zmq.PULL)
    r, w = os.pipe()
    try:
        poller = driver.poller()
        poller.register(b, zmq.POLLIN)
        poller.register(d, zmq.POLLIN)
        poller.register(r, zmq.POLLIN)
        assert driver.poll(poller, 0) == []
        assert driver.poll(poller, 20) == []
        driver.call(c, "send", b"to d")
        assert driver.poll(poller, 1000) == [(d, zmq.POLLIN)]
        driver.call(d, "recv")
        os.write(w, b"!")
        assert driver.poll(poller, 1000) == [(r, zmq.POLLIN)]
        os.read(r, 1)
        driver.call(a, "send", b"to b")
        assert driver.poll(poller, None) == [(b, zmq.POLLIN)]
        poller.modify(b, zmq.POLLIN | zmq.POLLOUT)
        poller.unregister(d)
        assert dict(driver.poll(poller, 0)) == {b: zmq.POLLIN | zmq.POLLOUT}
        poller.register(b, 0)  # flags=0 unregisters
        assert b not in poller
        with pytest.raises(KeyError):
            poller.unregister(d)
    finally:
        os.close(r)
        os.close(w)


# ---- options ----------------------------------------------------------------------------------


def test_option_attributes(driver: Driver) -> None:
    s = driver.socket(zmq.DEALER)
    s.linger = 0
    assert s.linger == 0
    s.rcvhwm = 50
    assert s.rcvhwm == 50 and s.getsockopt(zmq.RCVHWM) == 50
    s.hwm = 20
    assert s.sndhwm == 20 and s.rcvhwm == 20 and s.hwm == 20
    s.identity = b"me"
    assert s.identity == b"me" and s.routing_id == b"me"
    s.setsockopt_string(zmq.ROUTING_ID, "you")
    assert s.getsockopt_string(zmq.ROUTING_ID) == "you"
    with pytest.warns(DeprecationWarning, match="socket_type"):
        assert s.socket_type == zmq.DEALER
    assert s.type == zmq.DEALER
    assert s.getsockopt(zmq.TYPE) == zmq.DEALER
    assert s.context is driver.ctx
    with pytest.raises(AttributeError, match="no such option: NONSENSE"):
        s.nonsense = 1
    # Reading an unknown name: Python's own AttributeError (options are generated properties,
    # not __getattr__, which would slow every attribute read of a socket).
    with pytest.raises(AttributeError, match="nonsense"):
        _ = s.nonsense
    s.LINGER = 7  # pyzmq accepts option names in upper case too
    assert s.linger == 7 and s.LINGER == 7
    with pytest.raises(TypeError, match="use setsockopt_string"):
        s.identity = "text"
    with pytest.raises(TypeError, match="unicode not allowed"):
        driver.call(s, "send", "text")


def test_unknown_option_is_einval(driver: Driver) -> None:
    s = driver.socket(zmq.PAIR, linger=0)
    with pytest.raises(ZMQError) as e:
        s.setsockopt(9999, 1)
    assert _errno(e) == Errno.EINVAL
    with pytest.raises(ZMQError) as e:
        s.getsockopt(9999)
    assert _errno(e) == Errno.EINVAL
    with pytest.raises(ZMQError) as e:
        s.setsockopt(zmq.SNDHWM, -5)
    assert _errno(e) == Errno.EINVAL


def test_context_default_socket_options(driver: Driver) -> None:
    driver.ctx.linger = 0
    driver.ctx.setsockopt(zmq.SNDHWM, 7)
    assert driver.ctx.linger == 0
    assert driver.ctx.sockopts[zmq.LINGER] == 0
    s = driver.socket(zmq.PUSH)
    assert s.linger == 0 and s.sndhwm == 7
    driver.ctx.setsockopt(zmq.SUBSCRIBE, b"")  # ignored by non-SUB sockets, as in pyzmq
    driver.socket(zmq.PUSH)
    assert driver.ctx.get(zmq.IO_THREADS) == 1
    assert driver.ctx.io_threads == 1
    driver.ctx.max_sockets = 100
    assert driver.ctx.get(zmq.MAX_SOCKETS) == 100


# ---- errors -----------------------------------------------------------------------------------


def test_send_on_sub_and_recv_on_pub_are_enotsup(driver: Driver) -> None:
    sub = driver.socket(zmq.SUB, linger=0)
    pub = driver.socket(zmq.PUB, linger=0)
    with pytest.raises(ZMQError) as e:
        driver.call(sub, "send", b"x")
    assert _errno(e) == Errno.ENOTSUP
    with pytest.raises(ZMQError) as e:  # on the first frame already, as in libzmq
        driver.call(sub, "send", b"x", zmq.SNDMORE)
    assert _errno(e) == Errno.ENOTSUP
    with pytest.raises(ZMQError) as e:
        driver.call(pub, "recv")
    assert _errno(e) == Errno.ENOTSUP


def test_req_sending_twice_is_efsm(driver: Driver) -> None:
    rep, req = driver.pair(zmq.REP, zmq.REQ)
    driver.call(req, "send", b"1")
    with pytest.raises(ZMQError) as e:
        driver.call(req, "send", b"2")
    assert _errno(e) == Errno.EFSM
    with pytest.raises(ZMQError) as e:
        driver.call(rep, "send", b"no request yet")
    assert _errno(e) == Errno.EFSM


def test_bad_endpoints(driver: Driver) -> None:
    s = driver.socket(zmq.PAIR, linger=0)
    with pytest.raises(ZMQError) as e:
        driver.call(s, "bind", "tcp://")
    assert _errno(e) == Errno.EINVAL
    assert "tcp://" in str(e.value)
    with pytest.raises(ZMQError) as e:
        driver.call(s, "connect", "nonsense")
    assert _errno(e) == Errno.EINVAL
    with pytest.raises(ZMQError) as e:
        driver.call(s, "bind", "foo://x")
    assert _errno(e) == Errno.EPROTONOSUPPORT


def test_dontwait_on_empty_is_again(driver: Driver) -> None:
    _a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    with pytest.raises(Again):
        driver.call(b, "recv", zmq.DONTWAIT)
    with pytest.raises(Again):
        driver.call(b, "recv_multipart", zmq.NOBLOCK)
    lonely = driver.socket(zmq.PUSH, linger=0)
    with pytest.raises(Again):
        driver.call(lonely, "send", b"nobody", zmq.DONTWAIT)


def test_rcvtimeo_and_sndtimeo_raise_again(driver: Driver) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR)
    b.rcvtimeo = 30
    start = time.monotonic()
    with pytest.raises(Again):
        driver.call(b, "recv")
    assert time.monotonic() - start >= 0.025
    lonely = driver.socket(zmq.PUSH, linger=0, sndtimeo=0)
    with pytest.raises(Again):
        driver.call(lonely, "send", b"x")
    lonely.sndtimeo = 20
    with pytest.raises(Again):
        driver.call(lonely, "send_multipart", [b"x", b"y"])
    # The socket is still usable after a timeout.
    driver.call(a, "send", b"late")
    assert driver.call(b, "recv") == b"late"


def test_closed_socket(driver: Driver) -> None:
    s = driver.socket(zmq.PAIR)
    assert not s.closed
    with s:
        pass
    assert s.closed
    s.close()  # idempotent
    with pytest.raises(ZMQError) as e:
        driver.call(s, "send", b"x")
    assert _errno(e) == Errno.ENOTSOCK
    with pytest.raises(ZMQError) as e:
        s.getsockopt(zmq.LINGER)
    assert _errno(e) == Errno.ENOTSOCK


def test_monitor_socket_reports_listening(driver: Driver) -> None:
    s = driver.socket(zmq.PULL, linger=0)
    mon = driver.call(s, "get_monitor_socket")
    mon.rcvtimeo = 5000
    driver.call(s, "bind", "tcp://127.0.0.1:*")
    # recv_monitor_message returns the event for a sync socket, an awaitable for asyncio.
    ev = driver.invoke(lambda: recv_monitor_message(mon))
    assert ev["event"] == zmq.EVENT_LISTENING
    assert ev["endpoint"] == s.getsockopt(zmq.LAST_ENDPOINT)
    driver.call(s, "disable_monitor")
    mon.close()


def test_context_term_and_socket_after_term(driver: Driver) -> None:
    s = driver.socket(zmq.PAIR, linger=0)
    s.close()
    if driver.is_async:
        driver.run(driver.ctx.term)  # type: ignore[attr-defined]
    else:
        driver.ctx.term()
    assert driver.ctx.closed
    with pytest.raises(ZMQError):
        driver.ctx.socket(zmq.PAIR)


def test_received_frames_carry_peer_metadata(driver: Driver, transport: str) -> None:
    a, b = driver.pair(zmq.PAIR, zmq.PAIR, transport)
    driver.call(a, "send", b"meta")
    frame = driver.call(b, "recv", copy=False)
    assert frame.get("Socket-Type") == "PAIR"
    if transport in ("tcp", "ws"):
        assert frame.get("Peer-Address") == "127.0.0.1"
    with pytest.raises(ZMQError) as e:
        frame.get("No-Such-Property")
    assert _errno(e) == Errno.EINVAL


def test_endpoints_may_be_bytes_as_last_endpoint_returns_them() -> None:
    """pyzmq takes utf-8 bytes endpoints; ipykernel connects to ``getsockopt(LAST_ENDPOINT)``."""
    ctx = zmq.Context()
    try:
        pull = ctx.socket(zmq.PULL)
        pull.bind(b"tcp://127.0.0.1:*")
        endpoint = pull.getsockopt(zmq.LAST_ENDPOINT)
        assert isinstance(endpoint, bytes)
        push = ctx.socket(zmq.PUSH)
        push.connect(endpoint)
        push.send(b"over a bytes endpoint")
        pull.rcvtimeo = 5000
        assert pull.recv() == b"over a bytes endpoint"
        push.disconnect(endpoint)
        pull.unbind(endpoint)
        with pytest.raises(TypeError):
            push.connect(5555)
        push.close(0)
        pull.close(0)
    finally:
        ctx.term()
