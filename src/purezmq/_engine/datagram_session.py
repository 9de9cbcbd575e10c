"""What the datagram transports' sessions (udp://, pgm:// and epgm://) share: the glue between
OS sockets served on the socket's I/O loop and one pipe whose callbacks fire on the owner
thread.

* ``_hop(fn)``: run ``fn`` on the loop soon, directly when already on the loop's thread, else
  through the core (which also covers a loop that has not started the session yet).
* pipe callbacks: readable schedules one ``_flush`` (messages to send, or subscriptions to
  drop); writable (the socket drained its queue to LWM) schedules ``_resume_reading``.
* ``_pause_reading``: stop watching ``fd`` (RCVHWM), as libzmq's engines reset pollin.
* ``close(linger)`` from any thread: on the loop at once, else through ``core.run``; when the
  loop is gone (context terminated) the OS sockets are closed right here.

A subclass sets the attributes below and provides ``_flush``, ``_resume_reading``,
``_close_on_loop`` and ``_close_sockets``.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from ..error import ZMQError
from ..patterns.pipe import Pipe


class DatagramSession:
    __slots__ = ("_closed", "_core", "_flush_scheduled", "_loop", "_loop_thread", "_reading", "fd")

    _core: Any
    _loop: asyncio.AbstractEventLoop | None
    _loop_thread: int
    _closed: bool
    _flush_scheduled: bool
    _reading: bool
    fd: int

    def _flush(self) -> None:
        raise NotImplementedError

    def _resume_reading(self) -> None:
        raise NotImplementedError

    def _close_on_loop(self) -> None:
        raise NotImplementedError

    def _close_sockets(self) -> None:
        """Close the OS sockets without the loop (it is gone)."""
        raise NotImplementedError

    def _hop(self, fn: Callable[[], None]) -> None:
        if threading.get_ident() == self._loop_thread and self._loop is not None:
            self._loop.call_soon(fn)
        else:
            self._core.call_soon(fn)

    def _on_pipe_readable(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): messages to send, or subscriptions to drop."""
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._hop(self._flush)

    def _on_pipe_writable(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the socket drained its queue to LWM."""
        self._hop(self._resume_reading)

    def _pause_reading(self) -> None:
        if self._reading and self._loop is not None:
            self._reading = False
            self._loop.remove_reader(self.fd)

    def close(self, linger: int | None = None) -> None:
        """Send what is queued, stop, close the OS sockets, end the pipe (any thread).

        A datagram is handed to the kernel at once, so LINGER has nothing to wait for.
        """
        if self._loop is not None and threading.get_ident() == self._loop_thread:
            self._close_on_loop()
            return
        run = getattr(self._core, "run", None)
        if run is not None:
            try:
                run(self._close_on_loop)
                return
            except ZMQError:
                pass  # the loop is gone (context terminated): nobody watches the sockets
        if not self._closed:
            self._closed = True
            self._close_sockets()


__all__ = ["DatagramSession"]
