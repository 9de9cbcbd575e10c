"""CURVE MESSAGE runs: a batch of one-frame messages of one size is sealed as a run
(``MessageSealer._seal_run``), and a read that starts with frames of one size whose nonces count
up by one is opened as a run (``MessageOpener._open_run``). Both must give exactly what the
frame-by-frame paths give: the same wire bytes, the same messages, the same failures."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from purezmq._typing import BytesLike, Received
from purezmq.constants import ProtocolErrorCode
from purezmq.zmtp.codec import FrameDecoder, encode_frame
from purezmq.zmtp.connection import Connection, ConnectionOptions
from purezmq.zmtp.events import ProtocolFailure
from purezmq.zmtp.mechanisms import _crypto

from .test_curve_batch import _pair, _payload


def _wire(conn: Connection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def _bodies(data: bytes) -> list[bytes]:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(data, out)
    return [body for _, body in out]


def _reframe(bodies: list[bytes]) -> bytes:
    return b"".join(encode_frame(body) for body in bodies)


def _sent(batches: Sequence[Sequence[Sequence[BytesLike]]], first: int = 1) -> bytes:
    """The wire bytes of ``batches``, each handed to the connection in one call."""
    a, _ = _pair()
    a._mechanism._send_nonce = first  # type: ignore[attr-defined]
    for batch in batches:
        a.send_messages(batch)
    return _wire(a)


def _received(data: bytes, first: int = 1, step: int = 0) -> tuple[list[Received], Connection]:
    _, b = _pair()
    b._mechanism._peer_nonce = first - 1  # type: ignore[attr-defined]
    got: list[Received] = []
    for i in range(0, len(data), step or len(data)):
        b.receive_data(data[i : i + (step or len(data))], 10.0)
        got += b.messages_received()
    return got, b


# Payload sizes: empty, around 16 (a plaintext of flags byte + payload up to 16 bytes does not
# overlap the box it is sealed into in place; from 17 on libsodium moves it first), the last
# short ZMTP frame (222 + 33 = 255 bytes), the first long one, the largest body sealed into the
# joined buffer (2047) and the first one sealed in a buffer of its own (never a run).
@pytest.mark.parametrize("size", [0, 14, 15, 16, 64, 222, 223, 1000, 2047, 2048])
@pytest.mark.parametrize("first", [1, 250, 65530, 2**24 - 3])
def test_runs_give_the_public_bindings_bytes(
    monkeypatch: pytest.MonkeyPatch, size: int, first: int
) -> None:
    """300 one-size messages in one batch (nonces across a carry …ff → …00 for most ``first``),
    then runs of 4, 3 (below the run's minimum) and 5: byte for byte what the public bindings
    give frame by frame, and the receiver opens them all as sent."""
    batches: list[list[list[BytesLike]]] = [
        [[_payload(size, n)] for n in range(300)],
        [[_payload(size, n)] for n in range(4)],
        [[_payload(size, n)] for n in range(3)],
        [
            [bytearray(_payload(size, n)) if n % 2 else memoryview(_payload(size, n))]
            for n in range(5)
        ],
    ]
    fast = _sent(batches, first)
    _crypto.available()  # PyNaCl is imported on first use: before patching it out
    monkeypatch.setattr(_crypto, "_sodium", None)
    assert fast == _sent(batches, first)
    monkeypatch.undo()
    expected = [[bytes(m[0])] for batch in batches for m in batch]
    for step in (0, 1000, 4096):
        got, b = _received(fast, first, step)
        assert got == expected
        assert not b.events_received()


def test_a_batch_of_mixed_sizes_or_parts_is_sealed_frame_by_frame(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches = [
        [[_payload(64, n)] for n in range(10)] + [[_payload(65, 0)]],
        [[_payload(64, n), _payload(64, n + 1)] for n in range(10)],
        [[_payload(64, n)] for n in range(10)] + [[b"a", b"b"]],
    ]
    fast = _sent(batches)
    _crypto.available()
    monkeypatch.setattr(_crypto, "_sodium", None)
    assert fast == _sent(batches)
    monkeypatch.undo()
    got, _ = _received(fast)
    assert got == [m for batch in batches for m in batch]


def test_frames_of_multipart_messages_in_a_run_keep_their_order() -> None:
    """One-part messages, then two-part ones, then one-part ones, every frame of one size:
    inner flags other than 0 in a run send the frames after them through the frame list."""
    messages = (
        [[_payload(40, n)] for n in range(12)]
        + [[_payload(40, n), _payload(40, n + 1)] for n in range(6)]
        + [[_payload(40, n)] for n in range(12)]
    )
    data = _sent([messages])
    for step in (0, 99, 500):
        got, b = _received(data, step=step)
        assert got == messages
        assert not b.events_received()


def test_a_read_that_starts_inside_a_message_opens_its_run_as_frames() -> None:
    """The read after a message's first part: its run goes to the frame list (the pending
    message), then the one-part messages behind it."""
    messages = [[_payload(30, n) for n in range(20)]] + [[_payload(30, n)] for n in range(20)]
    data = _sent([messages])
    cut = len(encode_frame(bytes(30 + 33)))  # the first frame alone
    _, b = _pair()
    b._mechanism._peer_nonce = 0  # type: ignore[attr-defined]
    b.receive_data(data[:cut], 10.0)
    assert b.messages_received() == []
    b.receive_data(data[cut:], 10.0)
    assert b.messages_received() == messages
    assert not b.events_received()


def _tamper(body: bytes) -> bytes:
    return body[:-1] + bytes([body[-1] ^ 1])


@pytest.mark.parametrize(
    ("spoil", "code"),
    [
        (_tamper, ProtocolErrorCode.ZMTP_CRYPTOGRAPHIC),
        (lambda body: b"\x07MASSAGE" + body[8:], ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND),
        (
            lambda body: body[:8] + bytes(8) + body[16:],
            ProtocolErrorCode.ZMTP_INVALID_SEQUENCE,
        ),
        (
            lambda body: body[:8] + bytes([body[8] ^ 1]) + body[9:],
            ProtocolErrorCode.ZMTP_CRYPTOGRAPHIC,
        ),
        (lambda body: body[:32], ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_MESSAGE),
    ],
    ids=["tampered-box", "name", "replayed-nonce", "nonce-from-the-future", "short"],
)
@pytest.mark.parametrize("bad", [0, 1, 7, 8, 20, 39])
@pytest.mark.parametrize("size", [64, 300], ids=["short-frames", "long-frames"])
def test_a_bad_frame_in_a_run_fails_the_connection_after_the_good_ones(
    spoil: Callable[[bytes], bytes], code: int, bad: int, size: int
) -> None:
    """Every message before the bad MESSAGE is delivered, none after it, and the connection
    fails with libzmq's code, wherever in the run the bad frame is."""
    messages = [[_payload(size, n)] for n in range(40)]
    bodies = _bodies(_sent([messages]))
    bodies[bad] = spoil(bodies[bad])
    got, b = _received(_reframe(bodies))
    assert got == messages[:bad]
    (event,) = b.events_received()
    assert isinstance(event, ProtocolFailure)
    assert event.error.code == code
    assert b.closed


@pytest.mark.parametrize("gap", [1, 9, 20, 39])
def test_a_nonce_gap_in_a_run_is_accepted(gap: int) -> None:
    """A lost MESSAGE (the nonce jumps by two) ends the run; the rest is opened as well."""
    messages = [[_payload(64, n)] for n in range(41)]
    bodies = _bodies(_sent([messages]))
    del bodies[gap]
    got, b = _received(_reframe(bodies))
    assert got == messages[:gap] + messages[gap + 1 :]
    assert not b.events_received()


def test_a_failed_box_closes_only_its_own_connection() -> None:
    messages = [[_payload(64, n)] for n in range(30)]
    data = _sent([messages])
    bodies = _bodies(data)
    bodies[15] = _tamper(bodies[15])
    _, spoiled = _pair()
    _, healthy = _pair()
    spoiled._mechanism._peer_nonce = healthy._mechanism._peer_nonce = 0  # type: ignore[attr-defined]
    spoiled.receive_data(_reframe(bodies), 10.0)
    healthy.receive_data(data, 10.0)
    assert spoiled.closed and len(spoiled.messages_received()) == 15
    assert not healthy.closed and healthy.messages_received() == messages
    assert not healthy.events_received()


@pytest.mark.parametrize("size", [100, 300])
def test_maxmsgsize_applies_to_a_run(size: int) -> None:
    """MAXMSGSIZE counts the payload of every frame of a run: at the limit all are delivered,
    one byte over it none is and the connection fails."""
    data = _sent([[[_payload(size, n)] for n in range(20)]])
    for limit, delivered in ((size, 20), (size - 1, 0)):
        _, b = _pair(None, ConnectionOptions(max_msg_size=limit))
        b._mechanism._peer_nonce = 0  # type: ignore[attr-defined]
        b.receive_data(data, 10.0)
        assert len(b.messages_received()) == delivered
        assert bool(b.events_received()) is (delivered == 0)
        assert b.closed is (delivered == 0)


def test_runs_of_short_and_long_frames_of_one_stride_are_cut_apart() -> None:
    """A peer may send a small MESSAGE in a long frame (ZMTP allows it): a run of those right
    after a run of short frames of the same length on the wire is cut by its own layout."""
    messages = [[_payload(160, n)] for n in range(10)] + [[_payload(153, n)] for n in range(10)]
    bodies = _bodies(_sent([messages]))
    short = _reframe(bodies[:10])
    long = b"".join(b"\x02" + len(body).to_bytes(8, "big") + body for body in bodies[10:])
    assert len(short) == len(long)
    _, b = _pair()
    b._mechanism._peer_nonce = 0  # type: ignore[attr-defined]
    b.receive_data(short, 10.0)
    b.receive_data(long, 10.0)
    assert b.messages_received() == messages
    assert not b.events_received()
