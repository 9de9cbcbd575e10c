"""ZMTP over WebSocket (RFC 45, ZWS 2.0), sans-IO, over a byte stream: the upgrade, control
frames and fragmented messages are wsproto's; whole binary messages, all of the traffic, are
framed and cut by ``ws_frames`` (RFC 6455 §5.2), a few header bytes each instead of wsproto's
event objects.

Owns the WebSocket step between a TCP (or TLS) byte stream and ``zws_messages``'s
``ZwsMessageConnection``, which turns whole WebSocket binary messages into ZMTP and back
(docs/architecture.md §8 "Stream and datagram transports"): the upgrade request and its
answer, the subprotocol choice on the server side, fragmented messages, close frames and
WebSocket-level heartbeats. What RFC 45 adds on top of RFC 6455 is ``zws_messages``'s, shared
with the JavaScript WebSocket transport under Pyodide.

* A client offers the subprotocol of its own mechanism; a server accepts the first offered
  entry naming its mechanism and closes the connection when there is none (libzmq
  ``ws_engine.cpp``).
* Heartbeats are WebSocket pings (HEARTBEAT_IVL), and any input cancels HEARTBEAT_TIMEOUT;
  libzmq also sends an empty COMMAND message as its ping or pong, which is liveness only
  (answered with a WebSocket pong).

Bad input — an unmasked client frame, a text message, a wrong or missing subprotocol, a message
over MAXMSGSIZE — ends this connection with ``ProtocolFailure`` (code
``PROTOCOL_ERROR_WS_UNSPECIFIED``), like any other ZMTP violation.
"""

from __future__ import annotations

import contextlib

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
from ..error import LocalProtocolError, ProtocolError, RemoteProtocolError
from .bodies import BodyPool
from .connection import Connection, ConnectionOptions
from .events import HeartbeatExpiry, HeartbeatTimeout
from .mechanisms.base import Mechanism
from .ws_frames import WsFrameSplitter, encode_binary
from .zws_messages import (
    CODE,
    RAW_SUBPROTOCOL,
    SUBPROTOCOL_PREFIX,
    WS_FLAG_COMMAND,
    WS_FLAG_MORE,
    ZwsMessageConnection,
    subprotocol,
)

_CODE = CODE


#: What a browser can offer instead of ``ZWS2.0/PLAIN``: WebSocket subprotocols are HTTP tokens
#: (RFC 6455 §4.1, RFC 7230 §3.2.6) where ``/`` is not allowed, and browsers refuse to send
#: one (docs/browser.md). A server here accepts ``ZWS2.0-NULL``, ``ZWS2.0-PLAIN``,
#: ``ZWS2.0-CURVE`` as those mechanisms; libzmq does not.
TOKEN_PREFIX = "ZWS2.0-"


def token_alias(offered: str) -> str:
    """The RFC 45 name of an offered subprotocol: ``ZWS2.0-PLAIN`` reads as ``ZWS2.0/PLAIN``."""
    if offered.startswith(TOKEN_PREFIX):
        return SUBPROTOCOL_PREFIX + offered[len(TOKEN_PREFIX) :]
    return offered


class ZwsConnection(ZwsMessageConnection):
    """A ``ZwsMessageConnection`` over a WebSocket byte stream; see the module docstring.

    ``client`` picks the WebSocket role (the connecting side, which sends the upgrade request
    and masks its frames); ``host`` and ``path`` go into that request (libzmq sends the host
    without the port). The ZMTP mechanism role (``as_server``) is independent of it.
    """

    __slots__ = (
        "_client",
        "_head_tail",
        "_host",
        "_path",
        "_seen",
        "_splitter",
        "_ws",
        "_ws_ivl",
        "_ws_out",
        "_ws_partial",
        "_ws_ping_at",
        "_ws_timeout",
        "_ws_timeout_at",
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
        super().__init__(socket_type, mechanism, options=options, bodies=bodies)
        self._client = client
        self._host = host
        self._path = path or "/"
        self._ws = WSConnection(ConnectionType.CLIENT if client else ConnectionType.SERVER)
        #: Bytes of the request line (server) or status line (client) checked so far.
        self._seen = 0
        #: The last bytes of the upgrade seen, to find the blank line that ends its head.
        self._head_tail = b""
        #: Cuts frames once the upgrade is done.
        self._splitter: WsFrameSplitter | None = None
        #: WebSocket bytes to send, in order (upgrade, control and data frames).
        self._ws_out: list[bytes] = []
        self._ws_partial = bytearray()
        self._ws_ivl = options.heartbeat_ivl
        timeout = options.heartbeat_timeout
        self._ws_timeout = self._ws_ivl if timeout is None else timeout
        self._ws_ping_at: float | None = None
        self._ws_timeout_at: float | None = None

    # -- start and input ---------------------------------------------------------------------

    def start(self, now: float) -> None:
        super().start(now)
        if self._client:
            self._ws_out.append(
                self._ws.send(
                    Request(host=self._host, target=self._path, subprotocols=self.offer())
                )
            )

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
        except UnicodeError as exc:
            # wsproto decodes some headers without catching what it raises (a Host that is
            # not IDNA): the peer's bytes were bad all the same.
            self._fail(RemoteProtocolError(f"WebSocket: undecodable HTTP header ({exc})", _CODE))
        except Exception as exc:
            # A bug of ours or wsproto's must not take the engine down with it
            # (docs/architecture.md §5): end this connection, blaming ourselves.
            self._fail(LocalProtocolError(f"internal error while decoding: {exc!r}"))

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
        """Bytes after the upgrade: whole binary messages straight to ZMTP (in one call for
        the read), other frames through wsproto, in order."""
        assert self._splitter is not None
        try:
            for payload, raw in self._splitter.split(data):
                if raw is None:
                    self._on_message(payload)
                else:
                    self._ws.receive_data(raw)
                    self._ws_events()
                    if self.closed:
                        return
        finally:
            self._feed_zmtp()

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

    def receive_buffer(self, shared: memoryview | None = None) -> memoryview | None:
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
                    Connection.receive_eof(self)
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
        acceptable = self.offer()
        for offered in event.subprotocols:
            if token_alias(offered.strip()) in acceptable:
                break
        else:
            raise RemoteProtocolError(
                f"peer offered WebSocket subprotocols {event.subprotocols!r}, none of "
                f"{', '.join(acceptable)} (this socket's mechanism)",
                _CODE,
            )
        # Answer with the spelling offered: a browser accepts only a name it sent.
        self._ws_out.append(self._ws.send(AcceptConnection(subprotocol=offered)))
        self._upgraded(token_alias(offered.strip()))

    def _on_accepted(self, event: AcceptConnection) -> None:
        """Client: the server answered 101 with a subprotocol we offered."""
        chosen = event.subprotocol
        if chosen not in self.offer():
            raise RemoteProtocolError(
                f"server accepted the WebSocket upgrade with subprotocol {chosen!r}, "
                f"not one we offered ({', '.join(self.offer())})",
                _CODE,
            )
        self._upgraded(chosen)

    def _upgraded(self, chosen: str) -> None:
        if self._ws_ivl:
            self._ws_ping_at = self._now + self._ws_ivl
        # RFC 6455 §5.1: a server receives masked frames, a client unmasked ones.
        self._splitter = WsFrameSplitter(
            masked=not self._client,
            limit=self.message_limit,
            limit_source=f"MAXMSGSIZE {self.options.max_msg_size}",
        )
        self.ws_opened(chosen)

    def _on_ws_bytes(self, event: BytesMessage) -> None:
        partial = self._ws_partial
        data = event.data
        limit = self.message_limit
        if not event.message_finished or partial:
            partial += data
            if 0 <= limit < len(partial):
                raise RemoteProtocolError(
                    f"peer sent a WebSocket message over {limit} bytes "
                    f"(MAXMSGSIZE {self.options.max_msg_size})",
                    _CODE,
                )
            if not event.message_finished:
                return
            data = bytes(partial)
            partial.clear()
        self._on_message(data)

    def _on_liveness_command(self) -> None:
        # Answer libzmq's ping with a WebSocket pong, which libzmq counts as traffic and
        # never answers.
        self._ws_out.append(self._ws.send(Pong()))

    # -- output ------------------------------------------------------------------------------

    def has_data_to_send(self) -> bool:
        return bool(self._ws_out) or super().has_data_to_send()

    def data_to_send(self) -> list[bytes | memoryview]:
        messages = self.messages_to_send()
        out = self._ws_out
        if messages:
            out += encode_binary(messages, masked=self._client)
        if not out:
            return []
        # One buffer: WebSocket frames are small next to their copy through wsproto anyway,
        # and a single chunk is what a TLS transport (wss) must be handed — the engine sends
        # several chunks with writev() straight to the socket, which would bypass TLS.
        joined = out[0] if len(out) == 1 else b"".join(out)
        out.clear()
        return [joined]

    def close(self) -> None:
        if not self.closed and self.ws_open and self._ws.state is WsState.OPEN:
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
            self._events.append(HeartbeatTimeout(HeartbeatExpiry.TIMEOUT))
            return
        if self._ws_ping_at is not None and now >= self._ws_ping_at and self.ws_open:
            self._ws_out.append(self._ws.send(Ping()))
            self._ws_ping_at = now + (self._ws_ivl or 0.0)
            if self._ws_timeout_at is None and self._ws_timeout:
                self._ws_timeout_at = now + self._ws_timeout


__all__ = [
    "RAW_SUBPROTOCOL",
    "SUBPROTOCOL_PREFIX",
    "TOKEN_PREFIX",
    "WS_FLAG_COMMAND",
    "WS_FLAG_MORE",
    "ZwsConnection",
    "subprotocol",
    "token_alias",
]
