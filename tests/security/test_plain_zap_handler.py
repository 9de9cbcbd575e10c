"""PLAIN servers (RFC 24) ask the ZAP handler (RFC 27) bound in their context, against libzmq
clients (pyzmq): a bad password is refused, no handler bound fails the handshake with EFAULT."""

from __future__ import annotations

import threading
from typing import Any

import zmq
from zmq.utils.monitor import parse_monitor_message

import purezmq
from purezmq.constants import Event
from purezmq.zmtp.zap import build_reply

WAIT_MS = 5000


def _events(monitor: Any, until: int) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    while monitor.poll(WAIT_MS):
        parsed = parse_monitor_message(monitor.recv_multipart())
        event = int(parsed["event"])
        seen.append((event, int(parsed["value"])))
        if event == until:
            return seen
    raise AssertionError(f"no event {until} in {seen}")


def _zap_handler(pure_ctx: Any, replies: int, password: bytes) -> threading.Thread:
    handler = pure_ctx.socket(purezmq.REP)
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


def test_plain_server_asks_zap_and_refuses_bad_passwords(pure_ctx: Any, libzmq_ctx: Any) -> None:
    thread = _zap_handler(pure_ctx, 2, b"secret")
    srv = pure_ctx.socket(purezmq.PULL)
    srv.plain_server = 1
    monitor = srv.get_monitor_socket()
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    good = libzmq_ctx.socket(zmq.PUSH)
    good.plain_username, good.plain_password = b"alice", b"secret"
    good.connect(f"tcp://127.0.0.1:{port}")
    good.send(b"hi")
    srv.rcvtimeo = WAIT_MS
    assert srv.recv() == b"hi"
    bad = libzmq_ctx.socket(zmq.PUSH)
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


def test_plain_server_without_zap_handler_fails_with_efault(pure_ctx: Any, libzmq_ctx: Any) -> None:
    srv = pure_ctx.socket(purezmq.PULL)
    srv.plain_server = 1
    monitor = srv.get_monitor_socket()
    port = srv.bind_to_random_port("tcp://127.0.0.1")
    client = libzmq_ctx.socket(zmq.PUSH)
    client.plain_username, client.plain_password = b"a", b"b"
    client.connect(f"tcp://127.0.0.1:{port}")
    seen = _events(monitor, Event.HANDSHAKE_FAILED_NO_DETAIL)
    assert seen[-1] == (Event.HANDSHAKE_FAILED_NO_DETAIL, 14)  # EFAULT, like libzmq
    client.close(0)
    srv.close(0)
    monitor.close(0)
