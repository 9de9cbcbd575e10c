"""Receive buffers for large frame bodies, lent to the socket and given back.

A large body is received straight into a ``bytearray`` (``FrameDecoder.body_buffer``). The
application must get ``bytes``, so there is one copy either way; the question is *where* the
``bytes`` is made. Made by the receiving side as each body completes, it is a fresh allocation
of the body's size, often many of them in a burst (uvloop reads everything the kernel holds in
one callback, the sync API's I/O thread runs ahead of its reader), freed later by the reader in
a burst: glibc then finds megabytes free at the top of its heap, gives them back to the system,
and takes them again page fault by page fault for the next burst. That churn cost a third to
three quarters of the throughput of 256 KiB - 1 MiB messages, and made it swing from run to run.

So a body of at least ``LEND_MIN`` bytes travels to the socket in the buffer it was received
into, and the socket makes the ``bytes`` when it hands the frame to the application (``own``),
one at a time, and gives the buffer back for the next body of that size. The allocation pattern
is then that of a reader that allocates one message and frees it before the next: stable, like
pyzmq's (libzmq copies each message into ``bytes`` at ``recv()`` time).

Thread safety: the decoder (I/O side) only ``take``s and sets ``lent``; the socket (owner side)
only ``give``s back. ``deque.append``/``pop`` are atomic, and nothing else is shared.
"""

from __future__ import annotations

from collections import deque

#: Frame bodies of at least this many bytes are lent (smaller ones are copied into ``bytes``
#: by the decoder: below the allocator's mmap threshold, no churn to avoid).
LEND_MIN = 1 << 16
#: A pool keeps at most this many bytes of buffers.
POOL_BYTES = 8 << 20


class Lent(bytearray):
    """A body buffer lent by a ``BodyPool`` (only these go back to one: a ``bytearray`` of
    somebody else's must never be written into)."""

    __slots__ = ()


class BodyPool:
    """Buffers lent with received bodies, per socket; see the module docstring."""

    __slots__ = ("_free", "lent")

    def __init__(self) -> None:
        self._free: deque[Lent] = deque()
        #: Set for good once a body was lent: until then, no received frame can be a
        #: ``bytearray``, and the socket skips looking for one in multipart messages.
        self.lent = False

    def take(self, size: int) -> Lent | None:
        """A buffer of exactly ``size`` bytes from the pool, or None (then allocate a
        ``Lent``)."""
        try:
            buf = self._free.pop()
        except IndexError:
            return None
        if len(buf) < size:
            return None  # dropped: the stream moved on to larger bodies
        if len(buf) > size:
            try:
                del buf[size:]  # within the allocation: no copy (CPython shrinks in place)
            except BufferError:  # still viewed somewhere: not ours to reuse
                return None
        return buf

    def give(self, buf: Lent) -> None:
        """Take back a buffer whose contents were copied out."""
        free = self._free
        if len(buf) * (len(free) + 1) <= POOL_BYTES:
            free.append(buf)

    def own(self, frame: bytes | bytearray) -> bytes:
        """``frame`` as ``bytes`` for the application; a lent buffer goes back to the pool."""
        if type(frame) is bytes:
            return frame
        data = bytes(frame)
        if type(frame) is Lent:
            self.give(frame)
        return data

    def own_all(self, msg: list[bytes]) -> list[bytes]:
        """``msg`` with every lent buffer replaced by ``bytes`` (in place; returns ``msg``)."""
        for i, frame in enumerate(msg):
            if type(frame) is not bytes:
                msg[i] = self.own(frame)
        return msg


__all__ = ["LEND_MIN", "POOL_BYTES", "BodyPool", "Lent"]
