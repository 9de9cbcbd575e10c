"""Helpers shared by the sans-IO ZMTP tests."""

from __future__ import annotations

from purezmq.constants import SocketType
from purezmq.testing import pump
from purezmq.zmtp import Connection, ConnectionOptions, NullMechanism, commands
from purezmq.zmtp.bodies import BodyPool
from purezmq.zmtp.codec import FLAG_COMMAND, encode_frame
from purezmq.zmtp.greeting import encode_greeting


def ready_pull_connection(max_msg_size: int = -1) -> Connection:
    """A PULL Connection past a NULL handshake with a PUSH peer, nothing left to read or send:
    the bytes fed to it next are message traffic."""
    conn = Connection(
        SocketType.PULL, NullMechanism(), options=ConnectionOptions(max_msg_size=max_msg_size)
    )
    conn.start(0.0)
    ready = encode_frame(commands.ready({"Socket-Type": b"PUSH"}), FLAG_COMMAND)
    conn.receive_data(encode_greeting(b"NULL") + ready, 0.0)
    assert conn.ready
    conn.events_received()
    conn.data_to_send()
    return conn


def ready_push_pull(pool: BodyPool | None = None) -> tuple[Connection, Connection]:
    """A PUSH and a PULL Connection (the PULL with ``pool`` for its bodies, if given) past
    their handshake with each other."""
    a = Connection(SocketType.PUSH, NullMechanism())
    b = Connection(SocketType.PULL, NullMechanism(), bodies=pool)
    a.start(0.0)
    b.start(0.0)
    pump(a, b)
    assert a.ready and b.ready
    return a, b
