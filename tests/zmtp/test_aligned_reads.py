"""In a stream of frames larger than a run's (``RUN_SIZE_MAX``) and smaller than ``LEAD_MIN``,
``receive_buffer(shared)`` cuts reads into the transport's shared buffer short so that they end
where a frame of the stream's size ends: when the kernel holds more than a read takes, no body
is left straddling two reads (and gathered, lent, then copied once more). Whatever the reads'
sizes, every message arrives whole, in order, and nothing handed out changes when the shared
buffer is overwritten by later reads.

The transport is modelled as the engine's peer drives a ``Connection`` (``Peer.get_buffer`` /
``buffer_updated``): each read goes into what ``receive_buffer(shared)`` offers, else into all
of ``shared``, and is at most what the kernel holds at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.zmtp import Connection
from purezmq.zmtp.bodies import BodyPool, Lent
from purezmq.zmtp.codec import LEAD_MIN, RUN_SIZE_MAX

from .conftest import ready_push_pull

#: The engine's shared receive buffer (``_engine.transport_io.SHARED_BUFFER_SIZE``), and the
#: part of it a plain read takes (``RECV_BUFFER_SIZE``).
SHARED_SIZE = 256 * 1024 + 4096
PLAIN_SIZE = 256 * 1024


class Reads:
    """What the reads of a stream looked like."""

    def __init__(self) -> None:
        #: Bytes of each read into (the start of) the shared buffer.
        self.shared: list[int] = []
        #: Reads straight into a body's own buffer.
        self.direct = 0


def _wire(a: Connection, messages: list[list[bytes]]) -> bytes:
    for msg in messages:
        a.send_message(msg)
    return b"".join(bytes(c) for c in a.data_to_send())


def _read_all(
    b: Connection,
    wire: bytes,
    avail: Iterator[int],
    reads: Reads,
    received: list[list[bytes]] | None = None,
) -> None:
    """Feed ``wire`` to ``b`` as the peer does, each read taking at most ``next(avail)``;
    messages are collected into ``received`` after every read when given."""
    buffer = bytearray(SHARED_SIZE)
    shared = memoryview(buffer)
    pos = 0
    while pos < len(wire):
        view = b.receive_buffer(shared)
        target = shared[:PLAIN_SIZE] if view is None else view
        n = min(len(target), next(avail), len(wire) - pos)
        target[:n] = wire[pos : pos + n]
        if view is None:
            reads.shared.append(n)
            b.receive_data(shared[:n])
        else:
            if view.obj is buffer:
                assert view.nbytes < SHARED_SIZE  # cut short, never all of it
                reads.shared.append(n)
            else:
                reads.direct += 1
            del view
            b.receive_buffered(n)
        pos += n
        if received is not None:
            received.extend(list(m) for m in b.messages_received())
        # Whatever the next read leaves of this one, nothing handed out may see it.
        shared[:] = bytes(SHARED_SIZE)


def _as_bytes(msg: list[bytes], pool: BodyPool | None) -> list[bytes]:
    return pool.own_all(list(msg)) if pool is not None else list(msg)


def _endless(values: list[int]) -> Iterator[int]:
    while True:
        yield from values


@settings(max_examples=60, deadline=None)
@given(
    size=st.one_of(
        st.integers(RUN_SIZE_MAX - 2, RUN_SIZE_MAX + 2),
        st.integers(RUN_SIZE_MAX + 1, LEAD_MIN - 1),
        st.sampled_from([32 * 1024, 64 * 1024, 100_000]),
        st.integers(LEAD_MIN - 2, LEAD_MIN + 2),
    ),
    count=st.integers(1, 12),
    reads=st.lists(st.integers(1, 400_000), min_size=1, max_size=12),
    lend=st.booleans(),
)
def test_messages_arrive_whole_whatever_the_read_sizes(
    size: int, count: int, reads: list[int], lend: bool
) -> None:
    pool = BodyPool() if lend else None
    a, b = ready_push_pull(pool)
    sent = [[bytes([m % 251]) * (size - m % 3)] for m in range(count)]
    wire = _wire(a, sent)
    received: list[list[bytes]] = []
    _read_all(b, wire, _endless(reads), Reads(), received)
    assert not b.closed
    assert [_as_bytes(m, pool) for m in received] == sent


@settings(max_examples=40, deadline=None)
@given(
    shapes=st.lists(
        st.lists(
            st.one_of(st.integers(0, 300), st.integers(RUN_SIZE_MAX, 140_000)),
            min_size=1,
            max_size=3,
        ),
        min_size=1,
        max_size=8,
    ),
    reads=st.lists(st.integers(1, 300_000), min_size=1, max_size=12),
)
def test_mixed_sizes_and_multipart_messages_arrive_whole(
    shapes: list[list[int]], reads: list[int]
) -> None:
    pool = BodyPool()
    a, b = ready_push_pull(pool)
    sent = [
        [bytes([(m + f) % 251]) * size for f, size in enumerate(shape)]
        for m, shape in enumerate(shapes)
    ]
    wire = _wire(a, sent)
    received: list[list[bytes]] = []
    _read_all(b, wire, _endless(reads), Reads(), received)
    assert not b.closed
    assert [_as_bytes(m, pool) for m in received] == sent


def test_reads_end_on_frame_boundaries_when_the_kernel_holds_more() -> None:
    """64 KiB frames, a kernel that always holds more than a read takes: after the first read
    (which cannot know the stream's size), every read carries four whole frames, and no body is
    lent (none straddled two reads)."""
    size = 64 * 1024
    pool = BodyPool()
    a, b = ready_push_pull(pool)
    sent = [[bytes([i]) * size] for i in range(40)]
    wire = _wire(a, sent)
    reads = Reads()
    received: list[list[bytes]] = []
    _read_all(b, wire, iter(lambda: 1 << 30, None), reads, received)
    assert [list(m) for m in received] == sent
    stride = size + 9
    assert len(reads.shared) >= 8
    # The first read takes a plain read's 256 KiB and ends 36 bytes short of the fourth
    # frame's end; the next brings those and four whole frames, and so does every read after.
    first = PLAIN_SIZE
    missing = 4 * stride - first
    assert reads.shared[:2] == [first, missing + 4 * stride], reads.shared[:2]
    assert all(n == 4 * stride for n in reads.shared[2:-1]), reads.shared
    assert reads.direct == 0
    # That fourth body, gathered from two reads, is the only one lent.
    assert sum(isinstance(f, Lent) for m in received for f in m) == 1


def test_a_read_cut_short_by_the_kernel_is_completed_by_an_aligned_one() -> None:
    """A read that ends a few bytes short of a frame's end (the kernel held less): the next
    read brings the missing bytes and then whole frames only."""
    size = 40_000
    a, b = ready_push_pull(BodyPool())
    sent = [[bytes([i]) * size] for i in range(30)]
    wire = _wire(a, sent)
    stride = size + 9
    # A whole frame, then a read ending 100 bytes before the second frame's end, then plenty.
    avail = iter([stride, stride - 100] + [1 << 30] * 100)
    reads = Reads()
    received: list[list[bytes]] = []
    _read_all(b, wire, avail, reads, received)
    assert [list(m) for m in received] == sent
    assert reads.shared[:2] == [stride, stride - 100]
    third = reads.shared[2]
    assert third == 100 + (SHARED_SIZE - 100) // stride * stride, reads.shared
    assert all(n % stride == 0 for n in reads.shared[3:-1]), reads.shared
    assert reads.direct == 0


def test_small_frames_after_a_large_stream_read_the_whole_buffer_again() -> None:
    a, b = ready_push_pull(BodyPool())
    sent = [[b"x" * 50_000] for _ in range(8)] + [[b"y" * 10] for _ in range(2_000)]
    wire = _wire(a, sent)
    reads = Reads()
    received: list[list[bytes]] = []
    _read_all(b, wire, iter(lambda: 1 << 30, None), reads, received)
    assert [BodyPool().own_all(list(m)) for m in received] == sent
    # Once short frames were read, the stream's size is forgotten: the reads of them are not
    # cut to a multiple of the large frames.
    assert b.receive_buffer(memoryview(bytearray(SHARED_SIZE))) is None
