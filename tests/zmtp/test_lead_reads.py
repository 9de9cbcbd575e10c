"""Large frame bodies are read straight into their own buffer from (nearly) their first byte: after
a frame of ``LEAD_MIN`` bytes or more, the next read is a lead read of at most ``LEAD_SIZE``
bytes, so only that much of the next body passes through a buffer it must be copied out of.
Whatever the reads' sizes, every message arrives whole and in order.

The transport is modelled as the engine's peer drives a ``Connection`` (``Peer.get_buffer`` /
``buffer_updated``): each read goes into ``receive_buffer()`` when it offers a view, else into
the loop's shared buffer, and is at most what the kernel holds at that moment.
"""

from __future__ import annotations

from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.zmtp import Connection
from purezmq.zmtp.bodies import BodyPool
from purezmq.zmtp.codec import LEAD_MIN, LEAD_SIZE

from .conftest import ready_push_pull

#: The engine's shared receive buffer (``_engine.transport_io.RECV_BUFFER_SIZE``).
SHARED_SIZE = 256 * 1024


class ReadCounts:
    """Bytes by the buffer they were read into."""

    def __init__(self) -> None:
        self.shared = 0
        self.lead = 0
        self.body = 0
        self.lead_reads = 0


def _read_all(b: Connection, wire: bytes, avail: Iterator[int], counts: ReadCounts) -> None:
    """Feed ``wire`` to ``b`` as the peer does, each read taking at most ``next(avail)``."""
    shared = memoryview(bytearray(SHARED_SIZE))
    pos = 0
    while pos < len(wire):
        view = b.receive_buffer()
        target = shared if view is None else view
        n = min(len(target), next(avail), len(wire) - pos)
        target[:n] = wire[pos : pos + n]
        if view is None:
            counts.shared += n
            b.receive_data(shared[:n])
        else:
            if view.obj is not None and memoryview(view.obj).nbytes == LEAD_SIZE:
                counts.lead += n
                counts.lead_reads += 1
            else:
                counts.body += n
            del view
            b.receive_buffered(n)
        pos += n


def _as_bytes(msg: list[bytes], pool: BodyPool | None) -> list[bytes]:
    return pool.own_all(list(msg)) if pool is not None else list(msg)


_SIZES = st.one_of(
    st.integers(0, 300),
    st.integers(4000, 70_000),
    st.integers(LEAD_MIN - 10, LEAD_MIN + 10),
    st.integers(LEAD_MIN, 600_000),
)


@settings(max_examples=40, deadline=None)
@given(
    shapes=st.lists(st.lists(_SIZES, min_size=1, max_size=3), min_size=1, max_size=6),
    reads=st.lists(st.integers(1, 400_000), min_size=1, max_size=20),
    lend=st.booleans(),
)
def test_messages_arrive_whole_whatever_the_read_sizes(
    shapes: list[list[int]], reads: list[int], lend: bool
) -> None:
    pool = BodyPool() if lend else None
    a, b = ready_push_pull(pool)
    sent = [
        [bytes([(m + f) % 251]) * size for f, size in enumerate(shape)]
        for m, shape in enumerate(shapes)
    ]
    for msg in sent:
        a.send_message(msg)
    wire = b"".join(bytes(c) for c in a.data_to_send())

    def cycle() -> Iterator[int]:
        while True:
            yield from reads

    _read_all(b, wire, cycle(), ReadCounts())
    assert not b.closed
    assert [_as_bytes(list(m), pool) for m in b.messages_received()] == sent


def test_a_stream_of_large_messages_passes_at_most_a_lead_read_of_each_through_a_copy() -> None:
    size = 1 << 20
    count = 6
    a, b = ready_push_pull(BodyPool())
    for i in range(count):
        a.send_message([bytes([i]) * size])
    wire = b"".join(bytes(c) for c in a.data_to_send())
    counts = ReadCounts()
    # What a unix socket with the kernel's default buffer holds at once (~208 KiB).
    _read_all(b, wire, iter(lambda: 212_992, None), counts)
    got = b.messages_received()
    assert [bytes(m[0]) for m in got] == [bytes([i]) * size for i in range(count)]
    # The first message's header and first bytes come through the shared buffer, as before
    # any large frame was seen; every later one through a lead read of LEAD_SIZE bytes.
    assert counts.shared == 212_992
    assert counts.lead_reads == count - 1
    assert counts.lead == (count - 1) * LEAD_SIZE
    assert counts.shared + counts.lead + counts.body == len(wire)


def test_small_frames_after_a_large_one_go_back_to_the_shared_buffer() -> None:
    a, b = ready_push_pull()
    a.send_message([b"x" * LEAD_MIN])
    for i in range(100):
        a.send_message([b"small %d" % i])
    wire = b"".join(bytes(c) for c in a.data_to_send())
    counts = ReadCounts()
    _read_all(b, wire, iter(lambda: 100_000, None), counts)
    msgs = b.messages_received()
    assert [bytes(m[0]) for m in msgs] == [b"x" * LEAD_MIN] + [b"small %d" % i for i in range(100)]
    # One lead read after the large frame; then the small frames no longer ask for one.
    assert counts.lead_reads == 1
    assert b.receive_buffer() is None


def test_frames_below_lead_min_never_ask_for_a_lead_read() -> None:
    a, b = ready_push_pull()
    for _ in range(5):
        a.send_message([b"y" * (LEAD_MIN - 1)])
    wire = b"".join(bytes(c) for c in a.data_to_send())
    counts = ReadCounts()
    _read_all(b, wire, iter(lambda: 50_000, None), counts)
    assert len(b.messages_received()) == 5
    assert counts.lead_reads == 0
