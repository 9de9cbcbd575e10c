"""The ZAP request/reply codec (RFC 27), frame for frame as libzmq builds and checks it.

Owns the bytes exchanged with the handler bound at ``inproc://zeromq.zap.01`` (docs/protocol/zap.md
§2-3). Sans-IO: the engine carries the frames over its in-process pipe; mechanisms only hand over
``(mechanism, credentials)`` (``Mechanism.zap_request``) and take back a verdict
(``Mechanism.zap_reply``).

* ``build_request`` starts with the empty delimiter frame because libzmq's internal ZAP client
  behaves like a DEALER/REQ talking to a REP or ROUTER handler (zap.md §1); the version is
  ``1.0`` and the request id always ``1`` (spec note 23), the identity frame is the *server
  socket's own* ROUTING_ID, the address is the peer's IP without port.
* ``parse_reply`` applies libzmq's ``zap_client.cpp: receive_and_process_zap_reply`` checks in
  its order and raises ``RemoteProtocolError`` with the code a monitor would report
  (HANDSHAKE_FAILED_PROTOCOL). The caller then drops the connection.

Status codes (RFC 27 §"Reply"; zap.md §3) and what the server puts on the wire:

=====  ======================  ==================================================
200    OK                      continue the handshake (NULL READY, PLAIN WELCOME,
                               CURVE READY)
300    temporary failure       send nothing; the connection idles until the client
                               gives up or HANDSHAKE_IVL expires
400    authentication failure  send ERROR "400"
500    internal error          send ERROR "500"
=====  ======================  ==================================================
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum

from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError
from .metadata import decode_metadata, encode_metadata

#: The endpoint a ZAP handler binds in the server's context (RFC 27 §"Overall Design").
ZAP_ENDPOINT = "inproc://zeromq.zap.01"
#: RFC 27 protocol version; libzmq rejects any other value in replies.
ZAP_VERSION = b"1.0"
#: libzmq always uses this request id (spec note 23) and checks the reply echoes it.
ZAP_REQUEST_ID = b"1"
#: Valid status codes (libzmq: 3 bytes, first digit 2..5, then "00").
STATUS_CODES = (200, 300, 400, 500)
#: A reply is exactly this many frames, delimiter included (zap.md §3).
REPLY_FRAMES = 7

#: What a server sends to the client for each status: the ERROR reason, or None for nothing
#: (200 continues the handshake instead; 300 stays silent).
ERROR_REASON: dict[int, bytes | None] = {200: None, 300: None, 400: b"400", 500: b"500"}


def _text(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else bytes(value)


def build_request(
    *,
    domain: str | bytes,
    address: str | bytes,
    identity: bytes,
    mechanism: bytes,
    credentials: Sequence[bytes] = (),
    request_id: bytes = ZAP_REQUEST_ID,
) -> list[bytes]:
    """The frames of a ZAP request, starting with the empty delimiter (zap.md §2).

    ``identity`` is the server socket's own ROUTING_ID (libzmq, spec note 23), ``address`` the
    peer's IP address without port (pyzmq's allow/deny lists compare against exactly this),
    ``credentials`` per mechanism: NULL none, PLAIN (username, password), CURVE (the client's
    32-byte long-term public key).
    """
    return [
        b"",
        ZAP_VERSION,
        bytes(request_id),
        _text(domain),
        _text(address),
        bytes(identity),
        bytes(mechanism),
        *(bytes(c) for c in credentials),
    ]


@dataclass(frozen=True)
class ZapReply:
    """A validated ZAP reply. ``metadata`` keeps the handler's property names as spelled."""

    status: int
    status_text: bytes
    user_id: bytes
    metadata: dict[str, bytes] = field(default_factory=dict, hash=False)

    @property
    def accepted(self) -> bool:
        return self.status == 200


def parse_reply(frames: Sequence[bytes], request_id: bytes = ZAP_REQUEST_ID) -> ZapReply:
    """Validate the handler's reply (delimiter first) with libzmq's checks, in libzmq's order.

    Raises ``RemoteProtocolError`` with ZAP_MALFORMED_REPLY (not 7 frames), ZAP_UNSPECIFIED
    (non-empty delimiter), ZAP_BAD_VERSION, ZAP_BAD_REQUEST_ID, ZAP_INVALID_STATUS_CODE or
    ZAP_INVALID_METADATA.
    """
    if len(frames) != REPLY_FRAMES:
        # libzmq checks the MORE flag of each of the 7 frames it reads: fewer frames or more
        # frames both show up as a wrong MORE flag → ZAP_MALFORMED_REPLY.
        raise RemoteProtocolError(
            f"ZAP handler replied with {len(frames)} frames; a reply has exactly 7 "
            "(delimiter, version, request id, status code, status text, user id, metadata)",
            ProtocolErrorCode.ZAP_MALFORMED_REPLY,
        )
    delimiter, version, reply_id, status, status_text, user_id, metadata = (
        bytes(f) for f in frames
    )
    if delimiter:
        raise RemoteProtocolError(
            "ZAP handler reply does not start with an empty delimiter frame",
            ProtocolErrorCode.ZAP_UNSPECIFIED,
        )
    if version != ZAP_VERSION:
        raise RemoteProtocolError(
            f"ZAP handler replied with version {version!r}; only b'1.0' is valid",
            ProtocolErrorCode.ZAP_BAD_VERSION,
        )
    if reply_id != request_id:
        raise RemoteProtocolError(
            f"ZAP handler replied to request id {reply_id!r}, not to {request_id!r}",
            ProtocolErrorCode.ZAP_BAD_REQUEST_ID,
        )
    if len(status) != 3 or status[0] not in b"2345" or status[1:] != b"00":
        raise RemoteProtocolError(
            f"ZAP handler replied with status code {status!r}; it must be 200, 300, 400 or 500",
            ProtocolErrorCode.ZAP_INVALID_STATUS_CODE,
        )
    props = decode_metadata(metadata, ProtocolErrorCode.ZAP_INVALID_METADATA)
    return ZapReply(int(status), status_text, user_id, props)


class ZapPolicy(Enum):
    """What a new connection does about ZAP (zap.md §4, libzmq ``session_base.cpp`` and the
    mechanisms' ``zap_connect`` calls)."""

    #: Never ask: build the mechanism without ZAP (NullMechanism(zap=False),
    #: CurveServer(zap=False)); clients always get this.
    SKIP = "skip"
    #: Build the mechanism with ZAP on and forward its ``ZapRequest`` to the handler.
    ASK = "ask"
    #: Build the mechanism with ZAP on, but no handler is bound: when its ``ZapRequest`` comes,
    #: fail the handshake without sending anything (monitor HANDSHAKE_FAILED_NO_DETAIL, EFAULT).
    FAIL = "fail"


def zap_policy(
    mechanism: bytes,
    *,
    as_server: bool,
    domain: bytes | str,
    enforce_domain: bool,
    handler_bound: bool,
) -> ZapPolicy:
    """libzmq's rules for whether a connection consults ZAP (zap.md §4)."""
    if mechanism == b"NULL":
        # NULL asks only when ZAP_DOMAIN is set; a missing handler is fatal only when enforced.
        if not domain:
            return ZapPolicy.SKIP
        if handler_bound:
            return ZapPolicy.ASK
        return ZapPolicy.FAIL if enforce_domain else ZapPolicy.SKIP
    if not as_server:
        return ZapPolicy.SKIP
    if mechanism == b"PLAIN":
        # libzmq >= 4.3.0: a PLAIN server without a handler refuses everybody (spec note 22).
        return ZapPolicy.ASK if handler_bound else ZapPolicy.FAIL
    # CURVE (and any other server mechanism): without enforcement, ask whenever a handler is
    # bound, otherwise accept every client ("Stonehouse"); with enforcement, only a domain
    # switches ZAP on, and then a missing handler is fatal.
    if enforce_domain:
        if not domain:
            return ZapPolicy.SKIP
        return ZapPolicy.ASK if handler_bound else ZapPolicy.FAIL
    return ZapPolicy.ASK if handler_bound else ZapPolicy.SKIP


def build_reply(
    status: int,
    status_text: bytes = b"",
    user_id: bytes = b"",
    metadata: Mapping[str, bytes] | bytes = b"",
    request_id: bytes = ZAP_REQUEST_ID,
) -> list[bytes]:
    """The 7 frames of a reply, delimiter first (handlers and tests); ``metadata`` is a
    property mapping or its already encoded bytes."""
    if status not in STATUS_CODES:
        raise ValueError(f"a ZAP status code is 200, 300, 400 or 500, not {status}")
    raw = bytes(metadata) if isinstance(metadata, bytes) else encode_metadata(metadata)
    return [b"", ZAP_VERSION, request_id, str(status).encode(), status_text, user_id, raw]


__all__ = [
    "ZAP_ENDPOINT",
    "ZAP_VERSION",
    "ZAP_REQUEST_ID",
    "STATUS_CODES",
    "REPLY_FRAMES",
    "ERROR_REASON",
    "ZapReply",
    "ZapPolicy",
    "zap_policy",
    "build_request",
    "parse_reply",
    "build_reply",
]
