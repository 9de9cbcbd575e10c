"""Future-returning sockets for tornado coroutines (pyzmq's ``zmq.eventloop.future``).

tornado ≥ 6 runs on asyncio and its ``Future`` *is* ``asyncio.Future``, so these are the
asyncio front-end's ``Context``/``Socket``/``Poller`` (``purezmq.asyncio``) with one addition,
their way of waiting: every call that may wait returns a Future (``Socket.send``/``recv`` and
their multipart/string/json/pyobj/serialized forms, ``Socket.poll``, ``Poller.poll``), which a
tornado coroutine may ``yield`` (``@gen.coroutine``) or ``await``, or chain with
``add_done_callback``. Sockets live on the loop of ``IOLoop.current()`` that first uses them.
Cancelling a receive's Future is safe: a message is only taken by a receive that completes.
"""

from __future__ import annotations

import asyncio
import functools
import warnings
from collections.abc import Callable
from typing import Any, ClassVar

from ._tornado import require_tornado

require_tornado()

from tornado.concurrent import Future  # noqa: E402
from tornado.ioloop import IOLoop  # noqa: E402

from .. import asyncio as _aio  # noqa: E402

#: pyzmq's tornado flavour raises its own ``CancelledError`` from a cancelled Future; with
#: tornado ≥ 6 a Future is asyncio's, and cancelling raises asyncio's.
CancelledError = asyncio.CancelledError


def _as_future(method: Callable[..., Any]) -> Callable[..., Future[Any]]:
    """Make a method of the asyncio front-end return a Future (started now) instead of an
    awaitable: a coroutine is wrapped in a Task, a Future is returned as it is."""

    @functools.wraps(method)
    def start(self: Any, *args: Any, **kwargs: Any) -> Future[Any]:
        fut: Future[Any] = asyncio.ensure_future(method(self, *args, **kwargs))
        return fut

    return start


_WAITING_METHODS = (
    "send",
    "send_multipart",
    "send_string",
    "send_unicode",
    "send_json",
    "send_pyobj",
    "send_serialized",
    "recv",
    "recv_multipart",
    "recv_string",
    "recv_unicode",
    "recv_json",
    "recv_pyobj",
    "recv_serialized",
    "recv_into",
    "poll",
)


def _no_events(fd: Any, events: int) -> None:
    """The handler of a socket attached to an IOLoop: registered for no events, never run."""


class Socket(_aio.Socket):
    """An asyncio socket whose waiting calls return Futures (``zmq.eventloop.future.Socket``).

    ``_get_loop()`` (pyzmq's name) returns ``IOLoop.current()`` and attaches the socket to it,
    so that ``IOLoop.close(all_fds=True)`` closes the socket, as it closes pyzmq's. The socket
    is registered as a handler for no events: it waits on its own wake-ups, not on the IOLoop's
    selector. pyzmq attaches a socket on every call; purezmq only when ``_get_loop()`` is
    called, because attaching gives the socket a pollable fd, which every wake-up must then
    keep readable.
    """

    #: The IOLoop this socket is attached to, and the fd it is registered under there.
    _io_loop: IOLoop | None = None
    _io_loop_fd: int = -1

    def _get_loop(self) -> Any:
        io_loop = IOLoop.current()
        if io_loop is not self._io_loop:
            self._detach_from_io_loop()
            io_loop.add_handler(self, _no_events, 0)
            self._io_loop = io_loop
            self._io_loop_fd = self.fileno()
        return io_loop

    def _detach_from_io_loop(self) -> None:
        io_loop = self._io_loop
        if io_loop is not None:
            self._io_loop = None
            # By number: a closed socket has no fileno() to give. (IOLoop.close(all_fds=True)
            # removes the handler itself before it closes the socket: a second remove is a
            # no-op.)
            io_loop.remove_handler(self._io_loop_fd)

    def close(self, linger: int | None = None) -> None:
        """Close the socket, and detach it from the IOLoop ``_get_loop()`` attached it to."""
        try:
            super().close(linger)
        finally:
            self._detach_from_io_loop()


for _name in _WAITING_METHODS:
    setattr(Socket, _name, _as_future(getattr(_aio.Socket, _name)))


class Poller(_aio.Poller):
    """``poll(timeout)`` returns a Future of ``[(socket, events)]``."""

    def _get_loop(self) -> Any:
        """``IOLoop.current()`` (pyzmq's ``_get_loop``)."""
        return IOLoop.current()

    poll = _as_future(_aio.Poller.poll)


class Context(_aio.Context):
    """A Context whose sockets are ``eventloop.future.Socket`` objects.

    ``io_loop`` is accepted and ignored, as in pyzmq ≥ 22.2 (with a ``DeprecationWarning``):
    sockets use the loop that runs them.
    """

    _instance: ClassVar[Any] = None
    _socket_class: ClassVar[type[Any]] = Socket
    io_loop: Any = None

    def __init__(self, *args: Any, io_loop: Any = None, **kwargs: Any) -> None:
        if io_loop is not None:
            warnings.warn(
                f"{type(self).__name__}(io_loop) argument is deprecated in pyzmq 22.2."
                " The currently active loop will always be used.",
                DeprecationWarning,
                stacklevel=2,
            )
        super().__init__(*args, **kwargs)


__all__ = ["CancelledError", "Context", "IOLoop", "Poller", "Socket"]
