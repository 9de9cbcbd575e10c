"""A batch of one-frame messages is framed in C-level calls (``FrameEncoder.single_frames``):
the bytes must be exactly those of ``message()`` one by one, the joined chunks stay within
JOIN_MAX, and a batch the fast path does not fit is left whole to the per-message path."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.constants import SocketType as T
from purezmq.testing import connected_pair
from purezmq.zmtp import Connection
from purezmq.zmtp.codec import COPY_THRESHOLD, JOIN_MAX, SPAN_MIN, FrameDecoder, FrameEncoder


def drain_bytes(conn: Connection) -> bytes:
    return b"".join(bytes(c) for c in conn.data_to_send())


def one_by_one(messages: list[list[bytes]]) -> bytes:
    enc = FrameEncoder()
    for msg in messages:
        enc.message(msg)
    return b"".join(enc.drain())


sizes = st.one_of(
    st.integers(0, 300), st.sampled_from([255, 256, COPY_THRESHOLD - 1, COPY_THRESHOLD])
)


@st.composite
def one_frame_batches(draw: st.DrawFn) -> list[list[bytes]]:
    count = draw(st.integers(SPAN_MIN, 40))
    if draw(st.booleans()):
        size = draw(sizes)
        return [[bytes([i % 256]) * size] for i in range(count)]
    return [[bytes([i % 256]) * draw(sizes)] for i in range(count)]


@settings(max_examples=200, deadline=None)
@given(one_frame_batches(), st.booleans())
def test_one_frame_batches_frame_as_message_by_message(
    batch: list[list[bytes]], queued_before: bool
) -> None:
    enc = FrameEncoder()
    if queued_before:
        enc.raw(b"greeting")
    lead = b"greeting" if queued_before else b""
    done = enc.single_frames(batch)
    # The fast path cuts its chunks at JOIN_MAX; the per-message path closes the joined buffer
    # once it has passed JOIN_MAX, so by at most one copied frame more.
    bound = JOIN_MAX
    if done is None:
        # Not for the fast path: nothing was queued, the per-message path frames it.
        assert b"".join(enc.drain()) == lead
        enc.raw(lead)
        enc.messages(batch)
        bound += COPY_THRESHOLD + 9
    else:
        assert done is True
    chunks = enc.drain()
    assert b"".join(chunks) == lead + one_by_one(batch)
    assert max(map(len, chunks)) <= bound + len(lead)


@pytest.mark.parametrize("size", [0, 16, 64, 255, 256, 1000, COPY_THRESHOLD - 1])
def test_a_stream_of_one_size_takes_the_fast_path_in_bounded_chunks(size: int) -> None:
    batch = [[bytes([i % 256]) * size] for i in range(1000)]
    enc = FrameEncoder()
    assert enc.single_frames(batch) is True
    chunks = enc.drain()
    assert max(map(len, chunks)) <= JOIN_MAX
    assert b"".join(chunks) == one_by_one(batch)
    decoded: list[tuple[int, bytes]] = []
    FrameDecoder().decode(b"".join(chunks), decoded)
    assert decoded == [(0, msg[0]) for msg in batch]


def test_short_bodies_of_several_sizes_take_the_fast_path() -> None:
    batch = [[b"x" * (i % 256)] for i in range(700)]
    enc = FrameEncoder()
    assert enc.single_frames(batch) is True
    chunks = enc.drain()
    assert len(chunks) > 1  # cut at JOIN_MAX
    assert max(map(len, chunks)) <= JOIN_MAX
    assert b"".join(chunks) == one_by_one(batch)


@pytest.mark.parametrize(
    "batch",
    [
        [[b"a"], [b"b"], [b"env", b"body"], [b"c"]],  # a multipart message
        [[b"a" * 300], [b"b" * 400], [b"c"], [b"d"]],  # long frames of several sizes
        [[b"a" * COPY_THRESHOLD]] * 4,  # bodies left uncopied
    ],
)
def test_other_batches_are_left_to_the_per_message_path(batch: list[list[bytes]]) -> None:
    enc = FrameEncoder()
    enc.raw(b"x")
    assert enc.single_frames(batch) is None
    assert enc.drain() == [b"x"]
    enc.messages(batch)
    assert b"".join(enc.drain()) == one_by_one(batch)


def test_a_body_at_the_limit_refuses_the_batch_and_queues_nothing() -> None:
    enc = FrameEncoder()
    assert enc.single_frames([[b"x" * 100]] * 4 + [[b"y" * 500]], body_max=500) is False
    assert enc.single_frames([[b"x" * 500]] * 5, body_max=500) is False
    assert enc.drain() == []


def test_connection_send_messages_refuses_a_batch_with_a_large_body() -> None:
    for batch in ([[b"a"]] * 8 + [[b"b" * 600]], [[b"a"], [b"env", b"b" * 600]]):
        conn, _ = connected_pair(T.PUSH, T.PULL)
        assert conn.send_messages(batch, body_max=600) is False
        assert drain_bytes(conn) == b""
        assert conn.send_messages(batch, body_max=601) is True
        assert drain_bytes(conn) == one_by_one(batch)


def test_connection_send_messages_frames_a_uniform_stream_as_one_by_one() -> None:
    batch = [[bytes([i % 256]) * 16] for i in range(1024)]
    one, _ = connected_pair(T.PUSH, T.PULL)
    many, peer = connected_pair(T.PUSH, T.PULL)
    for msg in batch:
        one.send_message(msg)
    assert many.send_messages(batch) is True
    wire = drain_bytes(many)
    assert wire == drain_bytes(one)
    peer.receive_data(wire)
    assert [list(msg) for msg in peer.messages_received()] == batch
