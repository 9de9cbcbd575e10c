"""Socket monitor events: libzmq's two-frame message and the sink that delivers them.

Owns the monitor wire format (docs/protocol/options.md §6.3, version 1: frame 1 = uint16 event +
uint32 value in the host's native byte order, no padding; frame 2 = the endpoint string) and
``MonitorSink``, which ``SocketCore.emit`` feeds: it filters by the event mask given to
``monitor()`` and writes each event as one whole message into a pipe end whose other end the
socket side attached to the monitor PAIR socket (bound at the user's inproc address).

Thread affinity: ``emit`` may be called from any thread — the I/O loop emits connection events,
the owner thread emits MONITOR_STOPPED and bind events. A pipe end has a single writer by
contract (patterns/pipe.py), so writes are serialised by a lock; events are rare (a few per
connection), never on the message hot path, so the lock costs nothing that matters.
"""

from __future__ import annotations

import struct
import threading
from typing import TYPE_CHECKING

from ..constants import Errno, Event, SocketType
from ..error import ZMQError
from ..patterns.pipe import Pipe

if TYPE_CHECKING:
    from .socket_core import SocketCore

#: Frame 1 of a version-1 monitor message: ``=`` is native order *without* alignment padding.
_HEADER = struct.Struct("=HI")


def format_event(event: int, value: int, endpoint: str) -> list[bytes]:
    """The two frames libzmq sends for one event (what pyzmq's ``parse_monitor_message`` reads)."""
    return [
        _HEADER.pack(int(event) & 0xFFFF, int(value) & 0xFFFFFFFF),
        endpoint.encode("utf-8", "surrogateescape"),
    ]


def parse_event(frames: list[bytes]) -> tuple[int, int, str]:
    """Inverse of ``format_event`` (tests and the front-ends' ``recv_monitor_message``)."""
    event, value = _HEADER.unpack(frames[0])
    return event, value, frames[1].decode("utf-8", "surrogateescape")


class MonitorSink:
    """Writes the events selected by ``events`` (a bitmask) into ``pipe`` as monitor messages.

    When the monitor socket does not keep up and the pipe is at its HWM, events are dropped and
    counted in ``dropped`` (libzmq's monitor never blocks the engine either).
    """

    __slots__ = ("_lock", "_pipe", "closed", "dropped", "events")

    def __init__(self, pipe: Pipe, events: int = Event.ALL_V1) -> None:
        self._pipe = pipe
        self._lock = threading.Lock()
        self.events = int(events)
        self.closed = False
        self.dropped = 0

    def wants(self, event: int) -> bool:
        """Whether ``emit(event, ...)`` would deliver (callers may skip building the endpoint)."""
        return not self.closed and bool(self.events & event)

    def emit(self, event: Event, value: int, endpoint: str) -> None:
        """Deliver one event if the mask selects it (any thread)."""
        if not self.events & event:
            return
        msg = format_event(event, value, endpoint)
        with self._lock:
            if self.closed:
                return
            if not self._pipe.write(msg):
                self.dropped += 1

    def stop(self, endpoint: str = "") -> None:
        """Send MONITOR_STOPPED (when selected, like libzmq's ``stop_monitor``) and end the pipe.

        Idempotent. After this, ``emit`` does nothing.
        """
        self.emit(Event.MONITOR_STOPPED, 0, endpoint)
        with self._lock:
            if self.closed:
                return
            self.closed = True
            self._pipe.close()

    close = stop


class _NoSignal:
    """The monitor socket has no owner thread that ever sleeps on it: nobody to wake."""

    __slots__ = ()
    wakes = 0
    has_fd = False

    def wake(self) -> None:
        pass

    def fileno(self) -> int:
        raise ZMQError(Errno.EINVAL, "a monitor socket's owner has no file descriptor")

    def clear(self) -> None:
        pass


class SocketMonitor:
    """The sink ``SocketCore.monitor(address, events)`` installs: libzmq's monitor PAIR socket.

    ``start`` creates a PAIR ``SocketCore`` in the monitored socket's context, bound at the
    user's inproc address (libzmq ``zmq_socket_monitor``); the user connects their own PAIR to
    read events. Events emitted while nobody is connected are dropped, as in libzmq (a PAIR
    without a peer is mute); so are events while the reader lags at the HWM.

    The monitor core has no owner thread: ``emit`` calls its ``try_send`` from whichever thread
    emits, serialised by a lock, so its pattern only ever runs under that lock.
    """

    __slots__ = ("_core", "_lock", "closed", "dropped", "endpoint", "events")

    def __init__(self, core: SocketCore, events: int, endpoint: str) -> None:
        self._core = core
        self._lock = threading.Lock()
        self.events = int(events)
        self.endpoint = endpoint
        self.closed = False
        self.dropped = 0

    def wants(self, event: int) -> bool:
        return not self.closed and bool(self.events & event)

    def emit(self, event: Event, value: int, endpoint: str) -> None:
        """Deliver one event if the mask selects it (any thread, never blocks)."""
        if not self.events & event:
            return
        msg = format_event(event, value, endpoint)
        with self._lock:
            if self.closed:
                return
            try:
                sent = self._core.try_send(msg)
            except ZMQError:
                sent = False
            if not sent:
                self.dropped += 1

    def close(self, endpoint: str = "") -> None:
        """MONITOR_STOPPED (when selected), then close the PAIR; queued events stay readable."""
        self.emit(Event.MONITOR_STOPPED, 0, endpoint)
        with self._lock:
            if self.closed:
                return
            self.closed = True
            # Linger so that MONITOR_STOPPED still reaches a reader connected over inproc.
            self._core.close(-1)

    stop = close


def start(core: SocketCore, address: str, events: int = Event.ALL_V1) -> SocketMonitor:
    """Bind a monitor PAIR for ``core`` at ``address`` (owner thread).

    Raises ``ZMQError``: EPROTONOSUPPORT unless ``address`` is ``inproc://`` (libzmq),
    EADDRINUSE when that inproc name is taken, EINVAL for a malformed address.
    """
    from ..endpoint import parse
    from .socket_core import SocketCore

    if parse(address, for_bind=True).scheme != "inproc":
        raise ZMQError(
            Errno.EPROTONOSUPPORT,
            f"monitor address {address!r}: socket monitors publish on inproc:// only",
        )
    monitor_core = SocketCore(core.ctx, SocketType.PAIR, _NoSignal())
    try:
        monitor_core.bind(address)
    except BaseException:
        monitor_core.close(0)
        raise
    return SocketMonitor(monitor_core, events, address)


__all__ = ["MonitorSink", "SocketMonitor", "format_event", "parse_event", "start"]
