"""One ZMTP 3.x connection to one peer, sans-IO: bytes in, bytes out, time passed in as ``now``.

Owns the per-connection state machine of docs/protocol/zmtp.md §2: greeting, security handshake
(through a ``Mechanism``), then traffic; the heartbeat and handshake timers of §9 and §11; the
subscription encoding choice of §8.1; and the rule that misbehaving input never raises out of
``receive_data`` but ends the connection with an event saying whose fault it was.

The greeting goes out in two steps, as libzmq's does (§3.1): signature and major version at once,
the rest when the peer's major is known. A ZMTP 2.0 peer (RFC 15; libzmq 3.x, JeroMQ 0.3) then
gets a 2.0 greeting end instead (our socket type byte) and our identity as the first message;
its own identity message stands in for the handshake, it has no commands (so no heartbeats), and
subscriptions go to it as ``01 topic`` messages (§4). Only a NULL socket without ZAP accepts one.

Usage by the engine (docs/architecture.md §2)::

    conn = Connection(SocketType.DEALER, NullMechanism(), options=ConnectionOptions())
    conn.start(now)                        # once the transport is connected: queues the greeting
    transport.writelines(conn.data_to_send())
    ...
    conn.receive_data(chunk, now)          # whenever bytes arrive
    for msg in conn.messages_received(): ...      # frames in a list (or 1-tuple), the hot path
    for event in conn.events_received(): ...      # HandshakeSucceeded, ProtocolFailure, ...
    transport.writelines(conn.data_to_send())
    deadline = conn.next_deadline()        # call conn.handle_timer(now) when it passes

Times are seconds (floats) from any monotonic clock. Every call that can change what there is to
send, receive or wait for is followed by draining ``data_to_send``/``messages_received``/
``events_received`` and re-reading ``next_deadline``.

After a failure (``ProtocolFailure``, ``HandshakeFailedAuth``, a timeout, EOF or ``close()``)
the connection is ``closed``: input is ignored and sends raise ``LocalProtocolError``; the engine
flushes ``data_to_send()`` (it may hold an ERROR command for the peer) and closes the transport.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import cast

from .._typing import BytesLike
from ..constants import Errno, ProtocolErrorCode, SocketType
from ..error import LocalProtocolError, ProtocolError, RemoteProtocolError, ZMQError
from ..socket_types import compatible, from_zmtp_name, info
from . import commands
from .bodies import BodyPool
from .codec import (
    FLAG_COMMAND,
    FLAG_LONG,
    FLAG_MORE,
    JOIN_MAX,
    SPAN_MIN,
    FrameDecoder,
    FrameEncoder,
    Received,
)
from .events import (
    Event,
    GroupJoined,
    GroupLeft,
    HandshakeFailedAuth,
    HandshakeSucceeded,
    HandshakeTimeout,
    HeartbeatExpiry,
    HeartbeatTimeout,
    PeerClosed,
    ProtocolFailure,
    ZapRequest,
)
from .greeting import (
    GREETING_PREFIX_SIZE,
    VERSION_MAJOR,
    ZMTP2_MAX_SOCKET_TYPE,
    Greeting,
    GreetingParser,
    encode_greeting,
)
from .mechanisms.base import Mechanism, MechanismStatus
from .metadata import IDENTITY, SOCKET_TYPE, encode_metadata, get_property

#: Largest handshake command accepted when MAXMSGSIZE is set lower (READY/INITIATE metadata).
HANDSHAKE_FRAME_LIMIT = 65536

_SUBSCRIBE_PREFIX = b"\x01"
_PING_PREFIX = b"\x04PING"
_CANCEL_PREFIX = b"\x00"
_last_frame = operator.itemgetter(-1)
#: A bound on what wrapping adds to a frame (CURVE MESSAGE: 2-9 header bytes, 8 name, 8 nonce,
#: 16 tag, 1 flags).
_WRAP_OVERHEAD = 64
#: ``encode_turn``'s frame headers by body size: one short frame; the empty delimiter (MORE)
#: then one short frame (37/ZMTP §3: flags, then a one-byte size).
_ONE_HEADERS = tuple(bytes((0, size)) for size in range(256))
_TURN_HEADERS = tuple(bytes((FLAG_MORE, 0, 0, size)) for size in range(256))


class _GroupMessage(list[bytes]):
    """A RADIO's join (``01 group``) or leave (``00 group``) made from a JOIN/LEAVE command,
    told apart from message frames a peer might send (RFC 48)."""

    __slots__ = ()


@dataclass(frozen=True)
class ConnectionOptions:
    """Per-connection settings, in seconds (the engine converts libzmq's milliseconds).

    ``0`` or ``None`` switches a timer off. ``heartbeat_timeout=None`` means "same as
    ``heartbeat_ivl``" (libzmq's -1 default).
    """

    #: Our ROUTING_ID: sent as ``Identity`` by REQ/DEALER/ROUTER, and sized into the greeting.
    routing_id: bytes = b""
    #: MAXMSGSIZE, checked per frame before it is buffered (-1 = no limit).
    max_msg_size: int = -1
    heartbeat_ivl: float | None = None
    heartbeat_ttl: float | None = None
    heartbeat_timeout: float | None = None
    #: HANDSHAKE_IVL: greeting + security handshake must finish in this time (libzmq: 30 s).
    handshake_ivl: float | None = 30.0
    #: Extra READY/INITIATE properties (ZMQ_METADATA; libzmq requires names starting ``X-``).
    metadata: Mapping[str, bytes] = field(default_factory=dict, hash=False)
    #: The minor version we announce. Always 1 except in tests that play a ZMTP 3.0 peer.
    zmtp_minor: int = 1

    @classmethod
    def from_libzmq(
        cls,
        *,
        routing_id: bytes = b"",
        maxmsgsize: int = -1,
        heartbeat_ivl: int = 0,
        heartbeat_ttl: int = 0,
        heartbeat_timeout: int = -1,
        handshake_ivl: int = 30000,
        metadata: Mapping[str, bytes] | None = None,
    ) -> ConnectionOptions:
        """Build from socket option values in libzmq's units (ms, -1 = "same as IVL")."""
        return cls(
            routing_id=routing_id,
            max_msg_size=maxmsgsize,
            heartbeat_ivl=heartbeat_ivl / 1000 if heartbeat_ivl > 0 else None,
            heartbeat_ttl=heartbeat_ttl / 1000 if heartbeat_ttl > 0 else None,
            heartbeat_timeout=None if heartbeat_timeout < 0 else heartbeat_timeout / 1000,
            handshake_ivl=handshake_ivl / 1000 if handshake_ivl > 0 else None,
            metadata=dict(metadata or {}),
        )

    @property
    def ping_ttl_deciseconds(self) -> int:
        """HEARTBEAT_TTL as sent in PING: ms // 100 (libzmq), capped at 655 because libzmq
        overflows a 16-bit timer above that (libzmq#4226, docs/protocol/zmtp.md §9.2)."""
        if not self.heartbeat_ttl:
            return 0
        return min(round(self.heartbeat_ttl * 1000) // 100, commands.MAX_PING_TTL)


class ConnectionState(Enum):
    IDLE = "idle"
    GREETING = "greeting"
    HANDSHAKE = "handshake"
    READY = "ready"
    CLOSED = "closed"
    FAILED = "failed"


_IDLE = ConnectionState.IDLE
_GREETING = ConnectionState.GREETING
_HANDSHAKE = ConnectionState.HANDSHAKE
_READY = ConnectionState.READY
_CLOSED = ConnectionState.CLOSED
_FAILED = ConnectionState.FAILED


class Connection:
    """The sans-IO ZMTP connection; see the module docstring."""

    __slots__ = (
        "_converts",
        "_decoder",
        "_encoder",
        "_error",
        "_events",
        "_greeting_parser",
        "_greeting_rest",
        "_handshake_deadline",
        "_is_dish",
        "_is_radio",
        "_is_sub",
        "_local_metadata",
        "_mechanism",
        "_messages",
        "_now",
        "_partial",
        "_peer_greeting",
        "_peer_metadata",
        "_peer_minor",
        "_ping_deadline",
        "_state",
        "_timeout_deadline",
        "_ttl_deadline",
        "_wrap_queue",
        "_wraps",
        "_zmtp2",
        "options",
        "socket_type",
    )

    def __init__(
        self,
        socket_type: int,
        mechanism: Mechanism,
        *,
        options: ConnectionOptions | None = None,
        bodies: BodyPool | None = None,
    ) -> None:
        try:
            type_info = info(socket_type)
        except (KeyError, ValueError):
            raise ZMQError(Errno.EINVAL, f"{socket_type!r} is not a socket type") from None
        if type_info.type is SocketType.STREAM:
            raise ZMQError(Errno.EINVAL, "STREAM sockets speak raw TCP, not ZMTP")
        options = options if options is not None else ConnectionOptions()
        self.socket_type = type_info.type
        self.options = options
        self._mechanism = mechanism
        self._wraps = mechanism.wraps_frames
        #: Messages for a wrapping mechanism, sealed in one batch by the next ``data_to_send``.
        self._wrap_queue: list[Sequence[BytesLike]] = []
        self._is_sub = type_info.type is SocketType.SUB
        # RFC 48 over ZMTP: a DISH's joins/leaves travel in its pipe as 0x01/0x00 messages and
        # go out as JOIN/LEAVE commands (libzmq ``dish_session_t``, whatever the peer's minor
        # version); a RADIO turns the commands back into those messages for its pattern, and
        # takes no message frames from a DISH (``radio_t`` reads joins and leaves only).
        self._is_dish = type_info.type is SocketType.DISH
        self._is_radio = type_info.type is SocketType.RADIO
        #: Outgoing messages are looked at one by one (SUB subscriptions, DISH groups).
        self._converts = self._is_sub or self._is_dish
        md: dict[str, bytes] = {SOCKET_TYPE: type_info.zmtp_name.encode("ascii")}
        if type_info.sends_identity:
            # libzmq sends Identity from REQ/DEALER/ROUTER even when empty (docs/protocol/zmtp.md
            # §7.2).
            md[IDENTITY] = bytes(options.routing_id)
        md.update(options.metadata)
        try:
            encode_metadata(md)
        except (ValueError, UnicodeEncodeError, TypeError):
            raise ZMQError(
                Errno.EINVAL,
                f"invalid metadata {dict(options.metadata)!r}: property names must be 1..255 "
                "ASCII characters and values bytes",
            ) from None
        self._local_metadata = md
        self._greeting_parser = GreetingParser(mechanism.name, zmtp2=mechanism.allows_zmtp2)
        #: Our greeting after the major version, sent once the peer's major is known.
        self._greeting_rest: bytes | None = None
        #: The peer speaks ZMTP 2.0.
        self._zmtp2 = False
        # MAXMSGSIZE is about messages; handshake commands get a looser bound so that a small
        # limit does not break the handshake (libzmq applies it to READY too, which makes a
        # MAXMSGSIZE below ~30 bytes unusable there).
        limit = options.max_msg_size
        # ``bodies``: large message bodies are lent to the socket in their receive buffer
        # instead of copied into ``bytes`` here (see ``bodies``).
        self._decoder = FrameDecoder(-1 if limit < 0 else max(limit, HANDSHAKE_FRAME_LIMIT), bodies)
        # A publisher's connections are handed the same message objects: they share framing.
        self._encoder = FrameEncoder(
            shares=type_info.type is SocketType.PUB or type_info.type is SocketType.XPUB
        )
        self._messages: list[Received] = []
        self._events: list[Event] = []
        self._partial: list[bytes] = []
        self._state = _IDLE
        self._error: ProtocolError | None = None
        self._peer_greeting: Greeting | None = None
        self._peer_minor: int | None = None
        self._peer_metadata: dict[str, bytes] = {}
        self._now = 0.0
        self._handshake_deadline: float | None = None
        self._ping_deadline: float | None = None
        self._timeout_deadline: float | None = None
        self._ttl_deadline: float | None = None

    # -- properties --------------------------------------------------------------------------

    @property
    def state(self) -> ConnectionState:
        return self._state

    @property
    def ready(self) -> bool:
        """True once the handshake succeeded and until the connection ends."""
        return self._state is _READY

    @property
    def closed(self) -> bool:
        return self._state is _CLOSED or self._state is _FAILED

    @property
    def error(self) -> ProtocolError | None:
        """The protocol error that ended the connection; ``.fault`` is ``"peer"``/``"local"``."""
        return self._error

    @property
    def mechanism(self) -> Mechanism:
        return self._mechanism

    @property
    def peer_metadata(self) -> dict[str, bytes]:
        return self._peer_metadata

    @property
    def peer_minor(self) -> int | None:
        """The minor version of the peer's greeting (None until it arrived)."""
        return self._peer_minor

    # -- input -------------------------------------------------------------------------------

    @property
    def zmtp2(self) -> bool:
        """Whether the peer speaks ZMTP 2.0 (RFC 15) rather than 3.x."""
        return self._zmtp2

    def start(self, now: float) -> None:
        """Queue the start of our greeting (signature and major version; the rest follows
        when the peer's major is known, docs/protocol/zmtp.md §3.1) and start the handshake
        timer. Call once, as soon as the transport is connected."""
        if self._state is not _IDLE:
            raise LocalProtocolError("Connection.start() was already called")
        self._now = now
        greeting = encode_greeting(
            self._mechanism.name,
            as_server=self._mechanism.as_server,
            routing_id_length=len(self.options.routing_id),
            minor=self.options.zmtp_minor,
        )
        self._encoder.raw(greeting[:GREETING_PREFIX_SIZE])
        self._greeting_rest = greeting[GREETING_PREFIX_SIZE:]
        self._state = _GREETING
        if self.options.handshake_ivl:
            self._handshake_deadline = now + self.options.handshake_ivl

    def receive_data(self, data: BytesLike, now: float | None = None) -> None:
        """Feed bytes from the transport (any split). Pass ``now`` when known: timers started
        by received data (the peer's PING TTL, our PING schedule) count from it."""
        if now is not None:
            self._now = now
        state = self._state
        if state is _READY:
            if self._wraps:
                self._receive_wrapped(data)
                return
            n = len(data)
            if (
                2 <= n <= 261
                and not self._partial
                and self._decoder.idle
                and not 0 <= self._decoder.max_msg_size < 255
            ):
                # The read of a request/reply turn: one message of one short frame, or of
                # the empty delimiter and one short frame (REQ/REP; 261 bytes at most), taken
                # as ``split_messages`` would take it but without its search for runs, and
                # here rather than in ``_receive_plain``: a call less per turn. A read of
                # several messages fails the size test.
                first = data[0]
                if first == 0 and data[1] == n - 2:
                    self._messages.append([bytes(data[2:])])
                    self._timeout_deadline = None
                    self._ttl_deadline = None
                    return
                if (
                    first == FLAG_MORE
                    and n >= 4
                    and not data[1]
                    and not data[2]
                    and data[3] == n - 4
                ):
                    self._messages.append([b"", bytes(data[4:])])
                    self._timeout_deadline = None
                    self._ttl_deadline = None
                    return
            self._receive_plain(data)
            return
        if state is _IDLE:
            raise LocalProtocolError("Connection.receive_data() called before start()")
        if state is _CLOSED or state is _FAILED or not data:
            return
        try:
            if state is _GREETING:
                parser = self._greeting_parser
                try:
                    used = parser.receive(data)
                except ProtocolError:
                    # A ZMTP 3 greeting refused for its mechanism: ours still goes out whole,
                    # so the peer refuses it too and reports why (libzmq sends it before
                    # checking the peer's mechanism).
                    major = parser.peer_major
                    if self._greeting_rest is not None and major and major >= VERSION_MAJOR:
                        self._send_greeting_rest(major)
                    raise
                if self._greeting_rest is not None and parser.peer_major is not None:
                    self._send_greeting_rest(parser.peer_major)
                greeting = parser.greeting
                if greeting is None:
                    return
                self._on_greeting(greeting)
                data = data[used:]
                if not data:
                    return
            frames: list[tuple[int, bytes]] = []
            decode_error: ProtocolError | None = None
            try:
                self._decoder.decode(data, frames)
            except ProtocolError as exc:
                decode_error = exc
            for i, (flags, body) in enumerate(frames):
                state = self._state
                if state is _HANDSHAKE:
                    self._on_handshake_frame(flags, body)
                elif state is _READY:
                    # The handshake ended inside this batch: the rest is traffic, decoded
                    # under the looser handshake limit, so check MAXMSGSIZE here.
                    rest = frames[i:]
                    self._check_sizes(rest)
                    if self._wraps:
                        self._unwrap_traffic(rest)
                    else:
                        self._process_traffic(rest)
                    break
                else:
                    break
            if decode_error is not None:
                raise decode_error
        except ProtocolError as exc:
            self._fail(exc)
        except Exception as exc:
            # A bug in a mechanism must not take the engine down with it (docs/architecture.md §5):
            # end this connection, blaming ourselves.
            self._fail(LocalProtocolError(f"internal error while decoding: {exc!r}"))

    def receive_turn(self, data: BytesLike, now: float) -> list[bytes] | None:
        """``receive_data`` for the read of a request/reply turn, in one call: when ``data``
        is exactly one message of one short frame, or of the empty delimiter and one short
        frame (37/ZMTP §3), and nothing is pending, that message is returned instead of queued
        for ``messages_received``. Otherwise the same as ``receive_data(data, now)``; None."""
        self._now = now
        n = len(data)
        decoder = self._decoder
        if (
            2 <= n <= 261
            and self._state is _READY
            and not self._wraps
            and not self._partial
            and not self._messages
            and not 0 <= decoder.max_msg_size < 255
            and decoder.idle
        ):
            # The shapes of ``receive_data``'s shortcut for the same reads, told by their
            # whole header (the one ``encode_turn`` writes for that size), on a copy: slicing
            # ``bytes`` costs less than indexing a memoryview.
            raw = bytes(data)
            # (A read shorter than a header has a negative index here, and a slice that
            # cannot equal it.)
            if n <= 259 and raw[:4] == _TURN_HEADERS[n - 4]:
                self._timeout_deadline = self._ttl_deadline = None
                return [b"", raw[4:]]
            if n <= 257 and raw[:2] == _ONE_HEADERS[n - 2]:
                self._timeout_deadline = self._ttl_deadline = None
                return [raw[2:]]
        self.receive_data(data, now)
        return None

    def receive_buffer(self, shared: memoryview | None = None) -> memoryview | None:
        """Where the transport may write the next bytes directly: the missing part of a large
        frame body (zero-copy receive), a lead buffer, or the start of ``shared`` (the
        transport's own buffer) for an aligned read (``FrameDecoder.body_buffer``); or None
        (then read into ``shared`` and use ``receive_data``). Only plain traffic after the
        handshake qualifies. Report the bytes with ``receive_buffered()``."""
        if self._state is _READY and not self._wraps:
            return self._decoder.body_buffer(shared)
        return None

    def receive_buffered(self, nbytes: int, now: float | None = None) -> bool:
        """``nbytes`` were written into the view ``receive_buffer()`` returned. Returns False
        when they only continued a body (nothing to deliver, no timer moved: the caller may
        skip its look at events, messages and output)."""
        if now is not None:
            self._now = now
        frames: list[tuple[int, bytes]] = []
        lead = self._decoder.body_received(nbytes, frames)
        if lead is not None:
            # A lead read: any input (frames, commands, the start of the next large body).
            self.receive_data(lead)
            return True
        if frames:
            self._process_traffic_safely(frames)
            return True
        return False

    def _check_sizes(self, frames: list[tuple[int, bytes]]) -> None:
        limit = self._decoder.max_msg_size
        if limit < 0:
            return
        for _, body in frames:
            if len(body) > limit:
                raise RemoteProtocolError(
                    f"peer sent a {len(body)}-byte frame, larger than MAXMSGSIZE "
                    f"({self.options.max_msg_size} bytes)"
                )

    def _receive_plain(self, data: BytesLike) -> None:
        """Traffic after the handshake, unwrapped (NULL, PLAIN): the hot path of every read
        but a request/reply turn's (``receive_data`` takes those).

        Whole short message frames go straight into messages (``split_messages``); the
        decoder takes a frame cut by the previous read, and whatever follows the first
        command or long frame."""
        decoder = self._decoder
        if not decoder.idle:
            # Reads of a stream of small messages end mid-frame more often than not: finish
            # that frame, then read the whole ones after it as below.
            done: list[tuple[int, bytes]] = []
            try:
                used = decoder.complete(data, done)
            except ProtocolError as exc:
                self._process_traffic_safely(done)
                self._fail(exc)
                return
            self._process_traffic_safely(done)
            if self._state is not _READY:
                return
            if used == len(data):
                return
            data = data[used:]
        if decoder.splits(data):
            # Short frames are cut from ``bytes``; runs of long ones straight from the read,
            # which then is not copied whole first.
            raw: bytes | memoryview
            if type(data) is bytes:
                raw = data
            elif data[0] & FLAG_LONG:
                raw = memoryview(data)
            else:
                raw = bytes(data)
            self._partial, used = decoder.split_messages(raw, self._partial, self._messages)
            if used:
                # What _process_traffic does: any frame proves the peer alive, and the last
                # one was no PING.
                self._timeout_deadline = None
                self._ttl_deadline = None
                if used == len(raw):
                    return
                data = memoryview(raw)[used:]
            else:
                data = raw
        traffic: list[tuple[int, bytes]] = []
        try:
            decoder.decode(data, traffic)
        except ProtocolError as exc:
            self._process_traffic_safely(traffic)
            self._fail(exc)
            return
        self._process_traffic_safely(traffic)

    def _receive_wrapped(self, data: BytesLike) -> None:
        """Traffic after the handshake of a mechanism that wraps frames (CURVE)."""
        plain: list[tuple[int, bytes]] = []
        messages = self._messages
        direct = -1  # len(messages) before the mechanism appended whole messages itself
        try:
            try:
                decoder = self._decoder
                mechanism = self._mechanism
                if not decoder.idle:
                    # A frame cut by the previous read: the decoder finishes it (reads end
                    # mid-frame more often than not), and the whole frames after it are read
                    # in place as below.
                    done: list[tuple[int, bytes]] = []
                    used = decoder.complete(data, done)
                    if done:
                        first: list[tuple[int, bytes]] = []
                        try:
                            mechanism.unwrap_frames(done, first)
                        finally:
                            self._process_traffic(first)
                        if self._state is not _READY:
                            return
                    if used == len(data):
                        return
                    data = data[used:]
                raw = data if type(data) is bytes else bytes(data)
                # Whole frames at the start are unwrapped in place, without the decoder
                # cutting out each body first; the decoder takes what is left. With no message
                # part pending, one-part messages go straight to the received messages.
                if self._partial:
                    used = mechanism.unwrap_data(raw, plain, decoder.max_msg_size)
                else:
                    direct = len(messages)
                    # The mechanism only appends lists, which ``messages`` may hold.
                    appended = cast("list[list[bytes]]", messages)
                    used = mechanism.unwrap_data(raw, plain, decoder.max_msg_size, appended)
                if used == len(raw):
                    return
                data = memoryview(raw)[used:] if used else raw
                frames: list[tuple[int, bytes]] = []
                decode_error: ProtocolError | None = None
                try:
                    decoder.decode(data, frames)
                except ProtocolError as exc:
                    decode_error = exc
                if frames:
                    mechanism.unwrap_frames(frames, plain)
                if decode_error is not None:
                    raise decode_error
            finally:
                if 0 <= direct < len(messages):
                    # What _process_traffic does for frames: any frame proves the peer alive
                    # (the last one was no PING if nothing came after it).
                    self._timeout_deadline = None
                    if not plain:
                        self._ttl_deadline = None
                # The frames before a bad one are delivered, as without wrapping.
                self._process_traffic(plain)
        except ProtocolError as exc:
            self._fail(exc)
        except Exception as exc:
            # A bug in a mechanism must not take the engine down with it (docs/architecture.md §5).
            self._fail(LocalProtocolError(f"internal error while decoding: {exc!r}"))

    def _unwrap_traffic(self, frames: list[tuple[int, bytes]]) -> None:
        """Unwrap a batch in one mechanism call, then take the plain traffic hot path."""
        plain: list[tuple[int, bytes]] = []
        try:
            self._mechanism.unwrap_frames(frames, plain)
        finally:
            self._process_traffic(plain)

    def _process_traffic_safely(self, frames: list[tuple[int, bytes]]) -> None:
        try:
            self._process_traffic(frames)
        except ProtocolError as exc:
            self._fail(exc)

    def _process_traffic(self, frames: list[tuple[int, bytes]]) -> None:
        """The hot path: plain frames after the handshake."""
        if not frames:
            return
        # Any frame from the peer proves it alive (docs/protocol/zmtp.md §9.2): it cancels the
        # timeout started by our PING, and the TTL timer of an earlier PING (done after the loop).
        self._timeout_deadline = None
        partial = self._partial
        messages = self._messages
        for flags, body in frames:
            if flags & FLAG_COMMAND:
                self._on_command(body)
                if self._state is not _READY:
                    break
            elif flags & FLAG_MORE:
                partial.append(body)
            else:
                partial.append(body)
                messages.append(partial)
                partial = []
        self._partial = partial
        last_flags, last_body = frames[-1]
        if not (last_flags & FLAG_COMMAND and last_body[:5] == _PING_PREFIX):
            self._ttl_deadline = None

    def _send_greeting_rest(self, peer_major: int) -> None:
        """The peer's major version arrived: finish our greeting in its version."""
        rest = self._greeting_rest
        self._greeting_rest = None
        if peer_major >= VERSION_MAJOR:
            self._encoder.raw(rest or b"")
            return
        # ZMTP 2.0 (RFC 15): our socket type number ends the greeting, and our identity is the
        # first message (libzmq sends one from every socket type, empty without ROUTING_ID).
        self._encoder.raw(bytes((self.socket_type.value & 0xFF,)))
        self._encoder.message([bytes(self.options.routing_id)])

    def _on_greeting(self, greeting: Greeting) -> None:
        self._peer_greeting = greeting
        self._peer_minor = greeting.minor
        self._state = _HANDSHAKE
        if greeting.zmtp2_socket_type is not None:
            self._zmtp2 = True  # no mechanism: the peer's identity message comes next
            return
        self._send_commands(self._mechanism.start(self._local_metadata))
        self._after_mechanism()

    def _on_zmtp2_identity(self, flags: int, body: bytes) -> None:
        """A ZMTP 2.0 peer's first message, its identity: the handshake is done."""
        if flags & (FLAG_MORE | FLAG_COMMAND):
            raise RemoteProtocolError(
                "a ZMTP 2.0 peer's first message (its identity) must be a single frame",
                ProtocolErrorCode.ZMTP_UNSPECIFIED,
            )
        assert self._peer_greeting is not None
        number = self._peer_greeting.zmtp2_socket_type
        assert number is not None
        if number > ZMTP2_MAX_SOCKET_TYPE:
            raise RemoteProtocolError(
                f"ZMTP 2.0 peer announced socket type {number}, which ZMTP 2.0 does not have",
                ProtocolErrorCode.ZMTP_INVALID_METADATA,
            )
        name = info(SocketType(number)).zmtp_name.encode("ascii")
        self._handshake_done({SOCKET_TYPE: name, IDENTITY: body})

    def _on_handshake_frame(self, flags: int, body: bytes) -> None:
        if self._zmtp2:
            self._on_zmtp2_identity(flags, body)
            return
        if not flags & FLAG_COMMAND:
            # docs/protocol/zmtp.md §2: nothing but commands until the mechanism is ready
            # (netmq#594).
            raise RemoteProtocolError(
                "peer sent a message frame before the security handshake finished",
                ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND,
            )
        name, data = commands.parse_command(body)
        self._send_commands(self._mechanism.receive_command(name, data))
        self._after_mechanism()

    def _after_mechanism(self) -> None:
        mechanism = self._mechanism
        credentials = mechanism.zap_request()
        if credentials is not None:
            self._events.append(ZapRequest(mechanism.name, credentials))
        status = mechanism.status
        if status is MechanismStatus.READY:
            self._handshake_done()
        elif status is MechanismStatus.ERROR:
            self._mechanism_failed()

    def _handshake_done(self, zmtp2_metadata: dict[str, bytes] | None = None) -> None:
        mechanism = self._mechanism
        if zmtp2_metadata is None:
            md = dict(mechanism.peer_metadata)
            md.update(mechanism.zap_properties)
        else:
            md = zmtp2_metadata
        raw_type = get_property(md, SOCKET_TYPE)
        peer_type: SocketType | None = None
        if raw_type is not None:
            # An absent Socket-Type is accepted, as libzmq does (docs/protocol/zmtp.md §7.2).
            peer_type = from_zmtp_name(raw_type)
            if peer_type is None:
                raise RemoteProtocolError(
                    f"peer announced an unknown socket type {raw_type!r}",
                    ProtocolErrorCode.ZMTP_INVALID_METADATA,
                )
            if not compatible(self.socket_type, peer_type):
                raise RemoteProtocolError(
                    f"peer is a {peer_type.name} socket, which cannot talk to our "
                    f"{self.socket_type.name} socket",
                    ProtocolErrorCode.ZMTP_INVALID_METADATA,
                )
        self._peer_metadata = md
        self._state = _READY
        limit = self.options.max_msg_size
        # Frames wrapped by the mechanism (CURVE MESSAGE) carry a fixed overhead that is not
        # part of the message; MAXMSGSIZE counts only the message.
        self._decoder.max_msg_size = -1 if limit < 0 else limit + mechanism.frame_overhead
        self._handshake_deadline = None
        ivl = self.options.heartbeat_ivl
        if ivl and not self._zmtp2:  # ZMTP 2.0 has no PING
            self._ping_deadline = self._now + ivl
        assert self._peer_minor is not None
        self._events.append(
            HandshakeSucceeded(md, peer_type, get_property(md, IDENTITY), self._peer_minor)
        )

    def _mechanism_failed(self) -> None:
        mechanism = self._mechanism
        if mechanism.zap_status is not None:
            status = mechanism.zap_status
            self._end(
                _FAILED,
                RemoteProtocolError(f"the ZAP handler refused the peer (status {status})"),
            )
            self._events.append(HandshakeFailedAuth(status, by_peer=False))
            return
        reason = mechanism.error_reason or b""
        status_code = commands.auth_status(reason)
        shown = reason.decode("latin-1")
        if status_code is not None:
            self._end(
                _FAILED,
                RemoteProtocolError(f"peer refused our credentials: ERROR {shown!r}"),
            )
            self._events.append(HandshakeFailedAuth(status_code, by_peer=True))
        else:
            self._fail(RemoteProtocolError(f"peer ended the handshake with ERROR {shown!r}"))

    def _on_command(self, body: bytes) -> None:
        if self._zmtp2:
            raise RemoteProtocolError(
                "a ZMTP 2.0 peer sent a frame with the COMMAND bit, which ZMTP 2.0 reserves",
                ProtocolErrorCode.ZMTP_UNSPECIFIED,
            )
        name, data = commands.parse_command(body)
        if name == commands.PING:
            ttl, context = commands.parse_ping(data)
            # RFC 37: answer every PING with a PONG echoing its context (<= 16 bytes).
            self._send_command(commands.pong(context))
            # The PING frame itself cancelled any earlier TTL timer; a TTL > 0 starts a new one
            # (correct arithmetic, not libzmq's 16-bit overflow, libzmq#4226).
            self._ttl_deadline = self._now + ttl / 10 if ttl else None
        elif name == commands.SUBSCRIBE:
            self._messages.append([_SUBSCRIBE_PREFIX + data])
        elif name == commands.CANCEL:
            self._messages.append([_CANCEL_PREFIX + data])
        elif name == commands.JOIN:
            if self._is_radio:
                self._messages.append(_GroupMessage([_SUBSCRIBE_PREFIX + data]))
            self._events.append(GroupJoined(data))
        elif name == commands.LEAVE:
            if self._is_radio:
                self._messages.append(_GroupMessage([_CANCEL_PREFIX + data]))
            self._events.append(GroupLeft(data))
        # PONG only proves liveness; anything else after the handshake is ignored like libzmq.

    def receive_eof(self) -> None:
        """The transport reached EOF: the peer closed."""
        state = self._state
        if state is _CLOSED or state is _FAILED:
            return
        self._end(_CLOSED, None)
        self._events.append(PeerClosed(during_handshake=state is not _READY))

    def handle_timer(self, now: float) -> None:
        """Run the timers that are due at ``now`` (see ``next_deadline``)."""
        self._now = now
        state = self._state
        if state is _GREETING or state is _HANDSHAKE:
            if self._handshake_deadline is not None and now >= self._handshake_deadline:
                self._end(_CLOSED, None)
                self._events.append(HandshakeTimeout())
            return
        if state is not _READY:
            return
        if self._timeout_deadline is not None and now >= self._timeout_deadline:
            self._end(_CLOSED, None)
            self._events.append(HeartbeatTimeout(HeartbeatExpiry.TIMEOUT))
            return
        if self._ttl_deadline is not None and now >= self._ttl_deadline:
            self._end(_CLOSED, None)
            self._events.append(HeartbeatTimeout(HeartbeatExpiry.TTL))
            return
        if self._ping_deadline is not None and now >= self._ping_deadline:
            options = self.options
            self._send_command(commands.ping(options.ping_ttl_deciseconds))
            ivl = options.heartbeat_ivl or 0.0
            self._ping_deadline = now + ivl
            if self._timeout_deadline is None:
                # libzmq: a PING starts the timeout timer unless one already runs (spec §9.2).
                timeout = options.heartbeat_timeout
                timeout = ivl if timeout is None else timeout
                if timeout:
                    self._timeout_deadline = now + timeout

    def next_deadline(self) -> float | None:
        """When ``handle_timer`` must next be called, or None if no timer runs."""
        if (
            self._handshake_deadline is None
            and self._ping_deadline is None
            and self._timeout_deadline is None
            and self._ttl_deadline is None
        ):
            return None  # the common case after the handshake without heartbeats
        deadlines = [
            d
            for d in (
                self._handshake_deadline,
                self._ping_deadline,
                self._timeout_deadline,
                self._ttl_deadline,
            )
            if d is not None
        ]
        return min(deadlines) if deadlines else None

    def zap_reply(
        self, status: int, user_id: bytes = b"", metadata: Mapping[str, bytes] | None = None
    ) -> None:
        """The ZAP handler's verdict for the pending ``ZapRequest`` (ignored once closed)."""
        if self._state is not _HANDSHAKE:
            if self.closed:
                return
            raise LocalProtocolError("zap_reply() without a pending ZapRequest")
        try:
            self._send_commands(self._mechanism.zap_reply(status, user_id, metadata))
            self._after_mechanism()
        except ProtocolError as exc:
            self._fail(exc)
        except Exception as exc:
            self._fail(LocalProtocolError(f"internal error while handling the ZAP reply: {exc!r}"))

    # -- output ------------------------------------------------------------------------------

    def _check_ready(self, what: str) -> None:
        if self._state is not _READY:
            if self.closed:
                raise LocalProtocolError(f"cannot {what}: the connection is closed")
            raise LocalProtocolError(
                f"cannot {what} before the handshake has completed (ZMTP forbids it)"
            )

    def send_message(self, frames: Sequence[BytesLike]) -> None:
        """Queue one whole message (one item per frame).

        Under a mechanism that wraps frames (CURVE), the message is encrypted by the next
        ``data_to_send()``, together with the others queued meanwhile (one mechanism call per
        batch, not per message): until then it must not be changed."""
        if self._state is not _READY:
            self._check_ready("send a message")
        if not frames:
            raise LocalProtocolError("a message needs at least one frame")
        if self._is_dish:
            self._send_group_command(frames)
            return
        if self._is_sub and len(frames) == 1:
            first = frames[0]
            # A SUB's subscriptions travel as 0x01/0x00 messages in the pipe; to a 3.1 peer
            # they go out as SUBSCRIBE/CANCEL commands (docs/protocol/zmtp.md §8.1). XSUB is not
            # converted: libzmq forwards XSUB user messages unchanged.
            if len(first) and (self._peer_minor or 0) >= 1:
                lead = first[0]
                if lead == 1:
                    self._send_command(commands.subscribe(bytes(first[1:])))
                    return
                if lead == 0:
                    self._send_command(commands.cancel(bytes(first[1:])))
                    return
        if self._wraps:
            self._wrap_queue.append(frames)
        else:
            self._encoder.message(frames)

    def send_message_data(self, frames: Sequence[BytesLike]) -> list[bytes | memoryview]:
        """``send_message(frames)``, then ``data_to_send()``, in one call: for a caller that
        writes each message as soon as it has it (a request/reply turn), as h11's ``send``
        returns the bytes of one event. Raises like ``send_message``."""
        if self._state is not _READY or self._converts or self._wraps or not frames:
            self.send_message(frames)
            return self.data_to_send()
        encoder = self._encoder
        encoder.message(frames)
        return encoder.drain()

    def encode_turn(self, frames: Sequence[BytesLike]) -> bytes | None:
        """The wire bytes of a request/reply turn's message -- one short frame, or the empty
        delimiter and one short frame -- when they may be written at once: plain traffic, and
        nothing else queued to go before them. None otherwise: then ``send_message``. For a
        caller that writes the message itself, straight away (``ThreadPeer``)."""
        if (
            self._state is not _READY
            or self._converts
            or self._wraps
            or (encoder := self._encoder).buffer
            or encoder.chunks  # ``encoder.pending()`` inline
        ):
            return None
        n = len(frames)
        if n == 2:
            delimiter, body = frames
            if not delimiter and type(body) is bytes:
                size = len(body)
                if size <= 255:
                    return _TURN_HEADERS[size] + body
        elif n == 1:
            body = frames[0]
            if type(body) is bytes:
                size = len(body)
                if size <= 255:
                    return _ONE_HEADERS[size] + body
        return None

    def send_messages(
        self, messages: Sequence[Sequence[BytesLike]], body_max: int | None = None
    ) -> bool:
        """Queue whole messages, in order: the same as ``send_message`` for each of them, in
        one call (the engine flushes a pipe's messages in batches). With ``body_max``, a batch
        holding a message whose last frame is ``body_max`` bytes or more is refused: nothing
        is queued and the answer is False (the engine sends those one by one)."""
        if self._state is not _READY:
            self._check_ready("send a message")
        encoder = self._encoder
        if (
            len(messages) >= SPAN_MIN
            and not self._converts
            and not self._wraps
            and not encoder.shares
        ):
            # One frame a message, the usual stream: framed without Python per message.
            done = encoder.single_frames(messages, body_max)
            if done is not None:
                return done
        if body_max is not None and max(map(len, map(_last_frame, messages))) >= body_max:
            return False
        if self._converts or not all(messages):
            # A SUB's subscription messages become commands; an empty message is refused
            # (after the ones before it were queued, as one by one).
            for frames in messages:
                self.send_message(frames)
        elif self._wraps:
            self._wrap_queue += messages
        else:
            encoder.messages(messages)
        return True

    def send_framed(self, messages: Sequence[Sequence[BytesLike]]) -> bool:
        """``send_messages(messages)`` by the bytes another connection of this process has
        just made for the very same message objects (a publisher's subscribers, flushed one
        after the other: ``FrameEncoder.take_shared``), when there are such bytes and this
        connection would frame them the same way (plain traffic: no CURVE sealing, no
        subscription commands). False: nothing was queued, send them as usual."""
        encoder = self._encoder
        if not encoder.shares or self._state is not _READY or self._converts or self._wraps:
            return False
        return encoder.take_shared(messages)

    def _send_group_command(self, frames: Sequence[BytesLike]) -> None:
        """A DISH pipe message: ``01 group`` is JOIN, ``00 group`` is LEAVE; nothing else is
        sent (a DISH has no messages of its own)."""
        if len(frames) != 1 or not len(frames[0]):
            return
        first = bytes(frames[0])
        if first[0] == 1:
            self._send_command(commands.join(first[1:]))
        elif first[0] == 0:
            self._send_command(commands.leave(first[1:]))

    def send_subscribe(self, topic: bytes) -> None:
        """Subscribe upstream: SUBSCRIBE to a 3.1 peer, a ``01 topic`` message to a 3.0 peer."""
        self._check_ready("subscribe")
        if (self._peer_minor or 0) >= 1:
            self._send_command(commands.subscribe(topic))
        else:
            self._send_plain([_SUBSCRIBE_PREFIX + topic])

    def send_cancel(self, topic: bytes) -> None:
        """Unsubscribe upstream: CANCEL to a 3.1 peer, a ``00 topic`` message to a 3.0 peer."""
        self._check_ready("unsubscribe")
        if (self._peer_minor or 0) >= 1:
            self._send_command(commands.cancel(topic))
        else:
            self._send_plain([_CANCEL_PREFIX + topic])

    def send_join(self, group: bytes) -> None:
        """DISH → RADIO: JOIN a group (RFC 48)."""
        self._check_ready("join a group")
        self._send_command(commands.join(group))

    def send_leave(self, group: bytes) -> None:
        """DISH → RADIO: LEAVE a group."""
        self._check_ready("leave a group")
        self._send_command(commands.leave(group))

    def close(self) -> None:
        """We are done with this connection (ZMTP has no closing handshake)."""
        if not self.closed:
            self._end(_CLOSED, None)

    def has_data_to_send(self) -> bool:
        """Whether ``data_to_send()`` would return anything (cheaper than asking it)."""
        return bool(self._wrap_queue) or self._encoder.pending()

    def data_to_send(self) -> list[bytes | memoryview]:
        """Bytes to write, in order (drains). Large payloads are the caller's own objects."""
        if self._wrap_queue:
            self._wrap_queued()
        return self._encoder.drain()

    def messages_received(self) -> list[Received]:
        """Whole messages received since the last call (drains): each a list of its frames,
        or a 1-tuple for a one-frame message the hot path cut from a read (``Received``)."""
        messages = self._messages
        if messages:
            self._messages = []
            if self._is_radio:
                # Only the joins/leaves made from JOIN/LEAVE commands reach a RADIO.
                messages = [m for m in messages if type(m) is _GroupMessage]
        return messages

    def quiet_messages(self) -> list[Received] | None:
        """``messages_received()`` (drains) when that is all a caller has to look at after
        input: no event, nothing to send, no timer running (``next_deadline()`` is None).
        None otherwise, and then nothing was drained: ask ``events_received()``,
        ``messages_received()``, ``has_data_to_send()`` and ``next_deadline()`` in turn. One
        call instead of four per read of a request/reply turn."""
        if (
            self._events
            or self._wrap_queue
            or self._is_radio
            or self._handshake_deadline is not None
            or self._ping_deadline is not None
            or self._timeout_deadline is not None
            or self._ttl_deadline is not None
            or (encoder := self._encoder).buffer
            or encoder.chunks  # ``encoder.pending()`` inline
        ):
            return None
        messages = self._messages
        if messages:
            self._messages = []
        return messages

    def events_received(self) -> list[Event]:
        """Events since the last call (drains)."""
        events = self._events
        if events:
            self._events = []
        return events

    # -- internals ---------------------------------------------------------------------------

    def _wrap_queued(self) -> None:
        queue = self._wrap_queue
        self._wrap_queue = []
        encoder = self._encoder
        wrap = self._mechanism.wrap_messages
        # Sealed in runs of about JOIN_MAX bytes, each cut into a chunk of its own: the sealer
        # appends whole frames to the encoder's joined buffer, which must not grow past
        # glibc's mmap threshold (see codec.JOIN_MAX; a CURVE sender of 1 KiB messages took a
        # page fault per 4 KiB sent).
        half = JOIN_MAX // 2
        run = half // (max(map(len, map(_last_frame, queue))) + _WRAP_OVERHEAD) + 1
        for start in range(0, len(queue), run):
            wrap(queue[start : start + run] if run < len(queue) else queue, encoder)
            encoder.bound(half)  # so each chunk holds half to all of JOIN_MAX

    def _send_plain(self, frames: list[bytes]) -> None:
        if self._wraps:
            self._wrap_queue.append(frames)
        else:
            self._encoder.message(frames)

    def _send_command(self, body: bytes) -> None:
        if self._wraps and self._state is _READY:
            # libzmq sends CURVE MESSAGE in a plain message frame (mechanisms.md §3.8).
            if self._wrap_queue:
                self._wrap_queued()  # keep the order of messages and commands
            self._mechanism.wrap_command(body, self._encoder)
        else:
            self._encoder.command(body)

    def _send_commands(self, bodies: list[bytes]) -> None:
        for body in bodies:
            self._encoder.command(body)

    def _end(self, state: ConnectionState, error: ProtocolError | None) -> None:
        self._state = state
        self._error = error
        self._handshake_deadline = None
        self._ping_deadline = None
        self._timeout_deadline = None
        self._ttl_deadline = None

    def _fail(self, error: ProtocolError) -> None:
        state = self._state
        if state is _CLOSED or state is _FAILED:
            return
        self._end(_FAILED, error)
        self._events.append(ProtocolFailure(error, during_handshake=state is not _READY))


__all__ = ["Connection", "ConnectionOptions", "ConnectionState", "HANDSHAKE_FRAME_LIMIT"]
