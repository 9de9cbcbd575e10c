"""Lent receive buffers (``zmtp.bodies``): large message bodies reach the socket in the buffer
they were received into, the socket copies each into ``bytes`` when it hands it out and gives
the buffer back, and the next body of that size is received into the same buffer."""

from __future__ import annotations

import struct
import threading
from typing import Any

from purezmq._base.frame import TrackedPayload
from purezmq.zmtp.bodies import LEND_MIN, POOL_BYTES, BodyPool, Lent
from purezmq.zmtp.codec import FLAG_COMMAND, FLAG_MORE, FrameDecoder, encode_frame


def _long_frame(body: bytes, flags: int = 0) -> bytes:
    return struct.pack(">BQ", flags | 0x02, len(body)) + body


def _receive(dec: FrameDecoder, wire: bytes, chunk: int = 50_000) -> list[tuple[int, bytes]]:
    """Feed ``wire`` the way the transport does: direct reads into body buffers when offered."""
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(wire):
        view = dec.body_buffer()
        if view is None:
            n = min(chunk, len(wire) - pos)
            dec.decode(wire[pos : pos + n], out)
        else:
            n = min(chunk, len(view), len(wire) - pos)
            view[:n] = wire[pos : pos + n]
            del view
            lead = dec.body_received(n, out)
            if lead is not None:  # a lead read: input like any other
                dec.decode(lead, out)
        pos += n
    return out


def test_large_message_body_is_lent_and_its_buffer_comes_back() -> None:
    pool = BodyPool()
    dec = FrameDecoder(bodies=pool)
    first = bytes(range(256)) * (LEND_MIN // 256 + 1)
    out = _receive(dec, _long_frame(first, FLAG_MORE) + encode_frame(b"tail"))
    assert out == [(FLAG_MORE, first), (0, b"tail")]
    lent: object = out[0][1]
    assert isinstance(lent, Lent)
    assert pool.lent
    assert type(out[1][1]) is bytes  # small frames are bytes as ever

    owned = pool.own(lent)
    assert type(owned) is bytes and owned == first
    # The next body of that size is received into the buffer that came back; the bytes
    # handed out before are untouched by it.
    second = bytes(reversed(first))
    out = _receive(dec, _long_frame(second))
    assert out == [(0, second)]
    reused: object = out[0][1]
    assert reused is lent
    assert owned == first


def test_without_a_pool_or_below_the_threshold_bodies_are_bytes() -> None:
    big = b"b" * LEND_MIN
    out = _receive(FrameDecoder(), _long_frame(big))
    assert out == [(0, big)] and type(out[0][1]) is bytes
    pool = BodyPool()
    lent_before = pool.lent  # already set if the process made a tracked payload
    small = b"s" * (LEND_MIN - 1)
    out = _receive(FrameDecoder(bodies=pool), _long_frame(small))
    assert out == [(0, small)] and type(out[0][1]) is bytes
    assert pool.lent == lent_before  # nothing was lent


def test_command_bodies_are_never_lent() -> None:
    # Commands are parsed by the connection itself and never reach the socket.
    pool = BodyPool()
    lent_before = pool.lent  # already set if the process made a tracked payload
    body = b"\x09SUBSCRIBE" + b"t" * LEND_MIN
    out = _receive(FrameDecoder(bodies=pool), _long_frame(body, FLAG_COMMAND))
    assert out == [(FLAG_COMMAND, body)] and type(out[0][1]) is bytes
    assert pool.lent == lent_before  # nothing was lent


def test_take_fits_the_size_or_drops_the_buffer() -> None:
    pool = BodyPool()
    pool.give(Lent(b"x" * 1000))
    buf = pool.take(600)  # shrunk within its allocation
    assert buf is not None and len(buf) == 600
    pool.give(buf)
    assert pool.take(601) is None  # too small: dropped, not kept
    assert pool.take(10) is None  # and the pool is empty now


def test_pool_holds_a_bounded_number_of_bytes() -> None:
    pool = BodyPool()
    size = POOL_BYTES // 4
    for _ in range(10):
        pool.give(Lent(size))
    kept = 0
    while pool.take(size) is not None:
        kept += 1
    assert kept == 4
    pool.give(Lent(POOL_BYTES + 1))  # larger than the whole pool: not kept
    assert pool.take(1) is None


def test_only_lent_buffers_go_back() -> None:
    # A bytearray that is not a Lent (somebody else's) is copied but never written into.
    pool = BodyPool()
    theirs = bytearray(b"theirs")
    assert pool.own(theirs) == b"theirs"
    assert pool.take(6) is None
    msg: list[Any] = [b"a", Lent(b"bc"), b"d"]
    assert pool.own_all(msg) is msg
    assert msg == [b"a", b"bc", b"d"] and all(type(f) is bytes for f in msg)
    back = pool.take(2)
    assert back is not None and bytes(back) == b"bc"


def test_once_a_payload_is_tracked_every_pool_converts_every_frame() -> None:
    older = BodyPool()
    TrackedPayload(b"tracked", threading.Event())
    assert older.lent and BodyPool().lent
    frame = TrackedPayload(b"abc", threading.Event())
    msg = older.own_all([b"plain", frame])
    assert msg == [b"plain", b"abc"] and all(type(f) is bytes for f in msg)
