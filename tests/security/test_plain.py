"""PLAIN (RFC 24) client and server mechanisms: bytes, ZAP flow, ERROR spellings, bad input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq.constants import ProtocolErrorCode, SocketType
from purezmq.error import LocalProtocolError, RemoteProtocolError
from purezmq.testing import connected_pair, pump
from purezmq.zmtp import commands
from purezmq.zmtp.events import HandshakeFailedAuth, HandshakeSucceeded, ZapRequest
from purezmq.zmtp.mechanisms.base import MechanismStatus
from purezmq.zmtp.mechanisms.plain import PlainClient, PlainServer, hello, parse_hello
from purezmq.zmtp.metadata import encode_metadata

from ._helpers import CLIENT_METADATA, SERVER_METADATA, deliver


def _started() -> tuple[PlainClient, PlainServer, list[bytes]]:
    client = PlainClient(b"admin", b"secret")
    server = PlainServer()
    assert server.start(SERVER_METADATA) == []
    return client, server, client.start(CLIENT_METADATA)


def test_full_handshake_bytes() -> None:
    client, server, sent = _started()
    assert sent == [b"\x05HELLO\x05admin\x06secret"]
    assert deliver(server, sent) == []
    assert server.zap_request() == (b"admin", b"secret")
    assert server.zap_request() is None  # handed over once
    assert (server.username, server.password) == (b"admin", b"secret")
    welcome = server.zap_reply(200, b"alice", {"X-Role": b"ops"})
    assert welcome == [b"\x07WELCOME"]
    initiate = deliver(client, welcome)
    assert initiate == [b"\x08INITIATE" + encode_metadata(CLIENT_METADATA)]
    ready = deliver(server, initiate)
    assert ready == [b"\x05READY" + encode_metadata(SERVER_METADATA)]
    assert server.status is MechanismStatus.READY
    assert server.peer_metadata == CLIENT_METADATA
    assert server.zap_properties == {"User-Id": b"alice", "X-Role": b"ops"}
    assert client.status is MechanismStatus.HANDSHAKING
    assert deliver(client, ready) == []
    assert client.status.value == "ready"
    assert client.peer_metadata == SERVER_METADATA
    assert not client.wraps_frames and client.name == b"PLAIN"


def test_empty_credentials() -> None:
    assert hello(b"", b"") == b"\x05HELLO\x00\x00"
    assert parse_hello(b"\x00\x00") == (b"", b"")


def test_long_credentials_refused() -> None:
    with pytest.raises(ValueError):
        PlainClient(b"u" * 256, b"")


@pytest.mark.parametrize(("status", "sent"), [(300, []), (400, [b"\x05ERROR\x03400"]),
                                              (500, [b"\x05ERROR\x03500"])])
def test_zap_refusal_sends_rfc_error(status: int, sent: list[bytes]) -> None:
    _, server, hello_ = _started()
    deliver(server, hello_)
    assert server.zap_reply(status) == sent
    assert server.status is MechanismStatus.ERROR
    assert server.zap_status == status


def test_invalid_zap_status() -> None:
    _, server, hello_ = _started()
    deliver(server, hello_)
    with pytest.raises(RemoteProtocolError) as info:
        server.zap_reply(201)
    assert info.value.code == ProtocolErrorCode.ZAP_INVALID_STATUS_CODE


def test_zap_reply_without_request() -> None:
    server = PlainServer()
    with pytest.raises(LocalProtocolError):
        server.zap_reply(200)


@pytest.mark.parametrize("error", [b"\x05ERROR\x03400", b"^RROR\x03400"])
@pytest.mark.parametrize("stage", ["welcome", "ready"])
def test_client_accepts_both_error_spellings(error: bytes, stage: str) -> None:
    client, server, hello_ = _started()
    if stage == "ready":
        deliver(server, hello_)
        deliver(client, server.zap_reply(200))
    assert deliver(client, [error]) == []
    assert client.status is MechanismStatus.ERROR
    assert client.error_reason == b"400"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05adm", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05admin", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO),
        (b"\x05admin\x06secre", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO),
        # libzmq: the password must end exactly at the end of the command
        (b"\x05admin\x06secret!", ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO),
    ],
)
def test_malformed_hello(data: bytes, code: int) -> None:
    server = PlainServer()
    server.start({})
    with pytest.raises(RemoteProtocolError) as info:
        server.receive_command(b"HELLO", data)
    assert info.value.code == code


def test_welcome_with_data_is_malformed() -> None:
    client, _, _ = _started()
    with pytest.raises(RemoteProtocolError) as info:
        client.receive_command(b"WELCOME", b"x")
    assert info.value.code == ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_WELCOME


def test_bad_metadata() -> None:
    client, server, hello_ = _started()
    deliver(server, hello_)
    deliver(client, server.zap_reply(200))
    with pytest.raises(RemoteProtocolError) as info:
        server.receive_command(b"INITIATE", b"\x05Ident")
    assert info.value.code == ProtocolErrorCode.ZMTP_INVALID_METADATA
    with pytest.raises(RemoteProtocolError) as info:
        client.receive_command(b"READY", b"\x09")
    assert info.value.code == ProtocolErrorCode.ZMTP_INVALID_METADATA


@pytest.mark.parametrize(
    ("who", "steps", "name"),
    [
        ("server", 0, b"INITIATE"),
        ("server", 0, b"ERROR"),
        ("server", 1, b"INITIATE"),  # while waiting for ZAP
        ("server", 1, b"HELLO"),
        ("server", 2, b"HELLO"),
        ("client", 0, b"READY"),
        ("client", 0, b"HELLO"),
        ("client", 2, b"WELCOME"),
        ("client", 3, b"READY"),
    ],
)
def test_out_of_order_commands(who: str, steps: int, name: bytes) -> None:
    client, server, hello_ = _started()
    if steps >= 1:
        deliver(server, hello_)
    if steps >= 2:
        deliver(client, server.zap_reply(200))
    if steps >= 3:
        deliver(client, deliver(server, [b"\x08INITIATE"]))
    target = server if who == "server" else client
    data = b"\x03400" if name == b"ERROR" else b""
    with pytest.raises(RemoteProtocolError) as info:
        target.receive_command(name, data)
    assert info.value.code == ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND


_NAMES = st.sampled_from([b"HELLO", b"WELCOME", b"INITIATE", b"READY", b"ERROR", b"MESSAGE"])


@given(name=_NAMES, data=st.binary(max_size=300), stage=st.integers(0, 2))
def test_fuzz_server(name: bytes, data: bytes, stage: int) -> None:
    _client, server, hello_ = _started()
    if stage >= 1:
        deliver(server, hello_)
    if stage >= 2:
        server.zap_reply(200)
    with contextlib.suppress(RemoteProtocolError):
        server.receive_command(name, data)


@given(name=_NAMES, data=st.binary(max_size=300), stage=st.integers(0, 1))
def test_fuzz_client(name: bytes, data: bytes, stage: int) -> None:
    client, server, hello_ = _started()
    if stage >= 1:
        deliver(server, hello_)
        deliver(client, server.zap_reply(200))
    with contextlib.suppress(RemoteProtocolError):
        client.receive_command(name, data)


@given(body=st.binary(max_size=300))
def test_fuzz_hello_parser(body: bytes) -> None:
    try:
        username, password = parse_hello(body)
    except RemoteProtocolError as exc:
        assert exc.code == ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_HELLO
    else:
        assert hello(username, password) == b"\x05HELLO" + body


# -- through two Connections joined in memory -----------------------------------------------


def test_connections_handshake_and_traffic() -> None:
    client, server = connected_pair(
        SocketType.DEALER,
        SocketType.ROUTER,
        mechanism_a=PlainClient(b"admin", b"secret"),
        mechanism_b=PlainServer(),
    )
    assert server.events_received() == [ZapRequest(b"PLAIN", (b"admin", b"secret"))]
    assert client.events_received() == []
    server.zap_reply(200, b"admin-id")
    pump(client, server)
    (ok_s,) = server.events_received()
    (ok_c,) = client.events_received()
    assert isinstance(ok_s, HandshakeSucceeded) and isinstance(ok_c, HandshakeSucceeded)
    assert ok_s.peer_metadata["User-Id"] == b"admin-id"
    assert ok_s.peer_socket_type is SocketType.DEALER
    assert ok_c.peer_socket_type is SocketType.ROUTER
    client.send_message([b"hello", b"world"])
    pump(client, server)
    assert server.messages_received() == [[b"hello", b"world"]]


@pytest.mark.parametrize("status", [400, 500])
def test_connections_refusal(status: int) -> None:
    client, server = connected_pair(
        SocketType.REQ,
        SocketType.REP,
        mechanism_a=PlainClient(b"admin", b"wrong"),
        mechanism_b=PlainServer(),
    )
    server.events_received()
    server.zap_reply(status)
    pump(client, server)
    assert server.events_received() == [HandshakeFailedAuth(status, by_peer=False)]
    assert client.events_received() == [HandshakeFailedAuth(status, by_peer=True)]
    assert client.closed and server.closed


def test_connection_client_understands_libzmq_error() -> None:
    client, _server = connected_pair(
        SocketType.REQ,
        SocketType.REP,
        mechanism_a=PlainClient(b"admin", b"wrong"),
        mechanism_b=PlainServer(),
    )
    # What a libzmq >= 4.3 PLAIN server sends: "^RROR" + 03 "400" in a short command frame.
    client.receive_data(b"\x04\x09^RROR\x03400")
    assert client.events_received() == [HandshakeFailedAuth(400, by_peer=True)]
    assert commands.parse_command(b"^RROR\x03400") == (b"ERROR", b"\x03400")
