"""RFC 6455 §5.2 framing of whole binary messages (``zmtp.ws_frames``), checked against wsproto's
own framing both ways: masking, the three length forms, any chunking of the stream, the frames
handed back whole for wsproto, and the violations refused at their header."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.error import RemoteProtocolError
from purezmq.testing import split_at
from purezmq.zmtp.ws_frames import WsFrameSplitter, encode_binary, mask

pytest.importorskip("wsproto")
from wsproto.frame_protocol import FrameProtocol, Opcode

SIZES = [0, 1, 125, 126, 127, 300, 65535, 65536, 70000]


def wsproto_frames(data: bytes, *, client: bool) -> list[tuple[Opcode, bytes]]:
    """What wsproto reads from ``data``, on the ``client`` side (so unmasked input) or not."""
    proto = FrameProtocol(client=client, extensions=[])
    proto.receive_bytes(data)
    frames = []
    for frame in proto.received_frames():
        assert isinstance(frame.payload, (bytes, bytearray))
        frames.append((frame.opcode, bytes(frame.payload)))
    return frames


def wsproto_binary(payload: bytes, *, client: bool) -> bytes:
    """wsproto's frame for one binary message (masked when it is the ``client``)."""
    return bytes(FrameProtocol(client=client, extensions=[]).send_data(payload, fin=True))


@pytest.mark.parametrize("masked", [True, False], ids=["client-masks", "server"])
def test_encoded_messages_read_back_by_wsproto(masked: bool) -> None:
    payloads = [bytes((i % 251,)) * size for i, size in enumerate(SIZES)]
    wire = b"".join(encode_binary(payloads, masked=masked))
    # A client masks: the receiving server side of wsproto reads (and checks) that.
    assert wsproto_frames(wire, client=not masked) == [(Opcode.BINARY, p) for p in payloads]


def test_each_client_frame_has_its_own_key() -> None:
    wire = b"".join(encode_binary([b"same"] * 8, masked=True))
    keys = {wire[i * 10 + 2 : i * 10 + 6] for i in range(8)}
    assert len(keys) > 1  # 8 fresh random keys (a collision of all 8 is ~2^-224)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([0, 1, 125, 126, 300, 3000]), min_size=1, max_size=6),
    st.lists(st.integers(min_value=0, max_value=8000), max_size=8),
    st.booleans(),
)
def test_split_reads_wsproto_frames_in_any_chunking(
    sizes: list[int], cuts: list[int], masked: bool
) -> None:
    payloads = [bytes((n % 256,)) * n for n in sizes]
    # wsproto as the sender: a client masks, so our server-side splitter expects masking.
    wire = b"".join(wsproto_binary(p, client=masked) for p in payloads)
    splitter = WsFrameSplitter(masked=masked)
    got: list[bytes] = []
    for piece in split_at(wire, cuts):
        for payload, raw in splitter.split(piece):
            assert raw is None
            got.append(payload)
    assert got == payloads


def test_mask_is_its_own_inverse() -> None:
    data = bytes(range(256)) * 3
    assert mask(mask(data, b"\x01\x02\x03\x04"), b"\x01\x02\x03\x04") == data
    assert mask(b"", b"abcd") == b""


def test_other_frames_are_handed_back_whole_in_order() -> None:
    proto = FrameProtocol(client=True, extensions=[])
    ping = bytes(proto.ping(b"are you there"))
    first = bytes(proto.send_data(b"frag-", fin=False))
    rest = bytes(proto.send_data(b"ment", fin=True))
    # A whole binary message between two fragments belongs to the fragmented message's
    # stream (RFC 6455 §5.4 forbids it there): it goes to wsproto too, which refuses it.
    message = wsproto_binary(b"whole", client=True)
    splitter = WsFrameSplitter(masked=True)
    out = splitter.split(message + ping + first + message + rest + message)
    assert out == [
        (b"whole", None),
        (b"", ping),
        (b"", first),
        (b"", message),
        (b"", rest),
        (b"whole", None),
    ]


@pytest.mark.parametrize(
    ("wire", "masked", "why"),
    [
        (wsproto_binary(b"x", client=False), True, "unmasked"),
        (wsproto_binary(b"x", client=True), False, "masked"),
        (b"\xc2\x01x", False, "RSV"),
        (b"\x82\x7f\x80" + bytes(7), False, "most significant bit"),
        (b"\x82\x7e\x04\x00", False, "1024-byte WebSocket frame, over the limit of 1000 bytes"),
    ],
    ids=["unmasked-to-server", "masked-to-client", "rsv1", "length-msb", "over-limit"],
)
def test_violations_are_refused_at_the_header(wire: bytes, masked: bool, why: str) -> None:
    splitter = WsFrameSplitter(masked=masked, limit=1000, limit_source="MAXMSGSIZE 1000")
    with pytest.raises(RemoteProtocolError) as info:
        splitter.split(wire)
    assert why in info.value.reason


def test_a_large_frame_is_kept_until_complete() -> None:
    payload = b"y" * 1_000_000
    wire = wsproto_binary(payload, client=True)
    splitter = WsFrameSplitter(masked=True)
    for start in range(0, len(wire) - 65536, 65536):
        assert splitter.split(wire[start : start + 65536]) == []
    assert splitter.split(wire[start + 65536 :]) == [(payload, None)]
