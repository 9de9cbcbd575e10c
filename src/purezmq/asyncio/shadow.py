"""An asyncio view of a sync socket (pyzmq's ``zmq.asyncio.Socket(sync_sock)`` and
``Socket.from_socket(sync_sock)``; Jupyter's kernel wraps its sockets this way).

The sync socket keeps its core, its pattern and its front-end state (the frames of a message
being received, a run of messages taken ahead, SNDMORE frames): the view never touches them
but through the sync socket's own non-blocking calls (``DONTWAIT``), as pyzmq's view calls
libzmq. Both objects are the same socket, so calls may be mixed on one thread, and closing
either closes it. The pattern runs on the calling thread, which must be the loop's thread (the
socket's owner, as with libzmq's one-thread rule).

Waiting is pyzmq's: the sync socket's ``ZMQ_FD`` (its wake-up fd) is watched with
``loop.add_reader`` while Futures are pending. Its edge-triggered contract
(``getsockopt(EVENTS)`` drains it and re-arms it; readable means EVENTS may have changed) is
followed by ``_serve``: serve the pending Futures oldest first with non-blocking calls, then
re-read EVENTS, and wait for the fd only when EVENTS shows nothing a pending Future wants.
Cancel safety is the same as the native socket's: a message is taken only in the step that
sets the result of a Future that is not done.

Layer 4: imports layer 0, the front-ends' base, this front-end's modules and the public
``purezmq.sync`` package.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from .. import sync as _sync
from .._base.socket import DONTWAIT, POLLIN, POLLOUT
from ..constants import Errno, SocketOption
from ..error import Again, ZMQError
from .socket import Socket

_Future = asyncio.Future


class ShadowSocket(Socket):
    """An asyncio socket over a sync purezmq socket; create it with
    ``purezmq.asyncio.Socket(sync_sock)`` or ``Socket.from_socket(sync_sock)``."""

    _sync: Any
    _waiting: deque[tuple[asyncio.Future[Any], Callable[[], Any], int]]
    _waiting_sends: deque[tuple[asyncio.Future[Any], Callable[[], Any], int]]
    _fd: int
    _watched: bool

    #: Its owner signal is the sync socket's: pollers watch its fd, as a sync socket's.
    _loop_owned = False

    def __init__(self, sync_socket: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(sync_socket, Socket) or not isinstance(sync_socket, _sync.Socket):
            raise TypeError(f"cannot shadow {sync_socket!r}: not a purezmq sync socket")
        if sync_socket.closed:
            raise ZMQError(Errno.ENOTSOCK, "cannot shadow a closed socket")
        _set = object.__setattr__
        _set(self, "_sync", sync_socket)
        _set(self, "_waiting", deque())
        _set(self, "_waiting_sends", deque())
        _set(self, "_fd", sync_socket.fileno())
        _set(self, "_watched", False)
        _set(self, "_loop", None)
        _set(self, "_done_none", None)
        # The socket state is the sync socket's; these stay empty here.
        _set(self, "_recv_q", deque())
        _set(self, "_send_q", deque())
        _set(self, "_polls", set())
        _set(self, "_owe_turn", False)
        _set(self, "_core", sync_socket._core)
        _set(self, "_handle", sync_socket.underlying)
        _set(self, "_context", sync_socket.context)
        _set(self, "_socket_type", int(sync_socket.type))
        _set(self, "_signal", sync_socket._signal)
        _set(self, "_bodies", sync_socket._core.bodies)
        _set(self, "_monitor_socket", None)
        _set(self, "_send_parts", [])
        _set(self, "_recv_parts", deque())
        _set(self, "_recv_ready", [])

    # The sync socket is the socket: its state answers.
    @property
    def closed(self) -> bool:
        return bool(self._sync.closed)

    @property
    def _closed(self) -> bool:  # type: ignore[override]
        return bool(self._sync.closed)

    def get(self, option: int) -> Any:
        return self._sync.get(option)

    getsockopt = get

    def set(self, option: int, optval: Any) -> None:
        self._sync.set(option, optval)

    setsockopt = set

    def _events(self) -> int:
        return int(self._sync._events())

    def _signal_fileno(self) -> int:
        return int(self._sync.fileno())

    def _events_now(self) -> int:
        return self._events()

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        """The running loop: the view's Futures and its fd watch live there."""
        loop = self._loop
        if loop is None:
            loop = asyncio.get_running_loop()
            object.__setattr__(self, "_loop", loop)
        return loop

    def close(self, linger: int | None = None) -> None:
        """Close the socket (the sync one too); pending Futures fail with ENOTSOCK."""
        self._unwatch()  # before the sync socket drops its fd
        self._sync.close(linger)
        self._fail(ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket (socket was closed)"))

    def __del__(self) -> None:
        pass  # the sync socket owns the core

    # ---- the calls: non-blocking first, then wait in order --------------------------------

    def _call(self, call: Callable[[], Any], flags: int, want: int) -> asyncio.Future[Any]:
        """Run ``call`` (a DONTWAIT call of the sync socket) now if no call of its direction
        waits before it, else (or when it would block) queue it; ``want`` is POLLIN for
        receives, POLLOUT for sends (each direction keeps its order, as pyzmq's)."""
        loop = self._loop or self._bind_loop()
        fut: asyncio.Future[Any] = _Future(loop=loop)
        waiting = self._waiting if want == POLLIN else self._waiting_sends
        while waiting and waiting[0][0].done():
            waiting.popleft()
        if not waiting:
            try:
                fut.set_result(call())
                return fut
            except Again as exc:
                if flags & DONTWAIT:
                    fut.set_exception(exc)
                    return fut
            except Exception as exc:
                fut.set_exception(exc)
                return fut
        elif flags & DONTWAIT:
            fut.set_exception(Again())
            return fut
        waiting.append((fut, call, want))
        self._watch(loop)
        return fut

    def _watch(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self._watched:
            object.__setattr__(self, "_watched", True)
            loop.add_reader(self._fd, self._serve)
        # The fd may have been drained by someone else's EVENTS: serve now, on the loop.
        loop.call_soon(self._serve)

    def _unwatch(self) -> None:
        if self._watched:
            object.__setattr__(self, "_watched", False)
            loop = self._loop
            if loop is not None and not loop.is_closed():
                loop.remove_reader(self._fd)

    def _serve(self) -> None:
        """The fd turned readable (or a call was queued): serve the waiting Futures of each
        direction, oldest first; re-read EVENTS, which re-arms the fd, until nothing more can
        be served."""
        sync = self._sync
        queues = (self._waiting, self._waiting_sends)
        while True:
            if sync.closed:
                self.close()
                return
            wanted = 0
            for waiting in queues:
                while waiting:
                    fut, call, want = waiting[0]
                    if fut.done():
                        waiting.popleft()
                        continue
                    try:
                        result = call()
                    except Again:
                        wanted |= want
                        break
                    except Exception as exc:
                        waiting.popleft()
                        fut.set_exception(exc)
                        continue
                    waiting.popleft()
                    fut.set_result(result)
            if not wanted:
                self._unwatch()
                return
            try:
                events = sync.get(_EVENTS)  # drains the fd: it turns readable on any change
            except ZMQError as exc:
                self._fail(exc)
                return
            if not events & wanted:
                return

    def _fail(self, exc: ZMQError) -> None:
        self._unwatch()
        for waiting in (self._waiting, self._waiting_sends):
            while waiting:
                fut = waiting.popleft()[0]
                if not fut.done():
                    fut.set_exception(exc)

    # ---- send ------------------------------------------------------------------------------

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._call(lambda: sync.send(data, nb, copy, track), flags, POLLOUT)

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._call(lambda: sync.send_multipart(msg_parts, nb, copy, track), flags, POLLOUT)

    # ---- recv ------------------------------------------------------------------------------

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._call(lambda: sync.recv(nb, copy, track), flags, POLLIN)

    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._call(lambda: sync.recv_multipart(nb, copy, track), flags, POLLIN)

    def _recv(
        self, kind: int, flags: int, copy: bool, post: Callable[[Any], Any] | None
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        if kind == 0:  # one frame

            def take() -> Any:
                value = sync.recv(nb, copy)
                return value if post is None else post(value)

        else:

            def take() -> Any:
                value = sync.recv_multipart(nb, copy)
                return value if post is None else post(value)

        return self._call(take, flags, POLLIN)


_EVENTS = int(SocketOption.EVENTS)


__all__ = ["ShadowSocket"]
