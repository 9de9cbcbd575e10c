"""Moving bytes between a connection and its transport: the receive buffer every peer of a
loop shares, and the write path (gathered ``writev`` while the transport buffers nothing,
``transport.write`` for the rest).

Writing to the fd ourselves is safe while the transport's write buffer is empty: asyncio's
selector transports and uvloop write to the fd only from our ``write()`` calls or while their
buffer is non-empty (contracts.md, "Owner-thread writes" and "Loop-side writes").
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable

#: Size of the reusable receive buffer; one read may carry many messages. One per loop thread,
#: so it may be large: a sender streaming 4-16 KiB messages fills 64 KiB with four of them, and
#: each read then ends in a wake-up of the reader's thread; 256 KiB reads halve the CPU per
#: message there (docs/performance.md, "Read size").
RECV_BUFFER_SIZE = 256 * 1024
#: The shared buffer's full size: plain reads take its first ``RECV_BUFFER_SIZE`` bytes, and an
#: aligned read (docs/performance.md, "Aligned reads") up to all of it. The extra 4 KiB hold the
#: frame headers of a read of whole frames of a power-of-two size up to 64 KiB (four 64 KiB
#: frames take 262,180 bytes): such a read carries four of them, not three.
SHARED_BUFFER_SIZE = RECV_BUFFER_SIZE + 4096
#: A STREAM connection's own buffer: each read becomes one message, so it stays modest.
STREAM_BUFFER_SIZE = 64 * 1024
#: Messages moved from the pipe to the wire per flush before yielding to other peers.
FLUSH_BATCH = 1024
#: Chunks at least this large are written as memoryviews (asyncio slices what it cannot send).
VIEW_MIN = 16 * 1024
#: At most this many chunks per ``os.writev`` (POSIX guarantees IOV_MAX >= 16; Linux has 1024).
IOV_MAX = 1024
#: ``os.writev``, or None where the platform has none (then every write goes through asyncio).
#: Looked up at each call, so that a test may stand in for the kernel.
os_writev: Callable[[int, list[bytes | memoryview]], int] | None = getattr(os, "writev", None)

_per_thread = threading.local()
NO_BUFFER = memoryview(b"")


def shared_receive_buffer() -> memoryview:
    """The receive buffer of the calling thread, shared by all its peers.

    asyncio calls ``get_buffer``, reads, then ``buffer_updated`` in one step on the loop's
    thread, and ``Connection.receive_data`` copies whatever it keeps; so between two reads the
    buffer holds nothing anybody needs, and every connection of a loop can use the same one.
    An idle connection then costs no receive buffer of its own. Take it on the loop's thread
    (``connection_made``).
    """
    view: memoryview | None = getattr(_per_thread, "view", None)
    if view is None:
        view = _per_thread.view = memoryview(bytearray(SHARED_BUFFER_SIZE))
    return view


def unsent_part(chunks: list[bytes | memoryview], sent: int) -> list[bytes | memoryview]:
    """What ``writev(chunks)`` left unwritten after ``sent`` bytes."""
    for i, chunk in enumerate(chunks):
        size = len(chunk)
        if sent < size:
            rest = chunks[i:]
            if sent:
                rest[0] = memoryview(chunk)[sent:]
            return rest
        sent -= size
    return []


def write_chunks(transport: asyncio.Transport, fd: int, data: list[bytes | memoryview]) -> None:
    """Write ``data`` (a Connection's ``data_to_send()``) to ``transport``, whose socket is
    ``fd`` (-1 when unknown).

    The encoder joined the small frames already; what remains alternates runs of them with
    bodies of COPY_THRESHOLD bytes or more, left uncopied. One write() each would cost a
    system call per chunk, and a tiny TCP segment per frame header; asyncio's writelines()
    would join them all (a copy of every large body). So: one writev() of them all, straight
    to the socket while the transport holds nothing back, and write() for what the kernel did
    not take.
    """
    if not data:
        return
    if len(data) == 1:
        transport.write(data[0])
        return
    writev = os_writev
    if (
        fd >= 0
        and writev is not None
        and not transport.get_write_buffer_size()
        and not transport.is_closing()
    ):
        chunks = data[:IOV_MAX]
        try:
            sent = writev(fd, chunks)
        except OSError:
            # Full (EAGAIN) or broken: write() below buffers it, or reports the error and
            # ends the connection the transport's usual way.
            sent = 0
        data = unsent_part(chunks, sent) + data[IOV_MAX:]
    # The rest, when the kernel's buffer is full: joined into one write() between large
    # chunks (a copy of small bytes, against a write() call each, and uvloop writes every
    # call with a system call of its own); large chunks as views, so that a partial send
    # does not slice-copy the rest.
    write = transport.write
    run: list[bytes | memoryview] = []
    for chunk in data:
        if len(chunk) < VIEW_MIN:
            run.append(chunk)
            continue
        if run:
            write(b"".join(run) if len(run) > 1 else run[0])
            run = []
        write(memoryview(chunk))
    if run:
        write(b"".join(run) if len(run) > 1 else run[0])


def abort_after_made(transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
    """Abort a transport from inside ``connection_made``, one loop turn later.

    uvloop's ``create_connection(sock=...)`` attaches the Python socket to the transport only
    after ``connection_made`` returns; aborting inside it closes the fd first, and the socket
    object, never detached, later closes that fd number again (whoever owns it by then) with a
    ResourceWarning (uvloop issues 645/738). On asyncio's loops reading stops now; uvloop only
    starts reading once ``connection_made`` has returned (``pause_reading`` is a no-op before),
    so input may still arrive until the abort: the caller closes its Connection first, which
    then ignores it.
    """
    transport.pause_reading()
    loop.call_soon(transport.abort)


__all__ = [
    "FLUSH_BATCH",
    "IOV_MAX",
    "NO_BUFFER",
    "RECV_BUFFER_SIZE",
    "SHARED_BUFFER_SIZE",
    "STREAM_BUFFER_SIZE",
    "VIEW_MIN",
    "abort_after_made",
    "os_writev",
    "shared_receive_buffer",
    "unsent_part",
    "write_chunks",
]
