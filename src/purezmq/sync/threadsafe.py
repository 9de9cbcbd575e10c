"""The blocking socket of the draft thread-safe types (CLIENT, SERVER, RADIO, DISH, SCATTER,
GATHER, PEER, CHANNEL): one socket shared by any number of threads, as in libzmq.

``Socket(ctx, zmq.SERVER)`` (and ``ctx.socket(zmq.SERVER)``) build a ``ThreadSafeSocket``.
Every front-end call that touches the socket's state holds one lock (``_lock``) for as long as
it runs, and never while it waits: a blocked ``recv`` releases it, so another thread may send
meanwhile. Messages are single-frame (SNDMORE is EINVAL), so each call moves a whole message
and no thread can see part of another's.

Waiting uses a ``SharedThreadSignal`` (every sleeper woken, each re-checks) instead of the
one-thread permit of classic sockets. A thread that, under the lock, ran mailbox commands
another sleeper was waiting for wakes the sleepers itself, so that work is never left to a
thread that does not want it (the sleepers' wake-up was consumed with the command).

Layer 4: imports layer 0, the front-ends' base and ``_engine`` only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from time import monotonic
from typing import Any, TypeVar, cast

from .._base.frame import FINISHED_TRACKER, Frame, MessageTracker, track_send
from .._base.serialize import coerce_message
from .._base.socket import DONTWAIT, POLLIN
from .._engine.signal import SharedThreadSignal
from ..error import Again
from .socket import Socket

_T = TypeVar("_T")


class ThreadSafeSocket(Socket):
    """A draft-type socket any thread may use at any time (see the module docstring)."""

    #: ``Socket(ctx, zmq.SERVER)`` makes one of these: it shows as the class asked for.
    _repr_cls = "Socket"
    _exclusive_waits = False

    _lock: threading.RLock
    _signal: SharedThreadSignal  # type: ignore[assignment]
    #: Threads waiting in a call of this socket right now.
    _sleepers: int

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Swapped before any other thread can know the socket: the core wakes through it.
        signal = SharedThreadSignal()
        self._signal = signal
        self._core.signal = signal
        self._lock = threading.RLock()
        self._sleepers = 0

    # ---- the one lock ----------------------------------------------------------------------

    def _locked(self, op: Callable[[], _T]) -> _T:
        """Run ``op`` under the lock; wake the sleepers if it ran commands they wait for."""
        core = self._core
        with self._lock:
            before = core.commands_processed
            try:
                return op()
            finally:
                if self._sleepers and core.commands_processed != before:
                    self._signal.wake()

    def _wait_for(self, attempt: Callable[[], _T | None], flags: int, timeout_ms: int) -> _T:
        """Retry ``attempt`` (under the lock) until it gives a result, waiting (without the
        lock) for wake-ups in between, up to ``timeout_ms`` (-1: forever) unless DONTWAIT."""
        result = self._locked(attempt)
        if result is not None:
            return result
        if flags & DONTWAIT:
            raise Again()
        deadline = None if timeout_ms < 0 else monotonic() + timeout_ms / 1000.0
        signal = self._signal
        core = self._core
        while True:
            with self._lock:
                ticket = signal.ticket()
                result = self._locked(attempt)
                if result is not None:
                    return result
                sleep = core.prepare_to_sleep()
                self._sleepers += 1
                # Context.term leaves a socket some thread waits in to that thread (ETERM);
                # the last thread that waited is its user, as for the classic sockets.
                self._blocking = True
                self._owner = threading.get_ident()
            try:
                if deadline is None:
                    if sleep:
                        signal.wait_past(ticket, None)
                else:
                    remaining = deadline - monotonic()
                    if remaining <= 0:
                        raise Again()  # libzmq's plain strerror, as pyzmq
                    if sleep:
                        signal.wait_past(ticket, remaining)
            finally:
                with self._lock:
                    self._sleepers -= 1
                    self._blocking = self._sleepers > 0

    # ---- send ------------------------------------------------------------------------------

    def _send_draft(self, msg: list[bytes], flags: int) -> None:
        core = self._core

        def attempt() -> bool | None:
            self._check_closed()
            return True if core.try_send(msg) else None

        self._wait_for(attempt, flags, core.options.sndtimeo)

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None:
        """Send one single-frame message; ``routing_id=`` names a SERVER/PEER's peer,
        ``group=`` a RADIO's group (a ``Frame``'s own attributes count too)."""
        self._check_closed()
        payload, tracker = track_send(data, copy, track, self.copy_threshold)
        msg = self._draft_message(payload, flags, routing_id, group)
        self._send_draft(msg, flags)
        return tracker

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Only a one-frame message: libzmq refuses the SNDMORE of a first frame (EINVAL)."""
        parts = list(msg_parts)
        self._multipart_for_draft(coerce_message(parts) if parts else [], flags)
        return self.send(parts[0], flags, copy=copy, track=track, **kwargs)

    # ---- recv ------------------------------------------------------------------------------

    def _recv_draft(self, flags: int, copy: bool) -> bytes | Frame:
        core = self._core

        def attempt() -> bytes | Frame | None:
            self._check_closed()
            msg: list[bytes] | None = core.try_recv()
            # Made under the lock: a Frame's properties are those of this message's peer.
            return None if msg is None else self._draft_received(msg, copy)

        received = self._wait_for(attempt, flags, core.options.rcvtimeo)
        return cast("bytes | Frame", received)

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """Receive one message: ``bytes``, or a ``Frame`` (``copy=False``) whose
        ``routing_id`` (SERVER/PEER) or ``group`` (DISH) says where it came from."""
        self._check_closed()
        received = self._recv_draft(flags, copy)
        if track and isinstance(received, Frame):
            received.tracker = FINISHED_TRACKER  # as pyzmq's recv(copy=False, track=True)
        return received

    def recv_multipart(self, flags: int = 0, copy: bool = True, track: bool = False) -> Any:
        """A one-frame list (draft messages are single-frame)."""
        return [self.recv(flags, copy=copy, track=track)]

    # ---- everything else that touches state -------------------------------------------------

    def poll(self, timeout: int | None = None, flags: int = POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or -1: forever) for ``flags``; 0 on timeout."""
        self._check_closed()
        if timeout is None:
            timeout = -1

        def attempt() -> int | None:
            self._check_closed()
            return self._events_unlocked() & flags or None

        try:
            return self._wait_for(attempt, 0, int(timeout))
        except Again:
            return 0

    def _events_unlocked(self) -> int:
        return Socket._events(self)

    def _events(self) -> int:
        return self._locked(self._events_unlocked)

    def set(self, option: int, optval: Any) -> None:
        self._locked(lambda: Socket.set(self, option, optval))

    setsockopt = set

    def get(self, option: int) -> Any:
        return self._locked(lambda: Socket.get(self, option))

    getsockopt = get

    def bind(self, addr: str | bytes) -> Any:
        return self._locked(lambda: Socket.bind(self, addr))

    def connect(self, addr: str | bytes) -> Any:
        return self._locked(lambda: Socket.connect(self, addr))

    def unbind(self, addr: str | bytes) -> None:
        self._locked(lambda: Socket.unbind(self, addr))

    def disconnect(self, addr: str | bytes) -> None:
        self._locked(lambda: Socket.disconnect(self, addr))

    def connect_peer(self, addr: str | bytes) -> int:
        return self._locked(lambda: Socket.connect_peer(self, addr))

    def join(self, group: str | bytes) -> None:
        self._locked(lambda: Socket.join(self, group))

    def leave(self, group: str | bytes) -> None:
        self._locked(lambda: Socket.leave(self, group))

    def close(self, linger: int | None = None) -> None:
        with self._lock:
            Socket.close(self, linger)
        # Threads still waiting in a call re-check and get ENOTSOCK.
        self._signal.wake()


__all__ = ["ThreadSafeSocket"]
