"""CURVE (RFC 25/26) mechanisms: handshakes, ZAP, nonce rules and every way a box can be bad."""

from __future__ import annotations

import contextlib
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq.constants import ProtocolErrorCode, SocketType
from purezmq.error import LocalProtocolError, RemoteProtocolError
from purezmq.testing import connected_pair, pieces_of, pump
from purezmq.zmtp import commands
from purezmq.zmtp.connection import ConnectionOptions
from purezmq.zmtp.events import (
    HandshakeFailedAuth,
    HandshakeSucceeded,
    ProtocolFailure,
    ZapRequest,
)
from purezmq.zmtp.mechanisms import _crypto
from purezmq.zmtp.mechanisms.base import MechanismStatus
from purezmq.zmtp.mechanisms.curve import (
    INITIATE_PREFIX,
    VOUCH_PREFIX,
    CurveClient,
    CurveServer,
)
from purezmq.zmtp.metadata import encode_metadata

from ._helpers import (
    CLIENT_METADATA,
    CLIENT_PUBLIC,
    CLIENT_SECRET,
    CLIENT_TRANSIENT_SECRET,
    SERVER_METADATA,
    SERVER_PUBLIC,
    SERVER_SECRET,
    client_random,
    deliver,
    server_random,
)

Code = ProtocolErrorCode


def pair(*, zap: bool = False, server_key: bytes = SERVER_PUBLIC,
         deterministic: bool = True) -> tuple[CurveClient, CurveServer]:
    client = CurveClient(
        public_key=CLIENT_PUBLIC,
        secret_key=CLIENT_SECRET,
        server_key=server_key,
        random_bytes=client_random() if deterministic else None,
    )
    server = CurveServer(
        secret_key=SERVER_SECRET, zap=zap, random_bytes=server_random() if deterministic else None
    )
    server.start(SERVER_METADATA)
    return client, server


def handshake(zap: bool = False) -> tuple[CurveClient, CurveServer]:
    client, server = pair(zap=zap, deterministic=False)
    initiate = deliver(client, deliver(server, client.start(CLIENT_METADATA)))
    ready = deliver(server, initiate)
    if zap:
        assert ready == []
        ready = server.zap_reply(200, b"user")
    deliver(client, ready)
    assert client.status is server.status is MechanismStatus.READY
    return client, server


class _Raises:
    """``with _Raises(code):`` asserts a RemoteProtocolError with that code."""

    def __init__(self, code: int) -> None:
        self.code = code

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: object, tb: object) -> bool:
        assert isinstance(exc, RemoteProtocolError), f"expected a protocol error, got {exc!r}"
        assert exc.code == self.code, f"{exc.code:#x} != {self.code:#x}: {exc}"
        return True


# -- happy paths ------------------------------------------------------------------------------


def test_random_keys_handshake_and_messages() -> None:
    client, server = handshake()
    assert server.peer_metadata == CLIENT_METADATA
    assert client.peer_metadata == SERVER_METADATA
    for i in range(20):
        payload = bytes([i]) * i
        body = client.encode_frame(payload, more=bool(i % 2), command=bool(i % 3 == 0))
        assert server.decode_frame(body) == (payload, bool(i % 2), i % 3 == 0)
        back = server.encode_frame(payload, more=False, command=False)
        assert client.decode_frame(back) == (payload, False, False)


def test_nonces_follow_libzmq_counters() -> None:
    client, server = handshake()
    first_c = client.encode_frame(b"", more=False, command=False)
    first_s = server.encode_frame(b"", more=False, command=False)
    assert struct.unpack(">Q", first_c[8:16])[0] == 3
    assert struct.unpack(">Q", first_s[8:16])[0] == 2


def test_gaps_in_nonces_are_accepted() -> None:
    client, server = handshake()
    client.encode_frame(b"lost", more=False, command=False)
    later = client.encode_frame(b"later", more=False, command=False)
    assert server.decode_frame(later) == (b"later", False, False)


def test_zap_flow() -> None:
    client, server = pair(zap=True)
    initiate = deliver(client, deliver(server, client.start(CLIENT_METADATA)))
    assert deliver(server, initiate) == []
    assert server.zap_request() == (CLIENT_PUBLIC,)
    assert server.status is MechanismStatus.HANDSHAKING
    with _Raises(Code.ZMTP_UNEXPECTED_COMMAND):
        server.receive_command(b"INITIATE", initiate[0][9:])
    ready = server.zap_reply(200, b"alice", {"X-Hello": b"world"})
    assert len(ready) == 1 and ready[0].startswith(b"\x05READY" + bytes(7) + b"\x01")
    assert server.zap_properties == {"User-Id": b"alice", "X-Hello": b"world"}
    deliver(client, ready)
    assert client.status is MechanismStatus.READY


@pytest.mark.parametrize(("status", "sent"), [(300, []), (400, [b"\x05ERROR\x03400"]),
                                              (500, [b"\x05ERROR\x03500"])])
def test_zap_refusal(status: int, sent: list[bytes]) -> None:
    client, server = pair(zap=True)
    deliver(server, deliver(client, deliver(server, client.start(CLIENT_METADATA))))
    assert server.zap_reply(status) == sent
    assert server.status is MechanismStatus.ERROR and server.zap_status == status
    if sent:
        assert deliver(client, sent) == []
        assert client.status is MechanismStatus.ERROR and client.error_reason == sent[0][7:]


def test_client_error_while_waiting_for_welcome() -> None:
    client, _ = pair()
    client.start({})
    assert deliver(client, [b"\x05ERROR\x03500"]) == []
    assert client.status is MechanismStatus.ERROR


def test_encode_before_ready_is_local_error() -> None:
    client, _ = pair()
    with pytest.raises(LocalProtocolError):
        client.encode_frame(b"x", more=False, command=False)
    with pytest.raises(LocalProtocolError):
        client.decode_frame(b"x" * 40)


# -- bad input ---------------------------------------------------------------------------------


def test_hello_for_another_server_key() -> None:
    other_public, _ = _crypto.keypair()
    client, server = pair(server_key=other_public)
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(server, client.start({}))


def test_hello_with_bad_signature_box() -> None:
    client, server = pair()
    (hello,) = client.start({})
    tampered = hello[:150] + bytes([hello[150] ^ 1]) + hello[151:]
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(server, [tampered])


@pytest.mark.parametrize(
    "mutate",
    [lambda h: h[:-1], lambda h: h + b"\0", lambda h: h[:6] + b"\x02\x00" + h[8:],
     lambda h: h[:6] + b"\x01\x01" + h[8:]],
)
def test_malformed_hello(mutate: object) -> None:
    client, server = pair()
    (hello,) = client.start({})
    assert callable(mutate)
    with _Raises(Code.ZMTP_MALFORMED_COMMAND_HELLO):
        deliver(server, [mutate(hello)])


def test_welcome_from_wrong_server() -> None:
    """The client holds server key S, but an impostor with another long-term key answers."""
    client = CurveClient(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET,
                         server_key=SERVER_PUBLIC)
    _, impostor_secret = _crypto.keypair()
    # The impostor cannot open HELLO, so it fakes a WELCOME boxed with its own key.
    (hello,) = client.start({})
    client_transient = hello[80:112]
    box = _crypto.box(bytes(128), b"WELCOME-" + bytes(16), client_transient, impostor_secret)
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(client, [b"\x07WELCOME" + bytes(16) + box])


@pytest.mark.parametrize("size_delta", [-1, 1])
def test_malformed_welcome(size_delta: int) -> None:
    client, server = pair()
    (welcome,) = deliver(server, client.start({}))
    bad = welcome[:size_delta] if size_delta < 0 else welcome + b"\0"
    with _Raises(Code.ZMTP_MALFORMED_COMMAND_WELCOME):
        deliver(client, [bad])


def test_tampered_welcome() -> None:
    client, server = pair()
    (welcome,) = deliver(server, client.start({}))
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(client, [welcome[:-1] + bytes([welcome[-1] ^ 0x80])])


def _initiate() -> tuple[CurveClient, CurveServer, bytes]:
    client, server = pair()
    (initiate,) = deliver(client, deliver(server, client.start(CLIENT_METADATA)))
    return client, server, initiate


@pytest.mark.parametrize(("offset", "code"), [
    (20, Code.ZMTP_CRYPTOGRAPHIC),    # cookie nonce
    (60, Code.ZMTP_CRYPTOGRAPHIC),    # cookie box
    (106, Code.ZMTP_CRYPTOGRAPHIC),   # short nonce
    (150, Code.ZMTP_CRYPTOGRAPHIC),   # INITIATE box: C
    (250, Code.ZMTP_CRYPTOGRAPHIC),   # INITIATE box: vouch
    (-1, Code.ZMTP_CRYPTOGRAPHIC),    # INITIATE box: metadata
])
def test_tampered_initiate(offset: int, code: int) -> None:
    _, server, initiate = _initiate()
    raw = bytearray(initiate)
    raw[offset] ^= 0x01
    with _Raises(code):
        deliver(server, [bytes(raw)])


def test_short_initiate() -> None:
    _, server, _ = _initiate()
    with _Raises(Code.ZMTP_MALFORMED_COMMAND_INITIATE):
        server.receive_command(b"INITIATE", bytes(247))


def test_cookie_from_another_connection() -> None:
    _, _, initiate = _initiate()
    # Same randomness → same cookie key, but a different client transient key: the cookie
    # opens and names another connection.
    other = CurveClient(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET,
                        server_key=SERVER_PUBLIC)
    server = CurveServer(secret_key=SERVER_SECRET, zap=False, random_bytes=server_random())
    server.start({})
    deliver(server, other.start({}))
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(server, [initiate])


def _forged_initiate(vouch_plain: bytes, metadata: bytes = b"") -> tuple[CurveServer, bytes]:
    """An INITIATE built by hand from the vector inputs (c' and s' known)."""
    client, server = pair()
    (welcome,) = deliver(server, client.start({}))
    plain = _crypto.box_open(welcome[24:], b"WELCOME-" + welcome[8:24], SERVER_PUBLIC,
                             CLIENT_TRANSIENT_SECRET)
    s_transient, cookie = plain[:32], plain[32:]
    vouch_nonce = b"\x55" * 16
    vouch = _crypto.box(vouch_plain, VOUCH_PREFIX + vouch_nonce, s_transient, CLIENT_SECRET)
    nonce = struct.pack(">Q", 2)
    box = _crypto.box(CLIENT_PUBLIC + vouch_nonce + vouch + metadata, INITIATE_PREFIX + nonce,
                      s_transient, CLIENT_TRANSIENT_SECRET)
    return server, b"\x08INITIATE" + cookie + nonce + box


def test_forged_initiate_control() -> None:
    c_transient = _crypto.public_from_secret(CLIENT_TRANSIENT_SECRET)
    server, initiate = _forged_initiate(c_transient + SERVER_PUBLIC)
    assert len(deliver(server, [initiate])) == 1
    assert server.status is MechanismStatus.READY


@pytest.mark.parametrize("which", ["transient", "server"])
def test_vouch_for_other_keys(which: str) -> None:
    c_transient = _crypto.public_from_secret(CLIENT_TRANSIENT_SECRET)
    other, _ = _crypto.keypair()
    vouch = other + SERVER_PUBLIC if which == "transient" else c_transient + other
    server, initiate = _forged_initiate(vouch)
    with _Raises(Code.ZMTP_KEY_EXCHANGE):
        deliver(server, [initiate])


def test_initiate_with_bad_metadata() -> None:
    c_transient = _crypto.public_from_secret(CLIENT_TRANSIENT_SECRET)
    server, initiate = _forged_initiate(c_transient + SERVER_PUBLIC, b"\x05Ident")
    with _Raises(Code.ZMTP_INVALID_METADATA):
        deliver(server, [initiate])


def test_ready_problems() -> None:
    client, server, initiate = _initiate()
    (ready,) = deliver(server, [initiate])
    with _Raises(Code.ZMTP_MALFORMED_COMMAND_READY):
        client.receive_command(b"READY", ready[6:29])
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(client, [ready[:-1] + bytes([ready[-1] ^ 1])])
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        deliver(client, [ready[:13] + b"\x02" + ready[14:]])  # other nonce


def test_message_problems() -> None:
    client, server = handshake()
    m1 = client.encode_frame(b"one", more=False, command=False)
    m2 = client.encode_frame(b"two", more=False, command=False)
    m3 = client.encode_frame(b"three", more=False, command=False)
    with _Raises(Code.ZMTP_MALFORMED_COMMAND_MESSAGE):
        server.decode_frame(m1[:32])
    with _Raises(Code.ZMTP_UNEXPECTED_COMMAND):
        server.decode_frame(b"\x07MASSAGE" + m1[8:])
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):
        server.decode_frame(m1[:-1] + bytes([m1[-1] ^ 1]))
    for _ in range(3):  # nonces 2, 3, 4: past the client's INITIATE nonce
        reflected = server.encode_frame(b"x", more=False, command=False)
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):  # a MESSAGE in the server's direction
        server.decode_frame(reflected)
    assert server.decode_frame(m2) == (b"two", False, False)
    with _Raises(Code.ZMTP_INVALID_SEQUENCE):  # replay
        server.decode_frame(m2)
    with _Raises(Code.ZMTP_INVALID_SEQUENCE):  # reordered
        server.decode_frame(m1)
    with _Raises(Code.ZMTP_CRYPTOGRAPHIC):  # a later nonce spliced onto an older box
        server.decode_frame(m3[:16] + m1[16:])
    assert server.decode_frame(m3) == (b"three", False, False)


def test_message_nonce_must_exceed_handshake_nonces() -> None:
    client, server = handshake()
    # The server saw INITIATE nonce 2: a client MESSAGE claiming nonce 2 is a replay.
    body = client.encode_frame(b"x", more=False, command=False)
    forged = body[:8] + struct.pack(">Q", 2) + body[16:]
    with _Raises(Code.ZMTP_INVALID_SEQUENCE):
        server.decode_frame(forged)


# -- fuzz every parser ------------------------------------------------------------------------

_NAMES = st.sampled_from([b"HELLO", b"WELCOME", b"INITIATE", b"READY", b"ERROR", b"MESSAGE"])
_DATA = st.one_of(st.binary(max_size=400), st.binary(min_size=194, max_size=194),
                  st.binary(min_size=160, max_size=160), st.binary(min_size=248, max_size=300))


def _at_stage(stage: int) -> tuple[CurveClient, CurveServer]:
    client, server = pair()
    sent = client.start(CLIENT_METADATA)
    if stage >= 1:
        sent = deliver(server, sent)
    if stage >= 2:
        sent = deliver(client, sent)
    if stage >= 3:
        deliver(client, deliver(server, sent))
    return client, server


@given(name=_NAMES, data=_DATA, stage=st.integers(0, 3), server_side=st.booleans())
def test_fuzz_handshake_commands(name: bytes, data: bytes, stage: int, server_side: bool) -> None:
    client, server = _at_stage(stage)
    target = server if server_side else client
    with contextlib.suppress(RemoteProtocolError):
        target.receive_command(name, data)


@given(body=st.one_of(st.binary(max_size=100), st.binary(min_size=33, max_size=60).map(
    lambda b: b"\x07MESSAGE" + b[8:])))
def test_fuzz_message_decoder(body: bytes) -> None:
    _client, server = _connected_cache()
    with contextlib.suppress(RemoteProtocolError):
        server.decode_frame(body)


_CACHE: list[tuple[CurveClient, CurveServer]] = []


def _connected_cache() -> tuple[CurveClient, CurveServer]:
    if not _CACHE:
        _CACHE.append(handshake())
    return _CACHE[0]


# -- through two Connections joined in memory ---------------------------------------------------


def _curve_connections(zap: bool, *, sub: bool = False,
                       options: ConnectionOptions | None = None):
    client_mech = CurveClient(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET,
                              server_key=SERVER_PUBLIC)
    server_mech = CurveServer(secret_key=SERVER_SECRET, zap=zap)
    types = (SocketType.SUB, SocketType.PUB) if sub else (SocketType.DEALER, SocketType.ROUTER)
    return connected_pair(*types, mechanism_a=client_mech, mechanism_b=server_mech,
                          options_a=options, options_b=options)


def test_connections_handshake_messages_and_wire_form() -> None:
    client, server = _curve_connections(zap=True)
    assert server.events_received() == [ZapRequest(b"CURVE", (CLIENT_PUBLIC,))]
    server.zap_reply(200, b"alice")
    pump(client, server)
    (ok_s,) = server.events_received()
    (ok_c,) = client.events_received()
    assert isinstance(ok_s, HandshakeSucceeded) and isinstance(ok_c, HandshakeSucceeded)
    assert ok_s.peer_metadata["User-Id"] == b"alice"
    client.send_message([b"a", b"", b"c" * 300])
    wire = b"".join(bytes(c) for c in client.data_to_send())
    # libzmq sends MESSAGE inside plain message frames (00, or 02 when long; spec note 18).
    assert wire[0] == 0x00 and wire[2:10] == b"\x07MESSAGE"
    server.receive_data(wire)
    assert server.messages_received() == [[b"a", b"", b"c" * 300]]
    server.send_message([b"reply"])
    pump(client, server)
    assert client.messages_received() == [[b"reply"]]


def test_connections_subscriptions_travel_as_commands() -> None:
    sub, pub = _curve_connections(zap=False, sub=True)
    sub.events_received()
    pub.events_received()
    sub.send_subscribe(b"topic")
    pump(sub, pub)
    assert pub.messages_received() == [[b"\x01topic"]]


def test_connections_heartbeats_under_curve() -> None:
    opts = ConnectionOptions(heartbeat_ivl=1.0, heartbeat_timeout=3.0)
    client, server = _curve_connections(zap=False, options=opts)
    for now in (1.5, 3.0, 4.5, 6.0, 7.5):
        client.handle_timer(now)
        server.handle_timer(now)
        pump(client, server, now)
    assert client.ready and server.ready


def test_connections_refusal() -> None:
    client, server = _curve_connections(zap=True)
    server.events_received()
    server.zap_reply(400)
    pump(client, server)
    assert server.events_received() == [HandshakeFailedAuth(400, by_peer=False)]
    assert client.events_received() == [HandshakeFailedAuth(400, by_peer=True)]


def test_connections_tampered_traffic_is_a_protocol_failure() -> None:
    client, server = _curve_connections(zap=False)
    client.events_received()
    server.events_received()
    client.send_message([b"payload"])
    wire = bytearray(b"".join(bytes(c) for c in client.data_to_send()))
    wire[-1] ^= 1
    server.receive_data(bytes(wire))
    (failure,) = server.events_received()
    assert isinstance(failure, ProtocolFailure)
    assert failure.error.code == Code.ZMTP_CRYPTOGRAPHIC and failure.error.fault == "peer"
    assert server.closed


def test_metadata_is_encrypted() -> None:
    _client, _server = _curve_connections(zap=False)
    assert b"DEALER" in encode_metadata(CLIENT_METADATA)
    fresh_c = CurveClient(public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET,
                          server_key=SERVER_PUBLIC)
    fresh_s = CurveServer(secret_key=SERVER_SECRET, zap=False)
    fresh_s.start(SERVER_METADATA)
    hello = fresh_c.start(CLIENT_METADATA)
    initiate = deliver(fresh_c, deliver(fresh_s, hello))
    assert b"DEALER" not in initiate[0]
    assert commands.parse_command(initiate[0])[0] == b"INITIATE"


@pytest.mark.parametrize("step", [1, 7, 64])
def test_connections_survive_any_chunking(step: int) -> None:
    from purezmq.zmtp.connection import Connection

    chunker = pieces_of(step)

    client = Connection(SocketType.DEALER, CurveClient(
        public_key=CLIENT_PUBLIC, secret_key=CLIENT_SECRET, server_key=SERVER_PUBLIC))
    server = Connection(SocketType.ROUTER, CurveServer(secret_key=SERVER_SECRET, zap=True))
    client.start(0.0)
    server.start(0.0)
    pump(client, server, chunker=chunker)
    assert server.events_received() == [ZapRequest(b"CURVE", (CLIENT_PUBLIC,))]
    server.zap_reply(200)
    pump(client, server, chunker=chunker)
    assert client.ready and server.ready
    client.send_message([b"m" * 500, b"n"])
    pump(client, server, chunker=chunker)
    assert server.messages_received()[0] == [b"m" * 500, b"n"]
