"""The gevent-cooperative ``Socket`` (pyzmq's ``zmq.green.Socket``).

It is the blocking ``Socket`` with one step replaced: where the blocking socket parks its
thread (step 3 of the ypipe protocol: try, ``prepare_to_sleep``, wait, retry), this one waits
for its wake-up fd through gevent's hub, so only the calling greenlet waits and the hub keeps
running the others. Every call, option and serializer is the blocking socket's, and so are
RCVTIMEO/SNDTIMEO (honoured, unlike pyzmq's green sockets, which ignore them) and the rule
that a message leaves the queue only in the retry: a ``gevent.Timeout`` or ``kill()`` that
interrupts a wait takes no message with it.

Setting or reading RCVTIMEO/SNDTIMEO warns (``UserWarning``), as pyzmq's green sockets do; the
warning says what is true here: purezmq honours them, pyzmq's ``zmq.green`` ignores them, so a
program that counts on either behaviour is not portable between the two (docs/dropin.md).

Layer 4: imports layer 0, ``_engine``, gevent and the blocking front-end's public ``Socket``.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from .._engine.signal import ThreadSignal
from .._typing import Received
from ..constants import Errno, SocketOption
from ..error import ZMQError
from ..sync import Socket as _BlockingSocket
from ._hub import HubWaits
from .poll import Poller

_TIMEOUT_OPTIONS = {int(SocketOption.RCVTIMEO): "RCVTIMEO", int(SocketOption.SNDTIMEO): "SNDTIMEO"}


#: Warnings point at the first caller outside purezmq (``sock.rcvtimeo = 5`` reaches ``set``
#: through the option attribute's property).
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _warn_timeout_option(option: int) -> None:
    name = _TIMEOUT_OPTIONS.get(option)
    if name is None:
        return
    level = 2  # warn()'s stacklevel of _getframe(1), the caller of this function
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    warnings.warn(
        f"{name} is honoured by purezmq's green sockets (a blocked call raises zmq.Again "
        "once it expires); pyzmq's zmq.green ignores the TIMEO options",
        UserWarning,
        stacklevel=level,
    )


class Socket(_BlockingSocket):
    """A ZeroMQ socket whose blocking calls block only the calling greenlet."""

    _repr_cls = "green.Socket"
    #: Many greenlets may wait on one socket (each in the hub, not on the thread signal).
    _exclusive_waits = False

    _poller_class = Poller
    _waits: HubWaits

    _signal: ThreadSignal

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not isinstance(self._signal, ThreadSignal):
            raise ZMQError(Errno.ENOTSUP, "a green socket can shadow only a blocking socket")
        self._waits = HubWaits(self._signal)
        self._signal.fileno()  # the fd the hub waits on, created now rather than mid-call

    def set(self, option: int, optval: Any) -> None:
        """Set a socket option; RCVTIMEO/SNDTIMEO warn (see the module docstring)."""
        _warn_timeout_option(option)
        super().set(option, optval)

    setsockopt = set

    def get(self, option: int) -> Any:
        """Get a socket option; RCVTIMEO/SNDTIMEO warn (see the module docstring)."""
        _warn_timeout_option(option)
        return super().get(option)

    getsockopt = get

    def _wait(self, timeout: float | None) -> None:
        # The thread permit that ``wake()`` also releases is never waited on here: take it
        # back without blocking, so that it does not stay released (and ``wake()`` cheap).
        self._signal.wait(0)
        self._waits.wait(timeout)

    def _next_message(self, flags: int) -> Received:
        # One message at a time: the blocking socket takes a run of queued messages into a
        # buffer of its own, which is right for its one owner thread, but greenlets share a
        # socket, and one blocked in recv waits for the engine, not for that buffer.
        return self._recv_whole(flags)

    def _events(self) -> int:
        # Reading EVENTS drains the fd (the libzmq contract): if that consumed an edge that
        # greenlets blocked on this socket were waiting for, wake them to re-check.
        edge = self._signal.clear()
        events = super()._events()
        if edge:
            self._waits.notify()
        return events

    def close(self, linger: int | None = None) -> None:
        """Close the socket; greenlets blocked on it wake up with ``ZMQError(ENOTSOCK)``."""
        try:
            super().close(linger)
        finally:
            self._waits.stop()

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        sock = super().get_monitor_socket(events, addr)
        assert isinstance(sock, Socket)
        return sock


__all__ = ["Socket"]
