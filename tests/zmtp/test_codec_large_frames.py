"""Structural properties of the large-frame receive path (no timing): the body of a large frame
is read straight into one buffer, is never allocated far ahead of the bytes received, and the
buffer is reused for the next large frame."""

from __future__ import annotations

import struct

from purezmq.zmtp.codec import (
    BODY_STEP,
    DIRECT_MIN,
    FLAG_MORE,
    LEAD_SIZE,
    FrameDecoder,
    encode_frame,
)


def _long_header(size: int, flags: int = 0) -> bytes:
    return struct.pack(">BQ", flags | 0x02, size)


def test_large_body_is_read_into_one_buffer() -> None:
    size = 1 << 20
    body = bytes(range(256)) * (size // 256)
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    dec.decode(_long_header(size, FLAG_MORE) + body[:1000], out)
    assert out == []
    reads = 0
    got = 1000
    while not out:
        view = dec.body_buffer()
        assert view is not None
        # The view covers exactly the missing part of this frame, nothing beyond it.
        assert len(view) == size - got
        n = min(len(view), 300_000)
        view[:n] = body[got : got + n]
        del view
        got += n
        reads += 1
        dec.body_received(n, out)
    assert reads == 4
    assert out == [(FLAG_MORE, body)]
    assert type(out[0][1]) is bytes
    # After so large a frame the next read is a lead read (LEAD_MIN): a small buffer.
    view = dec.body_buffer()
    assert view is not None and len(view) == LEAD_SIZE


def test_small_remainder_goes_through_decode() -> None:
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    frame = encode_frame(b"a" * (DIRECT_MIN + 10))
    dec.decode(frame[:-(DIRECT_MIN - 1)], out)
    assert dec.body_buffer() is None  # too little missing to be worth a direct read
    dec.decode(frame[-(DIRECT_MIN - 1) :] + encode_frame(b"next"), out)
    assert out == [(0, b"a" * (DIRECT_MIN + 10)), (0, b"next")]


def test_announced_size_is_not_allocated_ahead() -> None:
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    dec.decode(_long_header(2**62) + b"x" * 10, out)
    view = dec.body_buffer()
    assert view is not None
    assert len(view) <= BODY_STEP + 10
    del view
    dec.body_received(5, out)
    assert out == []


def test_buffer_is_reused_for_the_next_large_frame() -> None:
    size = 200_000
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    firsts = []
    for fill in (b"a", b"b"):
        dec.decode(_long_header(size), out)
        view = dec.body_buffer()
        assert view is not None
        firsts.append(view.obj)
        view[:] = fill * size
        del view
        dec.body_received(size, out)
    assert firsts[0] is firsts[1]
    assert out == [(0, b"a" * size), (0, b"b" * size)]
    # A read carrying only whole small frames drops the spare buffer.
    dec.decode(encode_frame(b"small"), out)
    dec.decode(_long_header(size), out)
    view = dec.body_buffer()
    assert view is not None
    assert view.obj is not firsts[0]


def test_connection_offers_the_body_buffer_only_for_plain_traffic() -> None:
    from purezmq.constants import SocketType
    from purezmq.testing import pump
    from purezmq.zmtp import Connection, NullMechanism

    a = Connection(SocketType.PUSH, NullMechanism())
    b = Connection(SocketType.PULL, NullMechanism())
    assert b.receive_buffer() is None  # before start/handshake: never
    a.start(0.0)
    b.start(0.0)
    pump(a, b)
    assert a.ready and b.ready
    size = 1 << 20
    a.send_message([b"head", b"z" * size])
    wire = b"".join(bytes(c) for c in a.data_to_send())
    split = len(wire) - size + 100  # header frames plus the first 100 body bytes
    b.receive_data(wire[:split])
    view = b.receive_buffer()
    assert view is not None and len(view) == size - 100
    view[:] = wire[split:]
    del view
    assert b.receive_buffered(size - 100)  # the message completed
    assert b.messages_received() == [[b"head", b"z" * size]]
    # The next read is a lead read; what it carries is decoded as any input.
    lead = b.receive_buffer()
    assert lead is not None and len(lead) == LEAD_SIZE
    a.send_message([b"after"])
    small = b"".join(bytes(c) for c in a.data_to_send())
    lead[: len(small)] = small
    del lead
    assert b.receive_buffered(len(small))
    assert b.messages_received() == [[b"after"]]
    assert b.receive_buffer() is None  # small frames again: the transport's own buffer


def test_whole_large_frames_are_cut_from_a_read_that_is_not_bytes() -> None:
    # A read from the transport's buffer (a memoryview) holding whole frames of more than
    # RUN_SIZE_MAX bytes, then short frames, then the start of another large frame.
    bodies = [bytes([i]) * (40_000 + i) for i in range(3)]
    wire = b"".join(
        encode_frame(body, FLAG_MORE if i == 1 else 0) for i, body in enumerate(bodies)
    )
    wire += encode_frame(b"short") + encode_frame(b"x" * 300)
    last = b"L" * 70_000
    tail = encode_frame(last)
    read = bytearray(wire + tail[:1000])
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    dec.decode(memoryview(read), out)
    assert out == [
        (0, bodies[0]),
        (FLAG_MORE, bodies[1]),
        (0, bodies[2]),
        (0, b"short"),
        (0, b"x" * 300),
    ]
    assert all(type(body) is bytes for _, body in out)
    read[:] = bytes(len(read))  # the bodies are copies: reusing the read buffer leaves them be
    assert out[0][1] == bodies[0]
    dec.decode(memoryview(tail[1000:]), out)
    assert out[-1] == (0, last)


def test_a_frame_cut_from_a_read_still_obeys_maxmsgsize() -> None:
    import pytest

    from purezmq.error import RemoteProtocolError

    dec = FrameDecoder(max_msg_size=50_000)
    out: list[tuple[int, bytes]] = []
    ok = b"a" * 40_000
    with pytest.raises(RemoteProtocolError):
        dec.decode(memoryview(encode_frame(ok) + encode_frame(b"b" * 60_000)), out)
    assert out == [(0, ok)]
