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

The same conversion serves the other frames that are not ``bytes``: a tracked send's payload
(``_base.frame.TrackedPayload``, a ``bytes`` subclass whose release completes a tracker), which
an inproc peer hands over as it is. ``own`` copies it into plain ``bytes`` for the
application, and the original goes, completing the sender's tracker. Pools scan multipart
messages for such frames only once one may exist: ``mark_payloads_tracked`` sets ``lent`` on
every pool when the process makes its first tracked payload.

Thread safety: the decoder (I/O side) only ``take``s and sets ``lent``; the socket (owner side)
only ``give``s back. ``deque.append``/``pop`` are atomic, and nothing else is shared.
"""

from __future__ import annotations

import weakref
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


#: Every pool alive, for ``mark_payloads_tracked``.
_POOLS: weakref.WeakSet[BodyPool] = weakref.WeakSet()
#: Whether the process made a tracked payload: new pools then start with ``lent`` set.
_payloads_tracked = False


def mark_payloads_tracked() -> None:
    """A tracked payload exists: from now on, a frame of any socket may be one (inproc)."""
    global _payloads_tracked
    if not _payloads_tracked:
        _payloads_tracked = True
        for pool in list(_POOLS):
            pool.lent = True


def payloads_tracked() -> bool:
    """Whether the process made a tracked payload (``mark_payloads_tracked``): from then on
    a reference kept to a sent frame may hold back a tracker."""
    return _payloads_tracked


class BodyPool:
    """Buffers lent with received bodies, per socket; see the module docstring."""

    __slots__ = ("__weakref__", "_free", "lent")

    def __init__(self) -> None:
        self._free: deque[Lent] = deque()
        #: Set for good once a received frame may be something else than ``bytes`` (a body
        #: was lent, or a tracked payload exists); until then the socket skips looking for
        #: one in multipart messages.
        self.lent = _payloads_tracked
        _POOLS.add(self)

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
        """``frame`` as ``bytes`` for the application; a lent buffer goes back to the pool, a
        tracked payload is copied (and released by the caller)."""
        if type(frame) is bytes:
            return frame
        data = bytes(frame)
        if type(frame) is Lent:
            self.give(frame)
        return data

    def own_all(self, msg: list[bytes]) -> list[bytes]:
        """``msg`` with every lent buffer or tracked payload replaced by ``bytes`` (in place;
        returns ``msg``)."""
        for i, frame in enumerate(msg):
            if type(frame) is not bytes:
                msg[i] = self.own(frame)
        return msg


__all__ = ["LEND_MIN", "POOL_BYTES", "BodyPool", "Lent", "mark_payloads_tracked"]
