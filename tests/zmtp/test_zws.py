"""ZWS 2.0 (RFC 45) framing below the ZMTP Connection, sans-IO: two ``ZwsConnection``s in memory,
and hand-written WebSocket bytes playing libzmq (docs/protocol/transports.md §4)."""

from __future__ import annotations

import base64
import hashlib
import struct

import pytest

pytest.importorskip("wsproto")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purezmq.constants import ProtocolErrorCode
from purezmq.constants import SocketType as T
from purezmq.testing.memory import pump
from purezmq.zmtp import ConnectionOptions
from purezmq.zmtp.events import (
    HandshakeSucceeded,
    HeartbeatTimeout,
    PeerClosed,
    ProtocolFailure,
)
from purezmq.zmtp.mechanisms.null import NullMechanism
from purezmq.zmtp.mechanisms.plain import PlainClient, PlainServer
from purezmq.zmtp.zws import ZwsConnection

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#: libzmq's upgrade request (ws_engine.cpp), host without the port.
LIBZMQ_REQUEST = (
    b"GET /p HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


def _pair(
    type_a: int = T.DEALER,
    type_b: int = T.ROUTER,
    *,
    options_a: ConnectionOptions | None = None,
    options_b: ConnectionOptions | None = None,
) -> tuple[ZwsConnection, ZwsConnection]:
    """Client ``a`` and server ``b`` after the upgrade and the NULL handshake."""
    a = ZwsConnection(type_a, NullMechanism(), client=True, path="/x", options=options_a)
    b = ZwsConnection(type_b, NullMechanism(), client=False, options=options_b)
    a.start(0.0)
    b.start(0.0)
    pump(a, b, 0.0)
    return a, b


def _out(conn: ZwsConnection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def _frame(
    payload: bytes, opcode: int = 0x2, *, fin: bool = True, mask: bytes | None = None
) -> bytes:
    """One RFC 6455 frame (masked when ``mask`` is given)."""
    head = bytes(((0x80 if fin else 0) | opcode,))
    bit = 0x80 if mask is not None else 0
    size = len(payload)
    if size <= 125:
        head += bytes((bit | size,))
    elif size <= 0xFFFF:
        head += bytes((bit | 126,)) + struct.pack(">H", size)
    else:
        head += bytes((bit | 127,)) + struct.pack(">Q", size)
    if mask is None:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def _server_after_libzmq_request(
    options: ConnectionOptions | None = None, socket_type: int = T.PULL
) -> tuple[ZwsConnection, bytes]:
    """A server that got libzmq's request; returns it and everything it answered."""
    server = ZwsConnection(socket_type, NullMechanism(), client=False, options=options)
    server.start(0.0)
    server.receive_data(LIBZMQ_REQUEST, 0.0)
    return server, _out(server)


def _unmasked(payload: bytes) -> list[tuple[int, bytes]]:
    """Split unmasked server frames into (first byte, payload)."""
    frames = []
    while payload:
        size = payload[1] & 0x7F
        pos = 2
        if size == 126:
            size, pos = struct.unpack(">H", payload[2:4])[0], 4
        elif size == 127:
            size, pos = struct.unpack(">Q", payload[2:10])[0], 10
        assert not payload[1] & 0x80, "a server must not mask"
        frames.append((payload[0], payload[pos : pos + size]))
        payload = payload[pos + size :]
    return frames


def _failure(conn: ZwsConnection) -> ProtocolFailure:
    failures = [e for e in conn.events_received() if isinstance(e, ProtocolFailure)]
    assert failures, "expected a ProtocolFailure"
    assert conn.closed
    return failures[0]


# -- upgrade ---------------------------------------------------------------------------------


def test_client_request_has_the_zws_subprotocol_and_path() -> None:
    client = ZwsConnection(T.DEALER, NullMechanism(), client=True, host="example", path="/zmq")
    client.start(0.0)
    request = _out(client)
    assert request.startswith(b"GET /zmq HTTP/1.1\r\n")
    assert b"\r\nHost: example\r\n" in request
    # libzmq's NULL offer: the NULL mechanism first, then ZWS2.0 without one.
    assert b"Sec-WebSocket-Protocol: ZWS2.0/NULL, ZWS2.0\r\n" in request
    assert b"Upgrade: websocket" in request and b"Sec-WebSocket-Version: 13" in request


def test_server_answers_libzmq_with_the_exact_status_line_and_first_offer() -> None:
    server, answer = _server_after_libzmq_request()
    head, _, rest = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    # libzmq's client wants this status line byte for byte, and Connection exactly Upgrade.
    assert lines[0] == b"HTTP/1.1 101 Switching Protocols"
    headers = {k.lower(): v for k, _, v in (line.partition(b": ") for line in lines[1:])}
    assert headers[b"connection"] == b"Upgrade"
    assert headers[b"upgrade"].lower() == b"websocket"
    assert headers[b"sec-websocket-protocol"] == b"ZWS2.0/NULL"
    expected = base64.b64encode(hashlib.sha1(b"dGhlIHNhbXBsZSBub25jZQ==" + GUID).digest())
    assert headers[b"sec-websocket-accept"] == expected
    # Then the NULL READY, as a COMMAND binary message (flags 0x02), unmasked.
    ((first, payload),) = _unmasked(rest)
    assert first == 0x82
    assert payload[0] == 0x02 and payload[1:7] == b"\x05READY"
    assert server.subprotocol == "ZWS2.0/NULL"


def test_frames_carry_ws_flags_and_clients_mask() -> None:
    a, b = _pair(T.DEALER, T.ROUTER)
    a.send_message([b"", b"hi"])
    raw = _out(a)
    # Two masked binary frames with payloads 01 and 00 68 69 (the example of RFC 45 / §4.2).
    assert raw[0] == 0x82 and raw[1] == 0x80 | 1
    mask = raw[2:6]
    assert raw[6] ^ mask[0] == 0x01
    second = raw[7:]
    assert second[0] == 0x82 and second[1] == 0x80 | 3
    mask2 = second[2:6]
    assert bytes(x ^ mask2[i % 4] for i, x in enumerate(second[6:9])) == b"\x00hi"
    b.receive_data(raw, 0.0)
    assert b.messages_received() == [[b"", b"hi"]]
    b.send_message([b"back"])
    (frame,) = _unmasked(_out(b))
    assert frame == (0x82, b"\x00back")


def test_handshake_succeeds_with_metadata_both_ways() -> None:
    a = ZwsConnection(T.REQ, NullMechanism(), client=True)
    b = ZwsConnection(T.REP, NullMechanism(), client=False)
    a.start(0.0)
    b.start(0.0)
    pump(a, b, 0.0)
    (ea,) = a.events_received()
    (eb,) = b.events_received()
    assert isinstance(ea, HandshakeSucceeded) and ea.peer_socket_type is T.REP
    assert isinstance(eb, HandshakeSucceeded) and eb.peer_socket_type is T.REQ


def test_plain_runs_over_zws() -> None:
    a = ZwsConnection(T.PUSH, PlainClient(b"admin", b"secret"), client=True)
    server = PlainServer()
    b = ZwsConnection(T.PULL, server, client=False)
    a.start(0.0)
    b.start(0.0)
    request = a.data_to_send()
    assert b"ZWS2.0/PLAIN" in b"".join(bytes(c) for c in request)
    for chunk in request:
        b.receive_data(chunk, 0.0)
    pump(a, b, 0.0)
    assert server.username == b"admin"
    # The server asks its ZAP handler; accept.
    b.events_received()
    b.zap_reply(200, b"admin")
    pump(a, b, 0.0)
    assert a.ready and b.ready
    a.send_message([b"over", b"plain"])
    pump(a, b, 0.0)
    assert b.messages_received() == [[b"over", b"plain"]]


def test_curve_runs_over_zws_and_subscriptions_are_messages() -> None:
    from purezmq.zmtp.mechanisms import _crypto

    if not _crypto.available():
        pytest.skip("CURVE needs PyNaCl")
    from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

    spk, ssk = _crypto.keypair()
    cpk, csk = _crypto.keypair()
    a = ZwsConnection(
        T.SUB, CurveClient(public_key=cpk, secret_key=csk, server_key=spk), client=True
    )
    b = ZwsConnection(T.XPUB, CurveServer(secret_key=ssk, zap=False), client=False)
    a.start(0.0)
    b.start(0.0)
    pump(a, b, 0.0)
    assert a.ready and b.ready
    a.send_message([b"\x01topic"])
    pump(a, b, 0.0)
    assert b.messages_received() == [[b"\x01topic"]]
    b.send_message([b"topic", b"data"])
    pump(a, b, 0.0)
    assert a.messages_received() == [[b"topic", b"data"]]


def test_sub_sends_subscriptions_as_messages_not_commands() -> None:
    a, b = _pair(T.SUB, T.PUB)
    a.send_message([b"\x01weather"])
    raw = _out(a)
    assert raw[0] == 0x82
    mask = raw[2:6]
    payload = bytes(x ^ mask[i % 4] for i, x in enumerate(raw[6:]))
    assert payload == b"\x00\x01weather"  # flags 0 (a message), body 01 topic
    b.receive_data(raw, 0.0)
    assert b.messages_received() == [[b"\x01weather"]]


def test_subscribe_command_from_a_peer_is_understood() -> None:
    server, _ = _server_after_libzmq_request(socket_type=T.PUB)
    mask = b"\x01\x02\x03\x04"
    ready = b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x03SUB"
    server.receive_data(_frame(ready, mask=mask) + _frame(b"\x02\x09SUBSCRIBEab", mask=mask))
    assert server.ready
    assert server.messages_received() == [[b"\x01ab"]]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    messages=st.lists(
        st.lists(st.binary(max_size=300), min_size=1, max_size=3), min_size=1, max_size=4
    ),
    data=st.data(),
)
def test_input_split_at_any_offset(messages: list[list[bytes]], data: st.DataObject) -> None:
    """Upgrade, handshake and messages arrive intact however the stream is cut."""
    a = ZwsConnection(T.DEALER, NullMechanism(), client=True)
    b = ZwsConnection(T.DEALER, NullMechanism(), client=False)
    a.start(0.0)
    b.start(0.0)

    def chunked(stream: bytes) -> list[bytes]:
        cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=8), label="cuts"))
        pieces, last = [], 0
        for cut in [*cuts, len(stream)]:
            pieces.append(stream[last:cut])
            last = cut
        return pieces

    for _ in range(6):
        for src, dst in ((a, b), (b, a)):
            stream = _out(src)
            for piece in chunked(stream):
                dst.receive_data(piece, 0.0)
    assert a.ready and b.ready
    for msg in messages:
        a.send_message(msg)
        b.send_message(msg)
    for src, dst in ((a, b), (b, a)):
        for piece in chunked(_out(src)):
            dst.receive_data(piece, 0.0)
    # As lists: one-frame messages may come as 1-tuples (``Received``).
    assert [list(m) for m in b.messages_received()] == messages
    assert [list(m) for m in a.messages_received()] == messages


def test_server_speaks_raw_zws20_when_only_that_is_offered() -> None:
    """``ZWS2.0``: no READY; the first message each way is the routing id."""
    options = ConnectionOptions(routing_id=b"srv")
    server = ZwsConnection(T.ROUTER, NullMechanism(), client=False, options=options)
    server.start(0.0)
    server.receive_data(LIBZMQ_REQUEST.replace(b"ZWS2.0/NULL,ZWS2.0", b"ZWS2.0"))
    head, _, rest = _out(server).partition(b"\r\n\r\n")
    assert b"Sec-WebSocket-Protocol: ZWS2.0\r\n" in head + b"\r\n"
    assert _unmasked(rest) == [(0x82, b"\x00srv")]  # our routing id, and no READY
    assert not server.ready
    mask = b"abcd"
    server.receive_data(_frame(b"\x00client-1", mask=mask) + _frame(b"\x00hello", mask=mask))
    (event,) = server.events_received()
    assert isinstance(event, HandshakeSucceeded)
    assert event.peer_identity == b"client-1" and event.peer_socket_type is None
    assert server.messages_received() == [[b"hello"]]
    server.send_message([b"reply"])
    assert _unmasked(_out(server)) == [(0x82, b"\x00reply")]


def test_client_speaks_raw_zws20_when_the_server_picks_it() -> None:
    client = ZwsConnection(T.DEALER, NullMechanism(), client=True)
    client.start(0.0)
    request = _out(client)
    key = request.split(b"Sec-WebSocket-Key: ")[1].split(b"\r\n")[0]
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    client.receive_data(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: "
        + accept
        + b"\r\nSec-WebSocket-Protocol: ZWS2.0\r\n\r\n"
        + _frame(b"\x00")  # the server's (empty) routing id
    )
    assert client.ready and client.subprotocol == "ZWS2.0"
    raw = _out(client)
    mask = raw[2:6]
    assert raw[0] == 0x82 and raw[1] == 0x80 | 1  # only our empty routing id: no READY
    assert raw[6] ^ mask[0] == 0x00 and len(raw) == 7


def test_raw_zws20_routing_id_must_be_one_frame() -> None:
    server = ZwsConnection(T.ROUTER, NullMechanism(), client=False)
    server.start(0.0)
    server.receive_data(LIBZMQ_REQUEST.replace(b"ZWS2.0/NULL,ZWS2.0", b"ZWS2.0"))
    server.receive_data(_frame(b"\x01id", mask=b"abcd"))
    assert "single frame" in str(_failure(server).error)


# -- bad input -------------------------------------------------------------------------------


def test_wrong_subprotocol_is_refused() -> None:
    server = ZwsConnection(T.PULL, NullMechanism(), client=False)
    server.start(0.0)
    server.receive_data(LIBZMQ_REQUEST.replace(b"ZWS2.0/NULL,ZWS2.0", b"chat, ZWS2.0/PLAIN"))
    failure = _failure(server)
    assert failure.during_handshake
    assert failure.error.code == ProtocolErrorCode.WS_UNSPECIFIED
    assert "ZWS2.0/NULL" in str(failure.error)


def test_missing_subprotocol_is_refused() -> None:
    server = ZwsConnection(T.PULL, NullMechanism(), client=False)
    server.start(0.0)
    server.receive_data(
        LIBZMQ_REQUEST.replace(b"Sec-WebSocket-Protocol: ZWS2.0/NULL,ZWS2.0\r\n", b"")
    )
    assert _failure(server).during_handshake


def test_client_refuses_a_subprotocol_it_did_not_offer() -> None:
    client = ZwsConnection(T.PUSH, NullMechanism(), client=True)
    client.start(0.0)
    request = _out(client)
    key = request.split(b"Sec-WebSocket-Key: ")[1].split(b"\r\n")[0]
    accept = base64.b64encode(hashlib.sha1(key + GUID).digest())
    client.receive_data(
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: " + accept + b"\r\nSec-WebSocket-Protocol: ZWS2.0/CURVE\r\n\r\n"
    )
    assert _failure(client).during_handshake


def test_client_refuses_an_http_error() -> None:
    client = ZwsConnection(T.PUSH, NullMechanism(), client=True)
    client.start(0.0)
    _out(client)
    client.receive_data(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
    assert _failure(client).during_handshake


def test_unmasked_frame_from_a_client_is_a_protocol_error() -> None:
    server, _ = _server_after_libzmq_request()
    server.receive_data(_frame(b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"))
    assert _failure(server).error.code == ProtocolErrorCode.WS_UNSPECIFIED


def test_text_message_is_a_protocol_error() -> None:
    server, _ = _server_after_libzmq_request()
    server.receive_data(_frame(b"hello", opcode=0x1, mask=b"abcd"))
    assert "text" in str(_failure(server).error)


def test_garbage_instead_of_a_request_is_refused() -> None:
    server = ZwsConnection(T.PULL, NullMechanism(), client=False)
    server.start(0.0)
    server.receive_data(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7fNOT HTTP\r\n\r\n")
    assert _failure(server).during_handshake


def test_empty_binary_message_is_a_protocol_error() -> None:
    server, _ = _server_after_libzmq_request()
    server.receive_data(_frame(b"", mask=b"abcd"))
    assert "flags byte" in str(_failure(server).error)


def test_oversized_message_is_refused_before_it_is_buffered() -> None:
    options = ConnectionOptions(max_msg_size=1000)
    server, _ = _server_after_libzmq_request(options)
    mask = b"abcd"
    ready = b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH"
    server.receive_data(_frame(ready, mask=mask))
    assert server.ready
    server.events_received()
    server.receive_data(_frame(b"\x00" + b"x" * 1000, mask=mask))
    assert server.messages_received() == [[b"x" * 1000]]
    # A frame announcing 10 MB: refused once more than the limit (plus slack) has arrived.
    big = _frame(b"\x00" + b"y" * 10_000_000, mask=mask)
    server.receive_data(big[:200_000])
    failure = _failure(server)
    assert not failure.during_handshake
    assert "MAXMSGSIZE" in str(failure.error)


def test_message_over_maxmsgsize_but_under_the_handshake_limit_is_refused() -> None:
    a, b = _pair(T.PUSH, T.PULL, options_b=ConnectionOptions(max_msg_size=10))
    a.send_message([b"z" * 11])
    b.receive_data(_out(a), 0.0)
    assert "MAXMSGSIZE" in str(_failure(b).error)


def test_close_frame_is_echoed_and_ends_like_eof() -> None:
    server, _ = _server_after_libzmq_request()
    mask = b"abcd"
    server.receive_data(_frame(b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH", mask=mask))
    server.events_received()
    server.receive_data(_frame(struct.pack(">H", 1000), opcode=0x8, mask=mask))
    assert server.closed
    assert [type(e) for e in server.events_received()] == [PeerClosed]
    ((first, payload),) = _unmasked(_out(server))
    assert first == 0x88 and payload[:2] == struct.pack(">H", 1000)


def test_websocket_ping_is_answered_with_pong() -> None:
    server, _ = _server_after_libzmq_request()
    server.receive_data(_frame(b"abc", opcode=0x9, mask=b"abcd"))
    assert _unmasked(_out(server)) == [(0x8A, b"abc")]


def test_libzmq_empty_command_ping_is_liveness_only() -> None:
    """libzmq 4.3 sends its ping as a binary message holding only the COMMAND flag."""
    server, _ = _server_after_libzmq_request()
    mask = b"abcd"
    server.receive_data(_frame(b"\x02\x05READY\x0bSocket-Type\x00\x00\x00\x04PUSH", mask=mask))
    server.events_received()
    server.receive_data(_frame(b"\x02", mask=mask))
    assert not server.closed
    assert _unmasked(_out(server)) == [(0x8A, b"")]
    assert server.messages_received() == []


# -- heartbeats ------------------------------------------------------------------------------


def test_heartbeat_sends_websocket_pings_and_times_out() -> None:
    options = ConnectionOptions(heartbeat_ivl=1.0, heartbeat_timeout=2.0)
    a, b = _pair(T.DEALER, T.DEALER, options_a=options)
    a.events_received()
    assert a.next_deadline() == pytest.approx(1.0)
    a.handle_timer(1.0)
    raw = _out(a)
    assert raw[0] == 0x89  # a masked WebSocket ping, not a ZMTP PING
    b.receive_data(raw, 1.0)
    a.receive_data(_out(b), 1.1)  # the pong cancels the timeout
    a.handle_timer(2.0)
    _out(a)
    a.handle_timer(4.5)  # silence since the ping at 2.0: timed out at 4.0
    assert a.closed
    assert [type(e) for e in a.events_received()] == [HeartbeatTimeout]
