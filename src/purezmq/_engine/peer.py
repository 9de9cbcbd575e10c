"""One ZMTP connection on the I/O loop: an ``asyncio.BufferedProtocol`` driving a
``zmtp.Connection`` and pumping whole messages between it and one pipe end.

Owns, per TCP/IPC connection (contracts.md "Inside the engine: socket side ↔ network side"):

* input: the kernel writes into one reusable 64 KiB buffer (``get_buffer``), the bytes go
  straight into ``Connection.receive_data`` (which copies what it keeps), and every message
  that comes out is written into the engine end of the pipe. At the inbound HWM the rest is
  stashed and the transport paused; reading resumes when the pattern drains the pipe to LWM
  (docs/architecture.md §3);
* output: when the pattern writes into a pipe whose engine end slept, one flush is scheduled
  (coalesced); it drains the pipe into ``Connection.send_message`` and hands everything to the
  transport with one ``writelines()``. While the transport's write
  buffer is above its limit (``pause_writing``) the pipe is not drained, so the socket's SNDHWM
  pushes back on the sender;
* one timer (``loop.call_at``) re-armed from ``next_deadline()`` after every interaction:
  handshake deadline and heartbeats (docs/protocol/zmtp.md §9, §11);
* the connection's fate: monitor events (docs/protocol/options.md §6.1) and whether the connecter
  may reconnect (no reconnect after a protocol error or auth failure, docs/protocol/zmtp.md §11); a
  misbehaving peer only ever closes its own connection (docs/architecture.md §5).

Thread affinity: everything runs on the I/O loop except the two pipe callbacks
(``on_read_activated``/``on_write_activated``), which the pattern's owner thread calls. They
hop to the loop — directly with ``loop.call_soon`` when already on the loop's thread (the
asyncio API), otherwise through the ContextCore's thread-safe ``call_soon`` (one cheap wake-up,
never a Future). Peers of sync sockets are ``ThreadPeer``s (``owner_writes.py``), whose owner
thread writes its replies to the fd itself; ``new_peer`` picks the class.
"""

from __future__ import annotations

import asyncio
import errno as _errno
import operator
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, cast

from ..constants import Event, ReconnectStop, SecurityMechanism, SocketType
from ..error import ProtocolError, ZMQError
from ..patterns.pipe import Pipe, pipe_pair
from ..zmtp import (
    Connection,
    ConnectionOptions,
    HandshakeFailedAuth,
    HandshakeSucceeded,
    HandshakeTimeout,
    HeartbeatTimeout,
    Mechanism,
    NullMechanism,
    PeerClosed,
    ProtocolFailure,
    ZapRequest,
)
from ..zmtp import Event as ZmtpEvent
from ..zmtp.bodies import BodyPool
from ..zmtp.zap import ZAP_ENDPOINT, ZapPolicy, build_request, parse_reply, zap_policy
from . import notices

_ZAP_NAME = ZAP_ENDPOINT.removeprefix("inproc://")

#: Size of the reusable receive buffer; one read may carry many small messages.
RECV_BUFFER_SIZE = 64 * 1024

_per_thread = threading.local()
_NO_BUFFER = memoryview(b"")


def _shared_receive_buffer() -> memoryview:
    """The receive buffer of the calling thread, shared by all its peers.

    asyncio calls ``get_buffer``, reads, then ``buffer_updated`` in one step on the loop's
    thread, and ``Connection.receive_data`` copies whatever it keeps; so between two reads the
    buffer holds nothing anybody needs, and every connection of a loop can use the same one.
    An idle connection then costs no 64 KiB buffer of its own (the memory
    figure). Taken in ``connection_made``, which runs on the loop's thread.
    """
    view: memoryview | None = getattr(_per_thread, "view", None)
    if view is None:
        view = _per_thread.view = memoryview(bytearray(RECV_BUFFER_SIZE))
    return view
#: Messages moved from the pipe to the wire per flush before yielding to other peers.
FLUSH_BATCH = 1024
#: Chunks at least this large are written as memoryviews (asyncio slices what it cannot send).
_VIEW_MIN = 16 * 1024
_last_frame = operator.itemgetter(-1)
#: At most this many chunks per ``os.writev`` (POSIX guarantees IOV_MAX >= 16; Linux has 1024).
IOV_MAX = 1024
_os_writev = getattr(os, "writev", None)


def unsent_part(chunks: list[bytes | memoryview], sent: int) -> list[bytes | memoryview]:
    """What ``writev(chunks)`` left unwritten after ``sent`` bytes."""
    for i, chunk in enumerate(chunks):
        size = len(chunk)
        if sent < size:
            rest = chunks[i:]
            if sent:
                rest[0] = memoryview(chunk)[sent:]
            return rest
        sent -= size
    return []

#: Inbound messages written per ``_deliver`` turn is unbounded: a read is at most 64 KiB.

_EV_HANDSHAKE_SUCCEEDED = int(Event.HANDSHAKE_SUCCEEDED)
_EV_HANDSHAKE_FAILED_PROTOCOL = int(Event.HANDSHAKE_FAILED_PROTOCOL)
_EV_HANDSHAKE_FAILED_AUTH = int(Event.HANDSHAKE_FAILED_AUTH)
_EV_HANDSHAKE_FAILED_NO_DETAIL = int(Event.HANDSHAKE_FAILED_NO_DETAIL)
_EV_DISCONNECTED = int(Event.DISCONNECTED)


class CoreLike(Protocol):
    """What the network side needs from ``SocketCore`` (contracts.md)."""

    #: Messages a peer wrote straight from the owner's thread (statistics).
    direct_writes: int

    @property
    def options(self) -> Any: ...

    @property
    def socket_type(self) -> int: ...

    @property
    def bodies(self) -> BodyPool:
        """Where our connections lend large received bodies from (``zmtp.bodies``)."""

    def call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        """Run ``fn(*args)`` on this socket's I/O loop, from any thread."""

    def session_pipe(self, connecter: Any) -> Pipe: ...

    def new_pipe(self) -> Pipe: ...

    def attach_pipe(self, engine_end: Pipe) -> None: ...

    def pipe_disconnected(self, engine_end: Pipe, reconnecting: bool) -> None: ...

    def drop_session(self, connecter: Any) -> None: ...

    def emit(self, event: int, value: int, endpoint: str) -> None: ...


class PeerOwner(Protocol):
    """The listener or connecter that made a peer."""

    def get_pipe(self, peer: Any) -> Pipe:
        """The engine end to use once the handshake succeeded."""

    def handshake_done(self, peer: Any) -> None:
        """The handshake succeeded (a connecter resets its back-off)."""

    def peer_ended(self, peer: Any, reconnect: bool) -> bool:
        """The connection is gone; returns whether a new connection will reuse the pipe."""


def _seconds(ms: Any, default: float | None) -> float | None:
    """libzmq milliseconds → seconds for ``ConnectionOptions`` (0 = off)."""
    if ms is None:
        return default
    ms = int(ms)
    return ms / 1000.0 if ms > 0 else None


def connection_options(options: Any) -> ConnectionOptions:
    """Snapshot the ZMTP-level settings of a ``SocketOptions`` (contracts.md allows it)."""
    timeout = getattr(options, "heartbeat_timeout", -1)
    metadata = getattr(options, "metadata", None) or {}
    md = {
        (k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else str(k)): bytes(v)
        for k, v in metadata.items()
    }
    return ConnectionOptions(
        routing_id=bytes(getattr(options, "routing_id", b"") or b""),
        max_msg_size=int(getattr(options, "maxmsgsize", -1)),
        heartbeat_ivl=_seconds(getattr(options, "heartbeat_ivl", 0), None),
        heartbeat_ttl=_seconds(getattr(options, "heartbeat_ttl", 0), None),
        # -1 (libzmq's default) means "same as HEARTBEAT_IVL": None for the Connection.
        heartbeat_timeout=None if timeout is None or int(timeout) < 0 else timeout / 1000.0,
        handshake_ivl=_seconds(getattr(options, "handshake_ivl", 30000), 30.0),
        metadata=md,
    )


def zap_handler(core: Any) -> Any:
    """The ``SocketCore`` bound at ``inproc://zeromq.zap.01`` in ``core``'s context, or None."""
    registry = getattr(getattr(core, "ctx", None), "inproc", None)
    return None if registry is None else registry.lookup(_ZAP_NAME)


def make_mechanism(options: Any, handler_bound: bool = False) -> tuple[Mechanism, ZapPolicy]:
    """The security mechanism the socket's options select, and whether it consults ZAP.

    Constructors and policy as contracts.md ("Mechanisms and ZAP") pins them (docs/protocol/zap.md
    §4).
    """
    mechanism = int(getattr(options, "mechanism", SecurityMechanism.NULL))
    as_server = bool(getattr(options, "as_server", 0))
    if mechanism == SecurityMechanism.PLAIN:
        name = b"PLAIN"
    elif mechanism == SecurityMechanism.CURVE:
        name = b"CURVE"
    else:
        name = b"NULL"
    policy = zap_policy(
        name,
        as_server=as_server,
        domain=bytes(getattr(options, "zap_domain", b"") or b""),
        enforce_domain=bool(getattr(options, "zap_enforce_domain", 0)),
        handler_bound=handler_bound,
    )
    if name == b"PLAIN":
        from ..zmtp.mechanisms.plain import PlainClient, PlainServer

        if as_server:
            return PlainServer(), policy
        return (
            PlainClient(
                bytes(getattr(options, "plain_username", b"")),
                bytes(getattr(options, "plain_password", b"")),
            ),
            policy,
        )
    if name == b"CURVE":
        from ..zmtp.mechanisms.curve import CurveClient, CurveServer

        if as_server:
            return (
                CurveServer(secret_key=options.curve_secretkey, zap=policy is not ZapPolicy.SKIP),
                policy,
            )
        return (
            CurveClient(
                public_key=options.curve_publickey,
                secret_key=options.curve_secretkey,
                server_key=options.curve_serverkey,
            ),
            policy,
        )
    return NullMechanism(zap=policy is not ZapPolicy.SKIP), policy


def abort_after_made(transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
    """Abort a transport from inside ``connection_made``, one loop turn later.

    uvloop's ``create_connection(sock=...)`` attaches the Python socket to the transport only
    after ``connection_made`` returns; aborting inside it closes the fd first, and the socket
    object, never detached, later closes that fd number again (whoever owns it by then) with a
    ResourceWarning (uvloop issues 645/738). On asyncio's loops reading stops now; uvloop only
    starts reading once ``connection_made`` has returned (``pause_reading`` is a no-op before),
    so input may still arrive until the abort: the caller closes its Connection first, which
    then ignores it.
    """
    transport.pause_reading()
    loop.call_soon(transport.abort)


def _noop(pipe: Pipe) -> None:
    """Pipe callback of a peer that is gone."""


class PipeFlow(asyncio.BufferedProtocol):
    """Flow control shared by ``Peer`` and ``StreamPeer``: the pipe ↔ transport plumbing.

    Inbound: messages the pipe refused at HWM wait in ``_stash`` and reading is paused; the
    pattern draining to LWM (``_on_write_activated``, owner thread) hops to the loop to write
    them and resume reading. Outbound: ``pause_writing``/``resume_writing`` stop and restart the
    flush, so HWM back-pressure reaches the sender. Subclasses provide the attributes below
    (in their ``__slots__``) and ``_flush``.
    """

    __slots__ = (
        "_closing",
        "_core",
        "_done",
        "_flush_scheduled",
        "_loop",
        "_loop_thread",
        "_pipe",
        "_read_paused",
        "_stash",
        "_transport",
        "_write_paused",
    )

    _core: CoreLike
    _transport: asyncio.Transport | None
    _loop: asyncio.AbstractEventLoop | None
    _loop_thread: int
    _pipe: Pipe | None
    _stash: deque[list[bytes]] | None
    _done: bool
    _closing: bool
    _read_paused: bool
    _write_paused: bool
    _flush_scheduled: bool

    def _flush(self) -> None:
        raise NotImplementedError

    def pause_writing(self) -> None:
        self._write_paused = True

    def resume_writing(self) -> None:
        self._write_paused = False
        self._schedule_flush()

    def _pause_reading(self) -> None:
        if not self._read_paused and self._transport is not None:
            self._read_paused = True
            self._transport.pause_reading()

    def _on_write_activated(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the pattern drained our inbound queue to LWM."""
        self._hop(self._resume_inbound)

    def _resume_inbound(self) -> None:
        stash = self._stash
        pipe = self._pipe
        if self._done or stash is None or pipe is None:
            return
        write = pipe.write
        while stash:
            if not write(stash[0]):
                return  # still full: we are asleep as writer again
            stash.popleft()
        self._stash = None
        if self._read_paused and not self._closing and self._transport is not None:
            self._read_paused = False
            self._transport.resume_reading()

    def _schedule_flush(self) -> None:
        """On the loop: one pending flush at most."""
        if not self._flush_scheduled and self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _hop(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the loop: from its own thread a plain call_soon, else the core's wake."""
        if threading.get_ident() == self._loop_thread and self._loop is not None:
            self._loop.call_soon(fn)
        else:
            self._core.call_soon(fn)


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
        #: The ZAP round trip in flight: (our pipe end, the handler's SocketCore).
        self._zap: tuple[Pipe, Any] | None = None
        if connection is None:
            options = core.options
            try:
                mechanism, self._zap_policy = make_mechanism(
                    options, zap_handler(core) is not None
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
        #: Set in connection_made, on the loop's thread (whose shared buffer it is).
        self._view = _NO_BUFFER
        #: The last get_buffer() handed out the Connection's direct body buffer.
        self._direct = False
        self._transport: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._pipe: Pipe | None = None
        self._stash: deque[list[bytes]] | None = None
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
        self._closing = False
        self._done = False
        # A lost connection (EOF, reset, timeout) is retried; protocol/auth failures are not.
        self._reconnect = True
        self._fd = -1
        self.peer_address = ""

    # -- state for owners and tests ------------------------------------------------------------

    @property
    def connection(self) -> Connection:
        return self._conn

    @property
    def pipe(self) -> Pipe | None:
        """The engine end of the pipe, once the handshake succeeded."""
        return self._pipe

    @property
    def done(self) -> bool:
        """The transport is gone and the pipe handed back."""
        return self._done

    @property
    def fd(self) -> int:
        return self._fd

    # -- asyncio.BufferedProtocol --------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._view = _shared_receive_buffer()
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
        if self._closing and self._linger_pipe() is None:
            # Closed before the transport existed, with nothing to deliver. uvloop starts
            # reading only after connection_made returns, so the peer's greeting may still
            # reach buffer_updated before the abort: a closed Connection ignores it.
            self._conn.close()
            abort_after_made(transport, loop)
            return
        if self._broken is not None:
            # A local configuration problem: retrying cannot help.
            self._core.emit(_EV_HANDSHAKE_FAILED_NO_DETAIL, self._broken.errno, self.endpoint)
            self._reconnect = False
            self._conn.close()
            abort_after_made(transport, loop)
            return
        self._conn.start(loop.time())
        self._after_io()

    def get_buffer(self, sizehint: int) -> memoryview:
        # The rest of a large frame body goes straight into its own buffer (no copy, no join).
        direct = self._conn.receive_buffer()
        if direct is not None:
            self._direct = True
            return direct
        self._direct = False
        return self._view

    def buffer_updated(self, nbytes: int) -> None:
        self._inline_ok = True
        if self._direct:
            self._direct = False
            self._conn.receive_buffered(nbytes, self._clock())
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
        if not conn.closed and not self._closing:
            # Reset or error without a prior EOF: a lost connection (libzmq connection_error).
            err = exc.errno if isinstance(exc, OSError) and exc.errno else _errno.ECONNRESET
            if not conn.ready:
                self._core.emit(_EV_HANDSHAKE_FAILED_NO_DETAIL, err, self.endpoint)
                if self._stop_after_failed_handshake():
                    self._reconnect = False
            conn.close()
        self._teardown()

    def _stop_after_failed_handshake(self) -> bool:
        """ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED: a handshake lost to EOF/reset/timeout is then
        final, like a protocol error (libzmq ``stream_engine_base::error``)."""
        stop = int(getattr(self._core.options, "reconnect_stop", 0) or 0)
        return bool(stop & ReconnectStop.HANDSHAKE_FAILED)

    # -- input --------------------------------------------------------------------------------

    def _after_io(self) -> None:
        """After every input or timer: events, then messages, then output, then the timer."""
        conn = self._conn
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

    def _deliver(self, messages: list[list[bytes]]) -> None:
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
            self._stash = deque(messages[written:])
            self._pause_reading()

    def _on_read_activated(self, pipe: Pipe) -> None:
        """Pipe callback (owner thread): the pattern wrote into a pipe we had drained."""
        if self._flush_scheduled:
            return
        if self._inline_ok and threading.get_ident() == self._loop_thread:
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
            or self._closing
            or self._done
            or not self._conn.ready
        ):
            self._flush()
            return
        msgs = pipe.read_many(FLUSH_BATCH)
        if len(msgs) != 1 or len(msgs[0][-1]) >= _VIEW_MIN:
            if msgs:
                self._backlog = msgs
            self._flush()
            return
        data = self._conn.send_message_data(msgs[0])
        transport = self._transport
        if len(data) == 1 and transport is not None:
            transport.write(data[0])
        else:
            self._write_data(data)
        # Read again, to sleep as reader (an empty read), as _flush ends.
        more = pipe.read_many(FLUSH_BATCH)
        if more or pipe.peer_closed:
            self._backlog = more or None
            self._flush()

    def _flush(self) -> None:
        """Drain the pipe into the Connection; one writelines for everything."""
        self._flush_scheduled = False
        pipe = self._pipe
        conn = self._conn
        if self._done or pipe is None or self._write_paused or not conn.ready:
            return
        send = conn.send_message
        msgs = self._backlog
        if msgs is not None:
            self._backlog = None
        else:
            msgs = pipe.read_many(FLUSH_BATCH)
        budget = FLUSH_BATCH
        while msgs:
            if len(msgs) > 1 and max(map(len, map(_last_frame, msgs))) < _VIEW_MIN:
                # No large body in the run (scanned in C): one call queues them all. (A lone
                # message, the request/reply case, is cheaper to queue by itself.)
                conn.send_messages(msgs)
            else:
                for i, msg in enumerate(msgs):
                    send(msg)
                    if len(msg[-1]) >= _VIEW_MIN and not self._write_now():
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
        if self._closing:
            self._finish_linger()
        elif pipe.peer_closed:
            # The socket side closed its end (disconnect, refused attach…): everything it wrote
            # is sent; end the connection like libzmq's pipe termination, without reconnecting.
            self._closing = True
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
        transport = self._transport
        if not data or transport is None:
            return
        if len(data) == 1:
            transport.write(data[0])
            return
        # The encoder joined the small frames already; what remains alternates runs of them
        # with bodies of COPY_THRESHOLD bytes or more, left uncopied. One write() each would
        # cost a system call per chunk, and a tiny TCP segment per frame header (4 KiB
        # messages went out at 90k/s, syscall-bound); asyncio's writelines() would join them
        # all (a copy of every large body). So: one writev() of them all, straight to the
        # socket while the transport holds nothing back (it writes to the fd only from our
        # write() calls or while its buffer is non-empty, owner_writes.py), and write() for
        # what the kernel did not take.
        fd = self._fd
        if (
            fd >= 0
            and _os_writev is not None
            and not transport.get_write_buffer_size()
            and not transport.is_closing()
        ):
            chunks = data[:IOV_MAX]
            try:
                sent = _os_writev(fd, chunks)
            except OSError:
                # Full (EAGAIN) or broken: write() below buffers it, or reports the error and
                # ends the connection the transport's usual way.
                sent = 0
            data = unsent_part(chunks, sent) + data[IOV_MAX:]
        # The rest, when the kernel's buffer is full: joined into one write() between large
        # chunks (a copy of small bytes, against a write() call each, and uvloop writes every
        # call with a system call of its own); large chunks as views, so that a partial send
        # does not slice-copy the rest.
        write = transport.write
        run: list[bytes | memoryview] = []
        for chunk in data:
            if len(chunk) < _VIEW_MIN:
                run.append(chunk)
                continue
            if run:
                write(b"".join(run) if len(run) > 1 else run[0])
                run = []
            write(memoryview(chunk))
        if run:
            write(b"".join(run) if len(run) > 1 else run[0])

    # -- timers -------------------------------------------------------------------------------

    def _rearm_timer(self) -> None:
        deadline = self._conn.next_deadline()
        if deadline == self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._timer_at = deadline
        if deadline is not None and self._loop is not None and not self._done:
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
                    emit(_EV_HANDSHAKE_FAILED_PROTOCOL, event.error.code, self.endpoint)
                self._fail(reconnect=False)
            elif isinstance(event, HandshakeFailedAuth):
                emit(_EV_HANDSHAKE_FAILED_AUTH, event.status, self.endpoint)
                if event.by_peer:
                    self._fail(reconnect=False)
                else:
                    self._hold_refused()
            elif isinstance(event, HandshakeTimeout):
                emit(_EV_HANDSHAKE_FAILED_NO_DETAIL, _errno.ETIMEDOUT, self.endpoint)
                self._fail(reconnect=not self._stop_after_failed_handshake())
            elif isinstance(event, HeartbeatTimeout):
                self._fail(reconnect=True)
            elif isinstance(event, PeerClosed):
                reconnect = True
                if event.during_handshake:
                    # libzmq reports a clean EOF mid-handshake as EPIPE (stream_engine_base).
                    emit(_EV_HANDSHAKE_FAILED_NO_DETAIL, _errno.EPIPE, self.endpoint)
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
        handler = None if self._zap_policy is ZapPolicy.FAIL else zap_handler(self._core)
        if handler is None or self._zap is not None:
            # No ZAP handler: fail without a word to the peer (docs/protocol/options.md §6.1).
            self._core.emit(_EV_HANDSHAKE_FAILED_NO_DETAIL, _errno.EFAULT, self.endpoint)
            self._conn.close()
            self._fail(reconnect=False)
            return
        options = self._core.options
        ours, theirs = pipe_pair(0, 0)
        # The handler sees a DEALER-like client (libzmq's zap_client talks REQ-style).
        theirs.peer_type = int(SocketType.DEALER)
        theirs.metadata = {"Socket-Type": b"DEALER"}
        ours.on_read_activated = self._on_zap_activated
        ours.write(
            build_request(
                domain=bytes(getattr(options, "zap_domain", b"") or b""),
                address=self.peer_address,
                identity=bytes(getattr(options, "routing_id", b"") or b""),
                mechanism=event.mechanism,
                credentials=event.credentials,
            )
        )
        self._zap = (ours, handler)
        handler.attach_foreign(theirs)
        self._zap_reply_ready()  # a reply may already be there; else we now sleep as reader

    def _on_zap_activated(self, pipe: Pipe) -> None:
        """ZAP pipe callback (the handler's thread): its reply arrived."""
        self._hop(self._zap_reply_ready)

    def _zap_reply_ready(self) -> None:
        zap = self._zap
        if zap is None or self._done:
            return
        frames = zap[0].read()
        if frames is None:
            return
        self._end_zap()
        try:
            reply = parse_reply(frames)
        except ProtocolError as exc:
            self._core.emit(_EV_HANDSHAKE_FAILED_PROTOCOL, exc.code, self.endpoint)
            self._conn.close()
            self._fail(reconnect=False)
            return
        self._conn.zap_reply(reply.status, reply.user_id, reply.metadata)
        self._after_io()

    def _end_zap(self) -> None:
        zap = self._zap
        if zap is None:
            return
        self._zap = None
        ours, handler = zap
        ours.on_read_activated = _noop
        ours.close()
        # The handler's pattern detaches its end (handed over by ``attach_foreign``).
        handler.release_foreign(ours.peer)

    def _linger_pipe(self) -> Pipe | None:
        """While closing: the connecter's session pipe still holding messages to deliver
        within LINGER (the socket closed before the connection was up), else None."""
        pipe = getattr(self._owner, "linger_pipe", None)
        if pipe is None or not pipe.read_pending():
            return None
        return pipe  # type: ignore[no-any-return]

    def _on_handshake(self, event: HandshakeSucceeded) -> None:
        if self._closing:
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
        routing_id = bytes(getattr(self._owner, "connect_routing_id", b""))
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
        pipe.data = self
        self._pipe = pipe
        self._core.attach_pipe(pipe)
        self._core.emit(_EV_HANDSHAKE_SUCCEEDED, 0, self.endpoint)
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
        ivl = int(getattr(self._core.options, "handshake_ivl", 30000) or 0)
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
            if self._done:
                on_closed()
            elif self._on_closed is None:
                self._on_closed = on_closed
            else:
                first = self._on_closed

                def both() -> None:
                    first()
                    on_closed()

                self._on_closed = both
        if self._done:
            return
        if self._closing:
            if linger == 0 and self._transport is not None:
                self._transport.abort()
            return
        self._closing = True
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

    def disconnect_requested(self, reason: str = "") -> None:
        """The socket side drops this connection (I/O loop): ``"protocol"`` = never reconnect.

        Called through ``engine_end.data`` (SocketCore ``_take_disconnects``).
        """
        if self._done:
            return
        if reason == "protocol":
            self._reconnect = False
        self._conn.close()
        self._fail(reconnect=reason != "protocol")

    def _finish_linger(self) -> None:
        """Closing and the pipe is empty: let the transport send its buffer, then close."""
        pipe = self._pipe
        if self._backlog or (pipe is not None and pipe.read_pending()):
            return
        if self._transport is not None:
            self._transport.close()  # asyncio flushes the write buffer before closing

    def _linger_expired(self) -> None:
        self._linger_handle = None
        if not self._done and self._transport is not None:
            self._transport.abort()
        elif not self._done and self._transport is None:
            # Still no transport: give up; the connecter's task is cancelled by its owner.
            self._teardown()

    def _teardown(self) -> None:
        if self._done:
            return
        self._done = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._linger_handle is not None:
            self._linger_handle.cancel()
            self._linger_handle = None
        self._conn.close()
        self._end_zap()
        if not self._closing:
            self._core.emit(_EV_DISCONNECTED, self._fd, self.endpoint)
        reconnecting = self._owner.peer_ended(self, self._reconnect and not self._closing)
        pipe = self._pipe
        if pipe is not None:
            if not self._closing:
                # A handshaken connection was lost: DISCONNECT_MSG / HICCUP_MSG for the
                # application, after what the peer sent (libzmq session_base::engine_error).
                for notice in notices.connection_lost(
                    self._core.socket_type,
                    self._core.options,
                    connected=bool(getattr(self._owner, "connects", False)),
                ):
                    pipe.force_write([notice])
            pipe.on_read_activated = _noop
            pipe.on_write_activated = _noop
            if pipe.data is self:
                pipe.data = None
            self._pipe = None
            self._stash = None
            self._backlog = None
            self._core.pipe_disconnected(pipe, reconnecting)
        self._transport = None
        on_closed = self._on_closed
        if on_closed is not None:
            self._on_closed = None
            on_closed()


__all__ = [
    "CoreLike",
    "Peer",
    "PeerOwner",
    "abort_after_made",
    "connection_options",
    "make_mechanism",
]
