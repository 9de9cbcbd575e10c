"""``ZMQStream``: callbacks on a socket's messages, run by tornado's IOLoop (pyzmq's
``zmq.eventloop.zmqstream``).

How it waits: the stream registers the socket's ``FD`` with the IOLoop (``add_handler``) and
reads ``EVENTS`` each time the fd turns readable. That fd follows libzmq's ZMQ_FD contract
(docs/contracts.md, "ZMQ_FD semantics"): it is *edge*-triggered -- readable when ``EVENTS`` may
have changed, and reading ``EVENTS`` consumes the edge. So the stream never trusts the fd
alone: after handling one message in each direction it reads ``EVENTS`` again and, while work
is left that it wants (a message to receive with a receive callback set, a queued send that
the socket can take), it schedules itself on the loop instead of waiting for an edge that will
not come. One message per direction per loop turn keeps other handlers fed, as pyzmq does.

Sockets: a blocking ``purezmq.Socket``, whose pattern runs on the loop's thread and whose
``send``/``recv`` never block here because the stream only calls them when ``EVENTS`` allows
it. An asyncio (or ``eventloop.future``) socket is replaced by a blocking shadow of it, with a
``RuntimeWarning``, as pyzmq does: the callbacks then get what the blocking socket's calls
return (lists of ``bytes`` or ``Frame``s), never Futures.

Callbacks: ``on_recv(callback(msg))`` with the message as ``recv_multipart`` returns it (list of
``bytes``, or ``Frame`` with ``copy=False``); ``on_send(callback(msg, status))`` with the list
that was queued and ``send_multipart``'s return value (or the ``ZMQError`` it raised); the
``_stream`` variants also get the stream first. A callback may be a coroutine function: its
coroutine is started as a Task and its errors are logged.
"""

from __future__ import annotations

import asyncio
import json
import pickle
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from ._tornado import require_tornado

require_tornado()

from tornado.ioloop import IOLoop  # noqa: E402
from tornado.log import gen_log  # noqa: E402

from ..asyncio import Socket as _AsyncioSocket  # noqa: E402
from ..constants import Errno, Flag, PollEvent, SocketOption  # noqa: E402
from ..error import ContextTerminated, ZMQError  # noqa: E402
from ..sync import Socket as _BlockingSocket  # noqa: E402

POLLIN = int(PollEvent.POLLIN)
POLLOUT = int(PollEvent.POLLOUT)
_DONTWAIT = int(Flag.DONTWAIT)
_EVENTS = int(SocketOption.EVENTS)

#: ``on_recv``'s callback: the received message.
RecvCallback = Callable[[list[Any]], Any]
#: ``on_send``'s callback: the message sent and ``send_multipart``'s result (or its error).
SendCallback = Callable[[list[Any], Any], Any]



class NotCallableError(TypeError, AssertionError):
    """A callback that cannot be called. A TypeError, and an AssertionError too, because
    pyzmq checks with ``assert callable(callback)`` and programs (and its tests) catch that."""


class ZMQStream:
    """Register callbacks for a socket's incoming and outgoing messages on a tornado IOLoop.

    ``stream.socket`` is the socket, ``stream.io_loop`` the IOLoop (``IOLoop.current()`` unless
    given). ``bind``, ``connect``, ``bind_to_random_port``, ``setsockopt``/``getsockopt`` (and
    their ``_string``/``_unicode`` forms) are the socket's own methods.
    """

    socket: Any
    io_loop: IOLoop

    def __init__(self, socket: Any, io_loop: IOLoop | None = None) -> None:
        if isinstance(socket, _AsyncioSocket):
            warnings.warn(
                f"ZMQStream drives blocking sockets only: {socket!r} is used through a "
                "blocking shadow of it, purezmq.Socket(shadow=socket). Create a blocking one "
                "with ctx.socket(type, socket_class=zmq.Socket) to avoid this warning.",
                RuntimeWarning,
                stacklevel=2,
            )
            socket = _BlockingSocket(shadow=socket)
        self.socket = socket
        self.io_loop = io_loop or IOLoop.current()
        #: The fd as an int: closing the socket must not stop us from unregistering it.
        self._fd: int = int(socket.FD)
        self._send_queue: deque[tuple[Sequence[Any], dict[str, Any]]] = deque()
        self._recv_callback: RecvCallback | None = None
        self._send_callback: SendCallback | None = None
        self._close_callback: Callable[[], Any] | None = None
        self._recv_copy = True
        #: A flush() this loop turn already ran the callbacks: skip them until the next turn.
        self._flushed = False
        #: The directions the stream wants events for (POLLIN: receiving, POLLOUT: sending).
        self._state = 0
        #: A ``_handle_events`` call is already scheduled on the loop.
        self._scheduled = False

        self.bind = socket.bind
        self.bind_to_random_port = socket.bind_to_random_port
        self.connect = socket.connect
        self.setsockopt = socket.setsockopt
        self.getsockopt = socket.getsockopt
        self.setsockopt_string = socket.setsockopt_string
        self.getsockopt_string = socket.getsockopt_string
        self.setsockopt_unicode = socket.setsockopt_unicode
        self.getsockopt_unicode = socket.getsockopt_unicode

        # The socket itself, not its fd number: ``IOLoop.close(all_fds=True)`` (Jupyter calls
        # it) then closes the socket; an ``os.close`` of the number would leave the socket to
        # close it a second time later, when the number may belong to another file.
        self.io_loop.add_handler(socket, self._handle_events, IOLoop.READ)

    def __repr__(self) -> str:
        return f"<ZMQStream {self.socket!r}>"

    # ---- callbacks -------------------------------------------------------------------------

    def on_recv(self, callback: RecvCallback | None, copy: bool = True) -> None:
        """Call ``callback(msg)`` with every message received (``None``: stop receiving).

        One callback at a time: this replaces the previous one. ``copy=False`` hands out
        ``Frame`` objects, as ``recv_multipart(copy=False)`` does.
        """
        self._check_closed()
        if callback is not None and not callable(callback):
            raise NotCallableError(f"on_recv needs a callable or None, not {callback!r}")
        self._recv_callback = callback
        self._recv_copy = copy
        if callback is None:
            self._drop_io_state(POLLIN)
        else:
            self._add_io_state(POLLIN)

    def on_recv_stream(
        self, callback: Callable[[ZMQStream, list[Any]], Any] | None, copy: bool = True
    ) -> None:
        """``on_recv``, with the callback called as ``callback(stream, msg)``."""
        if callback is None:
            self.stop_on_recv()
            return
        cb = callback

        def stream_callback(msg: list[Any]) -> Any:
            return cb(self, msg)

        self.on_recv(stream_callback, copy=copy)

    def on_send(self, callback: SendCallback | None) -> None:
        """Call ``callback(msg, status)`` after each message this stream sends.

        ``status`` is what ``send_multipart`` returned (a ``MessageTracker`` with
        ``track=True``, else None) or the ``ZMQError`` it raised (the error is also logged).
        """
        self._check_closed()
        if callback is not None and not callable(callback):
            raise NotCallableError(f"on_send needs a callable or None, not {callback!r}")
        self._send_callback = callback

    def on_send_stream(self, callback: Callable[[ZMQStream, list[Any], Any], Any] | None) -> None:
        """``on_send``, with the callback called as ``callback(stream, msg, status)``."""
        if callback is None:
            self.stop_on_send()
            return
        cb = callback
        self.on_send(lambda msg, status: cb(self, msg, status))

    def stop_on_recv(self) -> None:
        """Stop receiving (messages stay queued in the socket)."""
        self.on_recv(None)

    def stop_on_send(self) -> None:
        """Forget the send callback."""
        self.on_send(None)

    def on_err(self, callback: Callable[..., Any]) -> None:
        """Deprecated in pyzmq and does nothing: errors are logged."""
        gen_log.warning("on_err does nothing, and will be removed")

    def stop_on_err(self) -> None:
        """Deprecated in pyzmq and does nothing."""
        gen_log.warning("on_err does nothing, and will be removed")

    def set_close_callback(self, callback: Callable[[], Any] | None) -> None:
        """Call ``callback()`` when the stream is closed."""
        self._close_callback = callback

    # ---- sending ---------------------------------------------------------------------------

    def send(
        self,
        msg: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue a one-frame message; see ``send_multipart``."""
        self.send_multipart([msg], flags=flags, copy=copy, track=track, callback=callback, **kwargs)

    def send_multipart(
        self,
        msg: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue a message; the loop sends it once the socket can take it.

        As in pyzmq, ``callback`` becomes the stream's send callback (``on_send``) from now
        on; without one, the current send callback stays, or a no-op one is set.
        """
        self._check_closed()
        kwargs.update(flags=flags, copy=copy, track=track)
        self._send_queue.append((msg, kwargs))
        callback = callback or self._send_callback
        self.on_send(callback if callback is not None else _ignore_sent)
        self._add_io_state(POLLOUT)

    def send_string(
        self,
        u: str,
        flags: int = 0,
        encoding: str = "utf-8",
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue ``u`` encoded with ``encoding``."""
        if not isinstance(u, str):
            raise TypeError("unicode/str objects only")
        self.send(u.encode(encoding), flags=flags, callback=callback, **kwargs)

    send_unicode = send_string

    def send_json(
        self, obj: Any, flags: int = 0, callback: SendCallback | None = None, **kwargs: Any
    ) -> None:
        """Queue ``obj`` as utf-8 JSON."""
        self.send(json.dumps(obj).encode("utf8"), flags=flags, callback=callback, **kwargs)

    def send_pyobj(
        self,
        obj: Any,
        flags: int = 0,
        protocol: int = -1,
        callback: SendCallback | None = None,
        **kwargs: Any,
    ) -> None:
        """Queue ``obj`` pickled with ``protocol`` (-1: the highest)."""
        self.send(pickle.dumps(obj, protocol), flags, callback=callback, **kwargs)

    # ---- flush -----------------------------------------------------------------------------

    def flush(self, flag: int = POLLIN | POLLOUT, limit: int | None = None) -> int:
        """Handle the messages that are ready now, without waiting for the loop.

        ``flag``: POLLIN receives (even without a receive callback: flushing drops incoming
        messages then), POLLOUT sends what is queued. Stops when nothing matching ``flag`` is
        ready or after ``limit`` messages (sent and received together). Returns how many were
        handled. The callbacks the loop would have run for them this turn are skipped.
        """
        self._check_closed()
        already_flushed = self._flushed
        self._flushed = False
        count = 0
        while not limit or count < limit:
            wanted = flag & POLLIN
            if flag & POLLOUT and self.sending():
                wanted |= POLLOUT
            ready = self._socket_events() & wanted if wanted else 0
            if not ready:
                break
            progress = False
            if ready & POLLIN and self._handle_recv():
                count += 1
                progress = True
                if self.socket is None or (limit and count >= limit):
                    break
            if ready & POLLOUT and self.sending() and self._handle_send():
                count += 1
                progress = True
                if self.socket is None:
                    break
            if not progress:
                break
        if count:
            self._flushed = True
            if not already_flushed:
                self.io_loop.add_callback(self._finish_flush)
        elif already_flushed:
            self._flushed = True
        self._rebuild_io_state()
        return count

    def _finish_flush(self) -> None:
        self._flushed = False

    # ---- state -----------------------------------------------------------------------------

    def receiving(self) -> bool:
        """Whether a receive callback is set."""
        return self._recv_callback is not None

    def sending(self) -> bool:
        """Whether messages are queued for sending."""
        return bool(self._send_queue)

    def closed(self) -> bool:
        """Whether the stream is closed (a socket closed behind its back closes it too)."""
        if self.socket is None:
            return True
        if self.socket.closed:
            self.close()
            return True
        return False

    def close(self, linger: int | None = None) -> None:
        """Stop watching the socket, close it (with ``linger``), run the close callback."""
        sock = self.socket
        if sock is None:
            return
        if sock.closed:
            warnings.warn(
                f"Unregistering FD {self._fd} after closing socket. "
                "This could result in unregistering handlers for the wrong socket. "
                "Please use stream.close() instead of closing the socket directly.",
                stacklevel=2,
            )
            self.io_loop.remove_handler(self._fd)
        else:
            self.io_loop.remove_handler(self._fd)
            sock.close(linger)
        self.socket = None
        if self._close_callback is not None:
            self._run_callback(self._close_callback)

    def _check_closed(self) -> None:
        if self.socket is None:
            raise OSError("Stream is closed")

    # ---- the loop's side -------------------------------------------------------------------

    def _socket_events(self) -> int:
        return int(self.socket.getsockopt(_EVENTS))

    def _handle_events(self, fd: Any = None, events: int = 0) -> None:
        """The IOLoop's handler for the socket's fd, also scheduled while work is left."""
        self._scheduled = False
        if self.socket is None:
            return
        try:
            zmq_events = self._socket_events()
        except ContextTerminated:
            gen_log.warning("Got events for stream %s after terminating context", self)
            # The fd of a socket whose context is gone stays readable: stop watching it.
            self.io_loop.remove_handler(self._fd)
            self.closed()
            return
        except ZMQError as exc:
            if self.closed():
                gen_log.warning("Got events for stream %s attached to closed socket: %s", self, exc)
            else:
                gen_log.error("Error getting events for %s: %s", self, exc)
            return
        if zmq_events & POLLIN and self.receiving():
            self._handle_recv()
            if self.socket is None:
                return
        if zmq_events & POLLOUT and self.sending():
            self._handle_send()
            if self.socket is None:
                return
        self._rebuild_io_state()

    def _handle_recv(self) -> bool:
        """Receive one message and hand it to the callback; False when nothing was taken."""
        if self._flushed:
            return False
        try:
            result = self.socket.recv_multipart(_DONTWAIT, copy=self._recv_copy)
        except ZMQError as exc:
            if exc.errno == Errno.EAGAIN:
                return False  # the message went elsewhere since EVENTS was read
            raise
        self._deliver(result)
        return True

    def _deliver(self, msg: list[Any]) -> None:
        callback = self._recv_callback
        if callback is not None:
            self._run_callback(callback, msg)

    def _handle_send(self) -> bool:
        """Send the next queued message; False when nothing was done."""
        if self._flushed:
            return False
        if not self._send_queue:
            gen_log.error("Shouldn't have handled a send event")
            return False
        msg, kwargs = self._send_queue.popleft()
        status: Any
        try:
            status = self.socket.send_multipart(msg, **kwargs)
        except ZMQError as exc:
            gen_log.error("SEND Error: %s", exc)
            status = exc
        self._sent(msg, status)
        return True

    def _sent(self, msg: Sequence[Any], status: Any) -> None:
        callback = self._send_callback
        if callback is not None:
            self._run_callback(callback, msg, status)

    def _run_callback(self, callback: Callable[..., Any], *args: Any) -> None:
        """Run a user callback; a coroutine it returns runs as a Task whose errors are logged.

        An exception from the callback itself is logged and raised again, so that the loop
        reports it too (as pyzmq does).
        """
        try:
            result = callback(*args)
        except Exception:
            gen_log.error("Uncaught exception in ZMQStream callback", exc_info=True)
            raise
        if isinstance(result, Awaitable):
            task = asyncio.ensure_future(result)
            task.add_done_callback(_log_callback_error)

    # ---- which events the stream waits for -------------------------------------------------

    def _rebuild_io_state(self) -> None:
        if self.socket is None:
            return
        state = 0
        if self.receiving():
            state |= POLLIN
        if self.sending():
            state |= POLLOUT
        self._state = state
        self._update_handler(state)

    def _add_io_state(self, state: int) -> None:
        self._state |= state
        self._update_handler(self._state)

    def _drop_io_state(self, state: int) -> None:
        self._state &= ~state
        self._update_handler(self._state)

    def _update_handler(self, state: int) -> None:
        """Schedule a turn when wanted work is ready now: the fd may not turn readable again
        for it, since reading EVENTS consumed the edge."""
        if self.socket is None or self._scheduled:
            return
        if state & self._socket_events():
            self._scheduled = True
            self.io_loop.add_callback(self._handle_events)


def _ignore_sent(msg: list[Any], status: Any) -> None:
    """The send callback of a stream whose sends have none (pyzmq sets a no-op one too)."""


def _log_callback_error(task: asyncio.Future[Any]) -> None:
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        gen_log.error("Uncaught exception in ZMQStream callback", exc_info=exc)


__all__ = ["ZMQStream"]
