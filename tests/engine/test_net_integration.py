"""The network side behind the real sockets (sync API) against libzmq: LINGER delivery, ZAP
round trips, monitor event sequences. Bounded waits only (poll/recv timeouts)."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import zmq
from zmq.utils.monitor import parse_monitor_message

import purezmq
from purezmq.constants import Event
from purezmq.zmtp.zap import build_reply

WAIT_MS = 5000


@pytest.fixture
def zctx() -> Iterator[Any]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def pctx() -> Iterator[Any]:
    ctx = purezmq.Context()
    yield ctx
    ctx.destroy(linger=0)


def _events(monitor: Any, until: int) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    while monitor.poll(WAIT_MS):
        parsed = parse_monitor_message(monitor.recv_multipart())
        event = int(parsed["event"])
        seen.append((event, int(parsed["value"])))
        if event == until:
            return seen
    raise AssertionError(f"no event {until} in {seen}")


def _push_with_two_queued(port: int) -> tuple[purezmq.Context, purezmq.Socket]:
    """A PUSH (LINGER 2 s) that connects to ``port`` and at once queues b"one", b"two"."""
    ctx = purezmq.Context()
    s = ctx.socket(purezmq.PUSH)
    s.linger = 2000
    s.connect(f"tcp://127.0.0.1:{port}")
    s.send(b"one")
    s.send(b"two")
    return ctx, s


def test_messages_sent_before_the_connection_is_up_survive_close_and_term(zctx: Any) -> None:
    z = zctx.socket(zmq.PULL)
    port = z.bind_to_random_port("tcp://127.0.0.1")
    for _ in range(3):
        ctx, s = _push_with_two_queued(port)
        s.close()
        ctx.term()
        z.rcvtimeo = WAIT_MS
        assert [z.recv(), z.recv()] == [b"one", b"two"]
    z.close(0)


def test_a_handshake_that_ends_while_the_socket_closes_delivers_what_was_queued(
    zctx: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race behind a rare loss in the test above, made certain: the handshake asks for
    its pipe while the owner thread is closing the socket, and gets it only after close() has
    cleared the socket's sessions. It must still deliver the session pipe's messages (it got
    a fresh, empty pipe, 1 run in ~300 under load)."""
    from purezmq._engine import socket_core

    asking = threading.Event()
    closed = threading.Event()
    session_pipe = socket_core.SocketCore.session_pipe
    close = socket_core.SocketCore._close

    def slow_session_pipe(self: Any, connecter: Any) -> Any:
        if threading.current_thread().name == "purezmq-io" and not closed.is_set():
            asking.set()
            closed.wait(WAIT_MS / 1000)
        return session_pipe(self, connecter)

    def signalling_close(self: Any, *args: Any) -> None:
        close(self, *args)
        closed.set()

    monkeypatch.setattr(socket_core.SocketCore, "session_pipe", slow_session_pipe)
    monkeypatch.setattr(socket_core.SocketCore, "_close", signalling_close)
    z = zctx.socket(zmq.PULL)
    port = z.bind_to_random_port("tcp://127.0.0.1")
    ctx, s = _push_with_two_queued(port)
    assert asking.wait(WAIT_MS / 1000)  # the handshake is done and waits for its pipe
    s.close()
    ctx.term()
    z.rcvtimeo = WAIT_MS
    assert [z.recv(), z.recv()] == [b"one", b"two"]
    z.close(0)


def test_unreachable_idle_endpoint_does_not_block_term() -> None:
    ctx = purezmq.Context()
    s = ctx.socket(purezmq.PUSH)
    s.linger = -1
    s.connect("tcp://127.0.0.1:1")
    s.close()
    ctx.term()  # returns at once: nothing was queued


def _zap_handler(pctx: Any, replies: int, password: bytes) -> threading.Thread:
    handler = pctx.socket(purezmq.REP)
    handler.bind("inproc://zeromq.zap.01")

    def serve() -> None:
        try:
            for _ in range(replies):
                if not handler.poll(WAIT_MS):
                    return
                req = handler.recv_multipart()
                # [version, id, domain, address, identity, mechanism, user, password]
                assert req[5] == b"PLAIN" and req[3] == b"127.0.0.1"
                ok = req[7] == password
                reply = build_reply(200 if ok else 400, b"", b"user:" + req[6])
                handler.send_multipart(reply[1:])  # REP adds the delimiter back
        finally:
            handler.close(0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return thread


def test_plain_server_asks_zap_and_refuses_bad_passwords(pctx: Any, zctx: Any) -> None:
    thread = _zap_handler(pctx, 2, b"secret")
    srv = pctx.socket(purezmq.PULL)
    srv.plain_server = 1
    monitor = srv.get_monitor_socket()
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    good = zctx.socket(zmq.PUSH)
    good.plain_username, good.plain_password = b"alice", b"secret"
    good.connect(f"tcp://127.0.0.1:{port}")
    good.send(b"hi")
    srv.rcvtimeo = WAIT_MS
    assert srv.recv() == b"hi"
    bad = zctx.socket(zmq.PUSH)
    bad.plain_username, bad.plain_password = b"eve", b"guess"
    bad.connect(f"tcp://127.0.0.1:{port}")
    seen = _events(monitor, Event.HANDSHAKE_FAILED_AUTH)
    assert (Event.HANDSHAKE_FAILED_AUTH, 400) in seen
    assert seen.count((Event.HANDSHAKE_SUCCEEDED, 0)) == 1
    thread.join(WAIT_MS / 1000)
    for s in (good, bad):
        s.close(0)
    srv.close(0)
    monitor.close(0)


def test_plain_server_without_zap_handler_fails_with_efault(pctx: Any, zctx: Any) -> None:
    srv = pctx.socket(purezmq.PULL)
    srv.plain_server = 1
    monitor = srv.get_monitor_socket()
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    client = zctx.socket(zmq.PUSH)
    client.plain_username, client.plain_password = b"a", b"b"
    client.connect(f"tcp://127.0.0.1:{port}")
    seen = _events(monitor, Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert seen[-1] == (Event.HANDSHAKE_FAILED_NO_DETAIL, 14)  # EFAULT, like libzmq
    client.close(0)
    srv.close(0)
    monitor.close(0)


def test_connect_event_sequence_matches_libzmq(pctx: Any, zctx: Any) -> None:
    z = zctx.socket(zmq.PULL)
    port = z.bind_to_random_port("tcp://127.0.0.1")
    s = pctx.socket(purezmq.PUSH)
    monitor = s.get_monitor_socket()
    s.connect(f"tcp://127.0.0.1:{port}")
    seen = _events(monitor, Event.HANDSHAKE_SUCCEEDED)
    assert [e for e, _ in seen] == [
        Event.CONNECT_DELAYED,
        Event.CONNECTED,
        Event.HANDSHAKE_SUCCEEDED,
    ]
    assert seen[0][1] == 115 or seen[0][1] > 0  # EINPROGRESS on Linux
    s.close(0)
    monitor.close(0)
    z.close(0)


def test_unbind_frees_the_address_at_once(pctx: Any) -> None:
    s = pctx.socket(purezmq.PULL)
    s.bind("tcp://127.0.0.1:*")
    endpoint = s.getsockopt(purezmq.LAST_ENDPOINT).decode()
    path = f"ipc://{tempfile.mkdtemp(prefix='pzu')}/s"
    s.bind(path)
    for _ in range(20):
        s.unbind(endpoint)
        s.bind(endpoint)  # no EADDRINUSE: the listening socket is closed when unbind returns
        s.unbind(path)
        s.bind(path)
    s.close(0)
