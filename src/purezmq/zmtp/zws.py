"""ZMTP over WebSocket (RFC 45, ZWS 2.0), sans-IO: a ``Connection`` whose wire is WebSocket.

Owns the framing step between the WebSocket byte stream and the ZMTP state machine
(docs/architecture.md §8 "Stream and datagram transports"): the HTTP upgrade, one ZMTP frame
per WebSocket binary message, and WebSocket-level heartbeats. The upgrade, control frames and
fragmented messages are wsproto's; whole binary messages, all of the traffic, are framed and
cut by ``ws_frames`` (RFC 6455 §5.2), a few header bytes each instead of wsproto's event
objects. The ZMTP part — mechanism handshake, metadata, CURVE, message assembly — is the
inherited ``Connection``.

The rules RFC 45 and libzmq add on top of RFC 6455 (docs/protocol/transports.md §4):

* The upgrade replaces the ZMTP greeting. The subprotocol names the mechanism:
  ``ZWS2.0/NULL``, ``ZWS2.0/PLAIN`` or ``ZWS2.0/CURVE``; a client offers the one of its own
  mechanism, a server accepts the first offered entry naming its mechanism and closes the
  connection when there is none (libzmq ``ws_engine.cpp``). The inherited ``Connection`` is
  handed a synthetic peer greeting for the same mechanism, so its handshake runs unchanged.
* Each WebSocket binary message is ``flags(1) body``: 0x01 MORE, 0x02 COMMAND — not ZMTP's
  0x04 — and no LONG bit (the WebSocket length carries the size).
* Subscriptions travel as ``01 topic`` / ``00 topic`` messages, as to a ZMTP 3.0 peer, under
  every mechanism; SUBSCRIBE/CANCEL commands are understood when they arrive.
* Heartbeats are WebSocket pings (HEARTBEAT_IVL), and any input cancels HEARTBEAT_TIMEOUT;
  libzmq also sends an empty COMMAND message as its ping or pong, which is liveness only.

Bad input — an unmasked client frame, a text message, a wrong or missing subprotocol, a message
over MAXMSGSIZE — ends this connection with ``ProtocolFailure`` (code
``PROTOCOL_ERROR_WS_UNSPECIFIED``), like any other ZMTP violation.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Sequence

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState as WsState
from wsproto.events import (
    AcceptConnection,
    BytesMessage,
    CloseConnection,
    Ping,
    Pong,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)
from wsproto.utilities import LocalProtocolError as WsLocalProtocolError
from wsproto.utilities import ProtocolError as WsProtocolError

from .._typing import BytesLike
from ..constants import ProtocolErrorCode
from ..error import ProtocolError, RemoteProtocolError
from . import commands
from .bodies import BodyPool
from .codec import FLAG_COMMAND, FLAG_MORE, FrameDecoder, frame_header
from .connection import HANDSHAKE_FRAME_LIMIT, Connection, ConnectionOptions
from .events import HeartbeatTimeout
from .greeting import encode_greeting
from .mechanisms.base import Mechanism
from .metadata import IDENTITY
from .ws_frames import WsFrameSplitter, encode_binary

#: RFC 45 flags byte in front of every frame body.
WS_FLAG_MORE = 0x01
WS_FLAG_COMMAND = 0x02
#: The subprotocol of each mechanism (RFC 45): ``ZWS2.0/NULL``, ``ZWS2.0/PLAIN``...
SUBPROTOCOL_PREFIX = "ZWS2.0/"
#: ZWS without a mechanism (NULL sockets only): no handshake commands at all, the first
#: message each way is the sender's routing id (libzmq ``ws_engine.cpp``, like ZMTP 2.0).
RAW_SUBPROTOCOL = "ZWS2.0"
#: Slack above the message limit for what a wrapping mechanism adds (CURVE MESSAGE).
_WRAP_SLACK = 128
_CODE = ProtocolErrorCode.WS_UNSPECIFIED
_FLAG_BYTES = [bytes((flags,)) for flags in range(4)]


def subprotocol(mechanism: Mechanism) -> str:
    """The ZWS subprotocol naming ``mechanism`` (``ZWS2.0/CURVE``)."""
    return SUBPROTOCOL_PREFIX + mechanism.name.decode("ascii")


class ZwsConnection(Connection):
    """A ``Connection`` carried over WebSocket; see the module docstring.

    ``client`` picks the WebSocket role (the connecting side, which sends the upgrade request
    and masks its frames); ``host`` and ``path`` go into that request (libzmq sends the host
    without the port). The ZMTP mechanism role (``as_server``) is independent of it.
    """

    __slots__ = (
        "_client",
        "_head_tail",
        "_host",
        "_out_frames",
        "_path",
        "_raw",
        "_seen",
        "_splitter",
        "_ws",
        "_ws_ivl",
        "_ws_limit",
        "_ws_open",
        "_ws_out",
        "_ws_partial",
        "_ws_ping_at",
        "_ws_timeout",
        "_ws_timeout_at",
        "_zmtp_held",
        "_zmtp_in",
        "subprotocol",
    )

    def __init__(
        self,
        socket_type: int,
        mechanism: Mechanism,
        *,
        client: bool,
        host: str = "localhost",
        path: str = "/",
        options: ConnectionOptions | None = None,
        bodies: BodyPool | None = None,
    ) -> None:
        options = options if options is not None else ConnectionOptions()
        # ZMTP PING/PONG do not cross ZWS (libzmq ignores them there): this layer pings.
        inner = dataclasses.replace(
            options,
            heartbeat_ivl=None,
            heartbeat_ttl=None,
            heartbeat_timeout=None,
            zmtp_minor=1,
        )
        super().__init__(socket_type, mechanism, options=inner, bodies=None)
        del bodies  # bodies are always copied here: each message is reassembled anyway
        self._client = client
        self._host = host
        self._path = path or "/"
        self._ws = WSConnection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
        self._ws_open = False
        #: Bytes of the request line (server) or status line (client) checked so far.
        self._seen = 0
        #: The last bytes of the upgrade seen, to find the blank line that ends its head.
        self._head_tail = b""
        #: Cuts frames once the upgrade is done.
        self._splitter: WsFrameSplitter | None = None
        #: ZMTP frames made from the WebSocket messages of one read, fed in one call.
        self._zmtp_in: list[bytes] = []
        #: ``ZWS2.0`` was agreed: None until then; True while the peer's routing id is due.
        self._raw: bool | None = None
        self._ws_out: list[bytes] = []
        self._ws_partial = bytearray()
        self._out_frames = FrameDecoder()
        #: ZMTP frames produced before the upgrade finished: sent once it has.
        self._zmtp_held: list[tuple[int, bytes]] = []
        limit = options.max_msg_size
        self._ws_limit = -1 if limit < 0 else max(limit, HANDSHAKE_FRAME_LIMIT) + _WRAP_SLACK
        self._ws_ivl = options.heartbeat_ivl
        timeout = options.heartbeat_timeout
        self._ws_timeout = self._ws_ivl if timeout is None else timeout
        self._ws_ping_at: float | None = None
        self._ws_timeout_at: float | None = None
        #: The subprotocol agreed on, once the upgrade is done.
        self.subprotocol: str | None = None

    # -- start and input ---------------------------------------------------------------------

    def start(self, now: float) -> None:
        super().start(now)
        Connection.data_to_send(self)  # our greeting: the upgrade stands in for it
        mechanism = self.mechanism
        # The peer's greeting is implied by the subprotocol: same mechanism, the other role,
        # and minor 0, so that subscriptions go out as 0x01/0x00 messages: libzmq's ws engine
        # ignores SUBSCRIBE/CANCEL commands, even sealed inside CURVE (verified with 4.3.4).
        Connection.receive_data(
            self,
            encode_greeting(mechanism.name, as_server=not mechanism.as_server, minor=0),
            now,
        )
        if self._client:
            self._ws_out.append(
                self._ws.send(
                    Request(host=self._host, target=self._path, subprotocols=self._offer())
                )
            )

    def _send_greeting_rest(self, peer_major: int) -> None:
        """No greeting crosses ZWS (the upgrade stands in for it), so nothing is sent."""
        self._greeting_rest = None

    def _offer(self) -> list[str]:
        """What we offer (client) or accept (server), in libzmq's order: a NULL socket also
        speaks ``ZWS2.0`` without a mechanism."""
        ours = subprotocol(self.mechanism)
        if self.mechanism.name == b"NULL":
            return [ours, RAW_SUBPROTOCOL]
        return [ours]

    def receive_data(self, data: BytesLike, now: float | None = None) -> None:
        if self.closed or not data:
            return
        if now is not None:
            self._now = now
        if self._ws_timeout_at is not None:
            self._ws_timeout_at = None  # any input proves the peer alive (libzmq)
        try:
            if self._splitter is not None:
                self._receive_frames(data)
            else:
                try:
                    self._receive_upgrade(data)
                finally:
                    self._feed_zmtp()  # messages wsproto read along with the upgrade
        except ProtocolError as exc:
            self._fail(exc)
        except WsProtocolError as exc:
            # wsproto's verdict on the peer's bytes (bad HTTP, an unexpected upgrade answer).
            self._fail(RemoteProtocolError(f"WebSocket: {exc}", _CODE))

    def _receive_upgrade(self, data: BytesLike) -> None:
        """Bytes of the upgrade: wsproto gets the HTTP head only, so that the frames after it
        in the same read (a server's first messages right behind its 101) are ours."""
        if self._seen < len(self._http_start):
            self._check_http_start(data)
        raw = bytes(data)
        head = self._head_tail + raw
        end = head.find(b"\r\n\r\n")
        if end < 0:
            self._head_tail = head[-3:]
            self._ws.receive_data(raw)
            self._ws_events()
            return
        cut = end + 4 - len(self._head_tail)
        self._ws.receive_data(raw[:cut])
        self._ws_events()
        rest = raw[cut:]
        if not rest or self.closed:
            return
        if self._splitter is not None:
            self._receive_frames(rest)
        else:
            self._ws.receive_data(rest)  # a refusal's body, say: wsproto's to judge
            self._ws_events()

    def _receive_frames(self, data: BytesLike) -> None:
        """Bytes after the upgrade: whole binary messages straight to ZMTP, other frames
        through wsproto, in order."""
        assert self._splitter is not None
        try:
            for payload, raw in self._splitter.split(data):
                if raw is None:
                    self._on_ws_message(payload)
                else:
                    self._ws.receive_data(raw)
                    self._ws_events()
                    if self.closed:
                        return
        finally:
            self._feed_zmtp()

    def _feed_zmtp(self) -> None:
        """The ZMTP frames of the messages received so far, to the inherited Connection."""
        batch = self._zmtp_in
        if batch:
            self._zmtp_in = []
            Connection.receive_data(self, b"".join(batch), self._now)

    @property
    def _http_start(self) -> bytes:
        return b"HTTP/" if self._client else b"GET "

    def _check_http_start(self, data: BytesLike) -> None:
        """An upgrade request starts with ``GET ``, its answer with ``HTTP/``: anything else (a
        ZMTP greeting, TLS to a ws:// port) is refused at its first byte, as libzmq does,
        instead of waiting for a line end that may never come."""
        seen = self._seen
        expected = self._http_start
        head = bytes(data[: len(expected) - seen])
        if head != expected[seen : seen + len(head)]:
            what = "answer (HTTP/...)" if self._client else "request (GET ...)"
            raise RemoteProtocolError(
                f"expected a WebSocket upgrade {what}, got {bytes(data[:8])!r}", _CODE
            )
        self._seen = seen + len(head)

    def receive_buffer(self) -> memoryview | None:
        return None

    def receive_eof(self) -> None:
        if not self.closed and self._ws.state is not WsState.CLOSED:
            # Mid-upgrade, h11 calls an EOF a bad HTTP message: the EOF is what counts.
            with contextlib.suppress(WsProtocolError):
                self._ws.receive_data(None)
        super().receive_eof()

    def _ws_events(self) -> None:
        ws = self._ws
        for event in ws.events():
            if self.closed:
                return
            if isinstance(event, BytesMessage):
                self._on_ws_bytes(event)
            elif isinstance(event, Request):
                self._on_request(event)
            elif isinstance(event, AcceptConnection):
                self._on_accepted(event)
            elif isinstance(event, Ping):
                self._ws_out.append(ws.send(event.response()))
            elif isinstance(event, Pong):
                pass  # liveness only, counted above
            elif isinstance(event, CloseConnection):
                if ws.state is WsState.REMOTE_CLOSING:
                    # A close frame from the peer: echo it, then the connection ends like an
                    # EOF (libzmq does the same, and reconnects).
                    self._ws_out.append(ws.send(event.response()))
                    self._feed_zmtp()
                    super().receive_eof()
                    return
                raise RemoteProtocolError(f"bad WebSocket input: {event.reason}", _CODE)
            elif isinstance(event, TextMessage):
                raise RemoteProtocolError("peer sent a WebSocket text message", _CODE)
            elif isinstance(event, (RejectConnection, RejectData)):
                status = getattr(event, "status_code", "")
                raise RemoteProtocolError(f"peer refused the WebSocket upgrade {status}", _CODE)

    def _on_request(self, event: Request) -> None:
        """Server: accept the first offered subprotocol we speak (the client's order wins,
        as in libzmq), else close."""
        acceptable = self._offer()
        for offered in event.subprotocols:
            if offered.strip() in acceptable:
                break
        else:
            raise RemoteProtocolError(
                f"peer offered WebSocket subprotocols {event.subprotocols!r}, none of "
                f"{', '.join(acceptable)} (this socket's mechanism)",
                _CODE,
            )
        self._ws_out.append(self._ws.send(AcceptConnection(subprotocol=offered)))
        self._upgraded(offered.strip())

    def _on_accepted(self, event: AcceptConnection) -> None:
        """Client: the server answered 101 with a subprotocol we offered."""
        chosen = event.subprotocol
        if chosen not in self._offer():
            raise RemoteProtocolError(
                f"server accepted the WebSocket upgrade with subprotocol {chosen!r}, "
                f"not one we offered ({', '.join(self._offer())})",
                _CODE,
            )
        self._upgraded(chosen)

    def _upgraded(self, chosen: str) -> None:
        self.subprotocol = chosen
        self._ws_open = True
        # RFC 6455 §5.1: a server receives masked frames, a client unmasked ones.
        self._splitter = WsFrameSplitter(
            masked=not self._client,
            limit=self._ws_limit,
            limit_source=f"MAXMSGSIZE {self.options.max_msg_size}",
        )
        if self._ws_ivl:
            self._ws_ping_at = self._now + self._ws_ivl
        if chosen == RAW_SUBPROTOCOL:
            # No mechanism: our routing id goes first, the NULL READY never goes out.
            self._raw = True
            self._ws_out += encode_binary(
                [b"\x00" + bytes(self.options.routing_id)], masked=self._client
            )
        held, self._zmtp_held = self._zmtp_held, []
        self._send_frames(held)

    def _on_ws_bytes(self, event: BytesMessage) -> None:
        """A message (or a fragment of one) that came through wsproto."""
        partial = self._ws_partial
        partial += event.data
        if 0 <= self._ws_limit < len(partial):
            raise RemoteProtocolError(
                f"peer sent a WebSocket message over {self._ws_limit} bytes "
                f"(MAXMSGSIZE {self.options.max_msg_size})",
                _CODE,
            )
        if event.message_finished:
            data = bytes(partial)
            partial.clear()
            self._on_ws_message(data)

    def _on_ws_message(self, data: bytes) -> None:
        """One whole WebSocket binary message: a ZMTP frame behind its RFC 45 flags byte."""
        if not data:
            raise RemoteProtocolError("peer sent a WebSocket message without a flags byte", _CODE)
        ws_flags = data[0]
        body = data[1:]
        if self._raw:
            # ZWS2.0: the peer's first message is its routing id; stand in the READY the inner
            # NULL handshake waits for (no Socket-Type: accepted, as libzmq checks none here).
            if ws_flags & (WS_FLAG_MORE | WS_FLAG_COMMAND):
                raise RemoteProtocolError("ZWS2.0 routing id must be a single frame", _CODE)
            self._raw = False
            ready = commands.ready({IDENTITY: bytes(body)})
            self._zmtp_in.append(frame_header(len(ready), FLAG_COMMAND) + ready)
            return
        if ws_flags & WS_FLAG_COMMAND and not body:
            # libzmq's own ping/pong over ZWS: liveness only. Answer with a WebSocket pong,
            # which libzmq counts as traffic and never answers.
            self._ws_out.append(self._ws.send(Pong()))
            return
        flags = (FLAG_MORE if ws_flags & WS_FLAG_MORE else 0) | (
            FLAG_COMMAND if ws_flags & WS_FLAG_COMMAND else 0
        )
        zmtp_in = self._zmtp_in
        zmtp_in.append(frame_header(len(body), flags))
        zmtp_in.append(body)

    # -- output ------------------------------------------------------------------------------

    def has_data_to_send(self) -> bool:
        return bool(self._ws_out) or super().has_data_to_send()

    def data_to_send(self) -> list[bytes | memoryview]:
        chunks = super().data_to_send()
        if chunks:
            frames: list[tuple[int, bytes]] = []
            decode = self._out_frames.decode
            for chunk in chunks:
                decode(chunk, frames)
            if self._ws_open:
                self._send_frames(frames)
            else:
                self._zmtp_held += frames
        out = self._ws_out
        if not out:
            return []
        # One buffer: WebSocket frames are small next to their copy through wsproto anyway,
        # and a single chunk is what a TLS transport (wss) must be handed — the engine sends
        # several chunks with writev() straight to the socket, which would bypass TLS.
        joined = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        return [joined]

    def _send_frames(self, frames: list[tuple[int, bytes]]) -> None:
        raw = self._raw is not None
        payloads: list[bytes] = []
        for flags, body in frames:
            if raw and flags & FLAG_COMMAND:
                continue  # ZWS2.0 carries no commands (our NULL READY included)
            ws_flags = (WS_FLAG_MORE if flags & FLAG_MORE else 0) | (
                WS_FLAG_COMMAND if flags & FLAG_COMMAND else 0
            )
            payloads.append(_FLAG_BYTES[ws_flags] + body)
        if payloads:
            self._ws_out += encode_binary(payloads, masked=self._client)

    def send_message_data(self, frames: Sequence[BytesLike]) -> list[bytes | memoryview]:
        self.send_message(frames)
        return self.data_to_send()

    def close(self) -> None:
        if not self.closed and self._ws_open and self._ws.state is WsState.OPEN:
            # A polite close frame; the transport closes right after it.
            with contextlib.suppress(WsLocalProtocolError):
                self._ws_out.append(self._ws.send(CloseConnection(code=1000)))
        super().close()

    # -- heartbeats --------------------------------------------------------------------------

    def next_deadline(self) -> float | None:
        inner = super().next_deadline()
        ours = [d for d in (inner, self._ws_ping_at, self._ws_timeout_at) if d is not None]
        return min(ours) if ours else None

    def handle_timer(self, now: float) -> None:
        super().handle_timer(now)
        if self.closed:
            self._ws_ping_at = self._ws_timeout_at = None
            return
        if self._ws_timeout_at is not None and now >= self._ws_timeout_at:
            self._ws_ping_at = self._ws_timeout_at = None
            Connection.close(self)
            self._events.append(HeartbeatTimeout("timeout"))
            return
        if self._ws_ping_at is not None and now >= self._ws_ping_at and self._ws_open:
            self._ws_out.append(self._ws.send(Ping()))
            self._ws_ping_at = now + (self._ws_ivl or 0.0)
            if self._ws_timeout_at is None and self._ws_timeout:
                self._ws_timeout_at = now + self._ws_timeout


__all__ = [
    "RAW_SUBPROTOCOL",
    "SUBPROTOCOL_PREFIX",
    "WS_FLAG_COMMAND",
    "WS_FLAG_MORE",
    "ZwsConnection",
    "subprotocol",
]
