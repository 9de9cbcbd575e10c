"""CURVE's batched MESSAGE path (``wrap_messages``/``unwrap_frames``, ``_crypto.MessageSealer``
and ``MessageOpener``): the same bytes as the public PyNaCl bindings, any split of the input,
multipart messages, commands in between, every size boundary, and bad frames in a batch."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from purezmq._typing import Received
from purezmq.constants import ProtocolErrorCode, SocketType
from purezmq.testing import connected_pair
from purezmq.zmtp import commands
from purezmq.zmtp.codec import FrameDecoder, encode_frame
from purezmq.zmtp.connection import Connection, ConnectionOptions
from purezmq.zmtp.events import ProtocolFailure
from purezmq.zmtp.mechanisms import _crypto
from purezmq.zmtp.mechanisms.curve import CurveClient, CurveServer

from ._helpers import (
    CLIENT_PUBLIC,
    CLIENT_SECRET,
    SERVER_PUBLIC,
    SERVER_SECRET,
    client_random,
    server_random,
)

#: Payload sizes around every boundary of the path: empty, the last short ZMTP frame (222 + 33
#: = 255 bytes), the first long one, the last body sealed in the scratch buffer, the first one
#: sealed in a buffer of its own, and a large one.
SIZES = [0, 1, 64, 222, 223, 2046, 2047, 2048, 70000]


_HEARTBEATS = ConnectionOptions(heartbeat_ivl=1.0)


def _pair(
    client_options: ConnectionOptions | None = _HEARTBEATS,
    server_options: ConnectionOptions | None = _HEARTBEATS,
) -> tuple[Connection, Connection]:
    """A deterministic CURVE pair: every run puts the very same bytes on the wire."""
    client = CurveClient(
        public_key=CLIENT_PUBLIC,
        secret_key=CLIENT_SECRET,
        server_key=SERVER_PUBLIC,
        random_bytes=client_random(),
    )
    server = CurveServer(secret_key=SERVER_SECRET, zap=False, random_bytes=server_random())
    a, b = connected_pair(
        SocketType.PAIR,
        SocketType.PAIR,
        mechanism_a=client,
        mechanism_b=server,
        options_a=client_options,
        options_b=server_options,
    )
    a.events_received()
    b.events_received()
    return a, b


def _payload(size: int, seed: int) -> bytes:
    return bytes((seed + i) % 251 for i in range(size))


def _script(conn: Connection, sizes: list[int]) -> list[list[bytes]]:
    """Queue single- and multipart messages, a PING (timer) and a SUBSCRIBE between them;
    returns what the peer must receive, in order."""
    expected: list[list[bytes]] = []
    for n, size in enumerate(sizes):
        msg = [_payload(size, n)]
        conn.send_message(msg)
        expected.append(msg)
        multi = [_payload(size, n + 1), b"", _payload(7, n)]
        conn.send_message(multi)
        expected.append(multi)
        if n == 1:
            conn.handle_timer(10.0)  # PING, inside MESSAGE with the COMMAND bit
            conn.send_subscribe(b"topic")
            expected.append([b"\x01topic"])
    return expected


def _wire(sizes: list[int]) -> tuple[bytes, list[list[bytes]]]:
    a, _ = _pair()
    expected = _script(a, sizes)
    return b"".join(bytes(c) for c in a.data_to_send()), expected


def test_batched_frames_are_the_public_bindings_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, expected = _wire(SIZES)
    _crypto.available()  # PyNaCl is imported on first use: before patching it out
    monkeypatch.setattr(_crypto, "_sodium", None)
    public, _ = _wire(SIZES)
    assert fast == public
    # And each frame is what the per-frame API (checked against libzmq vectors) makes.
    frames: list[tuple[int, bytes]] = []
    FrameDecoder().decode(fast, frames)
    assert all(flags == 0 for flags, _ in frames)  # message frames, as libzmq sends them
    assert sum(len(m) for m in expected) + 1 == len(frames)  # + the PING


@pytest.mark.parametrize("public", [False, True], ids=["sodium", "public-bindings"])
def test_received_in_one_batch(monkeypatch: pytest.MonkeyPatch, public: bool) -> None:
    data, expected = _wire(SIZES)
    if public:
        _crypto.available()  # PyNaCl is imported on first use: before patching it out
        monkeypatch.setattr(_crypto, "_sodium", None)
    _, b = _pair()
    b.receive_data(data, 10.0)
    assert b.messages_received() == expected
    assert not b.events_received()
    pong = b.data_to_send()  # the PING was answered
    assert pong


def test_received_split_at_every_offset() -> None:
    data, expected = _wire([0, 5, 300])
    for cut in range(len(data) + 1):
        _, b = _pair()
        b.receive_data(data[:cut], 10.0)
        got = list(b.messages_received())  # an empty result is the live list
        b.receive_data(data[cut:], 10.0)
        assert got + b.messages_received() == expected, cut
        assert not b.events_received()


def test_received_byte_by_byte() -> None:
    data, expected = _wire([3, 230])
    _, b = _pair()
    got: list[Received] = []
    for i in range(len(data)):
        b.receive_data(data[i : i + 1], 10.0)
        got += b.messages_received()
    assert got == expected


def _frames(data: bytes) -> list[bytes]:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(data, out)
    return [body for _, body in out]


def _reframe(bodies: list[bytes]) -> bytes:
    return b"".join(encode_frame(body) for body in bodies)


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (lambda body: body[:32], ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_MESSAGE),
        (lambda body: b"\x07MASSAGE" + body[8:], ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND),
        (lambda body: body[:-1] + bytes([body[-1] ^ 1]), ProtocolErrorCode.ZMTP_CRYPTOGRAPHIC),
        (
            lambda body: body[:8] + (1).to_bytes(8, "big") + body[16:],
            ProtocolErrorCode.ZMTP_INVALID_SEQUENCE,
        ),
    ],
    ids=["short", "name", "tampered", "replayed-nonce"],
)
@pytest.mark.parametrize("bytewise", [False, True], ids=["in-place", "decoder"])
def test_bad_frame_in_a_batch(spoil: Callable[[bytes], bytes], code: int, bytewise: bool) -> None:
    """The messages before a bad MESSAGE are delivered, then the connection fails with
    libzmq's code; nothing after it is. Whole frames in one read are opened in place
    (``unwrap_data``), frames that arrive in pieces after the decoder (``unwrap_frames``)."""
    data, expected = _wire([10, 20, 30])
    bodies = _frames(data)
    bad = 4  # the third message: [10-byte payload], [.., b"", ..], [20-byte payload], ...
    bodies[bad] = spoil(bodies[bad])
    data = _reframe(bodies)
    _, b = _pair()
    got: list[Received] = []
    for piece in [data[i : i + 1] for i in range(len(data))] if bytewise else [data]:
        b.receive_data(piece, 10.0)
        got += b.messages_received()
    assert got == expected[:2]
    (event,) = b.events_received()
    assert isinstance(event, ProtocolFailure)
    assert event.error.code == code
    assert b.closed


def test_command_after_queued_messages_keeps_order() -> None:
    """A PONG answered while messages wait in the queue goes out after them."""
    a, b = _pair()
    a.send_message([b"first"])
    b.handle_timer(10.0)  # b sends PING
    a.receive_data(b"".join(bytes(c) for c in b.data_to_send()), 10.0)  # a queues a PONG
    a.send_message([b"second"])
    _, c = _pair()
    c.receive_data(b"".join(bytes(x) for x in a.data_to_send()), 10.0)
    assert c.messages_received() == [[b"first"], [b"second"]]


def test_encode_decode_frame_match_the_batch_path() -> None:
    a, b = _pair()
    client = a.mechanism
    server = b.mechanism
    assert isinstance(client, CurveClient) and isinstance(server, CurveServer)
    for size in SIZES:
        body = client.encode_frame(_payload(size, 3), more=True, command=False)
        assert server.decode_frame(body) == (_payload(size, 3), True, False)
    ping = commands.ping(0)
    assert server.decode_frame(client.encode_frame(ping, more=False, command=True)) == (
        ping,
        False,
        True,
    )


@pytest.mark.parametrize("limit", [5, 222, 223, 300])
def test_maxmsgsize_applies_to_the_payload(limit: int) -> None:
    """MAXMSGSIZE counts the payload, not CURVE's 33 bytes around it, on both paths."""
    options = ConnectionOptions(max_msg_size=limit)
    for bytewise in (False, True):
        a, b = _pair(None, options)
        a.send_message([bytes(limit)])
        a.send_message([bytes(limit + 1)])
        data = b"".join(bytes(c) for c in a.data_to_send())
        got: list[Received] = []
        for piece in [data[i : i + 1] for i in range(len(data))] if bytewise else [data]:
            b.receive_data(piece, 1.0)
            got += b.messages_received()
        assert got == [[bytes(limit)]]
        (event,) = b.events_received()
        assert isinstance(event, ProtocolFailure)


@pytest.mark.parametrize("step", [1, 2, 7, 33, 64, 97, 255, 256, 1000])
def test_received_in_reads_of_any_size(step: int) -> None:
    """Reads that end mid-frame over and over: the decoder finishes each cut frame, the whole
    frames after it are opened in place (one-part messages straight to the received list),
    and the order holds."""
    data, expected = _wire([0, 1, 64, 222, 223, 3000])
    _, b = _pair()
    got: list[Received] = []
    for i in range(0, len(data), step):
        b.receive_data(memoryview(data)[i : i + step], 10.0)
        got += b.messages_received()
    assert got == expected
    assert not b.events_received()


def test_one_part_messages_received_in_place_prove_the_peer_alive() -> None:
    """Messages that skip the frame list still cancel the PING timeout, as any frame does."""
    a, b = _pair()
    b.handle_timer(10.0)  # our PING goes out; the peer must answer (or send anything) in time
    assert b.next_deadline() is not None
    deadline = b._timeout_deadline
    assert deadline is not None
    a.send_message([b"alive"])
    b.receive_data(b"".join(bytes(c) for c in a.data_to_send()), 10.5)
    assert b.messages_received() == [[b"alive"]]
    assert b._timeout_deadline is None


def test_decoder_complete_stops_at_the_end_of_the_cut_frame() -> None:
    wire = encode_frame(b"x" * 300) + encode_frame(b"y" * 5) + encode_frame(b"z")
    for cut in range(1, len(wire)):
        decoder = FrameDecoder()
        out: list[tuple[int, bytes]] = []
        decoder.decode(wire[:cut], out)
        rest = wire[cut:]
        used = decoder.complete(rest, out)
        assert decoder.idle or used == len(rest), cut
        decoder.decode(rest[used:], out)
        assert [body for _, body in out] == [b"x" * 300, b"y" * 5, b"z"], cut


@pytest.mark.parametrize("first", [1, 250, 65530, 2**24 - 3])
def test_nonce_carries_give_the_public_bindings_bytes(
    monkeypatch: pytest.MonkeyPatch, first: int
) -> None:
    """The fast path stores only the low byte of each next nonce: across carries (…ff → …00)
    and around multipart messages (sealed frame by frame) the bytes must not change."""

    def wire() -> bytes:
        a, _ = _pair()
        a._mechanism._send_nonce = first  # type: ignore[attr-defined]
        batch: list[list[bytes]] = []
        for n in range(300):
            batch.append([_payload(n % 70, n)])
            if n % 97 == 5:
                batch.append([b"multi", _payload(3, n)])
        a.send_messages(batch)
        a.send_message([b"after the batch"])
        return b"".join(bytes(c) for c in a.data_to_send())

    fast = wire()
    _crypto.available()  # PyNaCl is imported on first use: before patching it out
    monkeypatch.setattr(_crypto, "_sodium", None)
    assert fast == wire()
    # The receiver, whose nonce checks would refuse a repeated or decreasing nonce, agrees.
    monkeypatch.undo()
    _, b = _pair()
    b._mechanism._peer_nonce = first - 1  # type: ignore[attr-defined]
    b.receive_data(fast, 10.0)
    assert len(b.messages_received()) == 300 + 4 + 1
    assert not b.events_received()


@pytest.mark.parametrize("first", [1, 250, 65530])
def test_gaps_in_nonces_are_accepted_in_place(first: int) -> None:
    """RFC 26 only asks short nonces to increase: with MESSAGEs missing from the stream (so
    nonces jump, also across a carry …ff → …00), the frames opened in place that expect the
    last nonce + 1 take the full checks for the next one and carry on from it."""
    a, _ = _pair()
    a._mechanism._send_nonce = first  # type: ignore[attr-defined]
    sent = [[_payload(n % 70, n)] for n in range(300)]
    a.send_messages(sent)
    bodies = _frames(b"".join(bytes(c) for c in a.data_to_send()))
    lost = {0, 3, 4, 5, 6, 7, 100, 101, 254, 255, 256, 257, 299}
    kept = [n for n in range(300) if n not in lost]
    _, b = _pair()
    b._mechanism._peer_nonce = first - 1  # type: ignore[attr-defined]
    b.receive_data(_reframe([bodies[n] for n in kept]), 10.0)
    assert b.messages_received() == [sent[n] for n in kept]
    assert not b.events_received()
