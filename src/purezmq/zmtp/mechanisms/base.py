"""The interface every security mechanism (NULL, PLAIN, CURVE) implements for ``Connection``.

Owns the contract between the connection state machine and a mechanism (docs/architecture.md §2). A
mechanism is sans-IO: it turns received handshake commands into commands to send, and never sees
a socket or a clock. The connection does the framing, the greeting, timers and the checks on the
peer's ``Socket-Type``; the mechanism does only what differs between mechanisms:

* ``start(metadata)`` once the peer's greeting arrived: returns the command bodies to send first
  (NULL: READY at once, docs/protocol/zmtp.md §7.1; PLAIN/CURVE client: HELLO; servers: nothing).
* ``receive_command(name, data)`` per handshake command (``name`` already split off the body,
  libzmq's ``^RROR`` already mapped to ``ERROR``): returns command bodies to send, raises
  ``RemoteProtocolError`` on a bad or out-of-order command, and moves ``status``.
  ERROR from the peer sets ``status = ERROR`` and ``error_reason`` (helper ``_peer_error``).
* ZAP (zap.md): when the mechanism needs a verdict it stores the credentials; the connection
  collects them with ``zap_request()`` after every call and emits a ``ZapRequest`` event. The
  engine answers through ``Connection.zap_reply`` which calls ``zap_reply(status, user_id,
  metadata)``: it returns the commands to send (READY/WELCOME on 200, ERROR on 400/500, nothing
  on 300) and, on refusal, sets ``status = ERROR`` and ``zap_status``.
* After the handshake, ``wraps_frames`` mechanisms (CURVE) see every frame: ``encode_frame``
  turns one ZMTP frame (MORE/COMMAND bits) into the body of the frame actually sent (a MESSAGE
  command body, sent by the connection as a plain message frame like libzmq, mechanisms.md
  §3.8), and ``decode_frame`` turns any received frame body back into ``(payload, more,
  command)``, the COMMAND bit carrying PING/PONG/SUBSCRIBE/… inside the encryption.
  The connection itself uses the batch forms: ``wrap_messages(messages, encoder)`` (all the
  messages queued since the last ``data_to_send``) and ``wrap_command(body, encoder)`` queue
  the finished frames on the ``FrameEncoder``; ``unwrap_frames(frames, out)`` turns a batch of
  received ``(flags, body)`` frames into the plain ``(flags, payload)`` frames they carry
  (ZMTP MORE/COMMAND bits), and ``unwrap_data`` may do the same straight from received bytes.
  The defaults here go through ``encode_frame``/``decode_frame``; CURVE overrides them to
  build and open frames in place.
  NULL and PLAIN leave ``wraps_frames`` False and frames go through untouched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from typing import ClassVar

from ..._typing import BytesLike
from ...constants import ProtocolErrorCode
from ...error import LocalProtocolError, RemoteProtocolError
from .. import commands
from ..codec import FLAG_COMMAND, FLAG_MORE, FrameEncoder


class MechanismStatus(Enum):
    HANDSHAKING = "handshaking"
    READY = "ready"
    ERROR = "error"


class Mechanism:
    """Base class; see the module docstring for the protocol."""

    #: The name in the greeting's mechanism field (at most 20 ASCII bytes).
    name: ClassVar[bytes] = b""
    #: Whether frames after the handshake pass through ``encode_frame``/``decode_frame``.
    wraps_frames: ClassVar[bool] = False
    #: Bytes a wrapped frame adds to the ZMTP frame it carries (CURVE MESSAGE: 8-byte name,
    #: 8-byte nonce, 16-byte tag, 1 flags byte = 33); MAXMSGSIZE is raised by this much.
    frame_overhead: ClassVar[int] = 0

    @property
    def allows_zmtp2(self) -> bool:
        """Whether a ZMTP 2.0 peer may connect: it has no handshake, so only a mechanism with
        nothing to check (NULL without ZAP) allows it (docs/protocol/zmtp.md §4)."""
        return False

    def __init__(self, *, as_server: bool = False) -> None:
        #: Our role, from local options only (the peer's as-server byte is never trusted).
        self.as_server = as_server
        self.status = MechanismStatus.HANDSHAKING
        #: The peer's properties (READY/INITIATE metadata), names as the peer spelled them.
        self.peer_metadata: dict[str, bytes] = {}
        #: Properties our ZAP handler attached (``User-Id`` plus its metadata), merged into the
        #: connection's peer metadata on success.
        self.zap_properties: dict[str, bytes] = {}
        #: Reason of an ERROR the peer sent, when ``status`` became ERROR that way.
        self.error_reason: bytes | None = None
        #: ZAP status (300/400/500) when our ZAP handler refused the peer.
        self.zap_status: int | None = None
        self._zap_credentials: tuple[bytes, ...] | None = None

    # -- handshake ---------------------------------------------------------------------------

    def start(self, metadata: Mapping[str, bytes]) -> list[bytes]:
        """Begin the handshake with our ``metadata``; returns command bodies to send."""
        raise NotImplementedError

    def receive_command(self, name: bytes, data: bytes) -> list[bytes]:
        """Handle one handshake command; returns command bodies to send."""
        raise NotImplementedError

    def zap_request(self) -> tuple[bytes, ...] | None:
        """Credentials for a pending ZAP request (once), or None."""
        creds = self._zap_credentials
        self._zap_credentials = None
        return creds

    def zap_reply(
        self, status: int, user_id: bytes = b"", metadata: Mapping[str, bytes] | None = None
    ) -> list[bytes]:
        """The ZAP handler's verdict; returns command bodies to send."""
        raise LocalProtocolError(
            f"the {self.name.decode()} mechanism did not ask for a ZAP verdict",
            ProtocolErrorCode.ZAP_UNSPECIFIED,
        )

    # -- after the handshake ------------------------------------------------------------------

    def encode_frame(self, body: bytes, *, more: bool, command: bool) -> bytes:
        """The body of the frame that carries ``body`` (only when ``wraps_frames``)."""
        raise NotImplementedError

    def decode_frame(self, body: bytes) -> tuple[bytes, bool, bool]:
        """``(payload, more, command)`` of a received frame (only when ``wraps_frames``)."""
        raise NotImplementedError

    def wrap_message(self, frames: Sequence[BytesLike], encoder: FrameEncoder) -> None:
        """Queue the frames that carry one whole message (MORE on all but the last)."""
        last = len(frames) - 1
        for i, body in enumerate(frames):
            encoder.frame(self.encode_frame(bytes(body), more=i < last, command=False))

    def wrap_messages(self, messages: Sequence[Sequence[BytesLike]], encoder: FrameEncoder) -> None:
        """``wrap_message`` for each message, in order (one call for a batch)."""
        for frames in messages:
            self.wrap_message(frames, encoder)

    def wrap_command(self, body: bytes, encoder: FrameEncoder) -> None:
        """Queue the frame that carries one command (PING, PONG, SUBSCRIBE, ...)."""
        encoder.frame(self.encode_frame(body, more=False, command=True))

    def unwrap_frames(
        self, frames: Sequence[tuple[int, bytes]], out: list[tuple[int, bytes]]
    ) -> None:
        """Append the ``(flags, payload)`` frame each received frame carries to ``out``, flags
        in ZMTP terms (``FLAG_MORE``, ``FLAG_COMMAND``). On a bad frame, raise: the frames
        before it are already in ``out``."""
        for _, body in frames:
            payload, more, command = self.decode_frame(body)
            out.append(((FLAG_MORE if more else 0) | (FLAG_COMMAND if command else 0), payload))

    def unwrap_data(
        self,
        data: bytes,
        out: list[tuple[int, bytes]],
        max_size: int,
        messages: list[list[bytes]] | None = None,
    ) -> int:
        """``unwrap_frames`` for the whole frames at the start of received ``data``, read in
        place (an optional shortcut: the default takes none). Returns the bytes used; the rest
        goes through the frame decoder and ``unwrap_frames``. Frames larger than ``max_size``
        (-1: no limit) must be left to the decoder, which rejects them. With ``messages`` (no
        message part is pending), the leading frames that are whole one-part messages may be
        appended there as ``[payload]`` instead of to ``out``; once one frame went to ``out``,
        all later ones must follow it there."""
        return 0

    # -- helpers for subclasses -----------------------------------------------------------------

    def _request_zap(self, *credentials: bytes) -> None:
        self._zap_credentials = credentials

    def _accept_zap(self, user_id: bytes, metadata: Mapping[str, bytes] | None) -> None:
        self.zap_properties = {"User-Id": user_id, **(metadata or {})}

    def _refuse_zap(self, status: int) -> list[bytes]:
        """Move to ERROR for a ZAP refusal; returns the ERROR to send (none for 300, zap.md §3)."""
        self.status = MechanismStatus.ERROR
        self.zap_status = status
        if status == 300:
            return []
        return [commands.error(str(status).encode())]

    def _peer_error(self, data: bytes) -> list[bytes]:
        """The peer sent ERROR: the handshake has failed (RFC 23 §ERROR)."""
        self.error_reason = commands.parse_error(data)
        self.status = MechanismStatus.ERROR
        return []

    def _unexpected(self, name: bytes, state: str) -> RemoteProtocolError:
        shown = name.decode("latin-1")
        return RemoteProtocolError(
            f"peer sent {shown!r} while the {self.name.decode()} handshake {state}",
            ProtocolErrorCode.ZMTP_UNEXPECTED_COMMAND,
        )


def check_zap_status(status: int) -> int:
    """Validate a ZAP status code (zap.md §3: 200, 300, 400 or 500)."""
    if status not in (200, 300, 400, 500):
        raise RemoteProtocolError(
            f"ZAP handler answered status {status}; it must be 200, 300, 400 or 500",
            ProtocolErrorCode.ZAP_INVALID_STATUS_CODE,
        )
    return status


__all__ = ["Mechanism", "MechanismStatus", "check_zap_status"]
