"""The exception tree, shaped like pyzmq's, with libzmq's errno values.

::

    ZMQBaseError
    ├── ZMQError(errno, msg)            a user-facing failure with a libzmq errno
    │   ├── Again                       EAGAIN: would block, or a timeout expired
    │   ├── ContextTerminated           ETERM: the Context was terminated
    │   ├── NotDone                     ETIMEDOUT: a tracker/future was not done in time
    │   └── InterruptedSystemCall       EINTR
    ├── ZMQBindError                    bind_to_random_port found no free port
    ├── ZMQVersionError                 a feature needs a newer protocol/library version
    └── ProtocolError(code, reason)     sans-IO layers: a ZMTP violation (never reaches user code)
        ├── LocalProtocolError          we were asked to do something the protocol forbids
        └── RemoteProtocolError         the peer broke the protocol

Layer 0: standard library only. Remote errors never surface from ``send``/``recv``: the engine
turns them into a closed connection and a monitor event.
"""

from __future__ import annotations

import os

from .constants import Errno, ProtocolErrorCode

_MESSAGES: dict[int, str] = {
    Errno.EFSM: "Operation cannot be accomplished in current state",
    Errno.ENOCOMPATPROTO: "The protocol is not compatible with the socket type",
    Errno.ETERM: "Context was terminated",
    Errno.EMTHREAD: "No thread available",
    Errno.EAGAIN: "Resource temporarily unavailable",
    Errno.ENOTSUP: "Operation not supported",
    Errno.EPROTONOSUPPORT: "Protocol not supported",
    Errno.EHOSTUNREACH: "Host unreachable",
}


def strerror(errno: int) -> str:
    """The message libzmq's ``zmq_strerror`` gives for ``errno``."""
    if errno in _MESSAGES:
        return _MESSAGES[errno]
    return os.strerror(errno)


class DraftFDWarning(RuntimeWarning):
    """pyzmq 27's warning about ``socket.FD`` on thread-safe (draft) sockets.

    purezmq has no draft sockets, so it never issues it; the class exists for programs that
    filter it (``warnings.simplefilter("ignore", zmq.error.DraftFDWarning)``).
    """

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg or "socket.FD on a thread-safe socket is experimental")


class ZMQBaseError(Exception):
    """Base of every exception purezmq raises."""


class ZMQError(ZMQBaseError):
    """A failed operation, carrying libzmq's errno.

    Args:
        errno: the libzmq errno (``Errno`` member or int).
        msg: what happened, in words a person can act on; defaults to ``strerror(errno)``.
    """

    errno: int
    strerror: str

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        if errno is None:
            errno = Errno.EFAULT
        self.errno = int(errno)
        self.strerror = msg if msg is not None else strerror(self.errno)
        super().__init__(self.errno, self.strerror)

    def __str__(self) -> str:
        return self.strerror

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.errno!r}, {self.strerror!r})"


class Again(ZMQError):
    """EAGAIN: the operation would block (DONTWAIT, or RCVTIMEO/SNDTIMEO expired)."""

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        super().__init__(Errno.EAGAIN if errno is None else errno, msg)


class ContextTerminated(ZMQError):
    """ETERM: the Context was terminated while the operation waited."""

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        super().__init__(Errno.ETERM if errno is None else errno, msg)


class NotDone(ZMQError):
    """ETIMEDOUT: a ``MessageTracker`` was not done within its timeout."""

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        super().__init__(Errno.ETIMEDOUT if errno is None else errno, msg)


class InterruptedSystemCall(ZMQError, InterruptedError):  # type: ignore[misc]
    """EINTR: a blocking call was interrupted by a signal."""

    def __init__(self, errno: int | None = None, msg: str | None = None) -> None:
        super().__init__(Errno.EINTR if errno is None else errno, msg)


class ZMQBindError(ZMQBaseError):
    """``bind_to_random_port`` could not find a free port."""


class ZMQVersionError(NotImplementedError, ZMQBaseError):
    """A feature needs a newer version than the one in use."""

    def __init__(self, min_version: str, msg: str = "Feature") -> None:
        self.min_version = min_version
        self.msg = msg
        super().__init__(f"{msg} requires libzmq >= {min_version}")


class ProtocolError(ZMQBaseError):
    """A ZMTP violation detected by the sans-IO layer.

    ``code`` is the ``ZMQ_PROTOCOL_ERROR_*`` value a monitor reports; ``reason`` says what was
    wrong, in words. ``fault`` tells whose fault it was: ``"peer"`` or ``"local"``.
    """

    fault = "unknown"

    def __init__(
        self, reason: str, code: int = ProtocolErrorCode.ZMTP_UNSPECIFIED
    ) -> None:
        self.reason = reason
        self.code = int(code)
        super().__init__(reason)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!r}, code={self.code:#x})"


class LocalProtocolError(ProtocolError):
    """We were asked to do something the protocol forbids (a bug in the caller)."""

    fault = "local"


class RemoteProtocolError(ProtocolError):
    """The peer broke the protocol; its connection must be closed."""

    fault = "peer"


def _check_rc(rc: int, errno: int | None = None) -> None:
    """pyzmq compatibility helper: raise ``ZMQError`` for a negative return code."""
    if rc < 0:
        raise ZMQError(errno)


__all__ = [
    "strerror",
    "DraftFDWarning",
    "ZMQBaseError",
    "ZMQError",
    "Again",
    "ContextTerminated",
    "NotDone",
    "InterruptedSystemCall",
    "ZMQBindError",
    "ZMQVersionError",
    "ProtocolError",
    "LocalProtocolError",
    "RemoteProtocolError",
]
