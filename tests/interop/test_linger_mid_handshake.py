"""Messages queued before a connection is up survive a close() that lands mid-handshake.

libzmq delivers what a socket queued within LINGER even when the socket closes while its
connection is still handshaking. A relay between our PUSH and libzmq's PULL holds the peer's
greeting back until our socket is closed, so the close always finds the handshake unfinished
(a race that otherwise depends on the event loop's timing).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT = 10.0


class HeldRelay:
    """Accepts one TCP client and forwards to ``upstream`` only once ``release()`` is called."""

    def __init__(self, upstream_port: int) -> None:
        self._upstream_port = upstream_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(TIMEOUT)
        self.port = self._listener.getsockname()[1]
        self._go = threading.Event()
        self._socks: list[socket.socket] = [self._listener]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def release(self) -> None:
        self._go.set()

    def _run(self) -> None:
        client, _ = self._listener.accept()
        self._socks.append(client)
        if not self._go.wait(TIMEOUT):
            return
        upstream = socket.create_connection(("127.0.0.1", self._upstream_port), TIMEOUT)
        self._socks.append(upstream)
        back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
        back.start()
        self._pump(client, upstream)
        back.join(TIMEOUT)

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        src.settimeout(TIMEOUT)
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        try:  # noqa: SIM105
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        self._go.set()
        for sock in self._socks:
            sock.close()
        self._thread.join(TIMEOUT)


@pytest.fixture
def pull() -> Iterator[Any]:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.PULL)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, int(TIMEOUT * 1000))
    yield sock
    sock.close()
    ctx.term()


def _wait_for_event(mon: Any, wanted: Event) -> None:
    deadline = time.monotonic() + TIMEOUT
    while True:
        left = deadline - time.monotonic()
        assert left > 0 and mon.poll(int(left * 1000) + 1), f"no {wanted.name} event"
        event, _ = struct.unpack("=hi", mon.recv_multipart()[0])
        if event == wanted:
            return


@pytest.mark.parametrize("round_", range(3))
def test_queued_messages_survive_close_during_the_handshake(pull: Any, round_: int) -> None:
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    relay = HeldRelay(port)
    ctx = purezmq.Context()
    try:
        push = ctx.socket(purezmq.PUSH)
        push.linger = 5000
        mon = push.get_monitor_socket(purezmq.EVENT_CONNECTED)
        push.connect(f"tcp://127.0.0.1:{relay.port}")
        push.send(b"one")
        push.send_multipart([b"two", b"parts"])
        _wait_for_event(mon, Event.CONNECTED)  # TCP is up; the peer's greeting is held
        push.disable_monitor()
        mon.close()
        push.close()  # mid-handshake, with two messages queued
        relay.release()
        ctx.term()  # returns once LINGER delivered them
        assert pull.recv() == b"one"
        assert pull.recv_multipart() == [b"two", b"parts"]
    finally:
        ctx.destroy(linger=0)
        relay.close()
