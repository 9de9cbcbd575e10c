"""The RADIO/DISH udp datagram (docs/protocol/transports.md §5): one length byte, the group, the
body; 8192 bytes at most; what a receiver refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq.zmtp import udp_datagram as dg


def test_the_documented_example() -> None:
    datagram = dg.encode(b"weather", b"sunny")
    assert datagram == bytes.fromhex("07 77 65 61 74 68 65 72 73 75 6e 6e 79")
    assert dg.decode(datagram) == (b"weather", b"sunny")


def test_empty_group_and_empty_body() -> None:
    assert dg.encode(b"", b"") == b"\x00"
    assert dg.decode(b"\x00") == (b"", b"")
    assert dg.decode(b"\x02ab") == (b"ab", b"")


def test_size_limit_on_both_sides() -> None:
    group = b"g" * 255
    body = b"b" * (dg.MAX_DATAGRAM - 1 - 255)
    datagram = dg.encode(group, body)
    assert datagram is not None and len(datagram) == dg.MAX_DATAGRAM
    assert dg.decode(datagram) == (group, body)
    assert dg.encode(group, body + b"b") is None
    assert dg.encoded_size(group, body + b"b") == dg.MAX_DATAGRAM + 1
    assert dg.decode(datagram + b"b") == dg.OVERSIZE


def test_a_group_longer_than_the_length_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="at most 255"):
        dg.encode(b"g" * 256, b"")


@pytest.mark.parametrize("datagram", [b"", b"\x01", b"\x05abcd", b"\xff" + b"g" * 254])
def test_broken_group_headers(datagram: bytes) -> None:
    assert dg.decode(datagram) == dg.BROKEN_GROUP


@given(st.binary(max_size=255), st.binary(max_size=dg.MAX_DATAGRAM - 256))
def test_round_trip(group: bytes, body: bytes) -> None:
    datagram = dg.encode(group, body)
    assert datagram is not None
    assert len(datagram) == dg.encoded_size(group, body)
    assert dg.decode(memoryview(datagram)) == (group, body)


@given(st.binary(max_size=300))
def test_decode_never_raises(datagram: bytes) -> None:
    result = dg.decode(datagram)
    if isinstance(result, tuple):
        group, body = result
        assert datagram == bytes([len(group)]) + group + body
    else:
        assert result == dg.BROKEN_GROUP
