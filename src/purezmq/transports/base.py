"""What every stream transport shares: OS-error translation and the socket settings snapshot.

Owns ``SocketSettings`` (the options a transport applies to an OS socket, read once from the
socket's options when a connection or listener starts — contracts.md allows a snapshot) and
``zmq_error`` (an ``OSError`` turned into the ``ZMQError`` libzmq would raise).

Thread affinity: none. Everything here is pure data or synchronous socket calls; ``bind`` runs
in the caller's thread (so its errors raise there, contracts.md), connecting on the I/O loop.
"""

from __future__ import annotations

import contextlib
import errno as _errno
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..constants import Errno
from ..error import ZMQError


@dataclass(frozen=True, slots=True)
class SocketSettings:
    """OS-level socket options, in libzmq's units (docs/protocol/options.md §4.1).

    -1 means "leave the OS default" exactly as in libzmq (``tcp_keepalive*``, ``sndbuf``,
    ``rcvbuf``); ``tos`` 0 is not applied; ``connect_timeout`` 0 means "the OS's own limit".
    """

    ipv6: bool = False
    tcp_keepalive: int = -1
    tcp_keepalive_cnt: int = -1
    tcp_keepalive_idle: int = -1
    tcp_keepalive_intvl: int = -1
    tcp_maxrt: int = 0
    sndbuf: int = -1
    rcvbuf: int = -1
    tos: int = 0
    backlog: int = 100
    connect_timeout: int = 0

    @classmethod
    def from_options(cls, options: Any) -> SocketSettings:
        """Snapshot the relevant attributes of a ``SocketOptions`` (missing ones = defaults)."""
        kwargs: dict[str, Any] = {}
        for name in cls.__dataclass_fields__:
            value = getattr(options, name, None)
            if value is not None:
                kwargs[name] = bool(value) if name == "ipv6" else int(value)
        return cls(**kwargs)

    def apply_buffers(self, sock: socket.socket) -> None:
        """SO_SNDBUF / SO_RCVBUF when configured (libzmq ``tune_tcp_socket``/``set_*_buf``)."""
        if self.sndbuf >= 0:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.sndbuf)
        if self.rcvbuf >= 0:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)


@dataclass(slots=True)
class BoundSocket:
    """A listening OS socket, made by a transport's ``bind``.

    ``endpoint`` is the resolved endpoint string (``LAST_ENDPOINT``: ephemeral port or random ipc
    path filled in). ``cleanup`` undoes what binding left in the file system (the ipc socket
    file and ``ipc://*``'s private directory); it is idempotent.
    """

    sock: socket.socket
    endpoint: str
    cleanup: Callable[[], None] = lambda: None

    def close(self) -> None:
        """Close the listening socket, then remove its traces."""
        close_quietly(self.sock)
        self.cleanup()


def zmq_error(exc: OSError, what: str) -> ZMQError:
    """The ``ZMQError`` for an OS failure, keeping the OS errno (libzmq reports it unchanged)."""
    err = exc.errno if exc.errno is not None else Errno.EINVAL
    if isinstance(exc, socket.gaierror):
        # Name resolution failures have no errno of their own; libzmq reports ENODEV on bind
        # (no such interface) and EINVAL elsewhere.
        err = Errno.ENODEV
    reason = exc.strerror or str(exc)
    return ZMQError(err, f"{what}: {reason} (errno {_errno.errorcode.get(err, err)})")


def close_quietly(sock: socket.socket) -> None:
    """Close an OS socket we gave up on; closing never fails in a way the caller can fix."""
    with contextlib.suppress(OSError):
        sock.close()


__all__ = ["BoundSocket", "SocketSettings", "close_quietly", "zmq_error"]
