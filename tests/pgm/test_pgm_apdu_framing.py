"""libzmq's message stream over PGM: v1 frames in APDUs behind the offset header, and a late
joiner that synchronises on the next message boundary."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.pgm.framing import NO_OFFSET, ApduDecoder, ApduEncoder

EPGM_TSDU = 1428  # OpenPGM's PGM_MSS for epgm with MAXTPDU 1500


def _offsets(apdus: list[bytes]) -> list[int]:
    return [int.from_bytes(a[:2], "big") for a in apdus]


def test_encoder_cuts_apdus_like_libzmq() -> None:
    # What a libzmq PUB sent for "hello", ["a", "bc"], "x" * 3000 in one burst (captured).
    apdus = ApduEncoder(EPGM_TSDU).encode([[b"hello"], [b"a", b"bc"], [b"x" * 3000]])
    assert [len(a) for a in apdus] == [1428, 1428, 174]
    # The last offset points past the end: the next message begins in the next APDU.
    assert _offsets(apdus) == [0, NO_OFFSET, 172]
    assert apdus[0][:28] == bytes.fromhex(
        "0000060068656c6c6f02016103006263ff0000000000000bb9007878"
    )


def test_decoder_reassembles_across_apdus() -> None:
    msgs = [[b"hello"], [b"a", b"bc"], [b"x" * 3000], [b""]]
    dec = ApduDecoder()
    out = [m for apdu in ApduEncoder(EPGM_TSDU).encode(msgs) for m in dec.feed(apdu)]
    assert out == msgs


def test_late_joiner_starts_at_the_next_message() -> None:
    enc = ApduEncoder(100)
    apdus = enc.encode([[b"a" * 250], [b"b" * 10, b"c" * 150], [b"d"]])
    # Joining at the second APDU (the middle of the first message): wait for an offset.
    dec = ApduDecoder()
    out = [m for apdu in apdus[1:] for m in dec.feed(apdu)]
    assert out == [[b"b" * 10, b"c" * 150], [b"d"]]


def test_an_apdu_inside_a_multipart_message_has_no_offset() -> None:
    apdus = ApduEncoder(50).encode([[b"p" * 60, b"q" * 60]])
    assert _offsets(apdus)[0] == 0 and set(_offsets(apdus)[1:-1]) == {NO_OFFSET}
    dec = ApduDecoder()
    assert [m for a in apdus[1:] for m in dec.feed(a)] == []


def test_reset_drops_the_partial_message_and_rejoins() -> None:
    apdus = ApduEncoder(40).encode([[b"a" * 70], [b"b" * 5], [b"c" * 5]])
    dec = ApduDecoder()
    assert dec.feed(apdus[0]) == []
    dec.reset()  # the APDU after was lost for good
    # The third APDU starts inside "bbbbb" and its offset (3) points at "ccccc".
    assert [m for a in apdus[2:] for m in dec.feed(a)] == [[b"c" * 5]]
    assert dec.joined


def test_long_frame_uses_the_eight_byte_length() -> None:
    apdu = ApduEncoder(EPGM_TSDU).encode([[b"z" * 254]])[0]
    assert apdu[2:12] == b"\xff" + (255).to_bytes(8, "big") + b"\x00"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.binary(max_size=600), min_size=1, max_size=3), min_size=1, max_size=8),
    st.integers(min_value=3, max_value=300),
)
def test_any_messages_round_trip_at_any_apdu_size(msgs: list[list[bytes]], tsdu: int) -> None:
    apdus = ApduEncoder(tsdu).encode(msgs)
    assert all(len(a) <= tsdu for a in apdus)
    dec = ApduDecoder()
    assert [m for a in apdus for m in dec.feed(a)] == msgs
