"""ipc:// — Unix-domain stream sockets: file paths, Linux abstract names, ``ipc://*``.

Owns the IPC half of layer 2 (docs/protocol/transports.md §2): binding (with libzmq's treatment of a
stale socket file, and of ``ipc://*`` as a private temporary directory), removing the socket
file again on unbind/close, the address to connect to, and the ``Peer-Address`` credential
string.

One deliberate difference from libzmq: libzmq unlinks whatever exists at the path before
binding, so a second process silently steals a live endpoint. purezmq probes the path first:
a socket file nobody listens on (a crashed process's leftover) is replaced like libzmq does,
but a live listener — or a file that is not a socket — gives EADDRINUSE instead of being
destroyed. Abstract names cannot be stolen anyway (the kernel says EADDRINUSE).

Thread affinity: ``bind`` runs synchronously in the caller's thread (errors raise there,
contracts.md); cleanup runs wherever the listener closes. No state is kept here.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat
import struct

from ..constants import Errno
from ..endpoint import IpcEndpoint
from ..error import ZMQError
from .base import BoundSocket, SocketSettings, close_quietly, zmq_error

_UCRED = struct.Struct("3i")  # struct ucred {pid_t pid; uid_t uid; gid_t gid;}

#: SO_SNDBUF of a Unix-domain connection when ZMQ_SNDBUF is left at -1. The sender's send
#: buffer bounds all the data a Unix stream socket holds in flight (the receiver's SO_RCVBUF
#: plays no part), and Linux's default (``net.core.wmem_default``, 208 KiB) splits a 256 KiB
#: message into two writes and two reads, each a Python step on both sides
#: (docs/performance.md, "Socket buffers over ipc"). The kernel doubles the value and caps
#: it at ``net.core.wmem_max``. An explicit ZMQ_SNDBUF, as in libzmq, is applied as given.
IPC_SNDBUF = 1 << 20


def apply_buffers(sock: socket.socket, settings: SocketSettings) -> None:
    """ZMQ_SNDBUF / ZMQ_RCVBUF on a Unix-domain connection (``IPC_SNDBUF`` by default)."""
    settings.apply_buffers(sock)
    if settings.sndbuf < 0:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, IPC_SNDBUF)


def _probe_live(path: str) -> bool:
    """Whether something accepts connections at ``path`` (a blocking local connect is instant)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except OSError:
        return False
    finally:
        probe.close()
    return True


def bind(endpoint: IpcEndpoint, settings: SocketSettings) -> BoundSocket:
    """Create, bind and listen on a Unix-domain socket; returns it with the resolved endpoint.

    Raises ``ZMQError``: EADDRINUSE (live listener or non-socket file at the path, or an abstract
    name in use), ENOENT (missing directory), EACCES, ENAMETOOLONG (checked by the parser).
    """
    what = f"cannot bind to {endpoint}"
    tmpdir: str | None = None
    if endpoint.random:
        # libzmq: a private directory <tmp>/tmpXXXXXX holding "socket", removed on close.
        # tempfile (and shutil below) load here: they import compression modules, a few ms
        # that no other bind needs.
        import tempfile

        tmpdir = tempfile.mkdtemp(prefix="tmp")
        path = os.path.join(tmpdir, "socket")
        shown = f"ipc://{path}"
    elif endpoint.abstract:
        path = endpoint.address
        shown = str(endpoint)
    else:
        path = endpoint.path
        shown = str(endpoint)
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise zmq_error(exc, what) from None
        else:
            if not stat.S_ISSOCK(st.st_mode):
                raise ZMQError(
                    Errno.EADDRINUSE,
                    f"{what}: {path!r} exists and is not a socket; remove it or pick another path",
                )
            if _probe_live(path):
                raise ZMQError(
                    Errno.EADDRINUSE, f"{what}: another socket is already listening at {path!r}"
                )
            # A stale socket file (its listener is gone): replace it like libzmq does.
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise zmq_error(exc, what) from None
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        settings.apply_buffers(sock)
        sock.bind(path)
        sock.listen(settings.backlog)
        sock.setblocking(False)
    except OSError as exc:
        close_quietly(sock)
        if tmpdir is not None:
            import shutil

            shutil.rmtree(tmpdir, ignore_errors=True)
        raise zmq_error(exc, what) from None
    if endpoint.abstract:
        return BoundSocket(sock, shown)
    identity = _file_identity(path)
    return BoundSocket(sock, shown, _Cleanup(path, identity, tmpdir))


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


class _Cleanup:
    """Remove our socket file (only if it is still ours) and ``ipc://*``'s directory, once."""

    __slots__ = ("done", "identity", "path", "tmpdir")

    def __init__(self, path: str, identity: tuple[int, int] | None, tmpdir: str | None) -> None:
        self.path = path
        self.identity = identity
        self.tmpdir = tmpdir
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        # Another process may have replaced a file we thought stale, or the user removed it:
        # never unlink someone else's socket.
        if self.identity is not None and _file_identity(self.path) == self.identity:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        if self.tmpdir is not None:
            with contextlib.suppress(OSError):
                os.rmdir(self.tmpdir)


def connect_address(endpoint: IpcEndpoint) -> str:
    """What to pass to ``connect``: the path, or NUL + name for an abstract endpoint."""
    return endpoint.address


def new_connect_socket(settings: SocketSettings) -> socket.socket:
    """A non-blocking Unix-domain stream socket with the buffer options applied."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        apply_buffers(sock, settings)
    except OSError:
        sock.close()
        raise
    return sock


def peer_address(sock: socket.socket) -> str:
    """``Peer-Address`` for ipc: libzmq gives ``localhost:<uid>:<gid>:<pid>`` from SO_PEERCRED
    on Linux (transports.md §2); elsewhere an empty string."""
    opt = getattr(socket, "SO_PEERCRED", None)
    if opt is None:
        return ""
    try:
        pid, uid, gid = _UCRED.unpack(sock.getsockopt(socket.SOL_SOCKET, opt, _UCRED.size))
    except OSError:
        return ""
    return f"localhost:{uid}:{gid}:{pid}"


__all__ = [
    "IPC_SNDBUF",
    "apply_buffers",
    "bind",
    "connect_address",
    "new_connect_socket",
    "peer_address",
]
