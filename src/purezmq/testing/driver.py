"""A sans-IO ``zmtp.Connection`` driven over one blocking socket, without the engine: how to
prove the wire layer (a mechanism, a handshake, heartbeats) against another ZMTP peer such as
libzmq.

``pump_until`` reads the socket with a bounded timeout, feeds the Connection with
``time.monotonic()`` as ``now``, runs its timers and writes what it wants to send, until a
condition holds. Everything received is kept: whole messages, events and the raw bytes.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from purezmq.zmtp import Connection, Event, HandshakeSucceeded

#: Seconds any wait may take before the test fails.
WAIT = 5.0


class ConnectionDriver:
    """One Connection over one connected socket; starting it sends its greeting at once.

    Waits raise ``AssertionError`` (a test failure) when their bound passes or the connection
    ends first.
    """

    def __init__(self, sock: socket.socket, conn: Connection) -> None:
        self.sock = sock
        self.conn = conn
        self.messages: list[list[bytes]] = []
        self.events: list[Event] = []
        self.raw = bytearray()  # every byte received, to count PINGs/PONGs
        conn.start(time.monotonic())
        self.flush()

    def flush(self) -> None:
        """Write everything the Connection has to send."""
        chunks = self.conn.data_to_send()
        if chunks:
            self.sock.sendall(b"".join(bytes(c) for c in chunks))

    def step(self, until: float) -> None:
        """One read (bounded by ``until`` and the Connection's next timer), then timers and
        output."""
        now = time.monotonic()
        deadline = self.conn.next_deadline()
        limit = until if deadline is None else min(until, deadline)
        self.sock.settimeout(max(limit - now, 0.001))
        try:
            data = self.sock.recv(1 << 16)
        except TimeoutError:
            pass
        except ConnectionResetError:
            self.conn.receive_eof()
        else:
            if data:
                self.raw += data
                self.conn.receive_data(data, time.monotonic())
            else:
                self.conn.receive_eof()
        now = time.monotonic()
        deadline = self.conn.next_deadline()
        if deadline is not None and now >= deadline:
            self.conn.handle_timer(now)
        # As lists, whatever the decoder handed on (one-frame messages as 1-tuples).
        self.messages += map(list, self.conn.messages_received())
        self.events += self.conn.events_received()
        self.flush()

    def pump_until(self, condition: Callable[[], bool], timeout: float = WAIT) -> None:
        """Step until ``condition()`` holds; fail after ``timeout`` seconds or if the
        connection ends first."""
        until = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > until:
                raise AssertionError(f"timed out; events={self.events} messages={self.messages}")
            if self.conn.closed and not condition():
                raise AssertionError(f"connection ended: {self.events}")
            self.step(until)

    def pump_for(self, seconds: float) -> None:
        """Keep the connection going for ``seconds`` (heartbeats are the behaviour under test)."""
        until = time.monotonic() + seconds
        while time.monotonic() < until and not self.conn.closed:
            self.step(until)

    def wait_closed(self) -> None:
        """Step until the Connection is closed (by the peer, an error or a timer)."""
        until = time.monotonic() + WAIT
        while not self.conn.closed:
            assert time.monotonic() < until, f"still open: {self.events}"
            self.step(until)

    def handshake(self) -> HandshakeSucceeded:
        """Step until the handshake is done; return its one ``HandshakeSucceeded`` event."""
        self.pump_until(lambda: self.conn.ready)
        ok = [e for e in self.events if isinstance(e, HandshakeSucceeded)]
        assert len(ok) == 1
        return ok[0]

    def send(self, frames: list[bytes]) -> None:
        """Send one message (a list of frames) and write it out at once."""
        self.conn.send_message(frames)
        self.flush()


__all__ = ["WAIT", "ConnectionDriver"]
