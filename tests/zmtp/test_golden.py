"""Golden bytes: every hex example of spec zmtp.md §3, §5, §6 and §7.2, encoded and decoded."""

from __future__ import annotations

import pytest

from purezmq.constants import ProtocolErrorCode
from purezmq.error import RemoteProtocolError
from purezmq.zmtp import commands
from purezmq.zmtp.codec import FLAG_COMMAND, FLAG_MORE, FrameDecoder, FrameEncoder, encode_frame
from purezmq.zmtp.greeting import encode_greeting
from purezmq.zmtp.metadata import decode_metadata, encode_metadata


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def decode_all(data: bytes) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(data, out)
    return out


def test_libzmq_null_greeting_without_routing_id() -> None:
    expected = h("ff 00 00 00 00 00 00 00 01 7f 03 01 4e 55 4c 4c") + bytes(48)
    assert encode_greeting(b"NULL") == expected
    assert len(expected) == 64


def test_greeting_padding_is_routing_id_length_plus_one() -> None:
    assert encode_greeting(b"NULL", routing_id_length=3)[1:10] == h("00 00 00 00 00 00 00 04 7f")


def test_greeting_as_server_byte_and_minor() -> None:
    g = encode_greeting(b"PLAIN", as_server=True, minor=0)
    assert g[10:12] == b"\x03\x00"
    assert g[12:32] == b"PLAIN" + bytes(15)
    assert g[32] == 1
    assert g[33:] == bytes(31)


def test_message_frames_example() -> None:
    wire = h("01 00 00 05 68 65 6c 6c 6f")
    enc = FrameEncoder()
    enc.message([b"", b"hello"])
    assert b"".join(enc.drain()) == wire
    assert decode_all(wire) == [(FLAG_MORE, b""), (0, b"hello")]


def test_300_byte_frame_is_long() -> None:
    wire = encode_frame(bytes(300))
    assert wire[:9] == h("02 00 00 00 00 00 00 01 2c")
    assert len(wire) == 309


@pytest.mark.parametrize(("size", "header"), [(255, "00 ff"), (256, "02 00 00 00 00 00 00 01 00")])
def test_short_long_boundary(size: int, header: str) -> None:
    assert encode_frame(b"x" * size)[: len(h(header))] == h(header)


COMMAND_EXAMPLES = [
    ("04 0d 09 53 55 42 53 43 52 49 42 45 61 62 63", commands.subscribe(b"abc")),
    ("04 0a 06 43 41 4e 43 45 4c 61 62 63", commands.cancel(b"abc")),
    ("04 07 04 50 49 4e 47 00 0f", commands.ping(15)),
    ("04 05 04 50 4f 4e 47", commands.pong()),
    ("04 0a 05 45 52 52 4f 52 03 34 30 30", commands.error(b"400")),
    ("04 0c 04 4a 4f 49 4e 77 65 61 74 68 65 72", commands.join(b"weather")),
    ("04 0d 05 4c 45 41 56 45 77 65 61 74 68 65 72", commands.leave(b"weather")),
]


@pytest.mark.parametrize(("wire", "body"), COMMAND_EXAMPLES)
def test_command_examples(wire: str, body: bytes) -> None:
    assert encode_frame(body, FLAG_COMMAND) == h(wire)
    assert decode_all(h(wire)) == [(FLAG_COMMAND, body)]


def test_command_parsing_examples() -> None:
    assert commands.parse_command(commands.subscribe(b"abc")) == (b"SUBSCRIBE", b"abc")
    name, data = commands.parse_command(commands.ping(15))
    assert (name, commands.parse_ping(data)) == (b"PING", (15, b""))
    name, data = commands.parse_command(commands.error(b"400"))
    assert (name, commands.parse_error(data)) == (b"ERROR", b"400")


def test_libzmq_mangled_error_is_accepted() -> None:
    # mechanisms.md §2.3: "\x05ERROR" in C becomes 0x5E 'RROR' (frame 04 09 ...).
    body = h("5e 52 52 4f 52 03 34 30 30")
    name, data = commands.parse_command(body)
    assert name == b"ERROR"
    assert commands.parse_error(data) == b"400"
    assert commands.auth_status(commands.parse_error(data)) == 400


DEALER_READY = (
    "04 29 05 52 45 41 44 59 0b 53 6f 63 6b 65 74 2d 54 79 70 65 00 00 00 06 44 45 41 4c 45 52"
    " 08 49 64 65 6e 74 69 74 79 00 00 00 00"
)


def test_dealer_ready_43_bytes() -> None:
    body = commands.ready({"Socket-Type": b"DEALER", "Identity": b""})
    wire = encode_frame(body, FLAG_COMMAND)
    assert wire == h(DEALER_READY)
    assert len(wire) == 43
    name, data = commands.parse_command(body)
    assert name == b"READY"
    assert decode_metadata(data) == {"Socket-Type": b"DEALER", "Identity": b""}


def test_router_ready_is_dealer_with_router_name() -> None:
    wire = encode_frame(commands.ready({"Socket-Type": b"ROUTER", "Identity": b""}), FLAG_COMMAND)
    assert wire == h(DEALER_READY.replace("44 45 41 4c 45 52", "52 4f 55 54 45 52"))


def test_pub_ready_27_bytes() -> None:
    wire = encode_frame(commands.ready({"Socket-Type": b"PUB"}), FLAG_COMMAND)
    assert wire == h("04 19 05") + b"READY" + h("0b") + b"Socket-Type" + h("00 00 00 03") + b"PUB"
    assert len(wire) == 27


@pytest.mark.parametrize(
    "data",
    [
        h("0b") + b"Socket-Type",  # no value length
        h("0b") + b"Socket-Type" + h("00 00 00 06") + b"DEAL",  # value cut short
        encode_metadata({"A": b"1"}) + h("05") + b"Ab",  # name cut short
        encode_metadata({"A": b"1"}) + h("00"),  # a lone name-length byte
    ],
)
def test_metadata_leftover_bytes_are_invalid(data: bytes) -> None:
    with pytest.raises(RemoteProtocolError) as info:
        decode_metadata(data)
    assert info.value.code == ProtocolErrorCode.ZMTP_INVALID_METADATA


def test_ping_context_and_pong_echo_limits() -> None:
    ctx = bytes(range(20))
    name, data = commands.parse_command(commands.PING[:0] + h("04") + b"PING" + h("00 00") + ctx)
    ttl, echoed = commands.parse_ping(data)
    assert (name, ttl, echoed) == (b"PING", 0, ctx[:16])
    assert commands.pong(echoed) == h("04") + b"PONG" + ctx[:16]
    with pytest.raises(ValueError):
        commands.ping(0, bytes(17))
