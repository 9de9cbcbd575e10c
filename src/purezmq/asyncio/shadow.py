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
sets the result of a Future that is not done, and a waiting receive whose Task is cancelled
before it reads its message gives the message back to the sync socket (``ReceiveFuture``).

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
from .socket import WHOLE_MESSAGE, ReceiveFuture, Socket

_Future = asyncio.Future
_Post = Callable[[Any], Any] | None
#: What ``recv`` takes (``Socket``'s receives take a frame or ``WHOLE_MESSAGE``).
_FRAME = 0


class ShadowSocket(Socket):
    """An asyncio socket over a sync purezmq socket; create it with
    ``purezmq.asyncio.Socket(sync_sock)`` or ``Socket.from_socket(sync_sock)``."""

    _sync: Any
    #: Waiting receives: Future, the non-blocking receive, what it takes (a frame or
    #: ``WHOLE_MESSAGE``), its post-processing or None.
    _waiting: deque[tuple[ReceiveFuture, Callable[[], Any], int, _Post]]
    #: Waiting sends: Future, the non-blocking send.
    _waiting_sends: deque[tuple[asyncio.Future[Any], Callable[[], Any]]]
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

    def _call(self, call: Callable[[], Any], flags: int) -> asyncio.Future[Any]:
        """Run the send ``call`` (a DONTWAIT call of the sync socket) now if no send waits
        before it, else (or when it would block) queue it."""
        fut = self._now(call, flags, None, self._waiting_sends)
        if fut is None:
            loop = self._bind_loop()
            fut = _Future(loop=loop)
            self._waiting_sends.append((fut, call))
            self._watch(loop)
        return fut

    def _take(
        self, take: Callable[[], Any], flags: int, kind: int, post: _Post
    ) -> asyncio.Future[Any]:
        """The same for a receive: ``take`` (a DONTWAIT receive of the sync socket) gives a
        frame or a message (``kind``), which ``post`` (if any) turns into the result."""
        fut = self._now(take, flags, post, self._waiting)
        if fut is None:
            loop = self._bind_loop()
            waiting = ReceiveFuture(loop=loop)
            self._waiting.append((waiting, take, kind, post))
            self._watch(loop)
            return waiting
        return fut

    def _now(
        self, call: Callable[[], Any], flags: int, post: _Post, waiting: deque[Any]
    ) -> asyncio.Future[Any] | None:
        """The done Future of ``call`` run now, when no call of its direction waits before it
        (each direction keeps its order, as pyzmq's), or of ``Again`` under DONTWAIT; None
        when the call must wait in ``waiting``."""
        while waiting and waiting[0][0].done():
            waiting.popleft()
        if waiting:
            if not flags & DONTWAIT:
                return None
            return self._failed(Again())
        try:
            value = call()
        except Again as exc:
            if not flags & DONTWAIT:
                return None
            return self._failed(exc)
        except Exception as exc:
            return self._failed(exc)
        fut: asyncio.Future[Any] = _Future(loop=self._bind_loop())
        try:
            fut.set_result(value if post is None else post(value))
        except Exception as exc:  # a decoder's error: the message is used
            fut.set_exception(exc)
        return fut

    def _give_back(self, kind: int, message: Any) -> None:
        """A message a cancelled Task never read goes back to the sync socket, first in line
        (as ``Socket._give_back``)."""
        sync = self._sync
        if sync.closed:
            return
        if kind == _FRAME:
            sync._recv_parts.appendleft(_bytes_of(message))
        else:
            sync._recv_ready.append([_bytes_of(f) for f in message])
            sync._core.mark_plain_run(False)

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
        receives = self._waiting
        sends = self._waiting_sends
        while True:
            if sync.closed:
                self.close()
                return
            wanted = 0
            while receives:
                fut, take, kind, post = receives[0]
                if fut.done():
                    receives.popleft()
                    continue
                try:
                    value = take()
                except Again:
                    wanted |= POLLIN
                    break
                except Exception as exc:
                    receives.popleft()
                    fut.set_exception(exc)
                    continue
                receives.popleft()
                # What ``ReceiveFuture`` gives back if its Task never reads it.
                fut._socket = self
                fut._kind = kind
                fut._message = value
                try:
                    fut.set_result(value if post is None else post(value))
                except Exception as exc:  # a decoder's error: the message is used
                    fut.set_exception(exc)
            while sends:
                sent, call = sends[0]
                if sent.done():
                    sends.popleft()
                    continue
                try:
                    result = call()
                except Again:
                    wanted |= POLLOUT
                    break
                except Exception as exc:
                    sends.popleft()
                    sent.set_exception(exc)
                    continue
                sends.popleft()
                sent.set_result(result)
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
        return self._call(lambda: sync.send(data, nb, copy, track), flags)

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
        return self._call(lambda: sync.send_multipart(msg_parts, nb, copy, track), flags)

    # ---- recv ------------------------------------------------------------------------------

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._take(lambda: sync.recv(nb, copy, track), flags, _FRAME, None)

    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        return self._take(lambda: sync.recv_multipart(nb, copy, track), flags, WHOLE_MESSAGE, None)

    def _recv(
        self, kind: int, flags: int, copy: bool, post: Callable[[Any], Any] | None
    ) -> asyncio.Future[Any]:
        sync = self._sync
        nb = flags | DONTWAIT
        if kind == _FRAME:
            return self._take(lambda: sync.recv(nb, copy), flags, kind, post)
        return self._take(lambda: sync.recv_multipart(nb, copy), flags, kind, post)


def _bytes_of(frame: Any) -> bytes:
    """A received frame as the sync socket holds it: ``bytes`` (a ``Frame`` of ``copy=False``
    gives its bytes)."""
    return frame if type(frame) is bytes else bytes(frame.bytes)


_EVENTS = int(SocketOption.EVENTS)


__all__ = ["ShadowSocket"]
