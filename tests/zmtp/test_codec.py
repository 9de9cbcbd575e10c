"""Frame codec (``zmtp.codec``): round trips with arbitrary splits, limits, bad input, libzmq's
quirks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq._typing import Received
from purezmq.error import RemoteProtocolError
from purezmq.testing import split_at
from purezmq.zmtp.codec import (
    COPY_THRESHOLD,
    FLAG_COMMAND,
    FLAG_LONG,
    FLAG_MORE,
    JOIN_MAX,
    RUN_MAX,
    RUN_MIN,
    RUN_SIZE_MAX,
    DecoderState,
    FrameDecoder,
    FrameEncoder,
)

frames_strategy = st.lists(
    st.tuples(
        st.sampled_from([0, FLAG_MORE, FLAG_COMMAND]),
        st.one_of(st.binary(max_size=300), st.binary(min_size=250, max_size=260)),
    ),
    max_size=8,
).map(lambda frames: [(f, b) for f, b in frames if b or f != FLAG_COMMAND])  # commands have names


def encode(frames: list[tuple[int, bytes]]) -> bytes:
    enc = FrameEncoder()
    for flags, body in frames:
        enc.frame(body, flags)
    return b"".join(enc.drain())


@settings(max_examples=150, deadline=None)
@given(frames_strategy, st.lists(st.integers(min_value=0, max_value=10_000), max_size=12))
def test_round_trip_random_chunking(frames: list[tuple[int, bytes]], cuts: list[int]) -> None:
    wire = encode(frames)
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    for piece in split_at(wire, cuts):
        dec.decode(piece, out)
    assert out == frames
    assert dec.state is DecoderState.FLAGS


@settings(max_examples=30, deadline=None)
@given(frames_strategy)
def test_round_trip_split_at_every_offset(frames: list[tuple[int, bytes]]) -> None:
    wire = encode(frames)
    for offset in range(len(wire) + 1):
        out: list[tuple[int, bytes]] = []
        dec = FrameDecoder()
        dec.decode(wire[:offset], out)
        dec.decode(memoryview(wire)[offset:], out)
        assert out == frames


def _as_frames(messages: list[Received], partial: list[bytes]) -> list[tuple[int, bytes]]:
    """The frames ``split_messages`` consumed, as ``decode`` would have reported them."""
    frames = [
        (FLAG_MORE if i < len(msg) - 1 else 0, body)
        for msg in messages
        for i, body in enumerate(msg)
    ]
    return frames + [(FLAG_MORE, body) for body in partial]


@settings(max_examples=150, deadline=None)
@given(frames_strategy, st.integers(min_value=0, max_value=10_000))
def test_split_messages_takes_whole_short_message_frames_and_leaves_the_rest(
    frames: list[tuple[int, bytes]], cut: int
) -> None:
    wire = encode(frames)
    cut %= len(wire) + 1
    dec = FrameDecoder()
    messages: list[Received] = []
    partial, used = dec.split_messages(wire[:cut], [], messages)
    consumed = _as_frames(messages, partial)
    # It stopped at the cut, or at the first command or long frame.
    assert dec.state is DecoderState.FLAGS
    assert len(encode(consumed)) == used
    following = frames[len(consumed) :]
    if used < cut:
        flags, body = following[0]
        assert flags & FLAG_COMMAND or len(body) > 255 or len(encode(following[:1])) > cut - used
    # The decoder reads the rest as if it had seen every byte.
    rest: list[tuple[int, bytes]] = []
    dec.decode(wire[used:cut], rest)
    dec.decode(wire[cut:], rest)
    assert consumed + rest == frames


def test_split_messages_leaves_everything_to_decode_when_it_cannot_apply() -> None:
    wire = encode([(FLAG_MORE, b""), (0, b"0123456789A")])
    busy = FrameDecoder()
    busy.decode(b"\x00", [])  # a frame cut after its flags byte
    assert busy.split_messages(wire, [], []) == ([], 0)
    # Under a MAXMSGSIZE below 255, every frame goes through decode's size check.
    limited = FrameDecoder(max_msg_size=10)
    assert limited.split_messages(wire, [], []) == ([], 0)
    # The message in progress is continued, and a new one started after the last MORE.
    messages: list[Received] = []
    partial = [b"head"]
    more = encode([(0, b"tail"), (FLAG_MORE, b"next")])
    assert FrameDecoder().split_messages(more, partial, messages) == ([b"next"], len(more))
    assert messages == [[b"head", b"tail"]]


# Streams made of runs: several messages of one size in a row (what ``split_messages`` reads
# in one step), one-frame or multipart, short and long frames, among commands.
def _runs(runs: list[tuple[int, int, int, bool]]) -> list[tuple[int, bytes]]:
    frames: list[tuple[int, bytes]] = []
    for count, size, parts, command in runs:
        if command:
            frames.append((FLAG_COMMAND, b"\x04PING" + bytes(size % 7)))
            continue
        for _ in range(count):
            frames += [(FLAG_MORE, b"e")] * (parts - 1) + [(0, bytes([count]) * size)]
    return frames


runs_strategy = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=12),
        st.sampled_from([0, 1, 7, 64, 255, 256, 1000, 4096, RUN_SIZE_MAX, RUN_SIZE_MAX + 1]),
        st.sampled_from([1, 1, 1, 2]),
        st.booleans(),
    ),
    max_size=6,
).map(_runs)


@settings(max_examples=200, deadline=None)
@given(
    runs_strategy,
    st.integers(min_value=0, max_value=200_000),
    st.sampled_from([-1, 255, 300, 4096]),
    st.booleans(),
)
def test_split_messages_of_runs_reads_what_decode_would(
    frames: list[tuple[int, bytes]], cut: int, limit: int, view: bool
) -> None:
    # From a memoryview (a read not copied first) only runs are taken, as bytes all the same.
    wire = encode(frames)
    cut %= len(wire) + 1
    dec = FrameDecoder(max_msg_size=limit)
    messages: list[Received] = []
    read = memoryview(wire)[:cut] if view else wire[:cut]
    partial, used = dec.split_messages(read, [], messages)
    consumed = _as_frames(messages, partial)
    assert all(type(body) is bytes for _, body in consumed)
    assert len(encode(consumed)) == used
    assert all(limit < 0 or len(body) <= limit for _, body in consumed)
    if used < cut and not view:
        # It stops at a command, a frame the cut splits, or a long frame in no run.
        flags, body = frames[len(consumed)]
        assert flags & FLAG_COMMAND or len(body) > 255 or len(encode([(flags, body)])) > cut - used
    rest: list[tuple[int, bytes]] = []
    try:
        dec.decode(wire[used:cut], rest)
        dec.decode(wire[cut:], rest)
    except RemoteProtocolError:
        # Over MAXMSGSIZE: decode raises at the first frame too large, never split_messages.
        assert 0 <= limit < max(len(body) for _, body in frames[len(consumed) + len(rest) :])
        return
    assert consumed + rest == frames


@pytest.mark.parametrize("size", [0, 16, 64, 255, 256, 1024, 4096, RUN_SIZE_MAX])
def test_a_run_of_one_size_is_read_whole(size: int) -> None:
    # Long frames too: a read that starts with whole ones is split, not left to decode.
    bodies = [bytes([i % 256]) * size for i in range(RUN_MAX + 300)]
    wire = encode([(0, body) for body in bodies])
    assert FrameDecoder.splits(wire)
    messages: list[Received] = []
    partial, used = FrameDecoder().split_messages(wire, [], messages)
    assert (partial, used) == ([], len(wire))
    # Each message of a run is the 1-tuple of its frame (``Received``), a list elsewhere.
    assert messages == [(body,) for body in bodies]
    assert all(type(msg) is tuple for msg in messages)


def test_a_long_frame_is_split_only_whole_and_within_a_run_size() -> None:
    whole = encode([(0, b"x" * 300)] * RUN_MIN)
    assert FrameDecoder.splits(whole)
    assert not FrameDecoder.splits(whole[:-1])  # too short for a run: decode takes it
    assert not FrameDecoder.splits(encode([(0, b"x" * (RUN_SIZE_MAX + 1))]))
    assert not FrameDecoder.splits(encode([(FLAG_COMMAND, b"\x04PING")]))
    assert not FrameDecoder.splits(b"")
    assert FrameDecoder.splits(encode([(FLAG_MORE, b"x")]))


@pytest.mark.parametrize(
    ("body", "odd"),
    [
        # A reserved flag bit, a MORE, another size: each ends the run; the frame is read alone.
        (b"wxyz", [(0x80, b"abcd")]),
        (b"wxyz", [(FLAG_MORE, b"abcd"), (0, b"z")]),
        (b"wxyz", [(0, b"abc")]),
        # Long frames whose sizes differ only in a low byte of the 8-byte size field.
        (b"w" * 256, [(0, b"a" * 257)]),
        (b"w" * 1000, [(0, b"a" * 744)]),
        (b"w" * 256, [(0, b"a" * (256 + 65536))]),
    ],
)
def test_a_run_stops_at_the_first_header_that_differs(
    body: bytes, odd: list[tuple[int, bytes]]
) -> None:
    frames = [(0, body)] * 6 + odd + [(0, body)] * 5
    wire = encode(frames)
    dec = FrameDecoder()
    messages: list[Received] = []
    partial, used = dec.split_messages(wire, [], messages)
    assert partial == []
    assert messages[:6] == [(body,)] * 6
    rest: list[tuple[int, bytes]] = []
    dec.decode(wire[used:], rest)
    # Reserved flag bits are ignored on receive (message frames carry no flags).
    meaning = FLAG_MORE | FLAG_COMMAND
    read = _as_frames(messages, partial) + rest
    assert [(f & meaning, b) for f, b in read] == [(f & meaning, b) for f, b in frames]


@pytest.mark.parametrize("size", [64, 255, 1024, COPY_THRESHOLD - 1])
def test_a_batch_of_messages_is_joined_in_bounded_chunks(size: int) -> None:
    # A joined buffer that once grew past glibc's mmap threshold stays mmap'ed and is resized
    # by mremap on every flush (page faults): a batch becomes chunks of about JOIN_MAX.
    batch = [[bytes([i % 256]) * size] for i in range(1024)]
    batch[5] = [b"env", b"", b"x" * size]
    enc = FrameEncoder()
    enc.messages(batch)
    chunks = enc.drain()
    one_by_one = FrameEncoder()
    for msg in batch:
        one_by_one.message(msg)
    assert b"".join(chunks) == b"".join(one_by_one.drain())
    assert max(map(len, chunks)) < JOIN_MAX + 256 * (size + 9)
    assert len(enc.buffer) == 0


@pytest.mark.parametrize("size", [255, 256, 300, 1024, COPY_THRESHOLD - 1, COPY_THRESHOLD])
def test_one_frame_messages_match_frame_by_frame_encoding(size: int) -> None:
    # message() and messages() take their headers from tables; frame() packs them: the bytes
    # must be the same on both sides of the short/long (255/256) and copy boundaries.
    body = bytes(range(256)) * (size // 256) + bytes(size % 256)
    by_frame = FrameEncoder()
    by_frame.frame(body)
    by_frame.frame(body)
    expected = b"".join(by_frame.drain())
    assert expected[0] == (0 if size <= 255 else FLAG_LONG)
    by_message = FrameEncoder()
    by_message.message([body])
    by_message.message([body])
    assert b"".join(by_message.drain()) == expected
    batch = FrameEncoder()
    batch.messages([[body], [body]])
    assert b"".join(batch.drain()) == expected
    decoded: list[tuple[int, bytes]] = []
    FrameDecoder().decode(expected, decoded)
    assert decoded == [(0, body), (0, body)]


@pytest.mark.parametrize("size", [256, 1024, COPY_THRESHOLD - 1])
def test_a_batch_of_long_copied_frames_is_cut_at_join_max(size: int) -> None:
    enc = FrameEncoder()
    enc.messages([[b"y" * size]] * 600)
    chunks = enc.drain()
    assert sum(map(len, chunks)) == 600 * (size + 9)
    assert max(map(len, chunks)) < JOIN_MAX + size + 9


def test_byte_by_byte_with_bytes_needed() -> None:
    frames = [(FLAG_MORE, b""), (0, b"x" * 300), (FLAG_COMMAND, b"\x04PING\x00\x00")]
    wire = encode(frames)
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    pos = 0
    while pos < len(wire):
        need = dec.bytes_needed
        assert need >= 1
        dec.decode(wire[pos : pos + 1], out)
        pos += 1
    assert out == frames


def test_long_frame_with_small_size_is_accepted() -> None:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(bytes([FLAG_LONG]) + (3).to_bytes(8, "big") + b"abc", out)
    assert out == [(0, b"abc")]


def test_reserved_flag_bits_are_passed_through() -> None:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(bytes([0xF8 | FLAG_MORE, 1]) + b"a" + bytes([0xF0, 0]), out)
    assert [(f & (FLAG_MORE | FLAG_COMMAND), b) for f, b in out] == [(FLAG_MORE, b"a"), (0, b"")]


def test_maxmsgsize_checked_from_the_header_before_the_body() -> None:
    dec = FrameDecoder(max_msg_size=100)
    out: list[tuple[int, bytes]] = []
    dec.decode(bytes([0, 100]) + bytes(100), out)
    assert len(out) == 1
    # Only the 9-byte header of a 2**63-byte frame: refused without waiting for the body.
    with pytest.raises(RemoteProtocolError) as info:
        dec.decode(bytes([FLAG_LONG]) + (2**63).to_bytes(8, "big"), out)
    assert "MAXMSGSIZE" in info.value.reason
    assert info.value.fault == "peer"
    # The same when the read goes on into the body (a read that starts a large frame takes
    # its own path, without copying the read first).
    with pytest.raises(RemoteProtocolError) as info:
        FrameDecoder(max_msg_size=100).decode(
            bytes([FLAG_LONG]) + (101).to_bytes(8, "big") + bytes(50), out
        )
    assert "101-byte frame" in info.value.reason


def test_frames_before_an_oversize_frame_are_delivered() -> None:
    out: list[tuple[int, bytes]] = []
    with pytest.raises(RemoteProtocolError):
        FrameDecoder(max_msg_size=5).decode(bytes([0, 1]) + b"a" + bytes([0, 6]), out)
    assert out == [(0, b"a")]


def test_huge_size_without_limit_allocates_nothing_up_front() -> None:
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    dec.decode(bytes([FLAG_LONG]) + (2**63).to_bytes(8, "big") + b"abc", out)
    assert out == []
    assert dec.state is DecoderState.BODY
    assert dec.bytes_needed == 2**63 - 3


def test_large_bodies_are_not_copied_by_the_encoder() -> None:
    big = b"x" * COPY_THRESHOLD
    view = memoryview(bytearray(b"y" * (COPY_THRESHOLD + 5)))
    enc = FrameEncoder()
    frames: list[bytes | memoryview] = [b"a", big, view]
    enc.message(frames)
    chunks = enc.drain()
    assert any(c is big for c in chunks)
    assert any(c is view for c in chunks)
    assert enc.drain() == []


def test_libzmq_434_subscribe_without_long_flag_is_repaired() -> None:
    # libzmq#4367: a 250-byte topic gives a 260-byte SUBSCRIBE body, sent as flags 04 (no LONG)
    # followed by an 8-byte size.
    body = b"\x09SUBSCRIBE" + b"t" * 250
    wire = b"\x04" + len(body).to_bytes(8, "big") + body + b"\x00\x01z"
    for split in (1, 5, 9, len(wire) - 1):
        out: list[tuple[int, bytes]] = []
        dec = FrameDecoder()
        dec.decode(wire[:split], out)
        dec.decode(wire[split:], out)
        assert out == [(FLAG_COMMAND, body), (0, b"z")]


def test_genuinely_empty_command_is_still_delivered() -> None:
    out: list[tuple[int, bytes]] = []
    FrameDecoder().decode(b"\x04\x00" + b"\x00\x01a" + b"\x00\x01b" + b"\x00\x01c", out)
    assert out[0] == (FLAG_COMMAND, b"")


def test_bytes_needed_counts_the_long_header_of_an_empty_command() -> None:
    # A short empty command header waits for 9 header bytes (libzmq#4367's long form); while
    # it waits, bytes_needed must count towards those 9, never go below 1.
    for held in range(2, 9):
        dec = FrameDecoder()
        dec.decode(b"\x04\x00" + b"\x07" * (held - 2), [])
        assert dec.bytes_needed == 9 - held


def test_complete_finishes_an_empty_command_header_cut_across_reads() -> None:
    # complete() steps by bytes_needed: a negative count here made it loop forever.
    dec = FrameDecoder()
    out: list[tuple[int, bytes]] = []
    dec.decode(b"\x65\x00\x92\x1e\x1f", out)
    assert out == []
    assert dec.complete(b"\xf6\xd3\x86\xb1\xaf", out) == 5
    assert out == [(0x65, b"")]


def test_the_layouts_of_runs_stay_bounded_whatever_sizes_a_peer_sends() -> None:
    from purezmq.zmtp import codec

    dec = FrameDecoder()
    for size in range(300, 300 + 2 * codec._RUN_LAYOUTS_MAX):
        messages: list[Received] = []
        wire = encode([(0, b"x" * size)] * RUN_MIN)
        assert dec.split_messages(wire, [], messages) == ([], len(wire))
        assert len(messages) == RUN_MIN
    assert len(codec._run_layouts) <= codec._RUN_LAYOUTS_MAX


def _batch(n: int, size: int = 64) -> list[list[bytes]]:
    return [[bytes([i % 256]) * size] for i in range(n)]


def _framed(messages: list[list[bytes]]) -> bytes:
    enc = FrameEncoder()
    for msg in messages:
        enc.message(msg)
    return b"".join(enc.drain())


@pytest.fixture
def untracked(monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a process that never made a tracked payload (another test may have)."""
    from purezmq.zmtp import codec

    monkeypatch.setattr(codec, "payloads_tracked", lambda: False)


@pytest.mark.usefixtures("untracked")
def test_the_same_message_objects_framed_again_share_the_first_encoding() -> None:
    # A publisher's subscribers flush the very same message objects one after the other.
    batch = _batch(100)
    batch[7] = [b"topic", b"x" * 300]
    first, second = FrameEncoder(shares=True), FrameEncoder(shares=True)
    first.messages(batch)
    second.messages(batch)
    a, b = first.drain(), second.drain()
    assert b"".join(a) == b"".join(b) == _framed(batch)
    assert all(x is y for x, y in zip(a, b, strict=True))  # not framed twice


@pytest.mark.usefixtures("untracked")
def test_equal_but_distinct_or_different_messages_are_framed_on_their_own() -> None:
    batch = _batch(100)
    first = FrameEncoder(shares=True)
    first.messages(batch)
    shared = first.drain()
    equal = [list(msg) for msg in batch]  # equal content, other objects: no sharing
    other = _batch(100)
    other[99] = [b"different"]
    for messages in (equal, other, [*batch[:99], other[99]]):
        enc = FrameEncoder(shares=True)
        enc.messages(messages)
        chunks = enc.drain()
        assert b"".join(chunks) == _framed(messages)
        assert not any(x is y for x, y in zip(chunks, shared, strict=False))


@pytest.mark.usefixtures("untracked")
def test_an_encoder_holding_bytes_frames_the_batch_itself() -> None:
    batch = _batch(100)
    FrameEncoder(shares=True).messages(batch)
    busy = FrameEncoder(shares=True)
    busy.command(b"\x04PING")
    busy.messages(batch)
    ping = FrameEncoder()
    ping.command(b"\x04PING")
    assert b"".join(busy.drain()) == b"".join(ping.drain()) + _framed(batch)


def test_no_batch_is_kept_once_a_tracked_payload_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    # A tracker completes when its payload is freed: a batch kept for sharing must not hold it.
    from purezmq.zmtp import codec

    released: list[bool] = []

    class Payload(bytes):
        def __del__(self) -> None:
            released.append(True)

    monkeypatch.setattr(codec, "payloads_tracked", lambda: True)
    batch: list[list[bytes]] = [[Payload(b"p" * 64)], *_batch(40)]
    enc = FrameEncoder(shares=True)
    enc.messages(batch)
    assert b"".join(enc.drain()) == _framed(batch)
    del batch
    assert released == [True]


@pytest.mark.usefixtures("untracked")
def test_only_sharing_encoders_share() -> None:
    # A PUSH's connection never meets the same message objects twice: it keeps nothing.
    batch = _batch(100)
    first = FrameEncoder()
    first.messages(batch)
    sharing = FrameEncoder(shares=True)
    sharing.messages(batch)
    a, b = first.drain(), sharing.drain()
    assert b"".join(a) == b"".join(b)
    assert not any(x is y for x, y in zip(a, b, strict=False))


def test_a_publishers_connections_share_and_others_do_not() -> None:
    from purezmq.constants import SocketType
    from purezmq.zmtp import Connection, NullMechanism

    def shares(socket_type: SocketType) -> bool:
        return Connection(socket_type, NullMechanism())._encoder.shares

    assert shares(SocketType.PUB) and shares(SocketType.XPUB)
    assert not any(map(shares, (SocketType.PUSH, SocketType.DEALER, SocketType.SUB)))
