"""Connected endpoints: connecting, and reconnecting after RECONNECT_IVL, on the I/O loop.

Owns ``connect(core, endpoint) -> Connecter`` (contracts.md) and libzmq's connect-side session
rules (docs/protocol/zmtp.md §11, options.md §6.1):

* ``connect()`` validates the endpoint at once (EINVAL, EPROTONOSUPPORT raise in the caller)
  and then connects on the loop with a non-blocking ``connect_ex``: CONNECT_DELAYED(EINPROGRESS)
  while it is in flight, CONNECTED(fd) when it succeeds, then a ``Peer`` runs ZMTP over it;
* a failed attempt, a lost connection, a handshake or heartbeat timeout are retried after the
  reconnect interval (CONNECT_RETRIED carries the interval used): RECONNECT_IVL plus a random
  jitter in 0..IVL-1 ms when RECONNECT_IVL_MAX is 0, else doubling from RECONNECT_IVL up to
  RECONNECT_IVL_MAX (libzmq ``stream_connecter_base::get_new_reconnect_ivl``); the back-off
  restarts after a successful handshake. RECONNECT_IVL <= 0 (libzmq: -1) never reconnects;
* a protocol error, a socket-type or mechanism mismatch or an auth failure stops reconnecting
  for good ("verified" libzmq behaviour);
* the pipe belongs to the session, not the connection: ``core.session_pipe(self)`` gives the
  same pipe across reconnects unless IMMEDIATE (the socket side decides), and every lost
  connection reports ``core.pipe_disconnected(pipe, reconnecting=...)``;
* CONNECT_TIMEOUT bounds one TCP connect attempt.

Thread affinity: ``connect`` on the socket's owner thread; everything else on the I/O loop;
``close`` may be called from any thread (it hops to the loop).
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno as _errno
import random
import socket
import ssl
import threading
from collections.abc import Callable

from ..constants import Event, ReconnectStop, SocketType
from ..endpoint import TcpEndpoint, WsEndpoint, parse
from ..patterns.pipe import Pipe
from ..transports import (
    JS_WEBSOCKET,
    SocketSettings,
    StreamEndpoint,
    check_socket_type,
    check_stream,
    new_connect_socket,
    resolve,
    ws_transport,
)
from .flow import PipeFlow
from .network_side import CoreLike
from .owner_writes import new_peer

_IN_PROGRESS = frozenset({_errno.EINPROGRESS, _errno.EAGAIN, _errno.EWOULDBLOCK})
_INT_MAX = 2**31 - 1


def _proxy_endpoint(ep: TcpEndpoint, proxy: str) -> TcpEndpoint:
    """The endpoint to open the TCP connection to when ``ZMQ_SOCKS_PROXY`` is set: the proxy's
    ``host:port``, keeping the endpoint's source address, if any."""
    # SOCKS loads with the first proxied connect: most programs never set SOCKS_PROXY.
    from ..transports.socks import parse_proxy

    host, port = parse_proxy(proxy)
    return dataclasses.replace(ep, host=host, port=port, ipv6=":" in host)


def connect(core: CoreLike, endpoint: str) -> Connecter:
    """Validate ``endpoint`` now (raising ``ZMQError``) and start connecting on the I/O loop."""
    stream = check_stream(parse(endpoint, for_bind=False))
    check_socket_type(stream, core.socket_type)
    if JS_WEBSOCKET:
        from ..transports.js_websocket import check_mechanism

        check_mechanism(core.options)
    connecter = Connecter(core, stream, endpoint)
    core.call_soon(connecter._start)
    return connecter


def next_reconnect_ivl(current: int, ivl: int, ivl_max: int, rng: random.Random) -> tuple[int, int]:
    """libzmq's reconnect interval rule: returns (interval to use now, new ``current``).

    ``current`` is -1 before the first retry after a success.
    """
    if ivl_max > 0:
        if current == -1:
            candidate = ivl
        elif current > _INT_MAX // 2:
            candidate = _INT_MAX
        else:
            candidate = current * 2
        current = min(candidate, ivl_max)
        return current, current
    if current == -1:
        current = ivl
    jitter = rng.randrange(ivl) if ivl > 0 else 0
    return min(current + jitter, _INT_MAX), current


class Connecter:
    """One connected endpoint (a libzmq session with its connecter); ``endpoint`` as given."""

    #: Its connections are the connecting side's (HICCUP_MSG, not DISCONNECT_MSG: notices.py).
    connects = True

    __slots__ = (
        "_closed",
        "_closed_session",
        "_core",
        "_current_ivl",
        "_ep",
        "_handshaken",
        "_linger_done",
        "_loop",
        "_loop_thread",
        "_retry_handle",
        "_rng",
        "_settings",
        "_stopped",
        "_task",
        "_tls",
        "connect_routing_id",
        "endpoint",
        "linger_pipe",
        "peer",
    )

    def __init__(self, core: CoreLike, ep: StreamEndpoint, endpoint: str) -> None:
        self._core = core
        self._ep = ep
        self.endpoint = endpoint
        self.peer: PipeFlow | None = None
        #: The connection that completed its handshake last (it holds the session pipe).
        self._handshaken: object = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._task: asyncio.Task[None] | None = None
        self._retry_handle: asyncio.TimerHandle | None = None
        self._settings = SocketSettings.from_options(core.options)
        #: wss: the TLS client context and the name to verify (built now, so that a bad
        #: WSS_TRUST_PEM raises from connect()).
        self._tls: tuple[ssl.SSLContext, str] | None = None
        if isinstance(ep, WsEndpoint) and ep.secure and not JS_WEBSOCKET:
            ws = ws_transport()
            self._tls = (
                ws.client_context(core.options),
                ws.client_hostname(core.options) or ep.host,
            )
        self._current_ivl = -1
        self._closed = False
        #: Set after a protocol/auth failure: this endpoint is never retried.
        self._stopped = False
        self._rng = random.Random()
        #: Set by close(linger) when the session pipe still holds messages: connecting goes on
        #: until they are delivered or LINGER expires (libzmq), then ``_linger_done`` runs.
        self.linger_pipe: Pipe | None = None
        self._linger_done: Callable[[], None] | None = None
        #: The session pipe ``close(linger)`` captured on the owner thread, before the socket
        #: forgot its sessions; set there, before the hop to the loop (see ``get_pipe``).
        self._closed_session: Pipe | None = None
        #: CONNECT_ROUTING_ID applies to this connect() only: consume it now (owner thread).
        self.connect_routing_id = core.options.connect_routing_id
        if self.connect_routing_id:
            core.options.connect_routing_id = b""

    @property
    def stopped(self) -> bool:
        """No more attempts will be made (protocol error, auth failure, RECONNECT_IVL -1)."""
        return self._stopped

    # -- PeerOwner ----------------------------------------------------------------------------

    def get_pipe(self, peer: PipeFlow) -> Pipe:
        pipe = self._core.session_pipe(self)
        # A handshake that ends while the owner thread closes the socket: session_pipe() may
        # have waited for the socket's lock until close() had cleared the sessions, and then
        # made a fresh, empty pipe, while the messages queued before the connection was up
        # stay in the old one. close() captured that one first (owner thread, before the
        # sessions were cleared): deliver it.
        closed_session = self._closed_session
        return closed_session if closed_session is not None else pipe

    def handshake_done(self, peer: PipeFlow) -> None:
        self._current_ivl = -1
        self._handshaken = peer

    def peer_ended(self, peer: PipeFlow, reconnect: bool) -> bool:
        if peer is self.peer:
            self.peer = None
        if self._closed:
            if self.linger_pipe is not None and self._linger_done is None:
                # The lingering connection is over (delivered, or LINGER expired).
                self.linger_pipe = None
            return False
        if not reconnect:
            self._stopped = True
            if peer is not self._handshaken:
                # A handshaken connection hands its pipe back itself; one that failed its
                # handshake never took it, so the session pipe made at connect() goes here.
                self._core.drop_session(self)
            return False
        return self._schedule_retry()

    # -- connecting (I/O loop) ----------------------------------------------------------------

    def _start(self) -> None:
        if self._closed:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._attempt()

    @property
    def _active(self) -> bool:
        """Still trying: open, or closed but lingering to deliver queued messages."""
        return not self._stopped and (not self._closed or self.linger_pipe is not None)

    def _attempt(self) -> None:
        self._retry_handle = None
        if not self._active:
            return
        assert self._loop is not None
        self._task = self._loop.create_task(self._connect_once())
        self._task.add_done_callback(self._attempt_ended)

    async def _connect_once(self) -> None:
        loop = self._loop
        assert loop is not None
        core = self._core
        if JS_WEBSOCKET:
            await self._connect_js_websocket(loop)
            return
        settings = self._settings
        ep = self._ep
        proxy = ""
        if isinstance(ep, TcpEndpoint):  # libzmq: tcp connects only
            proxy = core.options.socks_proxy.decode("utf-8", "surrogateescape")
        try:
            target: StreamEndpoint = ep
            if proxy and isinstance(ep, TcpEndpoint):
                # ZMQ_SOCKS_PROXY: the TCP connection goes to the proxy, which connects us on.
                target = _proxy_endpoint(ep, proxy)
            family, addr = await resolve(loop, target, settings)
            sock = new_connect_socket(family, target, settings)
        except OSError:
            self._task = None
            self._schedule_retry()
            return
        except RuntimeError:
            # The loop is shutting down (asyncio.run() closed its default executor, which
            # getaddrinfo runs on): no further attempts.
            self._task = None
            return
        try:
            err = sock.connect_ex(addr)
            if err in _IN_PROGRESS:
                core.emit(Event.CONNECT_DELAYED, err, self.endpoint)
                await self._wait_connected(loop, sock)
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                raise OSError(err, "connect failed")
            if proxy and isinstance(ep, TcpEndpoint):
                await self._socks_handshake(loop, sock, ep)
        except (OSError, asyncio.TimeoutError) as exc:
            # libzmq closes the failed attempt's socket with a CLOSED(fd) event before it
            # schedules the retry (stream_connecter_base_t::close).
            fd = sock.fileno()
            sock.close()
            core.emit(Event.CLOSED, fd, self.endpoint)
            self._task = None
            refused = isinstance(exc, OSError) and exc.errno == _errno.ECONNREFUSED
            stop = core.options.reconnect_stop
            if refused and (
                stop & ReconnectStop.CONN_REFUSED
                or (stop & ReconnectStop.AFTER_DISCONNECT and core.disconnect_called)
            ):
                # ZMQ_RECONNECT_STOP_CONN_REFUSED: give up on this endpoint (no CONNECT_RETRIED).
                # ZMQ_RECONNECT_STOP_AFTER_DISCONNECT: the same once disconnect() was called on
                # the socket (libzmq 4.3.5 checks it in its ipc connecter only; the documented
                # rule, followed here, names no transport).
                self._stopped = True
                return
            self._schedule_retry()
            return
        except (asyncio.CancelledError, GeneratorExit):
            # Cancelled, or abandoned with its loop: a loop closed while this attempt waits
            # for the connect drops the Task, and the coroutine is closed when collected.
            sock.close()
            raise
        if not self._active:
            sock.close()
            return
        core.emit(Event.CONNECTED, sock.fileno(), self.endpoint)
        peer: PipeFlow
        ep = self._ep
        if int(core.socket_type) == SocketType.STREAM:
            from .stream_peer import StreamPeer

            peer = StreamPeer(core, self.endpoint, self)
        elif isinstance(ep, WsEndpoint):
            from .ws_peer import new_ws_peer

            peer = new_ws_peer(core, self.endpoint, self, ep, client=True)
        else:
            peer = new_peer(core, self.endpoint, self)
        self.peer = peer
        self._task = None
        if self._closed:
            # Lingering: this connection only delivers what the closed socket queued.
            done, self._linger_done = self._linger_done, None
            peer.close(-1, done)
        try:
            if self._tls is not None:
                context, hostname = self._tls
                # TLS comes before the ZMTP handshake, so HANDSHAKE_IVL bounds it too (else a
                # server that never answers holds the connection for asyncio's 60 s).
                ivl = core.options.handshake_ivl
                transport, _ = await loop.create_connection(
                    lambda: peer,
                    sock=sock,
                    ssl=context,
                    server_hostname=hostname,
                    ssl_handshake_timeout=ivl / 1000.0 if ivl > 0 else None,
                )
            else:
                transport, _ = await loop.create_connection(lambda: peer, sock=sock)
            if peer.done and transport.is_closing() and sock.fileno() != -1:
                # Reset before create_connection() returned: the transport is gone and closed
                # the descriptor, but uvloop hands ``sock`` to it only after the connection
                # is made, too late to release it. The number may already name another
                # connection's socket: forget it, never close it.
                sock.detach()
        except OSError as exc:
            sock.close()
            # As if the connection was lost at once: the peer reports and we retry.
            peer.connection_lost(exc)
        except asyncio.CancelledError:
            # Closed while the transport was being made: a transport that exists already
            # closed (or detached) the socket, else nobody owns it but us.
            sock.close()
            raise

    async def _connect_js_websocket(self, loop: asyncio.AbstractEventLoop) -> None:
        """Pyodide: open a JavaScript WebSocket, then run a ``MessagePeer`` over it
        (``transports.js_websocket``; the browser does the upgrade, framing and TLS)."""
        from ..transports import js_websocket
        from .ws_peer import new_message_ws_peer

        core = self._core
        peer = new_message_ws_peer(core, self.endpoint, self)
        timeout = self._settings.connect_timeout
        offer = js_websocket.token_subprotocols(peer.offer())
        try:
            api = js_websocket.pyodide_api()
            if not offer:
                raise OSError(_errno.ENOTSUP, "no subprotocol the WebSocket API accepts")
            core.emit(Event.CONNECT_DELAYED, _errno.EINPROGRESS, self.endpoint)
            opened = await js_websocket.open_websocket(
                js_websocket.websocket_url(self._ep),
                offer,
                api,
                timeout / 1000.0 if timeout > 0 else None,
            )
        except OSError as exc:
            self._task = None
            if exc.errno in (_errno.EINVAL, _errno.ENOTSUP, _errno.EPROTONOSUPPORT):
                # The URL or the subprotocols refused by the JavaScript API: retrying is futile.
                self._stopped = True
            else:
                self._schedule_retry()
            return
        except asyncio.TimeoutError:
            self._task = None
            self._schedule_retry()
            return
        if not self._active:
            opened.close()
            return
        core.emit(Event.CONNECTED, -1, self.endpoint)
        self.peer = peer
        self._task = None
        if self._closed:
            done, self._linger_done = self._linger_done, None
            peer.close(-1, done)
        js_websocket.JsWebSocketTransport(loop, opened, peer, api).start()

    async def _socks_handshake(
        self, loop: asyncio.AbstractEventLoop, sock: socket.socket, ep: TcpEndpoint
    ) -> None:
        """SOCKS5 through the proxy to our endpoint (``transports.socks``); the same socket
        then carries ZMTP. Raises OSError (``SocksError``): the attempt failed, retry."""
        from ..transports.socks import Socks5Client, SocksError

        options = self._core.options
        client = Socks5Client(
            ep.host,
            ep.port,
            options.socks_username,
            options.socks_password,
        )
        while not client.done:
            out = client.to_send()
            if out:
                await loop.sock_sendall(sock, out)
            data = await loop.sock_recv(sock, client.wanted())
            if not data:
                raise SocksError("the SOCKS proxy closed the connection")
            client.receive(data)

    def _attempt_ended(self, task: asyncio.Task[None]) -> None:
        """An attempt was cancelled, and not by us (``_cancel_attempts`` forgets the task
        first): the loop is shutting down (``asyncio.run`` cancels every task, even one that
        never started). While LINGER still wants queued messages delivered, try again: the
        loop runs on for them (``linger.hold_loop_open``)."""
        if not task.cancelled() or task is not self._task:
            return
        self._task = None
        if self._closed and self.linger_pipe is not None and not self._schedule_retry():
            self._linger_expired()  # no attempt left: the flush is over

    async def _wait_connected(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        """Until the non-blocking connect resolves (writable), bounded by CONNECT_TIMEOUT."""
        fd = sock.fileno()
        waiter: asyncio.Future[None] = loop.create_future()

        def ready() -> None:
            if not waiter.done():
                waiter.set_result(None)

        loop.add_writer(fd, ready)
        try:
            timeout = self._settings.connect_timeout
            if timeout > 0:
                await asyncio.wait_for(waiter, timeout / 1000.0)
            else:
                await waiter
        finally:
            if not loop.is_closed():  # abandoned with a closed loop: nothing to remove
                loop.remove_writer(fd)

    def _schedule_retry(self) -> bool:
        """Arm the reconnect timer; False when reconnecting is off or over."""
        if not self._active or self._loop is None:
            return False
        options = self._core.options
        ivl = options.reconnect_ivl
        if ivl <= 0:
            self._stopped = True
            return False
        ivl_max = options.reconnect_ivl_max
        delay, self._current_ivl = next_reconnect_ivl(self._current_ivl, ivl, ivl_max, self._rng)
        self._core.emit(Event.CONNECT_RETRIED, delay, self.endpoint)
        self._retry_handle = self._loop.call_later(delay / 1000.0, self._attempt)
        return True

    # -- closing ------------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Stop connecting and close the connection with ``linger`` ms (any thread).

        A LINGER flush is announced to the ContextCore *now* (``linger_begin``), before hopping
        to the loop, so that a ``term()`` right after ``close()`` waits for it. When messages
        are queued but the connection is not up yet, connecting goes on for up to LINGER ms to
        deliver them (libzmq); with nothing queued the connecter stops at once, so an
        unreachable endpoint never makes ``term()`` hang.
        """
        if linger is None:
            linger = self._core.options.linger
        done = self._core.linger_token() if linger != 0 else None
        pipe: Pipe | None = None
        if done is not None and not self._core.options.immediate:
            # Captured on the owner thread, before the socket side forgets its sessions.
            pipe = self._core.session_pipe(self)
            self._closed_session = pipe
        if self._loop is not None and threading.get_ident() == self._loop_thread:
            self._close_on_loop(linger, done, pipe)
        else:
            self._core.call_soon(self._close_on_loop, linger, done, pipe)

    def _close_on_loop(
        self, linger: int, done: Callable[[], None] | None = None, pipe: Pipe | None = None
    ) -> None:
        if self._closed:
            if done is not None:
                done()
            return
        self._closed = True
        if self.peer is not None:
            self._cancel_attempts()
            if done is not None and pipe is not None and pipe.read_pending() and not self.peer.pipe:
                # Closed mid-handshake: the peer delivers what was queued once the handshake
                # is done (Peer._on_handshake takes the linger pipe), within LINGER.
                self.linger_pipe = pipe
            self.peer.close(linger, done)
            return
        in_flight = self._task is not None or self._retry_handle is not None
        if done is not None and pipe is not None and pipe.read_pending() and in_flight:
            self.linger_pipe = pipe
            self._linger_done = done
            if linger > 0 and self._loop is not None:
                self._retry_handle_linger(linger)
            return
        self._cancel_attempts()
        if done is not None:
            done()

    def _retry_handle_linger(self, linger: int) -> None:
        assert self._loop is not None
        self._loop.call_later(linger / 1000.0, self._linger_expired)

    def _linger_expired(self) -> None:
        if self.linger_pipe is None:
            return
        self.linger_pipe = None
        self._cancel_attempts()
        if self.peer is not None:
            self.peer.close(0)
        done, self._linger_done = self._linger_done, None
        if done is not None:
            done()

    def _cancel_attempts(self) -> None:
        if self._retry_handle is not None:
            self._retry_handle.cancel()
            self._retry_handle = None
        task = self._task
        if task is not None:
            self._task = None
            # A socket may be closed after its event loop was (jupyter_client's heartbeat
            # thread does that): a closed loop runs nothing more, so there is nothing to cancel,
            # and cancelling would schedule a callback on it (RuntimeError).
            if not task.get_loop().is_closed():
                task.cancel()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "stopped" if self._stopped else "active"
        return f"<Connecter {self.endpoint} {state}>"


__all__ = ["Connecter", "connect", "next_reconnect_ivl"]
