"""ZMTP 3.x frame codec: flags + size + body, both directions, incremental on receive.

Owns the framing of docs/protocol/zmtp.md §5 (identical in 3.0 and 3.1). The encoder writes short
frames for bodies up to 255 bytes and long ones above, as libzmq does, and hands large bodies to the
transport untouched (no copy into a joined buffer, docs/architecture.md §3 "Writes are batched").
The decoder accepts input split at any byte, never allocates for a frame more than a bounded step
(``BODY_STEP``) ahead of the bytes that arrived, and checks MAXMSGSIZE per frame as soon as the
size field is complete (libzmq: ``v2_decoder.cpp``), which closes the 64-bit-size allocation
hole other implementations had. A large body is gathered in one buffer the transport may read
into directly (``body_buffer``/``body_received``): one copy, into the final ``bytes``; with a
``BodyPool``, a message body of ``LEND_MIN`` bytes or more is handed on in that buffer and the
socket makes the ``bytes`` (see ``bodies``).
"""

from __future__ import annotations

import operator
import struct
from collections.abc import Sequence
from enum import IntEnum

from .._typing import BytesLike, Received
from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError
from .bodies import LEND_MIN, BodyPool, Lent, payloads_tracked

FLAG_MORE = 0x01
FLAG_LONG = 0x02
FLAG_COMMAND = 0x04

#: Bodies at least this large are queued as their own chunk instead of being copied. Below it,
#: copying into the joined buffer costs less than the chunk's own Python and its iovec in the
#: kernel: a 4 KiB stream's sender spent 2.6-3.0 µs a message with its bodies as chunks, 2.0-2.5
#: copied (and a 1 KiB stream 1.8-2.0 µs as chunks, 1.0-1.2 copied).
COPY_THRESHOLD = 8192
#: The joined buffer of small frames becomes a chunk of its own once it holds this much (checked
#: every ``_JOIN_RUN`` short messages, and after each longer one): it then never grows past
#: glibc's mmap threshold (128 KiB). A bytearray that did once stays an mmap'ed block for good,
#: resized by mremap as it is cleared and refilled: page faults on every flush (a 1 KiB message
#: stream's sender spent ~15 % of its CPU on them), as did the ``bytes`` copy of so big a buffer.
JOIN_MAX = 64 * 1024
_JOIN_RUN = 128
#: Batches of at least this many messages are first tried as one-frame messages framed in
#: C-level calls (``FrameEncoder.single_frames``); below, the Python loop costs less.
SPAN_MIN = 4
#: An unfinished body is gathered in one bytearray grown at most this far ahead of the bytes
#: received (or doubled, whichever is larger), so a forged 2**63 size costs nothing.
BODY_STEP = 1 << 20
#: A finished body buffer up to this size is kept for the next large frame: allocating a fresh
#: megabyte per message costs page faults that dwarf the copy (the allocator returns it to the
#: system each time). Dropped as soon as a read carries only whole frames.
SPARE_MAX = BODY_STEP
#: ``body_buffer()`` offers the kernel a direct view only for at least this many missing bytes.
DIRECT_MIN = 4096
#: After a frame of at least ``LEAD_MIN`` bytes, the next read is a *lead* read of at most
#: ``LEAD_SIZE`` bytes (``body_buffer``): it carries the next frame's header and the start of
#: its body, and a large body's rest is then read straight into the body's own buffer. A read
#: into the transport's full-size buffer would carry the next header and up to that buffer's
#: size of body bytes, all of which are then copied into the body. libzmq's decoder works
#: alike: headers and the first bytes of a body arrive in its 8 KiB batch buffer, the rest of a
#: large body straight into the message (``decoder_base_t::get_buffer``).
LEAD_MIN = 128 * 1024
LEAD_SIZE = 8192
# In a stream of frames too large for a run (``RUN_SIZE_MAX``) and smaller than ``LEAD_MIN``,
# reads into the transport's shared buffer are *aligned*: sized to end where a frame of the
# last such size would end (``body_buffer(shared)``). A read that ends inside a body leaves
# that body to be gathered in a buffer of its own from two reads (and, lent, copied once more
# into ``bytes`` by the socket): with the kernel holding more than a read takes, as it does
# whenever the reader is the slower side, an aligned read ends on a frame boundary and every
# body is cut straight out of the read into its ``bytes``, one copy (docs/performance.md,
# "Aligned reads").

#: ``split_messages`` reads a run of one-frame messages of one size (one header repeated at a
#: fixed stride) in one C call, once it finds at least ``RUN_MIN`` of them in a row; it checks
#: at most ``RUN_MAX`` headers per step, bodies up to ``RUN_SIZE_MAX`` bytes.
RUN_MIN = 4
RUN_MAX = 1024
RUN_SIZE_MAX = 16 * 1024
#: ``split_messages`` reads runs of multipart messages of up to this many short frames.
PARTS_MAX = 4
#: After a frame that starts no run, this many frames are read one by one before looking
#: again: a stream of mixed sizes pays for one look per this many frames.
_RUN_PAUSE = 16

_LONG_HEADER = struct.Struct(">BQ")
_LONG_SIZE = struct.Struct(">Q")
_NOT_LONG = 0xFF ^ FLAG_LONG
_FIVE_ZEROS = bytes(5)
#: Header of a final short frame, by body size.
_SHORT_HEADERS = tuple(bytes((0, size)) for size in range(256))
_SHORT_MORE_HEADERS = tuple(bytes((FLAG_MORE, size)) for size in range(256))
#: One byte of each value, for ``bytes.lstrip``.
_BYTE = tuple(bytes((value,)) for value in range(256))
#: The size bytes, and the flags after the first, of the first ``RUN_MIN`` short frames of a run.
_RUN_STARTS = tuple(bytes((value,)) * RUN_MIN for value in range(256))
_RUN_FLAGS = bytes(RUN_MIN - 1)
#: The records of a run (header + body, for its bodies or its headers), by ``struct`` format;
#: emptied when it reaches ``_RUN_LAYOUTS_MAX`` (a peer may send runs of every size).
_run_layouts: dict[str, struct.Struct] = {}
_RUN_LAYOUTS_MAX = 256


def _run_layout(fmt: str) -> struct.Struct:
    layout = _run_layouts.get(fmt)
    if layout is None:
        if len(_run_layouts) >= _RUN_LAYOUTS_MAX:
            _run_layouts.clear()
        layout = _run_layouts[fmt] = struct.Struct(fmt)
    return layout


#: Header of a final long frame whose body is still copied (256 to COPY_THRESHOLD - 1 bytes),
#: by body size, made on first use: packing it per frame cost three times the copy of a
#: 256-byte body (a stream of them took the slow path of ``messages`` for every message).
_LONG_HEADERS: list[bytes | None] = [None] * COPY_THRESHOLD
#: Batches of at least this many messages are offered to the next encoder (``_shared``).
_SHARE_MIN = 16
#: ... when they encode to at most this many bytes (what the offer keeps alive).
_SHARE_MAX = 4 * JOIN_MAX


_Chunks = tuple[bytes | memoryview, ...]


class _SharedBatch:
    """The last batch of messages an empty encoder encoded by itself, with its bytes, for the
    next encoder that is handed the very same message objects.

    A publisher writes one message object into every subscriber's pipe, and the I/O thread
    flushes those pipes one after the other: the same run of messages is framed once per
    subscriber (four times for four), identical bytes each time. Identity, not equality, makes
    it a hit (``is`` per message, in C), so only a run handed on by one socket to several
    peers shares. Messages in pipes are immutable (the same list object goes to every
    subscriber's pipe, ``patterns.strategies.Distributor``), so the same objects mean the same
    bytes. One batch is kept (replaced by the next), a reference to its messages
    included, so nothing is kept once the process has made a tracked payload, whose tracker
    waits for its release (``bodies.payloads_tracked``). Reads and writes of ``last`` are
    single reference stores: safe between the I/O threads of several contexts.
    """

    __slots__ = ("last", "taken")

    def __init__(self) -> None:
        #: (the messages, their chunks) or None.
        self.last: tuple[Sequence[Sequence[BytesLike]], _Chunks] | None = None
        #: How many times an encoder took these bytes instead of framing (``shared_taken``).
        self.taken = 0


_shared = _SharedBatch()
_same = operator.is_
_first_frame = operator.itemgetter(0)


def shared_taken() -> int:
    """How many batches of messages were queued by the bytes another encoder had made for the
    very same messages (``FrameEncoder.take_shared``), in this process: for tests and tuning."""
    return _shared.taken


def _long_header(size: int) -> bytes:
    """``_LONG_HEADERS[size]``, made and kept (a final frame, 256 <= size < COPY_THRESHOLD)."""
    header = _LONG_HEADERS[size] = _LONG_HEADER.pack(FLAG_LONG, size)
    return header


class DecoderState(IntEnum):
    """What the decoder is waiting for."""

    FLAGS = 0
    SIZE = 1
    BODY = 2


class FrameEncoder:
    """Accumulates encoded frames until ``drain()``.

    Small frames are joined into one buffer; a body of ``COPY_THRESHOLD`` bytes or more is queued
    as its own chunk (the caller's ``bytes``/``memoryview``, not a copy), so one
    ``writelines(drain())`` sends a batch without copying big payloads.
    """

    __slots__ = ("buffer", "chunks", "shares")

    def __init__(self, *, shares: bool = False) -> None:
        #: What ``drain()`` returns after the small frames gathered so far: large bodies (and
        #: the buffer's content before each). Empty with an empty ``buffer``: nothing pending.
        self.chunks: list[bytes | memoryview] = []
        #: Where small frames are gathered; a mechanism that builds whole frames itself (CURVE
        #: MESSAGE, see ``Mechanism.wrap_messages``) appends them here directly.
        self.buffer = bytearray()
        #: Batches take part in ``_SharedBatch`` (a publisher's connections): others never
        #: meet the same message objects twice, and need not keep their last batch alive.
        self.shares = shares

    def frame(self, body: BytesLike, flags: int = 0) -> None:
        """Queue one frame; ``flags`` may hold MORE and COMMAND (LONG is chosen here)."""
        size = len(body)
        small = self.buffer
        if size <= 255:
            # Short frame iff the body fits one size byte, exactly like libzmq (spec §5).
            small.append(flags & ~FLAG_LONG)
            small.append(size)
        else:
            small += _LONG_HEADER.pack(flags | FLAG_LONG, size)
        if size < COPY_THRESHOLD:
            small += body
        else:
            self.chunks.append(bytes(small))
            small.clear()
            self.chunks.append(body if isinstance(body, (bytes, memoryview)) else bytes(body))

    def chunk(self, data: bytes | memoryview) -> None:
        """Queue ready-made frame bytes as their own chunk, not copied (large wrapped frames)."""
        if self.buffer:
            self.chunks.append(bytes(self.buffer))
            self.buffer.clear()
        self.chunks.append(data)

    def raw(self, data: bytes) -> None:
        """Queue bytes that are not a frame (the greeting)."""
        self.buffer += data

    def message(self, frames: Sequence[BytesLike]) -> None:
        """Queue a whole message: MORE on every frame but the last."""
        last = len(frames) - 1
        if not last:
            # The common case: one frame copied behind a precomputed header.
            body = frames[0]
            size = len(body)
            if size <= 255:
                small = self.buffer
                small += _SHORT_HEADERS[size]
                small += body
                return
            if size < COPY_THRESHOLD:
                header = _LONG_HEADERS[size]
                small = self.buffer
                small += _long_header(size) if header is None else header
                small += body
                return
        small = self.buffer
        for i, body in enumerate(frames):
            size = len(body)
            if size <= 255:
                # Envelopes and short bodies: the header is precomputed, as above.
                small += _SHORT_MORE_HEADERS[size] if i < last else _SHORT_HEADERS[size]
                small += body
            else:
                self.frame(body, FLAG_MORE if i < last else 0)

    def take_shared(self, messages: Sequence[Sequence[BytesLike]]) -> bool:
        """Queue the bytes another encoder has just framed for the very same message objects
        (``_SharedBatch``), when both ``shares`` and nothing else is queued; False when there
        are none (nothing queued then)."""
        if (
            not self.shares
            or len(messages) < _SHARE_MIN
            or self.buffer
            or self.chunks
            or payloads_tracked()
        ):
            return False
        last = _shared.last
        if (
            last is not None
            and len(last[0]) == len(messages)
            and all(map(_same, last[0], messages))
        ):
            self.chunks = list(last[1])
            _shared.taken += 1
            return True
        return False

    def messages(self, messages: Sequence[Sequence[BytesLike]]) -> None:
        """Queue whole messages, in order: ``message`` for each, with its common case (one
        short frame) inline — a batch costs one call, not one per message. A batch another
        encoder has just framed (the same message objects) takes its bytes when both
        ``shares`` (``take_shared``)."""
        if (
            not self.shares
            or len(messages) < _SHARE_MIN
            or self.buffer
            or self.chunks
            or payloads_tracked()
        ):
            self._frame_messages(messages)
            return
        if self.take_shared(messages):
            return
        self._frame_messages(messages)
        chunks = self.chunks
        small = self.buffer
        if small:
            chunks.append(bytes(small))
            small.clear()
        if sum(map(len, chunks)) <= _SHARE_MAX:
            _shared.last = (messages, tuple(chunks))
        else:
            _shared.last = None

    def _frame_messages(self, messages: Sequence[Sequence[BytesLike]]) -> None:
        if len(messages) >= SPAN_MIN and self.single_frames(messages):
            return
        small = self.buffer
        headers = _SHORT_HEADERS
        long_headers = _LONG_HEADERS
        message = self.message
        chunks = self.chunks
        for start in range(0, len(messages), _JOIN_RUN):
            for frames in messages[start : start + _JOIN_RUN]:
                if len(frames) == 1:
                    body = frames[0]
                    size = len(body)
                    if size <= 255:
                        small += headers[size]
                        small += body
                        continue
                    if size < COPY_THRESHOLD:
                        # A long frame still copied: its header from the table, as above.
                        header = long_headers[size]
                        small += _long_header(size) if header is None else header
                        small += body
                        if len(small) >= JOIN_MAX:
                            chunks.append(bytes(small))
                            small.clear()
                        continue
                message(frames)
                if len(small) >= JOIN_MAX:
                    chunks.append(bytes(small))
                    small.clear()
            if len(small) >= JOIN_MAX:
                chunks.append(bytes(small))
                small.clear()

    def single_frames(
        self, messages: Sequence[Sequence[BytesLike]], body_max: int | None = None
    ) -> bool | None:
        """Queue a batch of one-frame messages in C-level calls, no Python per message: bodies
        of one size behind one repeated header (``header.join``), short bodies of several
        sizes interleaved with their headers. Returns True when queued; False when a body is
        ``body_max`` bytes or more; None when the batch is not one frame a message, or holds
        long frames of several sizes or a body to be left uncopied (``COPY_THRESHOLD``). Nothing
        is queued unless True. Joined in chunks of at most JOIN_MAX bytes, as the joined buffer
        is (see JOIN_MAX)."""
        count = len(messages)
        if list(map(len, messages)).count(1) != count:
            return None
        bodies = list(map(_first_frame, messages))
        sizes = list(map(len, bodies))
        top = sizes[0]
        uniform = sizes.count(top) == count
        if not uniform:
            top = max(sizes)
        if body_max is not None and top >= body_max:
            return False
        if top >= COPY_THRESHOLD:
            return None
        if uniform:
            header = _SHORT_HEADERS[top] if top <= 255 else _LONG_HEADERS[top] or _long_header(top)
            step = JOIN_MAX // (top + len(header))
            runs = (
                [bodies]
                if count <= step
                else [bodies[start : start + step] for start in range(0, count, step)]
            )
            for run in runs:
                # ``join`` puts the header between bodies; an empty first part puts it in
                # front of the first body too.
                run.insert(0, b"")
            joined = list(map(header.join, runs))
        elif top <= 255:
            parts: list[BytesLike] = [b""] * (2 * count)
            parts[::2] = map(_SHORT_HEADERS.__getitem__, sizes)
            parts[1::2] = bodies
            step = 2 * (JOIN_MAX // (top + 2))
            ends = range(step, len(parts) + step, step)
            joined = (
                [b"".join(parts)]
                if len(parts) <= step
                else [b"".join(parts[end - step : end]) for end in ends]
            )
        else:
            return None
        chunks = self.chunks
        small = self.buffer
        if small:
            chunks.append(bytes(small))
            small.clear()
        chunks += joined
        return True

    def bound(self, least: int = JOIN_MAX) -> None:
        """Make the joined buffer of small frames a chunk of its own if it holds ``least``
        bytes or more: for whoever appends whole frames to ``buffer`` in long runs (CURVE)."""
        small = self.buffer
        if len(small) >= least:
            self.chunks.append(bytes(small))
            small.clear()

    def command(self, body: BytesLike) -> None:
        """Queue a command frame (never with MORE, spec §5)."""
        self.frame(body, FLAG_COMMAND)

    def pending(self) -> bool:
        return bool(self.chunks or self.buffer)

    def drain(self) -> list[bytes | memoryview]:
        """Everything queued since the last drain, in order."""
        chunks = self.chunks
        if not chunks:
            small = self.buffer
            if not small:
                return []
            data = bytes(small)
            small.clear()
            return [data]
        if self.buffer:
            chunks.append(bytes(self.buffer))
            self.buffer.clear()
        self.chunks = []
        return chunks


def frame_header(size: int, flags: int = 0) -> bytes:
    """The flags + size bytes in front of a ``size``-byte body (short iff ``size <= 255``)."""
    if size <= 255:
        return bytes((flags & ~FLAG_LONG, size))
    return _LONG_HEADER.pack(flags | FLAG_LONG, size)


def encode_frame(body: BytesLike, flags: int = 0) -> bytes:
    """One frame as bytes (a convenience for tests and small control traffic)."""
    enc = FrameEncoder()
    enc.frame(body, flags)
    return b"".join(enc.drain())


class FrameDecoder:
    """Incremental frame decoder.

    ``decode(data, out)`` appends ``(flags, body)`` for every frame completed by ``data`` (LONG
    is cleared from ``flags``: it only describes the size field); bytes
    of an unfinished frame are kept for the next call. Reserved flag bits (0xF8) are passed
    through untouched: libzmq ignores them on receive, and so do callers that test only
    MORE/COMMAND. A LONG frame with a small size is accepted (spec §5).

    Raises ``RemoteProtocolError`` (EMSGSIZE in libzmq terms) when a frame is larger than
    ``max_msg_size`` (``-1`` = no limit); frames completed before the bad one are already in
    ``out``, so the caller can still act on them.
    """

    __slots__ = (
        "_bodies",
        "_body",
        "_buf",
        "_flags",
        "_have",
        "_lead",
        "_lead_out",
        "_leading",
        "_size",
        "_spare",
        "_stride",
        "max_msg_size",
    )

    def __init__(self, max_msg_size: int = -1, bodies: BodyPool | None = None) -> None:
        self.max_msg_size = max_msg_size
        #: Where message bodies of LEND_MIN bytes or more are received and lent from (and
        #: handed on as that ``Lent`` buffer, not copied); None: every body becomes ``bytes``.
        self._bodies = bodies
        self._buf = b""
        # While a body is incomplete it is gathered here (one copy per byte, no join); the
        # bytearray may be shorter than the frame and grows as bytes arrive.
        self._body: bytearray | None = None
        self._spare: bytearray | None = None
        self._flags = 0
        self._size = 0
        self._have = 0
        #: The next read should be a lead read (``LEAD_MIN``); its buffer, made on first use.
        self._leading = False
        self._lead: bytearray | None = None
        #: The view the last ``body_buffer()`` handed out when it was a lead buffer or an
        #: aligned part of the shared buffer (not the body's); its bytes are input.
        self._lead_out: memoryview | None = None
        #: Header and body size of the last frame cut from a read or started in one, when
        #: aligned reads apply to it (``RUN_SIZE_MAX`` < body < ``LEAD_MIN``); else 0.
        self._stride = 0

    @property
    def idle(self) -> bool:
        """True between frames: no byte of an unfinished frame is held."""
        return self._body is None and not self._buf

    @property
    def state(self) -> DecoderState:
        if self._body is not None:
            return DecoderState.BODY
        return DecoderState.FLAGS if not self._buf else DecoderState.SIZE

    @property
    def bytes_needed(self) -> int:
        """The least number of further bytes that can complete the current step."""
        if self._body is not None:
            return self._size - self._have
        if not self._buf:
            return 2
        buf = self._buf
        if buf[0] & FLAG_LONG:
            return 9 - len(buf)
        if len(buf) >= 2 and not buf[1] and buf[0] & FLAG_COMMAND:
            # An empty short command waits for 9 header bytes: it may be libzmq#4367's long
            # frame without the LONG flag (see decode).
            return 9 - len(buf)
        return 2 - len(buf)

    def _start_body(self, flags: int, size: int, first: BytesLike) -> None:
        self._stride = 9 + size if RUN_SIZE_MAX < size < LEAD_MIN else 0
        have = len(first)
        room = min(size, max(have + BODY_STEP, 2 * have))
        bodies = self._bodies
        body: bytearray | None
        if bodies is not None and size >= LEND_MIN and not flags & FLAG_COMMAND:
            body = bodies.take(size) or Lent(room)
        else:
            body = self._spare
            if body is not None and len(body) >= room:
                self._spare = None
            else:
                body = bytearray(room)
        body[:have] = first
        self._body = body
        self._flags = flags
        self._size = size
        self._have = have

    def body_buffer(self, shared: memoryview | None = None) -> memoryview | None:
        """A writable view of the unfinished body's missing bytes (at most up to the end of
        the frame), for the transport to read into directly; right after a large frame, a
        lead buffer of ``LEAD_SIZE`` bytes for the next read (``LEAD_MIN``); in a stream of
        frames that aligned reads apply to, the start of ``shared`` (the transport's own
        buffer) up to where such a frame would end; None otherwise (read into ``shared``).
        Report what was written with ``body_received()``."""
        body = self._body
        if body is None:
            if self._buf:
                return None
            if self._leading:
                lead = self._lead
                if lead is None:
                    lead = self._lead = bytearray(LEAD_SIZE)
                view = self._lead_out = memoryview(lead)
                return view
            if self._stride and shared is not None:
                return self._aligned(shared, 0)
            return None
        self._lead_out = None
        need = self._size - self._have
        if need < DIRECT_MIN:
            if self._stride and shared is not None:
                return self._aligned(shared, need)
            return None
        have = self._have
        if have == len(body):
            body = self._grow(body, have + 1)
        return memoryview(body)[have : self._size]

    def _aligned(self, shared: memoryview, need: int) -> memoryview | None:
        """The start of ``shared`` for a read of the ``need`` bytes missing from the current
        frame and as many whole frames of ``_stride`` bytes as fit behind them; None when
        that is all of ``shared``."""
        room = len(shared)
        stride = self._stride
        size = need + (room - need) // stride * stride
        if not size or size >= room:
            return None
        view = self._lead_out = shared[:size]
        return view

    def _grow(self, body: bytearray, least: int) -> bytearray:
        """Make room for at least ``least`` bytes, within the bounded step."""
        grow = min(self._size, max(least + BODY_STEP, 2 * self._have)) - len(body)
        try:
            body += bytes(grow)
        except BufferError:  # a view of it is still alive somewhere: move instead
            body = self._body = body + bytes(grow)
        return body

    def body_received(self, nbytes: int, out: list[tuple[int, bytes]]) -> memoryview | None:
        """``nbytes`` were written into the last ``body_buffer()``; appends the frame to
        ``out`` when it is complete. When that buffer was the lead buffer or an aligned part
        of the shared buffer, returns the bytes read, which the caller decodes as any other
        input (``decode``...), before the next ``body_buffer()``."""
        lead = self._lead_out
        if lead is not None:
            self._lead_out = None
            self._leading = False
            return lead[:nbytes]
        self._have += nbytes
        if self._have == self._size:
            self._finish(out)
        return None

    def _finish(self, out: list[tuple[int, bytes]]) -> None:
        body = self._body
        assert body is not None
        self._body = None
        size = self._size
        if size >= LEAD_MIN:
            self._leading = True
        if type(body) is Lent and len(body) == size:
            assert self._bodies is not None
            self._bodies.lent = True
            out.append((self._flags & _NOT_LONG, body))  # type: ignore[arg-type]
            return
        whole = body if len(body) == size else memoryview(body)[:size]
        out.append((self._flags & _NOT_LONG, bytes(whole)))
        del whole  # release the view before the spare may be resized
        if len(body) <= SPARE_MAX:
            self._spare = body

    def _cut_long_frames(self, data: BytesLike, out: list[tuple[int, bytes]]) -> int:
        """Append the whole long frames of more than ``RUN_SIZE_MAX`` bytes at the start of
        ``data`` to ``out``, each body copied once out of ``data``; returns the bytes used."""
        view = memoryview(data)
        end = len(view)
        pos = 0
        limit = self.max_msg_size
        unpack_size = _LONG_SIZE.unpack_from
        while end - pos > 9:
            flags = view[pos]
            if not flags & FLAG_LONG:
                break
            size: int = unpack_size(view, pos + 1)[0]
            stop = pos + 9 + size
            if size <= RUN_SIZE_MAX or stop > end:
                break
            if 0 <= limit < size:
                raise self._oversize(size)
            out.append((flags & _NOT_LONG, bytes(view[pos + 9 : stop])))
            pos = stop
            self._stride = 9 + size if size < LEAD_MIN else 0
        return pos

    def _oversize(self, size: int) -> RemoteProtocolError:
        return RemoteProtocolError(
            f"peer sent a {size}-byte frame, larger than MAXMSGSIZE ({self.max_msg_size} bytes)",
            ProtocolErrorCode.ZMTP_UNSPECIFIED,
        )

    def complete(self, data: BytesLike, out: list[tuple[int, bytes]]) -> int:
        """``decode`` only as much of ``data`` as finishes the unfinished frame (appended to
        ``out``); returns the bytes used, all of ``data`` when it does not get that far. The
        decoder is then ``idle``, and the caller may read whole frames from the rest itself."""
        used = 0
        total = len(data)
        while used < total and (self._body is not None or self._buf):
            # At least one byte: an empty command frame from libzmq 4.3.3/4.3.4 needs 9 header
            # bytes, which bytes_needed does not know.
            step = min(self.bytes_needed or 1, total - used)
            self.decode(data[used : used + step], out)
            used += step
        return used

    def split_messages(
        self, data: bytes | memoryview, partial: list[bytes], messages: list[Received]
    ) -> tuple[list[bytes], int]:
        """The hot path of small traffic: whole message frames read from the start of ``data``
        straight into messages, without a ``(flags, body)`` pair per frame.

        ``partial`` holds the frames of the message in progress; it is extended in place and
        every message completed is appended to ``messages``. Returns the frames of the message
        still in progress and how many bytes were used. Short frames are read one by one, and
        a run of one-frame messages of one size (short or long frames) in one step
        (``_split_run``); a one-frame message is a 1-tuple (``Received``) either way. Stops
        at the first frame that is a command, cut off by the end of ``data``, or long and in
        no run: ``decode`` takes the rest. Only when the decoder is ``idle``, and not under a
        MAXMSGSIZE below 255 (then ``decode`` checks every frame); otherwise nothing is used.
        From a ``memoryview`` (a read not copied into ``bytes``, worth it for long frames)
        only runs are taken.
        """
        if self._buf or self._body is not None or 0 <= self.max_msg_size < 255:
            return partial, 0
        end = len(data)
        last = end - 2
        pos = 0
        frames = partial
        pause = 0
        single = type(data) is not bytes  # frames one by one need slices that are bytes
        while pos <= last:
            flags = data[pos]
            if pause:
                pause -= 1
            elif not frames:
                if not flags & _NOT_LONG:
                    used = self._split_run(data, pos, messages)
                elif flags == FLAG_MORE and not single:
                    used = self._split_parts_run(data, pos, messages)  # type: ignore[arg-type]
                else:
                    used = 0
                if used:
                    pos += used
                    continue
                pause = _RUN_PAUSE
            if flags & (FLAG_LONG | FLAG_COMMAND) or single:
                break
            stop = pos + 2 + data[pos + 1]
            if stop > end:
                break
            # (Slices of ``bytes`` here: ``single`` stopped a memoryview above.)
            if flags & FLAG_MORE:
                frames.append(data[pos + 2 : stop])  # type: ignore[arg-type]
            elif frames:
                frames.append(data[pos + 2 : stop])  # type: ignore[arg-type]
                messages.append(frames)
                frames = []
            else:
                # A one-frame message: a 1-tuple, as in a run (``Received``).
                messages.append((data[pos + 2 : stop],))  # type: ignore[arg-type]
            pos = stop
        if pos:
            spare = self._spare
            if spare is not None and len(spare) > RUN_SIZE_MAX:
                self._spare = None  # the stream moved on to small frames
            self._stride = 0
        return frames, pos

    @staticmethod
    def splits(data: BytesLike) -> bool:
        """Whether ``split_messages`` may be given ``data``: it starts with a short message
        frame, or with a long one of a run's size that ``data`` holds at least ``RUN_MIN``
        of. (A read that starts inside a larger body is ``decode``'s: it gathers that body
        straight from the read, uncopied; so is one too short for a run of long frames.)"""
        if not data:
            return False
        flags = data[0]
        if not flags & (FLAG_LONG | FLAG_COMMAND):
            return True
        if flags & FLAG_COMMAND or len(data) < 9:
            return False
        size: int = _LONG_SIZE.unpack_from(data, 1)[0]
        return size <= RUN_SIZE_MAX and RUN_MIN * (size + 9) <= len(data)

    def _split_run(self, data: bytes | memoryview, pos: int, messages: list[Received]) -> int:
        """Read the run of whole one-frame messages that repeat the header at ``pos`` (flags
        without MORE or COMMAND, one body size) into ``messages``, at most ``RUN_MAX`` of them;
        returns the bytes used, 0 when fewer than ``RUN_MIN`` follow.

        Every header of the run sits at a fixed stride: a short frame's two bytes are compared
        for all frames at once (a strided slice each), a long frame's header is read for all
        of them by one ``struct`` iteration and compared whole, and the bodies are cut out by
        another: no Python step per message."""
        end = len(data)
        if data[pos] & FLAG_LONG:
            if end - pos < 9:
                return 0
            head = 9
            size: int = _LONG_SIZE.unpack_from(data, pos + 1)[0]
            if size > RUN_SIZE_MAX or 0 <= self.max_msg_size < size:
                return 0
        else:
            head = 2
            size = data[pos + 1]
        step = head + size
        count = min((end - pos) // step, RUN_MAX)
        if count < RUN_MIN:
            return 0
        if head == 2:
            # The first RUN_MIN headers first: a stream of mixed sizes fails here, before the
            # columns of up to RUN_MAX headers are cut out.
            probe = pos + RUN_MIN * step
            if (
                data[pos + 1 : probe : step] != _RUN_STARTS[size]
                or data[pos + step : probe : step] != _RUN_FLAGS
            ):
                return 0
            for i in (0, 1):
                stop = pos + count * step
                column = bytes(data[pos + i : stop : step])  # (bytes of bytes is no copy)
                byte = data[pos + i]
                if column.count(byte) != count:
                    # How many headers in a row carry this byte of the first one.
                    count -= len(column.lstrip(_BYTE[byte]))
                    if count < RUN_MIN:
                        return 0
        else:
            # Long frames, fewer per read: their headers as (flags, size) pairs, compared whole
            # (nine strided columns cost more for a short run).
            view = memoryview(data)[pos : pos + count * step]
            pairs = list(_run_layout(f">BQ{size}x").iter_unpack(view))
            first = pairs[0]
            if pairs.count(first) != count:
                count = list(map(first.__eq__, pairs)).index(False)
                if count < RUN_MIN:
                    return 0
        stop = pos + count * step
        # The messages are the 1-tuples ``iter_unpack`` makes (docs/contracts.md, "Pipes"): a
        # list each would cost its own allocation, and the cyclic GC would count and traverse
        # every one while it waits in the pipe, while a tuple of ``bytes`` it drops at once.
        messages.extend(_run_layout(f"{head}x{size}s").iter_unpack(memoryview(data)[pos:stop]))
        return stop - pos

    def _split_parts_run(self, data: bytes, pos: int, messages: list[Received]) -> int:
        """Read the run of whole multipart messages that repeat the layout of the one at
        ``pos`` (up to ``PARTS_MAX`` short frames, MORE on all but the last, the same sizes)
        into ``messages``, as lists, at most ``RUN_MAX`` of them; returns the bytes used, 0
        when fewer than ``RUN_MIN`` follow.

        The same strided comparison of header bytes as ``_split_run`` (two columns per frame,
        over the first ``RUN_MIN`` messages first), and one ``struct`` iteration that cuts out
        every body: an envelope and a body (``[routing id, body]``, REQ's ``[b"", body]``)
        cost no Python step per message."""
        end = len(data)
        sizes: list[int] = []
        at = pos
        while True:
            if at + 2 > end:
                return 0
            flags = data[at]
            if flags & ~FLAG_MORE or len(sizes) == PARTS_MAX:
                return 0  # a long frame, a command, reserved bits, or too many parts
            size = data[at + 1]
            sizes.append(size)
            at += 2 + size
            if not flags:
                break
        step = at - pos
        count = min((end - pos) // step, RUN_MAX)
        if count < RUN_MIN:
            return 0
        # The first RUN_MIN messages, then all of them: a stream of other layouts fails early.
        for probe in (RUN_MIN, count):
            stop = pos + probe * step
            offset = pos
            for size in sizes:
                for header in (offset, offset + 1):
                    column = data[header:stop:step]
                    byte = data[header]
                    if column.count(byte) != len(column):
                        if probe == RUN_MIN:
                            return 0
                        # How many messages in a row carry this byte of the first one.
                        count = len(column) - len(column.lstrip(_BYTE[byte]))
                        if count < RUN_MIN:
                            return 0
                        stop = pos + count * step
                offset += 2 + size
        layout = _run_layout("".join(f"2x{size}s" for size in sizes))
        messages.extend(map(list, layout.iter_unpack(memoryview(data)[pos:stop])))
        return stop - pos

    def decode(self, data: BytesLike, out: list[tuple[int, bytes]]) -> None:
        body = self._body
        if body is not None:
            have = self._have
            need = self._size - have
            n = min(len(data), need)
            if have + n > len(body):
                body = self._grow(body, have + n)
            body[have : have + n] = data[:n] if n < len(data) else data
            self._have = have + n
            if n < need:
                return
            self._finish(out)
            data = data[n:]
            if not data:
                return
        if not self._buf and type(data) is not bytes and len(data) > 9 and data[0] & FLAG_LONG:
            # Whole frames too large for a run (``RUN_SIZE_MAX``) at the start of a read that
            # is not ``bytes`` (the transport's buffer): each body is cut straight out of the
            # read, one copy, rather than the read copied into ``bytes`` and every body then
            # sliced out of that (two).
            used = self._cut_long_frames(data, out)
            if used:
                data = memoryview(data)[used:]
                if not data:
                    self._spare = None  # the stream moved on to frames that fit one read
                    return
        if not self._buf and len(data) > 9 and data[0] & FLAG_LONG:
            # A read that starts with a long frame and ends inside its body (the usual read in
            # a stream of large messages): gather the body from the read itself. Copying all
            # of the read into ``bytes`` first copied that part of every body twice.
            size = _LONG_SIZE.unpack_from(data, 1)[0]
            if size > len(data) - 9:
                if 0 <= self.max_msg_size < size:
                    raise self._oversize(size)
                self._start_body(data[0], size, memoryview(data)[9:])
                return
        buf = self._buf + data if self._buf else bytes(data)
        pos = 0
        end = len(buf)
        limit = self.max_msg_size
        unpack_size = _LONG_SIZE.unpack_from
        while end - pos >= 2:
            flags = buf[pos]
            if flags & FLAG_LONG:
                if end - pos < 9:
                    break
                size = unpack_size(buf, pos + 1)[0]
                start = pos + 9
            else:
                size = buf[pos + 1]
                start = pos + 2
                if not size and flags & FLAG_COMMAND:
                    # An empty command is never valid. libzmq 4.3.3/4.3.4 sent SUBSCRIBE/CANCEL
                    # with 246-255-byte topics as "04" + an 8-byte size (libzmq#4367, spec
                    # zmtp.md §5): read such a frame as the long frame it really is.
                    if end - pos < 9:
                        break
                    if buf[pos + 2 : pos + 7] == _FIVE_ZEROS:
                        size = unpack_size(buf, pos + 1)[0]
                        start = pos + 9
            if 0 <= limit < size:
                self._buf = b""
                raise self._oversize(size)
            stop = start + size
            if stop > end:
                # Incomplete body: gather it in a bytearray sized for what has arrived plus a
                # bounded step (BODY_STEP), never for what is merely announced.
                self._start_body(flags, size, memoryview(buf)[start:])
                self._buf = b""
                return
            out.append((flags & _NOT_LONG, buf[start:stop]))
            pos = stop
        self._buf = buf[pos:] if pos else buf
        self._stride = 0
        if self._spare is not None:
            self._spare = None  # the stream moved on to small frames


__all__ = [
    "FLAG_MORE",
    "FLAG_LONG",
    "FLAG_COMMAND",
    "COPY_THRESHOLD",
    "BODY_STEP",
    "DIRECT_MIN",
    "LEAD_MIN",
    "LEAD_SIZE",
    "SPARE_MAX",
    "DecoderState",
    "FrameEncoder",
    "shared_taken",
    "FrameDecoder",
    "Received",
    "encode_frame",
    "frame_header",
]
