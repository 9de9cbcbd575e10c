"""``Connection.quiet_messages``: after input, the messages alone when nothing else needs a
look (no event, nothing to send, no timer); else None, and then nothing was drained, so the
general calls (``events_received``, ``messages_received``, ``has_data_to_send``,
``next_deadline``) see everything as before.
"""

from __future__ import annotations

from purezmq.constants import SocketType
from purezmq.testing import connected_pair
from purezmq.zmtp import Connection, ConnectionOptions, commands
from purezmq.zmtp.codec import FLAG_COMMAND, encode_frame
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.zws_messages import RAW_SUBPROTOCOL, ZwsMessageConnection

T = SocketType


def _wire(conn: Connection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def _quiet_pair() -> tuple[Connection, Connection]:
    a, b = connected_pair(T.REQ, T.REP)
    for conn in (a, b):
        conn.events_received()
        conn.messages_received()
        assert not conn.has_data_to_send()
    return a, b


def test_a_quiet_read_gives_its_messages_and_drains_them() -> None:
    a, b = _quiet_pair()
    a.send_message([b"", b"one"])
    a.send_message([b"", b"two"])
    b.receive_data(_wire(a), 1.0)
    assert [list(m) for m in b.quiet_messages() or []] == [[b"", b"one"], [b"", b"two"]]
    assert b.quiet_messages() == []
    assert b.messages_received() == []


def test_output_to_send_leaves_everything_to_the_general_calls() -> None:
    a, b = _quiet_pair()
    a.send_message([b"", b"req"])
    b.receive_data(_wire(a) + encode_frame(commands.ping(0, b"ctx"), FLAG_COMMAND), 1.0)
    assert b.has_data_to_send()  # the PONG
    assert b.quiet_messages() is None
    assert [list(m) for m in b.messages_received()] == [[b"", b"req"]]
    assert b.has_data_to_send()


def test_a_running_timer_leaves_everything_to_the_general_calls() -> None:
    a, b = connected_pair(T.REQ, T.REP, options_b=ConnectionOptions(heartbeat_ivl=1.0))
    b.events_received()
    b.messages_received()
    _wire(b)
    assert b.next_deadline() is not None
    a.send_message([b"", b"req"])
    b.receive_data(_wire(a), 0.5)
    assert b.quiet_messages() is None
    assert [list(m) for m in b.messages_received()] == [[b"", b"req"]]


def test_events_pending_leave_everything_to_the_general_calls() -> None:
    _, b = connected_pair(T.REQ, T.REP)
    assert b.quiet_messages() is None  # the handshake's event is not read yet
    assert b.events_received()


def test_a_websocket_connection_is_never_quiet_and_never_encodes_a_turn() -> None:
    # Its output and timers are partly the WebSocket layer's, which these shortcuts skip.
    a = ZwsMessageConnection(T.REQ, NullMechanism())
    b = ZwsMessageConnection(T.REP, NullMechanism())
    for conn in (a, b):
        conn.start(0.0)
        conn.ws_opened(RAW_SUBPROTOCOL)
    for _ in range(20):
        out_a, out_b = a.messages_to_send(), b.messages_to_send()
        if not out_a and not out_b:
            break
        for message in out_a:
            b.receive_message(message, 0.0)
        for message in out_b:
            a.receive_message(message, 0.0)
    a.events_received()
    assert not a.has_data_to_send()
    assert Connection.quiet_messages(a) == []  # what the ZMTP layer alone would answer
    assert a.quiet_messages() is None
    assert a.encode_turn([b"", b"q"]) is None
