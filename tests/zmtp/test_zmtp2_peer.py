"""A ZMTP 2.0 peer (RFC 15; libzmq 3.x, JeroMQ 0.3), sans-IO: the staged greeting that lets one
answer, the 12-byte greeting and identity exchange that replace the handshake, 2.0 traffic
(no commands, subscriptions as ``01``/``00`` messages), and the sockets that must refuse it.
The real peer is JeroMQ 0.3 in ``tests/interop/test_jeromq.py``."""

from __future__ import annotations

import pytest

from purezmq.constants import SocketType
from purezmq.error import RemoteProtocolError
from purezmq.zmtp import (
    Connection,
    ConnectionOptions,
    HandshakeSucceeded,
    NullMechanism,
    ProtocolFailure,
)
from purezmq.zmtp.codec import FLAG_MORE, FrameDecoder, encode_frame
from purezmq.zmtp.greeting import encode_greeting
from purezmq.zmtp.mechanisms.plain import PlainClient, PlainServer

T = SocketType


def zmtp2_greeting(socket_type: int) -> bytes:
    """What libzmq 3.x / JeroMQ 0.3 send: signature, revision 1, socket type (RFC 15)."""
    return b"\xff" + bytes(7) + b"\x01\x7f\x01" + bytes((socket_type,))


def drain(conn: Connection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def frames(data: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(data, out)
    return out


def handshaken(ours: int, theirs: int, identity: bytes = b"", **options: object) -> Connection:
    conn = Connection(ours, NullMechanism(), options=ConnectionOptions(**options))  # type: ignore[arg-type]
    conn.start(0.0)
    drain(conn)
    conn.receive_data(zmtp2_greeting(theirs) + encode_frame(identity))
    drain(conn)
    return conn


def test_greeting_waits_for_the_peer_major_then_ends_in_its_version() -> None:
    conn = Connection(T.DEALER, NullMechanism(), options=ConnectionOptions(routing_id=b"me"))
    conn.start(0.0)
    # Only signature and major: a 2.0 peer would read anything after its 12th byte as frames.
    assert drain(conn) == encode_greeting(b"NULL", routing_id_length=2)[:11]
    wire = zmtp2_greeting(int(T.ROUTER))
    conn.receive_data(wire[:11])
    # Our socket type ends a 2.0 greeting, then our identity is the first message.
    assert drain(conn) == bytes((int(T.DEALER),)) + encode_frame(b"me")
    conn.receive_data(wire[11:])
    assert drain(conn) == b""  # no READY: ZMTP 2.0 has no commands
    assert conn.events_received() == []  # the handshake waits for the peer's identity
    conn.receive_data(encode_frame(b"router-id"))
    (event,) = conn.events_received()
    assert isinstance(event, HandshakeSucceeded)
    assert event.peer_socket_type is T.ROUTER
    assert event.peer_identity == b"router-id"
    assert conn.ready and conn.zmtp2
    assert conn.peer_minor == 0


def test_identity_and_first_messages_in_one_read() -> None:
    conn = Connection(T.PULL, NullMechanism())
    conn.start(0.0)
    conn.receive_data(
        zmtp2_greeting(int(T.PUSH))
        + encode_frame(b"")
        + encode_frame(b"a", FLAG_MORE)
        + encode_frame(b"b")
        + encode_frame(b"c" * 300)
    )
    assert conn.ready
    assert conn.messages_received() == [[b"a", b"b"], [b"c" * 300]]


def test_messages_go_out_in_2_0_framing() -> None:
    conn = handshaken(T.DEALER, T.ROUTER)
    conn.send_message([b"", b"x" * 300])
    assert frames(drain(conn)) == [(FLAG_MORE, b""), (0, b"x" * 300)]


def test_sub_subscribes_with_messages() -> None:
    conn = handshaken(T.SUB, T.PUB)
    conn.send_message([b"\x01topic"])
    conn.send_message([b"\x00topic"])
    assert frames(drain(conn)) == [(0, b"\x01topic"), (0, b"\x00topic")]


def test_no_heartbeats_to_a_2_0_peer() -> None:
    conn = handshaken(T.DEALER, T.ROUTER, heartbeat_ivl=0.1)
    assert conn.next_deadline() is None


def test_command_bit_from_a_2_0_peer_is_a_protocol_error() -> None:
    conn = handshaken(T.DEALER, T.ROUTER)
    conn.receive_data(b"\x04\x05\x04PING")
    (event,) = conn.events_received()[-1:]
    assert isinstance(event, ProtocolFailure)
    assert "ZMTP 2.0 reserves" in event.error.reason


@pytest.mark.parametrize(
    ("ours", "theirs", "why"),
    [
        (T.PULL, T.PUB, "peer is a PUB socket"),
        (T.PULL, 11, "socket type 11"),  # STREAM's number: not a 2.0 socket type
    ],
)
def test_incompatible_or_unknown_2_0_socket_type(ours: int, theirs: int, why: str) -> None:
    conn = Connection(ours, NullMechanism())
    conn.start(0.0)
    conn.receive_data(zmtp2_greeting(theirs) + encode_frame(b""))
    (event,) = conn.events_received()
    assert isinstance(event, ProtocolFailure) and event.during_handshake
    assert why in event.error.reason


def test_multipart_identity_is_refused() -> None:
    conn = Connection(T.ROUTER, NullMechanism())
    conn.start(0.0)
    conn.receive_data(zmtp2_greeting(int(T.DEALER)) + encode_frame(b"id", FLAG_MORE))
    (event,) = conn.events_received()
    assert isinstance(event, ProtocolFailure)
    assert "single frame" in event.error.reason


@pytest.mark.parametrize(
    "mechanism",
    [
        lambda: NullMechanism(zap=True),
        PlainServer,
        lambda: PlainClient(b"admin", b"secret"),
    ],
    ids=["null-with-zap", "plain-server", "plain-client"],
)
def test_sockets_with_security_refuse_a_2_0_peer(mechanism: object) -> None:
    conn = Connection(T.ROUTER, mechanism())  # type: ignore[operator]
    conn.start(0.0)
    # Refused at the revision byte, before anything but our signature and major went out.
    assert len(drain(conn)) == 11
    conn.receive_data(zmtp2_greeting(int(T.DEALER)))
    assert drain(conn) == b""
    failure = conn.error
    assert isinstance(failure, RemoteProtocolError)
    assert "ZMTP 2.0, which has no security mechanism" in failure.reason
