"""ZMTP over WebSocket messages (RFC 45, ZWS 2.0), sans-IO, for any WebSocket implementation.

Owns the step between whole WebSocket binary messages and the ZMTP state machine: the
subprotocol that names the mechanism, the ``flags(1) body`` message format, the ``ZWS2.0``
raw mode's routing-id exchange, MAXMSGSIZE on whole messages, and libzmq's empty COMMAND
message as a liveness signal. It does not speak the WebSocket protocol itself: whoever does
(``zmtp.zws`` with wsproto over a byte stream, or the JavaScript ``WebSocket`` under Pyodide)
hands it each binary message (``receive_message``), tells it which subprotocol the upgrade
agreed on (``ws_opened``), and sends each payload ``messages_to_send()`` returns as one binary
message.

The rules RFC 45 and libzmq add on top of RFC 6455 (docs/protocol/transports.md §4):

* The upgrade replaces the ZMTP greeting. The subprotocol names the mechanism:
  ``ZWS2.0/NULL``, ``ZWS2.0/PLAIN`` or ``ZWS2.0/CURVE``; a client offers the one of its own
  mechanism (a NULL socket also ``ZWS2.0``), a server accepts the first offered entry it speaks.
  The inherited ``Connection`` is handed a synthetic peer greeting for the same mechanism, so
  its handshake runs unchanged.
* Each binary message is ``flags(1) body``: 0x01 MORE, 0x02 COMMAND — not ZMTP's 0x04 — and
  no LONG bit (the WebSocket length carries the size).
* Subscriptions travel as ``01 topic`` / ``00 topic`` messages, as to a ZMTP 3.0 peer, under
  every mechanism; SUBSCRIBE/CANCEL commands are understood when they arrive.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .._typing import BytesLike, Received
from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError
from . import commands
from .bodies import BodyPool
from .codec import FLAG_COMMAND, FLAG_MORE, FrameDecoder, frame_header
from .connection import HANDSHAKE_FRAME_LIMIT, Connection, ConnectionOptions
from .greeting import encode_greeting
from .mechanisms.base import Mechanism
from .metadata import IDENTITY

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
CODE = ProtocolErrorCode.WS_UNSPECIFIED


def subprotocol(mechanism: Mechanism) -> str:
    """The ZWS subprotocol naming ``mechanism`` (``ZWS2.0/CURVE``)."""
    return SUBPROTOCOL_PREFIX + mechanism.name.decode("ascii")


def subprotocols(mechanism: Mechanism) -> list[str]:
    """What a client offers (and a server accepts) for ``mechanism``, in libzmq's order: a
    NULL socket also speaks ``ZWS2.0`` without a mechanism."""
    ours = subprotocol(mechanism)
    if mechanism.name == b"NULL":
        return [ours, RAW_SUBPROTOCOL]
    return [ours]


class ZwsMessageConnection(Connection):
    """A ``Connection`` whose wire is whole WebSocket binary messages; see the module docstring.

    ``data_to_send()`` returns the same payloads as ``messages_to_send()``: each chunk is one
    WebSocket message, never to be joined with or split from another. ``receive_data`` is not
    part of this interface (a byte stream has no message boundaries): use ``receive_message``.
    """

    __slots__ = (
        "_out_frames",
        "_pending",
        "_raw",
        "_ws_limit",
        "_ws_open",
        "_zmtp_held",
        "_zmtp_in",
        "subprotocol",
    )

    def __init__(
        self,
        socket_type: int,
        mechanism: Mechanism,
        *,
        options: ConnectionOptions | None = None,
        bodies: BodyPool | None = None,
    ) -> None:
        options = options if options is not None else ConnectionOptions()
        # ZMTP PING/PONG do not cross ZWS (libzmq ignores them there): the WebSocket layer
        # pings, where it can.
        inner = dataclasses.replace(
            options,
            heartbeat_ivl=None,
            heartbeat_ttl=None,
            heartbeat_timeout=None,
            zmtp_minor=1,
        )
        super().__init__(socket_type, mechanism, options=inner, bodies=None)
        del bodies  # bodies are always copied here: each message is reassembled anyway
        self._ws_open = False
        #: ``ZWS2.0`` was agreed: None until then; True while the peer's routing id is due.
        self._raw: bool | None = None
        #: WebSocket payloads ready to go out, in order.
        self._pending: list[bytes] = []
        self._out_frames = FrameDecoder()
        #: ZMTP frames produced before the upgrade finished: sent once it has.
        self._zmtp_held: list[tuple[int, bytes]] = []
        #: ZMTP frames made from received messages, fed to the Connection by ``_feed_zmtp``.
        self._zmtp_in: list[bytes] = []
        limit = options.max_msg_size
        self._ws_limit = -1 if limit < 0 else max(limit, HANDSHAKE_FRAME_LIMIT) + _WRAP_SLACK
        #: The subprotocol agreed on, once the upgrade is done.
        self.subprotocol: str | None = None

    @property
    def message_limit(self) -> int:
        """The largest WebSocket message accepted (-1: no limit): MAXMSGSIZE plus what the
        handshake and a wrapping mechanism need."""
        return self._ws_limit

    @property
    def ws_open(self) -> bool:
        """The upgrade is done and the subprotocol agreed on."""
        return self._ws_open

    def offer(self) -> list[str]:
        """The subprotocols this connection speaks, the preferred first."""
        return subprotocols(self.mechanism)

    # -- start and input ---------------------------------------------------------------------

    def _send_greeting_rest(self, peer_major: int) -> None:
        """No greeting crosses ZWS (the upgrade stands in for it), so nothing is sent."""
        self._greeting_rest = None

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

    def ws_opened(self, chosen: str) -> None:
        """The WebSocket upgrade succeeded with subprotocol ``chosen``; a subprotocol this
        connection does not speak fails it (``ProtocolFailure``)."""
        if self.closed:
            return
        chosen = chosen.strip()
        if chosen not in self.offer():
            self._fail(
                RemoteProtocolError(
                    f"the WebSocket upgrade agreed on subprotocol {chosen!r}, not one this "
                    f"socket speaks ({', '.join(self.offer())})",
                    CODE,
                )
            )
            return
        self.subprotocol = chosen
        self._ws_open = True
        if chosen == RAW_SUBPROTOCOL:
            # No mechanism: our routing id goes first, the NULL READY never goes out.
            self._raw = True
            self._pending.append(b"\x00" + bytes(self.options.routing_id))
        held, self._zmtp_held = self._zmtp_held, []
        self._send_frames(held)

    def receive_message(self, data: BytesLike, now: float | None = None) -> None:
        """One whole WebSocket binary message from the peer."""
        if self.closed:
            return
        if now is not None:
            self._now = now
        try:
            self._on_message(data)
        except RemoteProtocolError as exc:
            self._fail(exc)
        self._feed_zmtp()

    def _feed_zmtp(self) -> None:
        """The ZMTP frames of the messages taken by ``_on_message`` so far, to the inherited
        Connection in one call (a byte-stream WebSocket reads many messages at once)."""
        batch = self._zmtp_in
        if batch:
            self._zmtp_in = []
            Connection.receive_data(self, b"".join(batch), self._now)

    def _on_message(self, data: BytesLike) -> None:
        """As ``receive_message``, raising the peer's protocol errors; the ZMTP frame waits
        for ``_feed_zmtp``."""
        if 0 <= self._ws_limit < len(data):
            raise RemoteProtocolError(
                f"peer sent a {len(data)}-byte WebSocket message, over MAXMSGSIZE "
                f"({self.options.max_msg_size} bytes)",
                CODE,
            )
        if not data:
            raise RemoteProtocolError("peer sent a WebSocket message without a flags byte", CODE)
        ws_flags = data[0]
        body = bytes(data[1:])
        if self._raw:
            # ZWS2.0: the peer's first message is its routing id; stand in the READY the inner
            # NULL handshake waits for (no Socket-Type: accepted, as libzmq checks none here).
            if ws_flags & (WS_FLAG_MORE | WS_FLAG_COMMAND):
                raise RemoteProtocolError("ZWS2.0 routing id must be a single frame", CODE)
            self._raw = False
            ready = commands.ready({IDENTITY: body})
            self._zmtp_in.append(frame_header(len(ready), FLAG_COMMAND) + ready)
            return
        if ws_flags & WS_FLAG_COMMAND and not body:
            # libzmq's own ping/pong over ZWS: liveness only.
            self._on_liveness_command()
            return
        flags = (FLAG_MORE if ws_flags & WS_FLAG_MORE else 0) | (
            FLAG_COMMAND if ws_flags & WS_FLAG_COMMAND else 0
        )
        zmtp_in = self._zmtp_in
        zmtp_in.append(frame_header(len(body), flags))
        zmtp_in.append(body)

    def _on_liveness_command(self) -> None:
        """An empty COMMAND message arrived (libzmq's ping or pong over ZWS). Nothing to do
        here: a WebSocket that can send pongs answers it (``zmtp.zws``)."""

    # -- output ------------------------------------------------------------------------------

    def has_data_to_send(self) -> bool:
        return bool(self._pending) or super().has_data_to_send()

    def messages_to_send(self) -> list[bytes]:
        """The WebSocket binary messages to send now, in order (each one payload)."""
        chunks = Connection.data_to_send(self)
        if chunks:
            frames: list[tuple[int, bytes]] = []
            decode = self._out_frames.decode
            for chunk in chunks:
                decode(chunk, frames)
            if self._ws_open:
                self._send_frames(frames)
            else:
                self._zmtp_held += frames
        pending = self._pending
        if not pending:
            return []
        self._pending = []
        return pending

    def data_to_send(self) -> list[bytes | memoryview]:
        return list(self.messages_to_send())

    def _send_frames(self, frames: list[tuple[int, bytes]]) -> None:
        out = self._pending
        raw = self._raw is not None
        for flags, body in frames:
            if raw and flags & FLAG_COMMAND:
                continue  # ZWS2.0 carries no commands (our NULL READY included)
            ws_flags = (WS_FLAG_MORE if flags & FLAG_MORE else 0) | (
                WS_FLAG_COMMAND if flags & FLAG_COMMAND else 0
            )
            out.append(bytes((ws_flags,)) + bytes(body))

    def send_message_data(self, frames: Sequence[BytesLike]) -> list[bytes | memoryview]:
        self.send_message(frames)
        return self.data_to_send()

    def encode_turn(self, frames: Sequence[BytesLike]) -> bytes | None:
        return None  # every message goes out in WebSocket messages: ``send_message_data``

    def quiet_messages(self) -> list[Received] | None:
        # Output and timers are the WebSocket layer's too (``has_data_to_send``,
        # ``next_deadline``): the caller asks them one by one.
        return None


__all__ = [
    "CODE",
    "RAW_SUBPROTOCOL",
    "SUBPROTOCOL_PREFIX",
    "WS_FLAG_COMMAND",
    "WS_FLAG_MORE",
    "ZwsMessageConnection",
    "subprotocol",
    "subprotocols",
]
