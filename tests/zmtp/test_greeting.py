"""Greeting parser (``zmtp.greeting``, 23/ZMTP and 37/ZMTP §"Greeting"): input split anywhere,
libzmq's staged greeting, versions older and newer than 3.x, padding, mechanism mismatch."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.constants import ProtocolErrorCode
from purezmq.error import RemoteProtocolError
from purezmq.testing import split_at
from purezmq.zmtp.greeting import GreetingParser, encode_greeting


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), max_size=10))
def test_greeting_split_anywhere(cuts: list[int]) -> None:
    wire = encode_greeting(b"NULL", routing_id_length=7) + b"trailing"
    parser = GreetingParser(b"NULL")
    used = 0
    for piece in split_at(wire, cuts):
        used += parser.receive(piece)
    assert used == 64
    assert parser.greeting is not None
    assert (parser.greeting.major, parser.greeting.minor) == (3, 1)
    assert parser.greeting.mechanism == b"NULL"


def test_libzmq_staged_greeting_10_1_53() -> None:
    wire = encode_greeting(b"NULL", minor=0)
    parser = GreetingParser(b"NULL")
    for piece in (wire[:10], wire[10:11], wire[11:]):
        parser.receive(piece)
    assert parser.greeting is not None
    assert parser.greeting.minor == 0


def test_future_major_is_accepted_as_3_1() -> None:
    wire = bytearray(encode_greeting(b"NULL"))
    wire[10:12] = b"\x04\x07"
    parser = GreetingParser(b"NULL")
    parser.receive(bytes(wire))
    assert parser.greeting is not None and parser.greeting.major == 4


@pytest.mark.parametrize(
    ("wire", "version"),
    [
        (b"\x05\x00hello", "1.0"),  # ZMTP 1.0: a length byte, no signature
        (b"\xff" + bytes(8) + b"\x7e", "1.0"),  # signature end with LSB clear
        (b"\xff" + bytes(7) + b"\x01\x7f\x00", "1.0"),
    ],
)
def test_old_peers_are_named(wire: bytes, version: str) -> None:
    parser = GreetingParser(b"NULL")
    with pytest.raises(RemoteProtocolError) as info:
        for i in range(len(wire)):
            parser.receive(wire[i : i + 1])
    assert f"peer speaks ZMTP {version}" in info.value.reason
    assert "purezmq needs 3.x" in info.value.reason


def test_zmtp2_peer_is_refused_unless_allowed() -> None:
    wire = b"\xff" + bytes(7) + b"\x01\x7f\x01\x05"  # revision 1, socket type DEALER
    parser = GreetingParser(b"PLAIN")
    with pytest.raises(RemoteProtocolError) as info:
        parser.receive(wire)
    assert "peer speaks ZMTP 2.0, which has no security mechanism" in info.value.reason


@pytest.mark.parametrize("step", [1, 5, 11, 12, 64])
def test_zmtp2_greeting_is_12_bytes(step: int) -> None:
    wire = b"\xff" + bytes(7) + b"\x01\x7f\x01\x05" + b"\x00\x02id"
    parser = GreetingParser(b"NULL", zmtp2=True)
    used = 0
    for start in range(0, len(wire), step):
        used += parser.receive(wire[start : start + step])
        if start + step > 10:
            assert parser.peer_major == 2
    assert used == 12  # the identity frame after it is the decoder's
    assert parser.greeting is not None
    assert (parser.greeting.major, parser.greeting.zmtp2_socket_type) == (2, 5)


def test_signature_padding_is_never_validated() -> None:
    wire = bytearray(encode_greeting(b"NULL"))
    wire[1:9] = b"garbage!"
    parser = GreetingParser(b"NULL")
    parser.receive(bytes(wire))
    assert parser.greeting is not None


def test_mechanism_mismatch() -> None:
    parser = GreetingParser(b"NULL")
    with pytest.raises(RemoteProtocolError) as info:
        parser.receive(encode_greeting(b"CURVE"))
    assert info.value.code == ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH
    assert "CURVE" in info.value.reason
