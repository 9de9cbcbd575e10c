"""SocketCore over inproc, driven from plain threads: the real patterns, no front-end."""

from __future__ import annotations

import threading

import pytest

from purezmq._engine import ContextCore, SocketCore
from purezmq.constants import Errno, PollEvent, SocketOption, SocketType
from purezmq.error import Again, ZMQError

from ..kit.engine import recv, send, sync_socket

T = SocketType


def test_push_pull(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    push = sync_socket(ctx, T.PUSH)
    assert pull.bind("inproc://pp") == "inproc://pp"
    push.connect("inproc://pp")
    for i in range(10):
        assert push.try_send([b"m", str(i).encode()])
    assert [recv(pull) for _ in range(10)] == [[b"m", str(i).encode()] for i in range(10)]
    assert pull.try_recv() is None


def test_req_rep(ctx: ContextCore) -> None:
    rep = sync_socket(ctx, T.REP)
    req = sync_socket(ctx, T.REQ)
    rep.bind("inproc://rr")
    req.connect("inproc://rr")
    for i in range(3):
        send(req, [b"ping", bytes([i])])
        assert recv(rep) == [b"ping", bytes([i])]
        send(rep, [b"pong", bytes([i])])
        assert recv(req) == [b"pong", bytes([i])]
    with pytest.raises(ZMQError) as info:
        rep.try_send([b"no request"])
    assert info.value.errno == Errno.EFSM


def test_connect_before_bind(ctx: ContextCore) -> None:
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://later")
    # The pipe exists from connect() on: messages queue before the peer binds.
    assert push.try_send([b"early"])
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://later")
    assert recv(pull) == [b"early"]
    assert push.try_send([b"late"])
    assert recv(pull) == [b"late"]


def test_bind_twice_is_eaddrinuse(ctx: ContextCore) -> None:
    a = sync_socket(ctx, T.PULL)
    b = sync_socket(ctx, T.PULL)
    a.bind("inproc://x")
    with pytest.raises(ZMQError) as info:
        b.bind("inproc://x")
    assert info.value.errno == Errno.EADDRINUSE
    a.unbind("inproc://x")
    b.bind("inproc://x")


def test_unknown_endpoint_is_enoent(ctx: ContextCore) -> None:
    s = sync_socket(ctx, T.PUSH)
    with pytest.raises(ZMQError) as info:
        s.unbind("inproc://nothing")
    assert info.value.errno == Errno.ENOENT
    with pytest.raises(ZMQError) as info:
        s.disconnect("inproc://nothing")
    assert info.value.errno == Errno.ENOENT
    s.connect("inproc://c")
    with pytest.raises(ZMQError) as info:
        s.unbind("inproc://c")  # connected, not bound
    assert info.value.errno == Errno.ENOENT


def test_last_endpoint_and_type(ctx: ContextCore) -> None:
    s = sync_socket(ctx, T.DEALER)
    s.bind("inproc://le")
    assert s.getsockopt(SocketOption.LAST_ENDPOINT) == b"inproc://le"
    assert s.getsockopt(SocketOption.TYPE) == T.DEALER


def test_closed_socket_is_enotsock(ctx: ContextCore) -> None:
    s = sync_socket(ctx, T.PUSH)
    s.close()
    s.close()  # idempotent
    for call in (lambda: s.try_send([b"x"]), s.try_recv, s.events):
        with pytest.raises(ZMQError) as info:
            call()
        assert info.value.errno == Errno.ENOTSOCK


def test_pollin_pollout(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    push = sync_socket(ctx, T.PUSH)
    assert push.events() == 0  # no peer: mute
    pull.bind("inproc://ev")
    push.connect("inproc://ev")
    assert push.events() == PollEvent.POLLOUT
    assert pull.events() == 0
    push.try_send([b"x"])
    assert pull.events() == PollEvent.POLLIN


def test_cross_thread_request_reply(ctx: ContextCore) -> None:
    rep = sync_socket(ctx, T.REP)
    rep.bind("inproc://echo")
    n = 200

    def server() -> None:
        for _ in range(n):
            send(rep, recv(rep))

    t = threading.Thread(target=server)
    t.start()
    req = sync_socket(ctx, T.REQ)
    req.connect("inproc://echo")
    for i in range(n):
        send(req, [str(i).encode()])
        assert recv(req) == [str(i).encode()]
    t.join(5)
    assert not t.is_alive()


def test_dontwait_semantics(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    assert pull.try_recv() is None
    with pytest.raises(Again):
        recv(pull, timeout=0.01)


def test_socket_core_refuses_bad_type(ctx: ContextCore) -> None:
    with pytest.raises(ZMQError) as info:
        SocketCore(ctx, 999, sync_socket(ctx, T.PAIR).signal)
    assert info.value.errno == Errno.EINVAL
