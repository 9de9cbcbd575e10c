"""Connection state machine: two Connections joined in memory, and scripted raw peers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from purezmq._typing import Received
from purezmq.constants import ProtocolErrorCode, SocketType
from purezmq.error import LocalProtocolError, ProtocolError, RemoteProtocolError, ZMQError
from purezmq.testing import connected_pair, pieces_of, pump, transfer
from purezmq.zmtp import (
    Connection,
    ConnectionOptions,
    ConnectionState,
    GroupJoined,
    GroupLeft,
    HandshakeFailedAuth,
    HandshakeSucceeded,
    HandshakeTimeout,
    HeartbeatExpiry,
    HeartbeatTimeout,
    NullMechanism,
    PeerClosed,
    ProtocolFailure,
    ZapRequest,
    commands,
)
from purezmq.zmtp.codec import FLAG_COMMAND, FLAG_MORE, JOIN_MAX, FrameDecoder, encode_frame
from purezmq.zmtp.greeting import encode_greeting

T = SocketType


def received(conn: Connection) -> list[list[bytes]]:
    """``conn.messages_received()`` as lists (one-frame messages may come as 1-tuples)."""
    return [list(msg) for msg in conn.messages_received()]


def drain_bytes(conn: Connection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def decoded(data: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(data, out)
    return out


def ready_frame(socket_type: bytes | None = None, **extra: bytes) -> bytes:
    props = {} if socket_type is None else {"Socket-Type": socket_type}
    props.update(extra)
    return encode_frame(commands.ready(props), FLAG_COMMAND)


def raw_peer(conn: Connection, *, minor: int = 1, socket_type: bytes | None = b"DEALER") -> None:
    """Start ``conn`` and feed it a raw peer's greeting and READY."""
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL", minor=minor) + ready_frame(socket_type))


def the_failure(conn: Connection) -> ProtocolError:
    events = conn.events_received()
    failures = [e for e in events if isinstance(e, ProtocolFailure)]
    assert len(failures) == 1, events
    assert conn.closed
    assert conn.error is failures[0].error
    return failures[0].error


# -- handshake and messages -------------------------------------------------------------------


def test_handshake_reports_peer_metadata() -> None:
    a, b = connected_pair(
        T.DEALER,
        T.ROUTER,
        options_a=ConnectionOptions(routing_id=b"me", metadata={"X-Color": b"blue"}),
    )
    assert a.ready and b.ready
    (ev,) = b.events_received()
    assert ev == HandshakeSucceeded(
        {"Socket-Type": b"DEALER", "Identity": b"me", "X-Color": b"blue"}, T.DEALER, b"me", 1
    )
    (ev,) = a.events_received()
    assert isinstance(ev, HandshakeSucceeded)
    assert (ev.peer_socket_type, ev.peer_identity) == (T.ROUTER, b"")
    assert a.peer_minor == 1 and a.peer_metadata["Socket-Type"] == b"ROUTER"


def test_identity_only_from_req_dealer_router() -> None:
    _a, b = connected_pair(T.PUSH, T.PULL, options_a=ConnectionOptions(routing_id=b"x"))
    (ev,) = b.events_received()
    assert isinstance(ev, HandshakeSucceeded)
    assert ev.peer_metadata == {"Socket-Type": b"PUSH"}
    assert ev.peer_identity is None


def test_greeting_is_sent_at_start_and_ready_after_peer_greeting() -> None:
    conn = Connection(T.DEALER, NullMechanism(), options=ConnectionOptions(routing_id=b"abc"))
    conn.start(0.0)
    ours = encode_greeting(b"NULL", routing_id_length=3)
    # Signature and major first; the rest once the peer's major is known (§3.1).
    assert drain_bytes(conn) == ours[:11]
    conn.receive_data(encode_greeting(b"NULL")[:10])
    assert drain_bytes(conn) == b""
    conn.receive_data(encode_greeting(b"NULL")[10:40])
    assert drain_bytes(conn) == ours[11:]
    conn.receive_data(encode_greeting(b"NULL")[40:])
    # NULL: READY right after the greetings, without waiting for the peer's READY (§7.1).
    assert decoded(drain_bytes(conn)) == [
        (FLAG_COMMAND, commands.ready({"Socket-Type": b"DEALER", "Identity": b"abc"}))
    ]
    assert not conn.ready


@pytest.mark.parametrize("step", [1, 3, 7, 64])
def test_messages_survive_any_chunking(step: int) -> None:
    chunker = pieces_of(step)
    a = Connection(T.DEALER, NullMechanism())
    b = Connection(T.ROUTER, NullMechanism())
    a.start(0.0)
    b.start(0.0)
    pump(a, b, chunker=chunker)
    assert a.ready and b.ready
    msgs = [[b"", b"hello"], [b""], [b"x" * 255, b"y" * 256], [bytes(1 << 20)], [b"a"] * 5]
    for msg in msgs:
        a.send_message(msg)
    pump(a, b, chunker=chunker)
    assert received(b) == msgs
    assert b.messages_received() == []


def test_send_before_ready_and_after_close_is_refused() -> None:
    conn = Connection(T.PAIR, NullMechanism())
    with pytest.raises(LocalProtocolError, match="before the handshake"):
        conn.send_message([b"x"])
    conn.start(0.0)
    with pytest.raises(LocalProtocolError, match="before the handshake"):
        conn.send_subscribe(b"x")
    with pytest.raises(LocalProtocolError, match="already called"):
        conn.start(0.0)
    conn.close()
    assert conn.closed and conn.error is None
    with pytest.raises(LocalProtocolError, match="closed"):
        conn.send_message([b"x"])
    conn.receive_data(b"ignored")


def test_empty_message_is_refused() -> None:
    a, _ = connected_pair(T.PAIR, T.PAIR)
    with pytest.raises(LocalProtocolError, match="at least one frame"):
        a.send_message([])


def test_stream_and_bad_types_are_refused() -> None:
    with pytest.raises(ZMQError):
        Connection(T.STREAM, NullMechanism())
    with pytest.raises(ZMQError):
        Connection(99, NullMechanism())


def test_absent_socket_type_is_accepted_like_libzmq() -> None:
    conn = Connection(T.PUB, NullMechanism())
    raw_peer(conn, socket_type=None)
    assert conn.ready
    (ev,) = conn.events_received()
    assert isinstance(ev, HandshakeSucceeded) and ev.peer_socket_type is None


def test_socket_type_name_is_case_insensitive_on_receive() -> None:
    conn = Connection(T.PUB, NullMechanism())
    conn.start(0.0)
    conn.receive_data(
        encode_greeting(b"NULL")
        + encode_frame(commands.ready({"socket-type": b"sub"}), FLAG_COMMAND)
    )
    (ev,) = conn.events_received()
    assert isinstance(ev, HandshakeSucceeded) and ev.peer_socket_type is T.SUB


def test_unknown_command_after_handshake_is_ignored() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    raw_peer(conn, socket_type=b"ROUTER")
    conn.events_received()
    conn.receive_data(
        encode_frame(commands.command_body(b"FOO", b"bar"), FLAG_COMMAND) + encode_frame(b"after")
    )
    assert conn.ready
    assert conn.messages_received() == [[b"after"]]


def test_join_and_leave_become_events() -> None:
    radio, dish = connected_pair(T.RADIO, T.DISH)
    radio.events_received()
    dish.send_join(b"weather")
    dish.send_leave(b"weather")
    transfer(dish, radio)
    assert radio.events_received() == [GroupJoined(b"weather"), GroupLeft(b"weather")]


@pytest.mark.parametrize("minor", [0, 1])
def test_dish_pipe_groups_go_out_as_join_leave_commands(minor: int) -> None:
    """A DISH's pipe messages 01/00 + group are JOIN/LEAVE commands on the wire whatever the
    peer's minor version (libzmq dish_session_t); the spec's hex for JOIN "weather"."""
    dish, radio = connected_pair(T.DISH, T.RADIO, options_b=ConnectionOptions(zmtp_minor=minor))
    dish.send_messages([[b"\x01weather"], [b"\x00weather"], [b"\x02junk"], [b"a", b"b"]])
    wire = drain_bytes(dish)
    assert wire == bytes.fromhex("040c044a4f494e77656174686572" "040d054c4541564577656174686572")
    radio.receive_data(wire)
    # A RADIO's pattern sees them as the same one-frame messages, and nothing else.
    assert radio.messages_received() == [[b"\x01weather"], [b"\x00weather"]]


def test_radio_takes_no_message_frames_from_its_peer() -> None:
    radio, _ = connected_pair(T.RADIO, T.DISH)
    radio.receive_data(encode_frame(b"\x01weather", 0) + encode_frame(commands.join(b"g"), 4))
    assert radio.messages_received() == [[b"\x01g"]]


def test_radio_message_is_group_frame_then_body() -> None:
    radio, dish = connected_pair(T.RADIO, T.DISH)
    radio.send_message([b"weather", b"sunny"])
    wire = drain_bytes(radio)
    assert wire == bytes.fromhex("0107") + b"weather" + bytes.fromhex("0005") + b"sunny"
    dish.receive_data(wire)
    assert dish.messages_received() == [[b"weather", b"sunny"]]


# -- subscriptions ----------------------------------------------------------------------------


def test_sub_to_31_peer_sends_commands() -> None:
    sub, pub = connected_pair(T.SUB, T.PUB)
    sub.send_message([b"\x01topic"])
    sub.send_message([b"\x00topic"])
    wire = drain_bytes(sub)
    assert decoded(wire) == [
        (FLAG_COMMAND, commands.subscribe(b"topic")),
        (FLAG_COMMAND, commands.cancel(b"topic")),
    ]
    pub.receive_data(wire)
    assert pub.messages_received() == [[b"\x01topic"], [b"\x00topic"]]


def test_sub_to_30_peer_sends_messages() -> None:
    sub, pub = connected_pair(T.SUB, T.PUB, options_b=ConnectionOptions(zmtp_minor=0))
    assert sub.peer_minor == 0
    sub.send_message([b"\x01topic"])
    sub.send_cancel(b"other")
    sub.send_subscribe(b"")
    wire = drain_bytes(sub)
    assert decoded(wire) == [(0, b"\x01topic"), (0, b"\x00other"), (0, b"\x01")]
    pub.receive_data(wire)
    assert received(pub) == [[b"\x01topic"], [b"\x00other"], [b"\x01"]]


def test_send_subscribe_to_31_peer() -> None:
    sub, _ = connected_pair(T.XSUB, T.XPUB)
    sub.send_subscribe(b"a")
    sub.send_cancel(b"a")
    assert decoded(drain_bytes(sub)) == [
        (FLAG_COMMAND, commands.subscribe(b"a")),
        (FLAG_COMMAND, commands.cancel(b"a")),
    ]


def test_xsub_user_messages_stay_messages() -> None:
    xsub, _xpub = connected_pair(T.XSUB, T.XPUB)
    xsub.send_message([b"\x01topic"])
    assert decoded(drain_bytes(xsub)) == [(0, b"\x01topic")]


# -- heartbeats -------------------------------------------------------------------------------


def hb(ivl: float, ttl: float | None = None, timeout: float | None = None) -> ConnectionOptions:
    return ConnectionOptions(heartbeat_ivl=ivl, heartbeat_ttl=ttl, heartbeat_timeout=timeout)


def test_ping_pong_keeps_alive() -> None:
    a, b = connected_pair(T.DEALER, T.DEALER, options_a=hb(1.0, timeout=0.5))
    assert a.next_deadline() == 1.0
    assert b.next_deadline() == 30.0 or b.next_deadline() is None
    for t in (1.0, 2.0, 3.0):
        a.handle_timer(t)
        ping = drain_bytes(a)
        assert decoded(ping) == [(FLAG_COMMAND, commands.ping(0))]
        assert a.next_deadline() == t + 0.5
        b.receive_data(ping, t)
        pong = drain_bytes(b)
        assert decoded(pong) == [(FLAG_COMMAND, commands.pong())]
        a.receive_data(pong, t + 0.1)
        assert a.next_deadline() == t + 1.0
    assert a.ready and b.ready
    assert a.events_received()[1:] == [] and b.events_received()[1:] == []


def test_heartbeat_timeout_when_peer_is_silent() -> None:
    a, _ = connected_pair(T.DEALER, T.DEALER, options_a=hb(1.0))
    a.events_received()
    a.handle_timer(1.0)
    assert a.next_deadline() == 2.0  # timeout defaults to IVL
    a.handle_timer(1.999)
    assert a.ready
    a.handle_timer(2.0)
    assert a.closed and a.error is None
    assert a.events_received() == [HeartbeatTimeout(HeartbeatExpiry.TIMEOUT)]
    assert a.next_deadline() is None


def test_any_frame_clears_the_timeout() -> None:
    a, b = connected_pair(T.DEALER, T.DEALER, options_a=hb(1.0, timeout=0.5))
    a.handle_timer(1.0)
    a.data_to_send()
    b.send_message([b"data, not a PONG"])
    transfer(b, a, 1.2)
    a.handle_timer(1.5)
    assert a.ready


def test_ttl_is_sent_and_enforced_by_the_receiver() -> None:
    a, b = connected_pair(T.DEALER, T.DEALER, options_a=hb(1.0, ttl=3.0))
    b.events_received()
    a.handle_timer(1.0)
    ping = drain_bytes(a)
    assert decoded(ping) == [(FLAG_COMMAND, commands.ping(30))]
    b.receive_data(ping, 1.0)
    assert b.next_deadline() == pytest.approx(4.0)
    b.handle_timer(3.9)
    assert b.ready
    b.handle_timer(4.0)
    assert b.events_received() == [HeartbeatTimeout(HeartbeatExpiry.TTL)]


@pytest.mark.parametrize(
    ("ttl", "sent"), [(0.05, 0), (0.199, 1), (65.5, 655), (65.6, 655), (900.0, 655)]
)
def test_ttl_deciseconds_are_capped_for_libzmq(ttl: float, sent: int) -> None:
    assert ConnectionOptions(heartbeat_ttl=ttl).ping_ttl_deciseconds == sent


def test_large_ttl_from_peer_uses_correct_arithmetic() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    raw_peer(conn)
    conn.receive_data(encode_frame(commands.ping(656), FLAG_COMMAND), 10.0)
    assert conn.next_deadline() == pytest.approx(75.6)


def test_pong_echoes_at_most_16_context_bytes() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    raw_peer(conn)
    drain_bytes(conn)
    body = b"\x04PING\x00\x00" + bytes(range(20))
    conn.receive_data(encode_frame(body, FLAG_COMMAND))
    assert decoded(drain_bytes(conn)) == [(FLAG_COMMAND, b"\x04PONG" + bytes(range(16)))]


def test_handshake_timeout() -> None:
    conn = Connection(T.DEALER, NullMechanism(), options=ConnectionOptions(handshake_ivl=5.0))
    conn.start(100.0)
    assert conn.next_deadline() == 105.0
    conn.receive_data(encode_greeting(b"NULL"))
    conn.handle_timer(104.0)
    assert conn.state is ConnectionState.HANDSHAKE
    conn.handle_timer(105.0)
    assert conn.closed and conn.events_received() == [HandshakeTimeout()]


def test_no_handshake_timer_when_off() -> None:
    conn = Connection(T.DEALER, NullMechanism(), options=ConnectionOptions(handshake_ivl=0))
    conn.start(0.0)
    assert conn.next_deadline() is None


# -- bad input --------------------------------------------------------------------------------


def test_truncated_greeting_then_eof() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL")[:30])
    conn.receive_eof()
    assert conn.events_received() == [PeerClosed(during_handshake=True)]
    assert conn.closed and conn.error is None


def test_eof_after_handshake() -> None:
    a, _ = connected_pair(T.PAIR, T.PAIR)
    a.events_received()
    a.receive_eof()
    assert a.events_received() == [PeerClosed(during_handshake=False)]


def test_corrupt_greeting_names_the_peer_version() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(b"\xff" + bytes(7) + b"\x01\x7f\x00")
    err = the_failure(conn)
    assert isinstance(err, RemoteProtocolError) and err.fault == "peer"
    assert "peer speaks ZMTP 1.0, purezmq needs 3.x" in err.reason


def test_mechanism_mismatch_is_a_protocol_error() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"PLAIN"))
    assert the_failure(conn).code == ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH


def test_oversize_frame_vs_maxmsgsize() -> None:
    a, b = connected_pair(T.PAIR, T.PAIR, options_b=ConnectionOptions(max_msg_size=10))
    b.events_received()
    a.send_message([b"0123456789"])
    a.send_message([b"0123456789A"])
    transfer(a, b)
    assert b.messages_received() == [[b"0123456789"]]
    err = the_failure(b)
    assert err.fault == "peer" and "MAXMSGSIZE" in err.reason


def test_unknown_command_during_handshake() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(b"\x03FOO", FLAG_COMMAND))
    err = the_failure(conn)
    assert err.code == ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND and "FOO" in err.reason


def test_message_frame_during_handshake() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(b"too early"))
    err = the_failure(conn)
    assert "before the security handshake" in err.reason


def test_command_in_wrong_state() -> None:
    # A second READY while we still wait for our ZAP verdict.
    conn = Connection(T.DEALER, NullMechanism(zap=True))
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + ready_frame(b"DEALER") * 2)
    err = the_failure(conn)
    assert err.code == ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND


def test_incompatible_socket_type() -> None:
    a, b = connected_pair(T.PUB, T.PUSH)
    for conn, mine, theirs in ((a, "PUB", "PUSH"), (b, "PUSH", "PUB")):
        err = the_failure(conn)
        assert err.fault == "peer"
        assert f"peer is a {theirs} socket" in err.reason and mine in err.reason


def test_bad_metadata_in_ready() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(b"\x05READY\x03abc", FLAG_COMMAND))
    assert the_failure(conn).code == ProtocolErrorCode.ZMTP_INVALID_METADATA


def test_protocol_error_is_final() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(b"\x00garbage")
    the_failure(conn)
    conn.receive_data(encode_greeting(b"NULL"))
    conn.handle_timer(1e9)
    conn.receive_eof()
    assert conn.events_received() == []
    with pytest.raises(LocalProtocolError):
        conn.send_message([b"x"])


@pytest.mark.parametrize(
    ("body", "status"),
    [(commands.error(b"400"), 400), (b"^RROR\x03500", 500), (commands.error(b"300"), 300)],
)
def test_error_with_zap_status_is_an_auth_failure(body: bytes, status: int) -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(body, FLAG_COMMAND))
    assert conn.events_received() == [HandshakeFailedAuth(status, by_peer=True)]
    assert conn.closed and conn.error is not None and conn.error.fault == "peer"


def test_error_with_other_reason_is_a_protocol_failure() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(commands.error(b"go away"), 4))
    assert "go away" in the_failure(conn).reason


def test_malformed_error_command() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + encode_frame(b"\x05ERROR\x09400", 4))
    assert the_failure(conn).code == ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_ERROR


# -- ZAP --------------------------------------------------------------------------------------


def zap_server() -> Connection:
    conn = Connection(T.ROUTER, NullMechanism(zap=True))
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + ready_frame(b"DEALER", Identity=b""))
    return conn


def test_null_with_zap_waits_for_the_verdict() -> None:
    conn = zap_server()
    assert conn.events_received() == [ZapRequest(b"NULL", ())]
    greeting = drain_bytes(conn)
    assert len(greeting) == 64  # no READY until ZAP said 200
    conn.zap_reply(200, b"alice", {"X-Role": b"admin"})
    assert decoded(drain_bytes(conn)) == [
        (FLAG_COMMAND, commands.ready({"Socket-Type": b"ROUTER", "Identity": b""}))
    ]
    (ev,) = conn.events_received()
    assert isinstance(ev, HandshakeSucceeded)
    assert ev.peer_metadata["User-Id"] == b"alice" and ev.peer_metadata["X-Role"] == b"admin"


@pytest.mark.parametrize(("status", "sent"), [(400, commands.error(b"400")), (300, None)])
def test_null_zap_refusal(status: int, sent: bytes | None) -> None:
    conn = zap_server()
    conn.events_received()
    drain_bytes(conn)
    conn.zap_reply(status)
    expected = [] if sent is None else [(FLAG_COMMAND, sent)]
    assert decoded(drain_bytes(conn)) == expected
    assert conn.events_received() == [HandshakeFailedAuth(status, by_peer=False)]
    assert conn.closed


def test_invalid_zap_status() -> None:
    conn = zap_server()
    conn.events_received()
    conn.zap_reply(201)
    assert the_failure(conn).code == ProtocolErrorCode.ZAP_INVALID_STATUS_CODE


def test_zap_reply_without_request() -> None:
    a, _ = connected_pair(T.PAIR, T.PAIR)
    with pytest.raises(LocalProtocolError):
        a.zap_reply(200)


# -- fuzz -------------------------------------------------------------------------------------

PREFIXES = [b"", encode_greeting(b"NULL"), encode_greeting(b"NULL") + ready_frame(b"PAIR")]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(PREFIXES),
    st.lists(st.binary(max_size=80), max_size=6),
    st.booleans(),
)
def test_random_input_never_escapes(prefix: bytes, chunks: list[bytes], eof: bool) -> None:
    conn = Connection(
        T.PAIR, NullMechanism(), options=ConnectionOptions(max_msg_size=1000, heartbeat_ivl=1)
    )
    conn.start(0.0)
    for chunk in [prefix, *chunks]:
        conn.receive_data(chunk, 0.5)
        conn.data_to_send()
        conn.messages_received()
    conn.handle_timer(1.0)
    if eof:
        conn.receive_eof()
    events = conn.events_received()
    failures = [e for e in events if isinstance(e, ProtocolFailure)]
    if conn.error is not None:
        assert conn.closed and len(failures) == 1 and failures[0].error is conn.error
        assert isinstance(conn.error, RemoteProtocolError) and conn.error.reason
    else:
        assert not failures


def test_oversize_message_in_the_same_read_as_ready() -> None:
    conn = Connection(T.PAIR, NullMechanism(), options=ConnectionOptions(max_msg_size=10))
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + ready_frame(b"PAIR") + encode_frame(bytes(11)))
    err = the_failure(conn)
    assert "MAXMSGSIZE" in err.reason and err.fault == "peer"


def test_options_from_libzmq_units() -> None:
    opts = ConnectionOptions.from_libzmq(
        routing_id=b"id",
        maxmsgsize=100,
        heartbeat_ivl=1500,
        heartbeat_ttl=0,
        heartbeat_timeout=-1,
        handshake_ivl=0,
    )
    assert opts == ConnectionOptions(
        routing_id=b"id",
        max_msg_size=100,
        heartbeat_ivl=1.5,
        heartbeat_ttl=None,
        heartbeat_timeout=None,
        handshake_ivl=None,
    )
    assert ConnectionOptions.from_libzmq(heartbeat_timeout=0).heartbeat_timeout == 0
    assert ConnectionOptions.from_libzmq().handshake_ivl == 30.0


def test_mechanism_bug_becomes_a_local_failure() -> None:
    class Broken(NullMechanism):
        def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
            raise KeyError("bug")

    conn = Connection(T.PAIR, Broken())
    conn.start(0.0)
    conn.receive_data(encode_greeting(b"NULL") + ready_frame(b"PAIR"))
    err = the_failure(conn)
    assert isinstance(err, LocalProtocolError) and err.fault == "local"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.binary(max_size=300), min_size=1, max_size=4), max_size=6),
    st.lists(st.integers(min_value=1, max_value=97), min_size=1, max_size=5),
)
def test_pair_round_trip_with_random_chunking(msgs: list[list[bytes]], sizes: list[int]) -> None:
    chunker = pieces_of(*sizes)
    a = Connection(T.PAIR, NullMechanism())
    b = Connection(T.PAIR, NullMechanism())
    a.start(0.0)
    b.start(0.0)
    pump(a, b, chunker=chunker)
    for msg in msgs:
        a.send_message(msg)
        b.send_message(msg)
    pump(a, b, chunker=chunker)
    # As lists: a run of one-frame messages arrives as 1-tuples.
    assert [list(m) for m in a.messages_received()] == msgs
    assert [list(m) for m in b.messages_received()] == msgs


@pytest.mark.parametrize("metadata", [{"": b"x"}, {"X-é": b"x"}, {"X-" + "a" * 254: b"x"}])
def test_bad_local_metadata_is_a_user_error(metadata: dict[str, bytes]) -> None:
    with pytest.raises(ZMQError) as info:
        Connection(T.PAIR, NullMechanism(), options=ConnectionOptions(metadata=metadata))
    assert info.value.errno == 22


def test_frames_after_a_ping_in_the_same_read_cancel_its_ttl() -> None:
    conn = Connection(T.DEALER, NullMechanism())
    raw_peer(conn)
    conn.receive_data(encode_frame(commands.ping(30), FLAG_COMMAND) + encode_frame(b"m"), 1.0)
    assert conn.next_deadline() is None
    conn.receive_data(encode_frame(b"m") + encode_frame(commands.ping(30), FLAG_COMMAND), 2.0)
    assert conn.next_deadline() == pytest.approx(5.0)


@pytest.mark.parametrize("step", [1, 2, 5, 9, 300, 100_000])
def test_commands_and_long_frames_between_short_messages_keep_their_order(step: int) -> None:
    # Short message frames are read by a faster path than commands and long frames: the
    # order within a read, and across reads cut anywhere (memoryviews, as a transport gives),
    # must not change.
    conn = Connection(T.DEALER, NullMechanism(), options=hb(10.0))
    raw_peer(conn)
    drain_bytes(conn)
    msgs = [[b"", b"a"], [b"x" * 256], [b"", b"b", b"c" * 300], [b"d"], [b"e"]]
    wire = b"".join(
        [
            encode_frame(b"", FLAG_MORE) + encode_frame(b"a"),
            encode_frame(commands.ping(0, b"ctx1"), FLAG_COMMAND),
            encode_frame(b"x" * 256),
            encode_frame(b"", FLAG_MORE) + encode_frame(b"b", FLAG_MORE),
            encode_frame(commands.ping(0, b"ctx2"), FLAG_COMMAND),
            encode_frame(b"c" * 300),
            encode_frame(b"d") + encode_frame(b"e"),
        ]
    )
    for pos in range(0, len(wire), step):
        conn.receive_data(memoryview(wire)[pos : pos + step], 1.0)
    assert received(conn) == msgs
    assert decoded(drain_bytes(conn)) == [
        (FLAG_COMMAND, commands.pong(b"ctx1")),
        (FLAG_COMMAND, commands.pong(b"ctx2")),
    ]
    assert not conn.closed


@pytest.mark.parametrize("step", [7, 1000, 4105 * 3 + 5, 64 * 1024])
def test_runs_of_one_size_read_from_the_transport_buffer_arrive_as_bytes(step: int) -> None:
    # Runs of long frames are cut straight from the read (a memoryview of the transport's
    # reused buffer): every body must be its own bytes, whatever the buffer holds later.
    conn = Connection(T.DEALER, NullMechanism())
    raw_peer(conn)
    drain_bytes(conn)
    msgs = (
        [[bytes([i]) * 4096] for i in range(20)]
        + [[bytes([i]) * 64] for i in range(20)]
        + [[b"more", bytes([i]) * 1000] for i in range(3)]
        + [[bytes([i]) * 1000] for i in range(20)]
    )
    wire = b"".join(
        encode_frame(f, FLAG_MORE if j < len(m) - 1 else 0) for m in msgs for j, f in enumerate(m)
    )
    buffer = bytearray(step)
    got: list[Received] = []
    for pos in range(0, len(wire), step):
        chunk = wire[pos : pos + step]
        buffer[: len(chunk)] = chunk
        conn.receive_data(memoryview(buffer)[: len(chunk)], 1.0)
        buffer[:] = bytes(step)  # the transport reuses its buffer for the next read
        got += conn.messages_received()
    assert [list(msg) for msg in got] == msgs
    assert all(type(frame) is bytes for msg in got for frame in msg)
    assert not conn.closed


def test_has_data_to_send_tracks_data_to_send() -> None:
    """The engine skips draining when ``has_data_to_send()`` is False: it must never be False
    while ``data_to_send()`` has bytes (a PONG, a queued message, a 2 KiB body chunk)."""
    a, b = connected_pair(SocketType.DEALER, SocketType.ROUTER)
    assert not a.has_data_to_send() and a.data_to_send() == []
    a.send_message([b"short"])
    assert a.has_data_to_send()
    assert a.data_to_send()
    assert not a.has_data_to_send()
    a.send_message([b"x" * 4096])  # a body queued as its own chunk
    assert a.has_data_to_send()
    transfer(a, b)
    assert not a.has_data_to_send()
    b.receive_data(encode_frame(b"\x04PING\x00\x00", FLAG_COMMAND))  # asks for a PONG
    assert b.has_data_to_send()
    assert b"PONG" in b"".join(bytes(c) for c in b.data_to_send())
    assert not b.has_data_to_send()


def _batch() -> list[list[bytes]]:
    return [[b"a"], [b"b" * 300], [b"env", b"", b"body"], [b""], [b"x" * 255]]


def test_send_messages_queues_the_same_bytes_as_one_by_one() -> None:
    one, _ = connected_pair(T.DEALER, T.ROUTER)
    batch, _ = connected_pair(T.DEALER, T.ROUTER)
    for msg in _batch():
        one.send_message(msg)
    batch.send_messages(_batch())
    assert drain_bytes(batch) == drain_bytes(one)


@pytest.mark.parametrize(
    ("kind", "peer_kind"), [(T.DEALER, T.ROUTER), (T.SUB, T.PUB), (T.REQ, T.REP)]
)
def test_send_message_data_is_send_message_then_data_to_send(
    kind: SocketType, peer_kind: SocketType
) -> None:
    one, _ = connected_pair(kind, peer_kind)
    both, _ = connected_pair(kind, peer_kind)
    one.receive_data(encode_frame(commands.ping(0, b"ctx"), FLAG_COMMAND))
    both.receive_data(encode_frame(commands.ping(0, b"ctx"), FLAG_COMMAND))
    for msg in [*_batch(), [b"\x01news"], [b"\x00news"]]:
        one.send_message(msg)
        expected = b"".join(bytes(c) for c in one.data_to_send())
        # The PONG queued before the first message comes first, as from data_to_send().
        assert b"".join(bytes(c) for c in both.send_message_data(msg)) == expected
    with pytest.raises(LocalProtocolError):
        both.send_message_data([])
    both.close()
    with pytest.raises(LocalProtocolError):
        both.send_message_data([b"late"])


def _curve_push_pull() -> tuple[Connection, Connection]:
    """A PUSH and a PULL Connection over CURVE, handshake done."""
    from purezmq.zmtp.mechanisms import _crypto
    from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

    spk, ssk = _crypto.keypair()
    cpk, csk = _crypto.keypair()
    return connected_pair(
        T.PUSH,
        T.PULL,
        mechanism_a=CurveClient(public_key=cpk, secret_key=csk, server_key=spk),
        mechanism_b=CurveServer(secret_key=ssk, zap=False),
    )


def test_send_message_data_under_curve_is_sealed() -> None:
    a, b = _curve_push_pull()
    for chunk in a.send_message_data([b"secret", b"parts"]):
        b.receive_data(bytes(chunk))
    assert b.messages_received() == [[b"secret", b"parts"]]


def test_a_long_curve_batch_is_sealed_in_bounded_chunks() -> None:
    a, b = _curve_push_pull()
    batch = [[bytes([i % 256]) * 1000] for i in range(500)] + [[b"small"], [b"x" * 1500]]
    a.send_messages(batch)
    chunks = a.data_to_send()
    # The sealed frames are joined in chunks of about JOIN_MAX (see codec.JOIN_MAX), not in
    # one buffer of half a megabyte.
    assert len(chunks) > 1
    assert max(map(len, chunks)) < JOIN_MAX + 2 * 1600
    for chunk in chunks:
        b.receive_data(bytes(chunk))
    assert b.messages_received() == batch


def test_send_messages_under_curve_arrive_in_order() -> None:
    a, b = _curve_push_pull()
    a.send_message([b"first"])
    a.send_messages(_batch())
    a.send_message([b"last"])
    transfer(a, b)
    assert b.messages_received() == [[b"first"], *_batch(), [b"last"]]


def test_send_messages_turns_sub_subscriptions_into_commands() -> None:
    sub, _ = connected_pair(T.SUB, T.PUB)
    sub.send_messages([[b"\x01news"], [b"\x00news"]])
    frames = decoded(drain_bytes(sub))
    assert frames == [
        (FLAG_COMMAND, commands.subscribe(b"news")),
        (FLAG_COMMAND, commands.cancel(b"news")),
    ]


def test_send_messages_refuses_an_empty_message_after_queuing_the_ones_before() -> None:
    a, b = connected_pair(T.DEALER, T.ROUTER)
    with pytest.raises(LocalProtocolError):
        a.send_messages([[b"kept"], [], [b"never"]])
    transfer(a, b)
    assert b.messages_received() == [[b"kept"]]


def test_a_refused_mechanism_still_sends_our_whole_greeting() -> None:
    """Both sides must learn of a mechanism mismatch: the side that sees it first still sends
    the rest of its greeting (as libzmq does), so the other reports the mismatch too instead of
    a bare EOF."""
    from purezmq.zmtp.mechanisms.plain import PlainServer

    server = Connection(SocketType.ROUTER, PlainServer())
    client = Connection(SocketType.DEALER, NullMechanism())
    server.start(0.0)
    client.start(0.0)
    server.receive_data(b"".join(bytes(b) for b in client.data_to_send()))
    to_client = b"".join(bytes(b) for b in server.data_to_send())
    assert len(to_client) == 64  # the server's whole greeting, once our major was known
    client.receive_data(to_client)
    assert client.error is not None and "mechanism mismatch" in str(client.error)
    server.receive_data(b"".join(bytes(b) for b in client.data_to_send()))
    assert server.error is not None and "mechanism mismatch" in str(server.error)


def test_reads_of_one_message_each_keep_multipart_and_maxmsgsize_rules() -> None:
    # A request/reply turn reads one whole message at a time (the connection's shortcut for
    # it); a message whose frames come in several reads, and MAXMSGSIZE, still apply.
    _a, b = connected_pair(T.PAIR, T.PAIR)
    b.events_received()
    b.receive_data(encode_frame(b"", FLAG_MORE) + encode_frame(b"body"))
    assert b.messages_received() == [[b"", b"body"]]
    b.receive_data(encode_frame(b"head", FLAG_MORE))
    b.receive_data(encode_frame(b"tail"))  # one whole frame, but it ends the message above
    assert b.messages_received() == [[b"head", b"tail"]]
    b.receive_data(memoryview(bytearray(encode_frame(b"view"))))
    assert b.messages_received() == [[b"view"]]
    b.receive_data(memoryview(bytearray(encode_frame(b"", FLAG_MORE) + encode_frame(b"v"))))
    assert b.messages_received() == [[b"", b"v"]]
    # Several messages in one read, three frames, a reserved flag bit: the general path.
    two = encode_frame(b"", FLAG_MORE) + encode_frame(b"1") + encode_frame(b"2")
    b.receive_data(two)
    assert received(b) == [[b"", b"1"], [b"2"]]
    three = encode_frame(b"x", FLAG_MORE) + encode_frame(b"y", FLAG_MORE) + encode_frame(b"z")
    b.receive_data(three)
    assert b.messages_received() == [[b"x", b"y", b"z"]]
    b.receive_data(bytes([0x08, 1]) + b"r")
    assert received(b) == [[b"r"]]
    b.receive_data(encode_frame(b"", FLAG_MORE) + encode_frame(b"cut")[:-1])
    assert b.messages_received() == []
    b.receive_data(b"t")
    assert b.messages_received() == [[b"", b"cut"]]
    _a, limited = connected_pair(T.PAIR, T.PAIR, options_b=ConnectionOptions(max_msg_size=3))
    limited.events_received()
    limited.receive_data(encode_frame(b"abc"))
    assert limited.messages_received() == [[b"abc"]]
    limited.receive_data(encode_frame(b"abcd"))
    assert limited.messages_received() == []
    assert "MAXMSGSIZE" in the_failure(limited).reason
