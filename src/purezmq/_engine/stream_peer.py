"""Raw TCP connections of STREAM sockets: bytes in, bytes out, no ZMTP (docs/protocol/patterns.md
§3.6).

Owns one raw connection on the I/O loop. Pipe encoding (contracts.md, patterns section): the
engine writes one-frame messages ``[bytes as read]``; the pattern writes ``[bytes to send]``,
and the empty message ``[b""]`` (``patterns.stream.CLOSE_REQUEST``) asks to close the
connection after writing what came before it. The pattern makes the ``[id, b""]`` connect and
disconnect notifications itself (STREAM_NOTIFY) when the pipe is attached and detached, so the
pipe is attached as soon as the TCP connection exists — there is no handshake.

Same flow control as ``Peer``: a reusable receive buffer, pausing reads at the inbound HWM,
one coalesced flush per activation with one ``writelines()``, no draining while the transport's
write buffer is full.

Thread affinity: the I/O loop, except the pipe callbacks (owner thread), which hop to the loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import cast

from ..constants import Event
from ..patterns import DisconnectReason
from ..patterns.pipe import Pipe
from .flow import PipeFlow, detached
from .network_side import CoreLike, PeerOwner
from .peer_state import PeerState
from .transport_io import FLUSH_BATCH, STREAM_BUFFER_SIZE, abort_after_made

_CLOSING = PeerState.CLOSING
_CLOSED = PeerState.CLOSED


class StreamPeer(PipeFlow):
    """One raw connection of a STREAM socket."""

    __slots__ = (
        "_buf",
        "_close_after_write",
        "_fd",
        "_linger_handle",
        "_on_closed",
        "_owner",
        "_view",
        "endpoint",
        "peer_address",
    )

    def __init__(self, core: CoreLike, endpoint: str, owner: PeerOwner) -> None:
        self._core = core
        self.endpoint = endpoint
        self._owner = owner
        self._buf = bytearray(STREAM_BUFFER_SIZE)
        self._view = memoryview(self._buf)
        self._transport: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._pipe: Pipe | None = None
        self._stash = None
        self._read_paused = False
        self._write_paused = False
        self._flush_scheduled = False
        self._close_after_write = False
        self._state = PeerState.CONNECTING
        self._linger_handle: asyncio.TimerHandle | None = None
        self._on_closed: list[Callable[[], None]] = []
        self._fd = -1
        self.peer_address = ""

    # -- asyncio.BufferedProtocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = transport = cast(asyncio.Transport, transport)
        self._loop = loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self._fd = sock.fileno()
            from ..transports import peer_address

            self.peer_address = peer_address(sock)
        if self._state is _CLOSING:
            abort_after_made(transport, loop)
            return
        pipe = self._owner.get_pipe(self)
        metadata: dict[str, bytes] = {}
        if self.peer_address:
            metadata["Peer-Address"] = self.peer_address.encode("utf-8", "surrogateescape")
        routing_id = self._owner.connect_routing_id
        for end in (pipe, pipe.peer):
            end.metadata = metadata
            if routing_id:
                end.routing_id = routing_id
        pipe.on_read_activated = self._on_read_activated
        pipe.on_write_activated = self._on_write_activated
        pipe.connection = self
        self._pipe = pipe
        self._state = PeerState.RUNNING  # no handshake on a raw connection
        self._core.attach_pipe(pipe)
        self._owner.handshake_done(self)
        self._schedule_flush()

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        msg = [bytes(self._view[:nbytes])]
        if self._stash is not None:
            self._stash.append(msg)
            return
        pipe = self._pipe
        if pipe is not None and not pipe.write(msg):
            self._stash = [msg]
            self._pause_reading()

    def eof_received(self) -> bool:
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        state = self._state
        if state is _CLOSED:
            return
        self._state = _CLOSED
        closing = state is _CLOSING
        if self._linger_handle is not None:
            self._linger_handle.cancel()
            self._linger_handle = None
        if not closing:
            self._core.emit(Event.DISCONNECTED, self._fd, self.endpoint)
        reconnecting = self._owner.peer_ended(self, not closing)
        pipe = self._pipe
        if pipe is not None:
            pipe.on_read_activated = detached
            pipe.on_write_activated = detached
            if pipe.connection is self:
                pipe.connection = None
            self._pipe = None
            self._stash = None
            self._core.pipe_disconnected(pipe, reconnecting)
        self._transport = None
        callbacks, self._on_closed = self._on_closed, []
        for callback in callbacks:
            callback()

    def _on_read_activated(self, pipe: Pipe) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._hop(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        pipe = self._pipe
        transport = self._transport
        if self._state is _CLOSED or pipe is None or transport is None or self._write_paused:
            return
        if self._close_after_write:
            return
        out: list[bytes] = []
        read = pipe.read
        for _ in range(FLUSH_BATCH):
            msg = read()
            if msg is None:
                break
            data = msg[0] if len(msg) == 1 else b"".join(msg)
            if not data:
                # CLOSE_REQUEST: write what came before, then close (the transport flushes).
                # The application ended it: not a DISCONNECTED event, and not reconnected.
                self._close_after_write = True
                self._state = _CLOSING
                break
            out.append(data)
        else:
            if out:
                transport.writelines(out)
            self._schedule_flush()
            return
        if out:
            transport.writelines(out)
        if not self._close_after_write and pipe.peer_closed and not pipe.read_pending():
            # The socket side closed its end: same as a close request.
            self._close_after_write = True
            self._state = _CLOSING
        if self._close_after_write or (self._state is _CLOSING and not pipe.read_pending()):
            transport.close()

    # -- closing ------------------------------------------------------------------------------

    def disconnect_requested(self, reason: DisconnectReason) -> None:
        """The socket side drops this connection (I/O loop)."""
        if self._state is not _CLOSED and self._transport is not None:
            self._transport.close()

    def close(self, linger: int = 0, on_closed: Callable[[], None] | None = None) -> None:
        """Close on the I/O loop, sending what is queued for up to ``linger`` ms; then (or at
        once if already closed) call ``on_closed``."""
        if on_closed is not None:
            if self._state is _CLOSED:
                on_closed()
            else:
                self._on_closed.append(on_closed)
        if self._state is _CLOSED:
            return
        if self._state is _CLOSING:
            # Already closing since the socket side closed the pipe: LINGER still bounds it.
            self._bound_linger(linger)
            return
        self._state = _CLOSING
        transport = self._transport
        if transport is None:
            return
        self._pause_reading()
        if linger == 0:
            transport.abort()
            return
        if linger > 0 and self._loop is not None:
            self._linger_handle = self._loop.call_later(linger / 1000.0, self._linger_expired)
        self._flush()

    def _bound_linger(self, linger: int) -> None:
        transport = self._transport
        if transport is None:
            return
        if linger == 0:
            transport.abort()
        elif linger > 0 and self._linger_handle is None and self._loop is not None:
            self._linger_handle = self._loop.call_later(linger / 1000.0, self._linger_expired)

    def _linger_expired(self) -> None:
        self._linger_handle = None
        if self._state is not _CLOSED and self._transport is not None:
            self._transport.abort()


__all__ = ["StreamPeer"]
