"""The ZWS 2.0 message codec shared by every WebSocket implementation (``zmtp.zws_messages``):
two ``ZwsMessageConnection``s joined message by message, as the JavaScript WebSocket joins them
under Pyodide (docs/pyodide.md; RFC 45)."""

from __future__ import annotations

from purezmq.constants import SocketType as T
from purezmq.zmtp import ConnectionOptions
from purezmq.zmtp.events import HandshakeSucceeded, ProtocolFailure
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.zws_messages import RAW_SUBPROTOCOL, ZwsMessageConnection, subprotocols


def _exchange(a: ZwsMessageConnection, b: ZwsMessageConnection) -> None:
    """Hand each side's messages to the other until both are quiet."""
    for _ in range(20):
        out_a, out_b = a.messages_to_send(), b.messages_to_send()
        if not out_a and not out_b:
            return
        for message in out_a:
            b.receive_message(message, 0.0)
        for message in out_b:
            a.receive_message(message, 0.0)


def _pair(
    chosen: str, options: ConnectionOptions | None = None
) -> tuple[ZwsMessageConnection, ZwsMessageConnection]:
    a = ZwsMessageConnection(T.REQ, NullMechanism())
    b = ZwsMessageConnection(T.REP, NullMechanism(), options=options)
    for conn in (a, b):
        conn.start(0.0)
        conn.ws_opened(chosen)
    _exchange(a, b)
    return a, b


def test_null_offers_the_mechanism_then_raw_zws() -> None:
    assert subprotocols(NullMechanism()) == ["ZWS2.0/NULL", "ZWS2.0"]


def test_nothing_goes_out_before_the_websocket_opens() -> None:
    conn = ZwsMessageConnection(T.REQ, NullMechanism())
    conn.start(0.0)
    assert conn.messages_to_send() == []


def test_handshake_and_messages_under_each_subprotocol() -> None:
    for chosen in ("ZWS2.0/NULL", RAW_SUBPROTOCOL):
        a, b = _pair(chosen)
        assert a.ready and b.ready, chosen
        assert any(isinstance(e, HandshakeSucceeded) for e in a.events_received())
        a.send_message([b"hello", b"x" * 300])
        out = a.messages_to_send()
        # One WebSocket message per frame: flags byte (0x01 MORE) then the body.
        assert out == [b"\x01hello", b"\x00" + b"x" * 300]
        for message in out:
            b.receive_message(message, 0.0)
        assert b.messages_received() == [[b"hello", b"x" * 300]]


def test_raw_zws_sends_the_routing_id_first_and_no_commands() -> None:
    a = ZwsMessageConnection(T.REQ, NullMechanism(), options=ConnectionOptions(routing_id=b"me"))
    a.start(0.0)
    a.ws_opened(RAW_SUBPROTOCOL)
    assert a.messages_to_send() == [b"\x00me"]


def test_a_subprotocol_not_offered_fails_the_connection() -> None:
    conn = ZwsMessageConnection(T.REQ, NullMechanism())
    conn.start(0.0)
    conn.ws_opened("ZWS2.0/CURVE")
    assert conn.closed
    assert any(isinstance(e, ProtocolFailure) for e in conn.events_received())


def test_a_message_over_maxmsgsize_fails_the_connection() -> None:
    _, b = _pair("ZWS2.0/NULL", ConnectionOptions(max_msg_size=10))
    b.events_received()
    b.receive_message(b"\x00" + b"y" * 100_000, 0.0)
    assert b.closed
    assert any(isinstance(e, ProtocolFailure) for e in b.events_received())


def test_an_empty_message_fails_and_an_empty_command_is_liveness() -> None:
    _, b = _pair("ZWS2.0/NULL")
    b.events_received()
    b.receive_message(b"\x02", 0.0)  # libzmq's ping: nothing happens
    assert not b.closed and b.messages_received() == []
    b.receive_message(b"", 0.0)
    assert b.closed
