"""Flow control between a pipe and a transport, shared by ``Peer`` and ``StreamPeer``.

Inbound: messages the pipe refused at its HWM wait in a stash and reading is paused; the
pattern draining the pipe to LWM (``on_write_activated``, on the owner's thread) hops to the
loop to write them and resume reading. Outbound: ``pause_writing``/``resume_writing`` stop and
restart the flush, so a full transport pushes back on the sender through the socket's SNDHWM
(docs/architecture.md §3).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..patterns.pipe import Pipe
from .network_side import CoreLike
from .peer_state import PeerState

if TYPE_CHECKING:
    from ..zmtp import Received

_CLOSING = PeerState.CLOSING
_CLOSED = PeerState.CLOSED


def detached(pipe: Pipe) -> None:
    """Pipe callback of a connection that is gone."""


class PipeFlow(asyncio.BufferedProtocol):
    """The pipe ↔ transport plumbing of one connection. Subclasses provide the attributes
    below (in their ``__slots__``) and ``_flush``."""

    __slots__ = (
        "_core",
        "_flush_scheduled",
        "_loop",
        "_loop_thread",
        "_pipe",
        "_read_paused",
        "_stash",
        "_state",
        "_transport",
        "_write_paused",
    )

    _core: CoreLike
    _transport: asyncio.Transport | None
    _loop: asyncio.AbstractEventLoop | None
    _loop_thread: int
    _pipe: Pipe | None
    #: Messages read past the inbound HWM, waiting for the pattern to drain the pipe.
    _stash: list[Received] | None
    _state: PeerState
    _read_paused: bool
    _write_paused: bool
    _flush_scheduled: bool

    def _flush(self) -> None:
        raise NotImplementedError

    def close(self, linger: int = 0, on_closed: Callable[[], None] | None = None) -> None:
        """Close on the I/O loop, sending what is queued for up to ``linger`` ms (-1 =
        forever); then (or at once if already closed) call ``on_closed``."""
        raise NotImplementedError

    @property
    def pipe(self) -> Pipe | None:
        """The engine end of the pipe, once attached."""
        return self._pipe

    @property
    def state(self) -> PeerState:
        return self._state

    @property
    def done(self) -> bool:
        """The transport is gone and the pipe handed back."""
        return self._state is _CLOSED

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._schedule_flush()

    def _pause_reading(self) -> None:
        if not self._read_paused and self._transport is not None:
            self._read_paused = True
            self._transport.pause_reading()

    def _on_write_activated(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the pattern drained our inbound queue to LWM."""
        self._hop(self._resume_inbound)

    def _resume_inbound(self) -> None:
        stash = self._stash
        pipe = self._pipe
        if self._state is _CLOSED or stash is None or pipe is None:
            return
        # In slices as large as the room left (``Pipe.write_many``), not message by message.
        written = pipe.write_many(stash)
        if written < len(stash):
            self._stash = stash[written:]
            return  # still full: we are asleep as writer again
        self._stash = None
        if self._read_paused and self._state is not _CLOSING and self._transport is not None:
            self._read_paused = False
            self._transport.resume_reading()

    def _schedule_flush(self) -> None:
        """On the loop: one pending flush at most."""
        if not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _hop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the loop: from its own thread a plain call_soon, else the core's wake."""
        if threading.get_ident() == self._loop_thread and self._loop is not None:
            self._loop.call_soon(fn)
        else:
            self._core.call_soon(fn)


__all__ = ["PipeFlow", "detached"]
