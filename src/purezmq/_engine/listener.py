"""Bound endpoints: a listening socket that accepts connections and gives each one a Peer.

Owns ``bind(core, endpoint) -> Listener`` (contracts.md): the OS socket is created and bound
synchronously in the caller's thread, so EADDRINUSE/EADDRNOTAVAIL/ENODEV/EINVAL raise from
``bind()`` itself (with a BIND_FAILED monitor event, like libzmq), then accepting is handed to
the I/O loop. Monitor events: LISTENING(fd) at bind, ACCEPTED(fd) per connection,
ACCEPT_FAILED(errno), CLOSED(fd) on close (docs/protocol/options.md §6.1). Accepted connections are
dropped when they fail (libzmq: the accepting side never reconnects, docs/protocol/zmtp.md §11).

Handshake-flood limit (purezmq only, SECURITY.md): at most MAX_HANDSHAKES accepted connections
of one endpoint are in their handshake (greeting, mechanism, ZAP) at once; a connection accepted
beyond that is closed at once with ACCEPT_FAILED(EAGAIN), so half-open or slow connections hold
neither descriptors nor memory beyond the cap, and each frees its slot when it succeeds or
HANDSHAKE_IVL ends it. A connecting peer turned away reconnects like after any lost attempt.

Thread affinity: ``bind`` on the socket's owner thread; everything else on the I/O loop;
``close`` may be called from any thread (it hops to the loop).
"""

from __future__ import annotations

import asyncio
import errno as _errno
import socket
import ssl
import struct
import threading
from collections.abc import Callable

from ..constants import Event, SocketType
from ..endpoint import WsEndpoint, parse
from ..error import ZMQError
from ..options import SocketOptions
from ..patterns.pipe import Pipe
from ..transports import (
    BoundSocket,
    SocketSettings,
    check_socket_type,
    check_stream,
    tune_accepted,
    ws_transport,
)
from ..transports import bind as transport_bind
from .flow import PipeFlow
from .network_side import CoreLike
from .owner_writes import new_peer

#: Connections accepted per readable event before yielding to the rest of the loop.
_ACCEPT_BATCH = 64
#: Back-off when the process is out of descriptors (EMFILE…): stop accepting for a moment
#: instead of spinning on a listening socket that stays readable.
_ACCEPT_PAUSE = 0.1
_UCRED = struct.Struct("3i")  # struct ucred {pid; uid; gid}
_RESOURCE_ERRORS = frozenset({_errno.EMFILE, _errno.ENFILE, _errno.ENOBUFS, _errno.ENOMEM})
#: ACCEPT_FAILED's errno for a connection turned away over MAX_HANDSHAKES: "try again later".
HANDSHAKES_FULL = _errno.EAGAIN


def bind(core: CoreLike, endpoint: str) -> Listener:
    """Bind ``endpoint`` now (raising ``ZMQError`` on failure) and accept on the I/O loop."""
    stream = check_stream(parse(endpoint, for_bind=True))
    check_socket_type(stream, core.socket_type)
    settings = SocketSettings.from_options(core.options)
    try:
        bound = transport_bind(stream, settings)
    except ZMQError as exc:
        core.emit(Event.BIND_FAILED, exc.errno, endpoint)
        raise
    tls = None
    if isinstance(stream, WsEndpoint) and stream.secure:
        try:
            tls = ws_transport().server_context(core.options)
        except ZMQError as exc:
            bound.close()
            core.emit(Event.BIND_FAILED, exc.errno, endpoint)
            raise
    listener = Listener(core, bound, settings, stream if isinstance(stream, WsEndpoint) else None)
    listener.tls = tls
    core.emit(Event.LISTENING, listener.fd, listener.endpoint)
    core.call_soon(listener._start)
    return listener


def _filters_allow(conn: socket.socket, options: SocketOptions) -> bool:
    """libzmq's accept filters: TCP_ACCEPT_FILTER networks for tcp, IPC_FILTER_PID/UID/GID
    for ipc (Linux SO_PEERCRED); no filter set = everybody is welcome."""
    if conn.family == socket.AF_UNIX:
        pids = options.ipc_filter_pid
        uids = options.ipc_filter_uid
        gids = options.ipc_filter_gid
        if not (pids or uids or gids):
            return True
        opt = getattr(socket, "SO_PEERCRED", None)
        if opt is None:
            return True
        pid, uid, gid = _UCRED.unpack(conn.getsockopt(socket.SOL_SOCKET, opt, _UCRED.size))
        # libzmq: accepted if the uid or gid filter matches, or the pid filter does.
        return uid in uids or gid in gids or pid in pids
    filters = options.tcp_accept_filter
    if not filters:
        return True
    import ipaddress  # only with TCP_ACCEPT_FILTER set: ~1 ms of import otherwise unused

    host = str(conn.getpeername()[0]).split("%", 1)[0]
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for raw in filters:
        network = ipaddress.ip_network(bytes(raw).decode("ascii"), strict=False)
        if address.version == network.version and address in network:
            return True
    return False


class Listener:
    """One bound endpoint; ``endpoint`` is the resolved string (``LAST_ENDPOINT``)."""

    #: Its connections are the accepting side's (DISCONNECT_MSG: notices.py).
    connects = False
    #: Accepted connections take no CONNECT_ROUTING_ID and have no session pipe to linger on.
    connect_routing_id = b""
    linger_pipe: Pipe | None = None

    __slots__ = (
        "_bound",
        "_closed",
        "_core",
        "_handshaking",
        "_loop",
        "_loop_thread",
        "_paused",
        "_settings",
        "endpoint",
        "fd",
        "peers",
        "tls",
        "ws",
    )

    def __init__(
        self,
        core: CoreLike,
        bound: BoundSocket,
        settings: SocketSettings,
        ws: WsEndpoint | None = None,
    ) -> None:
        self._core = core
        #: The WebSocket endpoint served (ws/wss), and wss's TLS server context.
        self.ws = ws
        self.tls: ssl.SSLContext | None = None
        self._bound = bound
        self._settings = settings
        self.endpoint = bound.endpoint
        self.fd = bound.sock.fileno()
        self.peers: set[PipeFlow] = set()
        #: The accepted connections still in their handshake (MAX_HANDSHAKES bounds them).
        self._handshaking: set[PipeFlow] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._closed = False
        self._paused = False

    # -- PeerOwner ----------------------------------------------------------------------------

    def get_pipe(self, peer: PipeFlow) -> Pipe:
        return self._core.new_pipe()

    def handshake_done(self, peer: PipeFlow) -> None:
        self._handshake_over(peer)

    def peer_ended(self, peer: PipeFlow, reconnect: bool) -> bool:
        self.peers.discard(peer)
        self._handshake_over(peer)
        return False  # the accepting side never reconnects

    def _handshake_over(self, peer: PipeFlow) -> None:
        handshaking = self._handshaking
        if peer in handshaking:
            handshaking.discard(peer)
            self._core.handshaking -= 1

    # -- accepting (I/O loop) -----------------------------------------------------------------

    def _start(self) -> None:
        if self._closed:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._loop.add_reader(self.fd, self._on_readable)

    def _on_readable(self) -> None:
        sock = self._bound.sock
        for _ in range(_ACCEPT_BATCH):
            try:
                conn, _addr = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                err = exc.errno or _errno.EINVAL
                self._core.emit(Event.ACCEPT_FAILED, err, self.endpoint)
                if err in _RESOURCE_ERRORS:
                    self._pause_accepting()
                return
            self._accepted(conn)

    def _pause_accepting(self) -> None:
        assert self._loop is not None
        if self._paused or self._closed:
            return
        self._paused = True
        self._loop.remove_reader(self.fd)
        self._loop.call_later(_ACCEPT_PAUSE, self._resume_accepting)

    def _resume_accepting(self) -> None:
        self._paused = False
        if not self._closed and self._loop is not None:
            self._loop.add_reader(self.fd, self._on_readable)

    def _accepted(self, conn: socket.socket) -> None:
        cap = self._core.options.max_handshakes
        if cap and len(self._handshaking) >= cap:
            # A handshake flood (or a burst beyond the cap): turn the newcomer away before it
            # costs more than this accept; ACCEPT_FAILED says why (module docstring).
            conn.close()
            self._core.handshakes_refused += 1
            self._core.emit(Event.ACCEPT_FAILED, HANDSHAKES_FULL, self.endpoint)
            return
        try:
            conn.setblocking(False)
            allowed = _filters_allow(conn, self._core.options)
            if allowed:
                tune_accepted(conn, self._settings)
        except OSError as exc:
            conn.close()
            self._core.emit(Event.ACCEPT_FAILED, exc.errno or _errno.EINVAL, self.endpoint)
            return
        if not allowed:
            # TCP_ACCEPT_FILTER / IPC_FILTER_*: libzmq closes the connection at once and
            # reports a failed accept.
            conn.close()
            self._core.emit(Event.ACCEPT_FAILED, _errno.ECONNABORTED, self.endpoint)
            return
        self._core.emit(Event.ACCEPTED, conn.fileno(), self.endpoint)
        if int(self._core.socket_type) == SocketType.STREAM:
            from .stream_peer import StreamPeer

            peer: PipeFlow = StreamPeer(self._core, self.endpoint, self)
        elif self.ws is not None:
            from .ws_peer import new_ws_peer

            peer = new_ws_peer(self._core, self.endpoint, self, self.ws, client=False)
        else:
            peer = new_peer(self._core, self.endpoint, self)
        self.peers.add(peer)
        self._handshaking.add(peer)
        core = self._core
        core.handshaking += 1
        if core.handshaking > core.handshaking_peak:
            core.handshaking_peak = core.handshaking
        assert self._loop is not None
        self._loop.create_task(self._attach_transport(conn, peer))

    async def _attach_transport(self, conn: socket.socket, peer: PipeFlow) -> None:
        assert self._loop is not None
        try:
            if self.tls is not None:
                # TLS comes before the ZMTP handshake, so HANDSHAKE_IVL bounds it too (else a
                # silent client would hold its slot for asyncio's default of 60 s).
                ivl = self._core.options.handshake_ivl
                await self._loop.connect_accepted_socket(
                    lambda: peer,
                    conn,
                    ssl=self.tls,
                    ssl_handshake_timeout=ivl / 1000.0 if ivl > 0 else None,
                )
            else:
                await self._loop.connect_accepted_socket(lambda: peer, conn)
        except OSError as exc:
            conn.close()
            peer.connection_lost(exc)

    # -- closing ------------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Stop listening, remove the ipc file, close accepted connections (any thread).

        A LINGER flush is announced to the ContextCore now (see ``Connecter.close``).
        """
        if linger is None:
            linger = self._core.options.linger
        done = self._core.linger_token() if linger != 0 else None
        if self._loop is not None and threading.get_ident() == self._loop_thread:
            self._close_on_loop(linger, done)
            return
        # Wait for the loop to let go of the socket (one control-plane round trip): after
        # unbind() returns, the address is free, so an immediate re-bind works (libzmq).
        try:
            self._core.run(self._close_on_loop, linger, done)
        except ZMQError:
            # The loop is gone (context terminated): nothing watches the socket any more.
            if not self._closed:
                self._closed = True
                self._bound.close()
            if done is not None:
                done()

    def _close_on_loop(self, linger: int, done: Callable[[], None] | None = None) -> None:
        if self._closed:
            if done is not None:
                done()
            return
        self._closed = True
        if self._loop is not None and not self._paused:
            self._loop.remove_reader(self.fd)
        self._bound.close()
        self._core.emit(Event.CLOSED, self.fd, self.endpoint)
        peers = list(self.peers)
        if done is None or not peers:
            for peer in peers:
                peer.close(linger)
            if done is not None:
                done()
            return
        remaining = len(peers)

        def one_closed() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                done()

        for peer in peers:
            peer.close(linger, one_closed)

    def __repr__(self) -> str:
        state = " closed" if self._closed else ""
        return f"<Listener {self.endpoint} peers={len(self.peers)}{state}>"


__all__ = ["HANDSHAKES_FULL", "Listener", "bind"]
