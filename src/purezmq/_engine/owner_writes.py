"""``ThreadPeer``: the connection of a sync socket, whose owner thread writes replies itself.

A sync request/reply turn otherwise crosses threads twice per side: the owner hands its reply
to the I/O thread, which writes it; the I/O thread hands the answer back. Writing the first
message after input straight to the fd from the owner thread saves the first crossing, most
of what a blocking round trip costs beyond pyzmq's (the bench's sync REQ↔REP latency cells).
Streams of sends stay batched by the loop: only the first send after input comes here.

Why it is safe (contracts.md, "Owner-thread writes"):

* a reentrant lock is held by every loop-side entry point that touches the Connection, the
  engine end's outbound queue or the transport (the overrides below); the owner only *tries*
  it and otherwise hops to the loop as usual;
* both asyncio's selector transports and uvloop's write to the fd only from our own
  ``write()`` calls (made under the lock) or while their write buffer is non-empty (asyncio's
  buffer, libuv's write queue): an owner that finds the buffer empty, holding the lock, is the
  only writer;
* never to a closing transport: uvloop closes the fd as soon as the transport closes, before
  ``connection_lost``, and the number may be reused;
* what a short ``writev`` leaves goes into ``_unsent``, which the loop writes before anything
  else.

Sockets of the asyncio API are plain ``Peer``s: no lock, their replies go out inline on the loop.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable

from ..patterns import DisconnectReason
from ..patterns.pipe import Pipe
from .network_side import CoreLike, PeerOwner
from .peer import Peer
from .peer_state import PeerState
from .transport_io import FLUSH_BATCH, IOV_MAX, unsent_part

_os_writev = getattr(os, "writev", None)
_os_write = os.write
_get_ident = threading.get_ident
_RUNNING = PeerState.RUNNING


def new_peer(core: CoreLike, endpoint: str, owner: PeerOwner) -> Peer:
    """The ZMTP peer for a new connection of ``core``: a ``ThreadPeer`` when a thread owns the
    socket (the sync API) and the platform has ``writev``, else a ``Peer``."""
    if _os_writev is not None and core.owned_by_thread:
        return ThreadPeer(core, endpoint, owner)
    return Peer(core, endpoint, owner)


class ThreadPeer(Peer):
    """A ``Peer`` whose owner thread may write its replies to the socket itself."""

    __slots__ = ("_direct_fd", "_lock", "_turn_read", "_unsent")

    def __init__(self, core: CoreLike, endpoint: str, owner: PeerOwner) -> None:
        super().__init__(core, endpoint, owner)
        #: Reentrant: loop entry points nest (close → _flush).
        self._lock = threading.RLock()
        #: The fd the owner thread may write to, once connected; else -1.
        self._direct_fd = -1
        #: What a direct write could not send: the loop writes it before anything else.
        self._unsent: list[bytes | memoryview] | None = None
        #: The last read was one whole request/reply turn: the decoder holds no byte of an
        #: unfinished frame, so the next read goes into the shared buffer (``get_buffer``).
        self._turn_read = False

    # -- loop-side entry points, under the lock ------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        with self._lock:
            super().connection_made(transport)
            if self._fd >= 0 and not transport.is_closing():
                self._direct_fd = self._fd

    def get_buffer(self, sizehint: int) -> memoryview:
        if self._turn_read:
            # Only a read feeds the decoder, and the last one ended on a message boundary:
            # no large body is pending, ``Peer.get_buffer`` would answer the shared buffer.
            return self._view
        return super().get_buffer(sizehint)

    def buffer_updated(self, nbytes: int) -> None:
        with self._lock:
            pipe = self._pipe
            if self._direct or pipe is None or self._stash is not None:
                self._turn_read = False
                super().buffer_updated(nbytes)
                return
            # ``Peer.buffer_updated`` and ``_after_io`` for the read of a request/reply turn:
            # the one message goes to the pipe without the Connection's queue of them.
            self._inline_ok = True
            conn = self._conn
            msg = conn.receive_turn(self._view[:nbytes], self._clock())
            if msg is None:
                self._turn_read = False
                self._after_io()
                return
            self._turn_read = True
            # ``Pipe.write`` inline for a pipe with room (as ``LoadBalancer.send`` does): the
            # same order, append first, then wake a sleeping reader.
            channel = pipe.outbound
            queue = channel.queue
            if len(queue) < channel.alarm:
                queue.append(msg)
                if channel.reader_asleep:
                    channel.reader_asleep = False
                    owner = pipe.peer
                    owner.on_read_activated(owner)
            elif not pipe.write(msg):
                # Inbound HWM, as in ``_deliver``: keep it and stop reading.
                self._stash = [msg]
                self._pause_reading()
            # Such a read asks for no output, and every entry point of the loop writes out
            # what it encoded: only a direct write's rest may wait (its flush is scheduled).
            if self._unsent is not None:
                self._write_out()
            # A turn's read only clears the heartbeat's TIMEOUT and TTL deadlines: with no
            # timer armed (no deadline before it, as after every entry point) none appears.
            if self._timer_at is not None and conn.next_deadline() != self._timer_at:
                self._rearm_timer()

    def eof_received(self) -> bool:
        with self._lock:
            return super().eof_received()

    def connection_lost(self, exc: Exception | None) -> None:
        with self._lock:
            super().connection_lost(exc)

    def _flush(self) -> None:
        with self._lock:
            super()._flush()

    def _on_timer(self) -> None:
        with self._lock:
            super()._on_timer()

    def _zap_reply_ready(self) -> None:
        with self._lock:
            super()._zap_reply_ready()

    def close(self, linger: int = 0, on_closed: Callable[[], None] | None = None) -> None:
        with self._lock:
            super().close(linger, on_closed)

    def disconnect_requested(self, reason: DisconnectReason) -> None:
        with self._lock:
            super().disconnect_requested(reason)

    def _linger_expired(self) -> None:
        with self._lock:
            super()._linger_expired()

    def _write_out(self) -> None:
        unsent = self._unsent
        if unsent is not None:
            # A direct write from the owner thread stopped short: its rest goes first.
            self._unsent = None
            transport = self._transport
            if transport is not None:
                for chunk in unsent:
                    transport.write(chunk)
        super()._write_out()

    # -- the owner thread -----------------------------------------------------------------------

    def _on_read_activated(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the socket wrote into a pipe we had drained.

        A request/reply turn's one small message is encoded and written right here, in one
        call (``Connection.encode_turn``, one ``write``); anything else the owner may write
        goes through ``_write_from_owner``, and the rest to the loop.
        """
        if (
            self._inline_ok
            and not self._flush_scheduled
            and self._direct_fd >= 0
            and _get_ident() != self._loop_thread
        ):
            lock = self._lock
            if not lock.acquire(False):
                super()._on_read_activated(pipe)
                return
            try:
                channel = pipe.inbound
                queue = channel.queue
                transport = self._transport
                if (
                    len(queue) == 1
                    and self._state is _RUNNING
                    and not self._write_paused
                    and self._backlog is None
                    and self._unsent is None
                    and pipe is self._pipe
                    and not pipe.peer_closed
                    and transport is not None
                    and not transport.get_write_buffer_size()
                    and not transport.is_closing()
                ):
                    data = self._conn.encode_turn(queue[0])
                    if data is not None:
                        # The pipe's writer is this very thread: nothing is appended meanwhile.
                        # Taken, the pipe is empty: sleep as its reader (``Pipe.check_read``),
                        # so that the next message activates it again.
                        queue.popleft()
                        channel.reader_asleep = True
                        if channel.writer_asleep:
                            pipe.wake_writer()
                        self._inline_ok = False
                        self._core.direct_writes += 1
                        try:
                            sent = _os_write(self._direct_fd, data)
                        except OSError:
                            # Full (EAGAIN) or broken: the loop writes it through the
                            # transport, which waits for room or ends the connection.
                            sent = 0
                        if sent != len(data):
                            self._unsent = [data[sent:]]
                            self._flush_scheduled = True
                            self._core.call_soon(self._flush)
                        return
                if self._write_from_owner():
                    return
            finally:
                lock.release()
        super()._on_read_activated(pipe)

    def _write_from_owner(self) -> bool:
        """Encode what the pipe holds and write it to the fd from this (the owner's) thread.

        Returns False to let the loop flush instead: the transport still buffers older bytes,
        or the connection is not in its plain running state. The caller holds the lock.
        """
        transport = self._transport
        pipe = self._pipe
        if (
            self._state is not PeerState.RUNNING
            or self._write_paused
            or self._backlog is not None
            or self._unsent is not None
            or transport is None
            or pipe is None
            or not self._conn.ready
            or transport.get_write_buffer_size()
            or transport.is_closing()
        ):
            return False
        self._inline_ok = False
        msgs = pipe.read_many(FLUSH_BATCH)
        send = self._conn.send_message
        for msg in msgs:
            send(msg)
        # As in _flush, the pipe must be found empty: only a sleeping reader is activated
        # by the next write. Whatever came meanwhile is the loop's to send.
        more = len(msgs) == FLUSH_BATCH or pipe.check_read()
        self._core.direct_writes += len(msgs)
        data = self._conn.data_to_send()
        chunks = data[:IOV_MAX]
        try:
            sent = _os_writev(self._direct_fd, chunks) if chunks else 0  # type: ignore[misc]
        except OSError:
            # Full (EAGAIN) or broken: the loop writes it all through the transport, which
            # waits for room, or reports the error and ends the connection its usual way.
            sent = 0
        if len(chunks) == 1 and sent == len(chunks[0]):
            unsent = data[IOV_MAX:]  # the usual case: one chunk, all of it written
        else:
            unsent = unsent_part(chunks, sent) + data[IOV_MAX:]
        if unsent or more or pipe.peer_closed:
            # The loop writes the rest first, then goes on draining the pipe.
            self._unsent = unsent or None
            self._flush_scheduled = True
            self._core.call_soon(self._flush)
        return True


__all__ = ["ThreadPeer", "new_peer"]
