"""One ZMTP connection on the I/O loop: an ``asyncio.BufferedProtocol`` driving a
``zmtp.Connection`` and pumping whole messages between it and one pipe end.

Owns, per TCP/IPC/WebSocket connection (contracts.md "Inside the engine: socket side ↔ network
side"), and composes the modules that hold each part:

* its life cycle, one ``PeerState`` (``peer_state.py``);
* input: the kernel writes into the loop's shared receive buffer (``transport_io.py``), the
  bytes go straight into ``Connection.receive_data`` (which copies what it keeps), and every
  message that comes out is written into the engine end of the pipe; at the inbound HWM
  reading pauses until the pattern drains the pipe to LWM (``flow.py``);
* output: when the pattern writes into a pipe whose engine end slept, one flush is scheduled
  (coalesced); it drains the pipe into ``Connection.send_message`` and hands everything to the
  transport in one gathered write (``transport_io.write_chunks``). While the transport pushes
  back (``pause_writing``) the pipe is not drained, so the socket's SNDHWM reaches the sender;
* one timer (``loop.call_at``) re-armed from ``next_deadline()`` after every interaction:
  handshake deadline and heartbeats (docs/protocol/zmtp.md §9, §11);
* the security set-up its socket's options select (``security.py``) and its ZAP round trip
  (``zap_client.py``);
* the connection's fate: monitor events (docs/protocol/options.md §6.1) and whether the
  connecter may reconnect (no reconnect after a protocol error or auth failure,
  docs/protocol/zmtp.md §11); a misbehaving peer only ever closes its own connection
  (docs/architecture.md §5).

Thread affinity: everything runs on the I/O loop except the two pipe callbacks
(``on_read_activated``/``on_write_activated``), which the pattern's owner thread calls. They
hop to the loop — directly with ``loop.call_soon`` when already on the loop's thread (the
asyncio API), otherwise through the core's thread-safe ``call_soon`` (one cheap wake-up,
never a Future). Peers of sync sockets are ``ThreadPeer``s (``owner_writes.py``), whose owner
thread writes its replies to the fd itself; ``owner_writes.new_peer`` picks the class.
"""

from __future__ import annotations

import asyncio
import errno as _errno
import threading
import time
from _thread import get_ident as _get_ident
from collections.abc import Callable
from typing import cast

from ..constants import Event, ReconnectStop
from ..error import ProtocolError, ZMQError
from ..patterns import DisconnectReason
from ..patterns.pipe import Pipe
from ..zmtp import (
    Connection,
    HandshakeFailedAuth,
    HandshakeSucceeded,
    HandshakeTimeout,
    HeartbeatTimeout,
    NullMechanism,
    PeerClosed,
    ProtocolFailure,
    Received,
    ZapRequest,
)
from ..zmtp import Event as ZmtpEvent
from ..zmtp.zap import ZapPolicy, build_request, parse_reply
from . import notices
from .flow import PipeFlow, detached
from .network_side import CoreLike, PeerOwner
from .peer_state import PeerState
from .security import connection_options, make_mechanism
from .transport_io import (
    FLUSH_BATCH,
    NO_BUFFER,
    RECV_BUFFER_SIZE,
    VIEW_MIN,
    abort_after_made,
    shared_receive_buffer,
    write_chunks,
)
from .zap_client import ZapClient

_CONNECTING = PeerState.CONNECTING
_HANDSHAKING = PeerState.HANDSHAKING
_RUNNING = PeerState.RUNNING
_CLOSING = PeerState.CLOSING
_CLOSED = PeerState.CLOSED


class Peer(PipeFlow):
    """One ZMTP connection; see the module docstring.

    ``endpoint`` is the string monitor events carry (the connect endpoint, or the listener's
    resolved endpoint for accepted connections).
    """

    __slots__ = (
        "_backlog",
        "_broken",
        "_clock",
        "_conn",
        "_direct",
        "_fd",
        "_inline_ok",
        "_linger_handle",
        "_on_closed",
        "_owner",
        "_reconnect",
        "_shared",
        "_timer",
        "_timer_at",
        "_view",
        "_zap",
        "_zap_policy",
        "endpoint",
        "peer_address",
    )

    #: Bytes an owner-thread write left for the loop (``ThreadPeer``'s slot; never for a Peer).
    _unsent: list[bytes | memoryview] | None = None

    def __init__(
        self,
        core: CoreLike,
        endpoint: str,
        owner: PeerOwner,
        connection: Connection | None = None,
        connection_type: Callable[..., Connection] = Connection,
    ) -> None:
        self._core = core
        self.endpoint = endpoint
        self._owner = owner
        #: Why this connection cannot run (CURVE without PyNaCl…): fails at connection_made.
        self._broken: ZMQError | None = None
        self._zap_policy = ZapPolicy.SKIP
        #: The ZAP round trip in flight, if any.
        self._zap: ZapClient | None = None
        if connection is None:
            options = core.options
            try:
                mechanism, self._zap_policy = make_mechanism(
                    options, core.zap_handler() is not None
                )
                # ``connection_type``: the ZMTP wire (Connection) or another wire carrying
                # the same state machine (ZWS: zmtp.zws.ZwsConnection via a partial).
                connection = connection_type(
                    core.socket_type,
                    mechanism,
                    options=connection_options(options),
                    bodies=core.bodies,
                )
            except ZMQError as exc:
                self._broken = exc
                connection = Connection(core.socket_type, NullMechanism())
        self._conn = connection
        #: The loop's clock (``loop.time``), set in connection_made.
        self._clock: Callable[[], float] = time.monotonic
        #: Set in connection_made, on the loop's thread (whose shared buffer it is): all of it
        #: (for aligned reads, ``Connection.receive_buffer``), and the part plain reads take.
        self._shared = NO_BUFFER
        self._view = NO_BUFFER
        #: The last get_buffer() handed out the Connection's direct body buffer.
        self._direct = False
        self._transport: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._pipe: Pipe | None = None
        self._stash: list[Received] | None = None
        #: Messages taken from the pipe but not yet encoded when the transport pushed back.
        self._backlog: list[list[bytes]] | None = None
        self._read_paused = False
        self._write_paused = False
        self._flush_scheduled = False
        #: Input arrived since the last inline flush: the next activation may flush at once.
        self._inline_ok = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at: float | None = None
        self._linger_handle: asyncio.TimerHandle | None = None
        #: Called once when a close() we were asked for has finished (LINGER accounting).
        self._on_closed: Callable[[], None] | None = None
        self._state = _CONNECTING
        # A lost connection (EOF, reset, timeout) is retried; protocol/auth failures are not.
        self._reconnect = True
        self._fd = -1
        self.peer_address = ""

    # -- state for owners and tests ------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        return self._conn

    @property
    def fd(self) -> int:
        return self._fd

    # -- asyncio.BufferedProtocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        shared = self._shared = shared_receive_buffer()
        self._view = shared[:RECV_BUFFER_SIZE]
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self._transport = transport = cast(asyncio.Transport, transport)
        loop = self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        # asyncio's loop.time() is a Python method around time.monotonic(): call the C function
        # itself on every read (uvloop's own clock otherwise).
        if type(loop).time is not asyncio.BaseEventLoop.time:
            self._clock = loop.time
        sock = transport.get_extra_info("socket")
        if sock is not None:
            self._fd = sock.fileno()
            from ..transports import peer_address

            self.peer_address = peer_address(sock)
        if self._state is _CLOSED:
            # Torn down before its transport existed (its LINGER expired while TLS was still
            # being negotiated): the socket is gone, so no handshake; release the descriptor.
            abort_after_made(transport, loop)
            return
        if self._state is _CLOSING and self._linger_pipe() is None:
            # Closed before the transport existed, with nothing to deliver. uvloop starts
            # reading only after connection_made returns, so the peer's greeting may still
            # reach buffer_updated before the abort: a closed Connection ignores it.
            self._conn.close()
            abort_after_made(transport, loop)
            return
        if self._broken is not None:
            # A local configuration problem: retrying cannot help.
            self._core.emit(Event.HANDSHAKE_FAILED_NO_DETAIL, self._broken.errno, self.endpoint)
            self._reconnect = False
            self._conn.close()
            abort_after_made(transport, loop)
            return
        if self._state is _CONNECTING:
            self._state = _HANDSHAKING
        self._conn.start(loop.time())
        self._after_io()

    def get_buffer(self, sizehint: int) -> memoryview:
        # The rest of a large frame body goes straight into its own buffer (no copy, no join);
        # in a stream of large frames, a read of the shared buffer may be cut short to end on a
        # frame boundary (``FrameDecoder.body_buffer``).
        direct = self._conn.receive_buffer(self._shared)
        if direct is not None:
            self._direct = True
            return direct
        self._direct = False
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self._inline_ok = True
        if self._direct:
            self._direct = False
            if not self._conn.receive_buffered(nbytes, self._clock()):
                return  # more of a large body: nothing else changed
        else:
            # The Connection copies what it keeps, so the buffer is reused for the next read.
            self._conn.receive_data(self._view[:nbytes], self._clock())
        self._after_io()

    def eof_received(self) -> bool:
        self._conn.receive_eof()
        self._after_io()
        return False  # let the transport close itself

    def connection_lost(self, exc: Exception | None) -> None:
        conn = self._conn
        if not conn.closed and self._state is not _CLOSING:
            # Reset or error without a prior EOF: a lost connection (libzmq connection_error).
            err = exc.errno if isinstance(exc, OSError) and exc.errno else _errno.ECONNRESET
            if not conn.ready:
                self._core.emit(Event.HANDSHAKE_FAILED_NO_DETAIL, err, self.endpoint)
                if self._stop_after_failed_handshake():
                    self._reconnect = False
            conn.close()
        self._teardown()

    def _stop_after_failed_handshake(self) -> bool:
        """ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED: a handshake lost to EOF/reset/timeout is then
        final, like a protocol error (libzmq ``stream_engine_base::error``)."""
        return bool(self._core.options.reconnect_stop & ReconnectStop.HANDSHAKE_FAILED)

    # -- input --------------------------------------------------------------------------------

    def _after_io(self) -> None:
        """After every input or timer: events, then messages, then output, then the timer."""
        conn = self._conn
        if self._timer_at is None and self._unsent is None:
            # The usual read: messages only, nothing to write, no timer (one call, not four).
            quiet = conn.quiet_messages()
            if quiet is not None:
                if quiet and self._pipe is not None:
                    self._deliver(quiet)
                return
        events = conn.events_received()
        if events:
            self._handle_events(events)
        messages = conn.messages_received()
        if messages and self._pipe is not None:
            self._deliver(messages)
        # Most input asks for no output (a PING does): skip the drain calls then.
        if self._unsent is not None or conn.has_data_to_send():
            self._write_out()
        if conn.next_deadline() != self._timer_at:
            self._rearm_timer()

    def _deliver(self, messages: list[Received]) -> None:
        stash = self._stash
        if stash is not None:
            stash.extend(messages)
            return
        pipe = self._pipe
        assert pipe is not None
        written = pipe.write_many(messages)
        if written < len(messages):
            # Inbound HWM: keep the rest and stop reading; the pattern's drain to LWM
            # calls _on_write_activated (docs/protocol/patterns.md §1.1).
            self._stash = messages[written:]
            self._pause_reading()

    def _on_read_activated(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the pattern wrote into a pipe we had drained."""
        if self._flush_scheduled:
            return
        if self._inline_ok and _get_ident() == self._loop_thread:
            # The first write after input, on the loop's own thread (the asyncio API): a
            # request/reply turn. Send it now instead of one loop iteration later; later writes
            # until the next input are batched by a scheduled flush as usual.
            self._inline_ok = False
            try:
                self._send_turn()
            except Exception as exc:  # never into the sender's call: report as the loop would
                assert self._loop is not None
                self._loop.call_exception_handler(
                    {"message": "purezmq: flush failed", "exception": exc, "protocol": self}
                )
            return
        self._flush_scheduled = True
        self._hop(self._flush)

    def _send_turn(self) -> None:
        """The inline flush of a request/reply turn: the one small message the owner has just
        written goes out in three calls (pipe, Connection, transport). Anything else, and
        every state but plain sending, takes ``_flush``."""
        pipe = self._pipe
        if (
            pipe is None
            or self._backlog is not None
            or self._write_paused
            or self._state is not _RUNNING
            or not self._conn.ready
        ):
            self._flush()
            return
        msgs = pipe.read_turn(FLUSH_BATCH)
        if len(msgs) != 1 or len(msgs[0][-1]) >= VIEW_MIN:
            if msgs:
                self._backlog = msgs
            self._flush()
            return
        transport = self._transport
        # A message of one short frame, or of the delimiter and one (REQ/REP), is one write
        # of header and body (``encode_turn``); else it goes through the encoder.
        if transport is not None and (wire := self._conn.encode_turn(msgs[0])) is not None:
            transport.write(wire)
        else:
            data = self._conn.send_message_data(msgs[0])
            if len(data) == 1 and transport is not None:
                transport.write(data[0])
            else:
                self._write_data(data)
        # The pipe sleeps as reader already (``read_turn`` of one message), as _flush ends.
        if pipe.peer_closed:
            self._flush()

    def _flush(self) -> None:
        """Drain the pipe into the Connection; one gathered write for everything."""
        self._flush_scheduled = False
        pipe = self._pipe
        conn = self._conn
        if self._state is _CLOSED or pipe is None or self._write_paused or not conn.ready:
            return
        send = conn.send_message
        msgs = self._backlog
        if msgs is not None:
            self._backlog = None
        else:
            msgs = pipe.read_many(FLUSH_BATCH)
        budget = FLUSH_BATCH
        while msgs:
            if len(msgs) > 1 and conn.send_framed(msgs):
                pass  # framed already, for another subscriber of the same publisher
            elif len(msgs) == 1 or not conn.send_messages(msgs, VIEW_MIN):
                # One call queues a run that holds no large body; a lone message (the
                # request/reply case) is cheaper to queue by itself, and a run with a large
                # body goes message by message (``send_messages`` refused it).
                for i, msg in enumerate(msgs):
                    send(msg)
                    if len(msg[-1]) >= VIEW_MIN and not self._write_now():
                        # The transport pushes back: keep the rest for resume_writing's flush.
                        if i + 1 < len(msgs):
                            self._backlog = msgs[i + 1 :]
                        return
            budget -= len(msgs)
            if budget <= 0:
                # More may be queued: yield to other peers, then continue (the end is not
                # asleep, so no activation would come).
                self._write_out()
                self._schedule_flush()
                return
            msgs = pipe.read_many(budget)  # empty: we now sleep as reader
        self._write_out()
        if self._state is _CLOSING:
            self._finish_linger()
        elif pipe.peer_closed:
            # The socket side closed its end (disconnect, refused attach…): everything it wrote
            # is sent; end the connection like libzmq's pipe termination, without reconnecting.
            self._state = _CLOSING
            self._reconnect = False
            self._pause_reading()
            self._finish_linger()

    def _write_now(self) -> bool:
        """A large body was queued: hand it to the transport now so it can push back, instead
        of copying a whole batch of them into its buffer. Returns whether to go on."""
        self._write_out()
        return not self._write_paused

    def _write_out(self) -> None:
        self._write_data(self._conn.data_to_send())

    def _write_data(self, data: list[bytes | memoryview]) -> None:
        """Hand what the Connection encoded to the transport: one gathered write
        (``transport_io.write_chunks``). A peer over a transport of whole messages overrides
        it (``ws_peer.MessagePeer``: each chunk is one message)."""
        transport = self._transport
        if data and transport is not None:
            write_chunks(transport, self._fd, data)

    # -- timers -------------------------------------------------------------------------------

    def _rearm_timer(self) -> None:
        deadline = self._conn.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        if deadline is not None and self._loop is not None and self._state is not _CLOSED:
            self._timer = self._loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        assert self._loop is not None
        due = self._timer_at
        self._timer = None
        self._timer_at = None
        # asyncio may fire a little early (clock resolution): never pass a time before the
        # deadline, or the Connection would do nothing and we would spin.
        now = self._loop.time()
        if due is not None and now < due:
            now = due
        self._conn.handle_timer(now)
        self._after_io()

    # -- events -------------------------------------------------------------------------------

    def _handle_events(self, events: list[ZmtpEvent]) -> None:
        emit = self._core.emit
        for event in events:
            if isinstance(event, HandshakeSucceeded):
                self._on_handshake(event)
            elif isinstance(event, ProtocolFailure):
                if event.during_handshake:
                    emit(Event.HANDSHAKE_FAILED_PROTOCOL, event.error.code, self.endpoint)
                self._fail(reconnect=False)
            elif isinstance(event, HandshakeFailedAuth):
                emit(Event.HANDSHAKE_FAILED_AUTH, event.status, self.endpoint)
                if event.by_peer:
                    self._fail(reconnect=False)
                else:
                    self._hold_refused()
            elif isinstance(event, HandshakeTimeout):
                emit(Event.HANDSHAKE_FAILED_NO_DETAIL, _errno.ETIMEDOUT, self.endpoint)
                self._fail(reconnect=not self._stop_after_failed_handshake())
            elif isinstance(event, HeartbeatTimeout):
                self._fail(reconnect=True)
            elif isinstance(event, PeerClosed):
                reconnect = True
                if event.during_handshake:
                    # libzmq reports a clean EOF mid-handshake as EPIPE (stream_engine_base).
                    emit(Event.HANDSHAKE_FAILED_NO_DETAIL, _errno.EPIPE, self.endpoint)
                    reconnect = not self._stop_after_failed_handshake()
                self._fail(reconnect=reconnect)
            elif isinstance(event, ZapRequest):
                self._on_zap_request(event)
            # GroupJoined/GroupLeft: a RADIO's Connection also queued them as pipe messages.

    # -- ZAP (contracts.md "Mechanisms and ZAP"; docs/protocol/zap.md)
    # ----------------------------------

    def _on_zap_request(self, event: ZapRequest) -> None:
        """Send the request to the handler at inproc://zeromq.zap.01 over a pipe of our own
        (libzmq: one ZAP pipe per session), or fail with EFAULT when there is no handler."""
        handler = None if self._zap_policy is ZapPolicy.FAIL else self._core.zap_handler()
        if handler is None or self._zap is not None:
            # No ZAP handler: fail without a word to the peer (docs/protocol/options.md §6.1).
            self._core.emit(Event.HANDSHAKE_FAILED_NO_DETAIL, _errno.EFAULT, self.endpoint)
            self._conn.close()
            self._fail(reconnect=False)
            return
        options = self._core.options
        request = build_request(
            domain=options.zap_domain,
            address=self.peer_address,
            identity=options.routing_id,
            mechanism=event.mechanism,
            credentials=event.credentials,
        )
        self._zap = ZapClient(handler, request, self._on_zap_activated)
        self._zap_reply_ready()  # a reply may already be there; else we now sleep as reader

    def _on_zap_activated(self, pipe: Pipe) -> None:
        """ZAP pipe callback (the handler's thread): its reply arrived."""
        self._hop(self._zap_reply_ready)

    def _zap_reply_ready(self) -> None:
        zap = self._zap
        if zap is None or self._state is _CLOSED:
            return
        frames = zap.reply()
        if frames is None:
            return
        self._end_zap()
        try:
            reply = parse_reply(frames)
        except ProtocolError as exc:
            self._core.emit(Event.HANDSHAKE_FAILED_PROTOCOL, exc.code, self.endpoint)
            self._conn.close()
            self._fail(reconnect=False)
            return
        self._conn.zap_reply(reply.status, reply.user_id, reply.metadata)
        self._after_io()

    def _end_zap(self) -> None:
        zap = self._zap
        if zap is not None:
            self._zap = None
            zap.end()

    def _linger_pipe(self) -> Pipe | None:
        """While closing: the connecter's session pipe still holding messages to deliver
        within LINGER (the socket closed before the connection was up), else None."""
        pipe = self._owner.linger_pipe
        if pipe is None or not pipe.read_pending():
            return None
        return pipe

    def _on_handshake(self, event: HandshakeSucceeded) -> None:
        if self._state is _CLOSING:
            # The socket closed during the handshake: deliver its queued messages, nothing
            # else (the socket side is gone), then close.
            pipe = self._linger_pipe()
            if pipe is None:
                self._fail(reconnect=False)
                return
            pipe.on_read_activated = self._on_read_activated
            pipe.on_write_activated = self._on_write_activated
            self._pipe = pipe
            self._pause_reading()
            self._schedule_flush()
            return
        pipe = self._owner.get_pipe(self)
        greeting = notices.hello(self._core.socket_type, self._core.options)
        if greeting is not None:
            # HELLO_MSG goes before anything queued in the pipe (libzmq hello_msg_session_t).
            self._conn.send_message([greeting])
        metadata = dict(event.peer_metadata)
        if self.peer_address:
            metadata["Peer-Address"] = self.peer_address.encode("utf-8", "surrogateescape")
        peer_type = int(event.peer_socket_type) if event.peer_socket_type is not None else -1
        # routing_id is CONNECT_ROUTING_ID (consumed by the connecter) or b"": the pattern
        # picks the peer's Identity from metadata itself (contracts.md, patterns section).
        routing_id = self._owner.connect_routing_id
        # Both ends: the pattern reads its own end; the engine end keeps them for re-attach.
        for end in (pipe, pipe.peer):
            end.metadata = metadata
            end.peer_type = peer_type
            if routing_id:
                end.routing_id = routing_id
        for notice in notices.connected(self._core.socket_type, self._core.options):
            pipe.force_write([notice])  # ROUTER_NOTIFY: "this peer is here"
        pipe.on_read_activated = self._on_read_activated
        pipe.on_write_activated = self._on_write_activated
        # The socket side finds us here to ask for a disconnect (ROUTER_HANDOVER, errors).
        pipe.connection = self
        self._pipe = pipe
        self._state = _RUNNING
        self._core.attach_pipe(pipe)
        self._core.emit(Event.HANDSHAKE_SUCCEEDED, 0, self.endpoint)
        self._owner.handshake_done(self)
        # Messages queued while we were connecting (or reconnecting) go out now.
        self._schedule_flush()

    def _hold_refused(self) -> None:
        """Our ZAP handler refused the peer (RFC 27 status 300/400/500). As libzmq: send the
        ERROR (nothing for 300), then keep the connection open, ignoring input, until the peer
        hangs up or HANDSHAKE_IVL expires (docs/protocol/mechanisms.md §2, zap.md §3) -- so a client
        told "300 temporary failure" waits out its handshake timer instead of retrying at once."""
        self._reconnect = False
        self._write_out()
        ivl = self._core.options.handshake_ivl
        if ivl <= 0 or self._loop is None:
            if self._transport is not None:
                self._transport.close()
            return
        if self._linger_handle is None:
            self._linger_handle = self._loop.call_later(ivl / 1000.0, self._linger_expired)

    def _fail(self, reconnect: bool) -> None:
        """End the connection: flush what the Connection queued (an ERROR), then close."""
        if not reconnect:
            self._reconnect = False
        self._write_out()
        if self._transport is not None:
            self._transport.close()

    # -- closing ------------------------------------------------------------------------------

    def close(self, linger: int = 0, on_closed: Callable[[], None] | None = None) -> None:
        """Close on the I/O loop: with ``linger`` ms (-1 = forever) to send what is queued.

        ``on_closed`` runs once the transport is gone (at once if it already is): the owner's
        way to tell the ContextCore that a LINGER flush is over. No DISCONNECTED event: this is
        the socket closing, not the connection failing.
        """
        if on_closed is not None:
            if self._state is _CLOSED:
                on_closed()
            elif self._on_closed is None:
                self._on_closed = on_closed
            else:
                first = self._on_closed

                def both() -> None:
                    first()
                    on_closed()

                self._on_closed = both
        state = self._state
        if state is _CLOSED:
            return
        if state is _CLOSING:
            if linger == 0 and self._transport is not None:
                self._transport.abort()
            elif linger == 0:
                # LINGER is over (the connecter's ran out) and there is no transport yet (TLS
                # still being negotiated): the connection ends now, not when TLS does
                # (connection_made then drops the transport).
                self._teardown()
            elif linger > 0 and self._linger_handle is None:
                # Already closing since the socket side closed the pipe (``_flush`` saw
                # ``peer_closed`` before this call arrived): LINGER still bounds the flush.
                loop = asyncio.get_running_loop()
                self._linger_handle = loop.call_later(linger / 1000.0, self._linger_expired)
            return
        self._state = _CLOSING
        self._reconnect = False
        transport = self._transport
        handshaking = not self._conn.ready and self._linger_pipe() is not None
        if linger == 0 or (transport is not None and not self._conn.ready and not handshaking):
            if transport is not None:
                transport.abort()
            return  # (without a transport yet, connection_made aborts)
        if linger > 0:
            loop = asyncio.get_running_loop()
            self._linger_handle = loop.call_later(linger / 1000.0, self._linger_expired)
        if transport is None or handshaking:
            return  # the handshake goes on; _on_handshake flushes
        self._pause_reading()
        self._flush_scheduled = False
        self._flush()

    def disconnect_requested(self, reason: DisconnectReason) -> None:
        """The socket side drops this connection (I/O loop); after ``PROTOCOL`` the connecter
        does not reconnect. Called through ``engine_end.connection`` (``SocketCore``)."""
        if self._state is _CLOSED:
            return
        final = reason is DisconnectReason.PROTOCOL
        if final:
            self._reconnect = False
        self._conn.close()
        self._fail(reconnect=not final)

    def _finish_linger(self) -> None:
        """Closing and the pipe is empty: let the transport send its buffer, then close."""
        pipe = self._pipe
        if self._backlog or (pipe is not None and pipe.read_pending()):
            return
        if self._transport is not None:
            self._transport.close()  # asyncio flushes the write buffer before closing

    def _linger_expired(self) -> None:
        self._linger_handle = None
        if self._state is _CLOSED:
            return
        if self._transport is not None:
            self._transport.abort()
        else:
            # Still no transport: give up; the connecter's task is cancelled by its owner.
            self._teardown()

    def _teardown(self) -> None:
        state = self._state
        if state is _CLOSED:
            return
        self._state = _CLOSED
        closing = state is _CLOSING
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._linger_handle is not None:
            self._linger_handle.cancel()
            self._linger_handle = None
        self._conn.close()
        self._end_zap()
        if not closing:
            self._core.emit(Event.DISCONNECTED, self._fd, self.endpoint)
        reconnecting = self._owner.peer_ended(self, self._reconnect and not closing)
        pipe = self._pipe
        if pipe is not None:
            if not closing:
                # A handshaken connection was lost: DISCONNECT_MSG / HICCUP_MSG for the
                # application, after what the peer sent (libzmq session_base::engine_error).
                for notice in notices.connection_lost(
                    self._core.socket_type,
                    self._core.options,
                    connected=self._owner.connects,
                ):
                    pipe.force_write([notice])
            pipe.on_read_activated = detached
            pipe.on_write_activated = detached
            if pipe.connection is self:
                pipe.connection = None
            self._pipe = None
            self._stash = None
            self._backlog = None
            self._core.pipe_disconnected(pipe, reconnecting)
        self._transport = None
        on_closed = self._on_closed
        if on_closed is not None:
            self._on_closed = None
            on_closed()


__all__ = ["Peer"]
