"""ZMTP command bodies: name-length, name, data (docs/protocol/zmtp.md §6).

Owns building and parsing of every command that is not mechanism-specific: READY (the metadata
is in ``metadata.py``), ERROR, SUBSCRIBE, CANCEL, PING, PONG, JOIN, LEAVE. Bodies are returned
without the frame header; ``codec.FrameEncoder.command`` adds it. Parsing accepts libzmq's
mangled PLAIN ERROR prefix ``^RROR`` (0x5E 'RROR', mechanisms.md §2.3) as ERROR.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError
from .metadata import encode_metadata

READY = b"READY"
ERROR = b"ERROR"
HELLO = b"HELLO"
WELCOME = b"WELCOME"
INITIATE = b"INITIATE"
MESSAGE = b"MESSAGE"
SUBSCRIBE = b"SUBSCRIBE"
CANCEL = b"CANCEL"
PING = b"PING"
PONG = b"PONG"
JOIN = b"JOIN"
LEAVE = b"LEAVE"

#: RFC 37 / libzmq: PING carries at most 16 context bytes and PONG echoes at most that many.
MAX_PING_CONTEXT = 16
#: libzmq multiplies the received TTL by 100 in a 16-bit variable (libzmq#4226, spec §9.2), so
#: anything above 655 deciseconds makes it drop the connection almost at once.
MAX_PING_TTL = 655

_TTL = struct.Struct(">H")
_MANGLED_ERROR = b"^RROR"

_PREFIX = {
    name: bytes((len(name),)) + name
    for name in (
        READY,
        ERROR,
        HELLO,
        WELCOME,
        INITIATE,
        MESSAGE,
        SUBSCRIBE,
        CANCEL,
        PING,
        PONG,
        JOIN,
        LEAVE,
    )
}


def command_body(name: bytes, data: bytes = b"") -> bytes:
    """A command body: ``len(name)`` byte, ``name``, ``data``."""
    prefix = _PREFIX.get(name)
    if prefix is None:
        if not 0 < len(name) <= 255:
            raise ValueError(f"command name {name!r} must be 1..255 bytes long")
        prefix = bytes((len(name),)) + name
    return prefix + data


def parse_command(body: bytes) -> tuple[bytes, bytes]:
    """Split a command body into ``(name, data)``.

    Raises ``RemoteProtocolError`` when the name length runs past the end of the body.
    """
    if body[:5] == _MANGLED_ERROR:
        # libzmq >= 4.3.0 PLAIN servers write "\x05ERROR" as a C string where "\x05E" is one
        # hex escape (0x5E), so the body starts "^RROR" with no separate length byte.
        return ERROR, body[5:]
    if not body:
        raise RemoteProtocolError(
            "peer sent an empty command frame (a command needs at least a name)",
            ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        )
    name_len = body[0]
    if name_len == 0 or len(body) < 1 + name_len:
        raise RemoteProtocolError(
            f"peer sent a malformed command: name length {name_len} in a "
            f"{len(body)}-byte command body",
            ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        )
    return body[1 : 1 + name_len], body[1 + name_len :]


def ready(properties: Mapping[str, bytes]) -> bytes:
    return _PREFIX[READY] + encode_metadata(properties)


def error(reason: bytes) -> bytes:
    """ERROR with a reason of 0..255 bytes (RFC 23; libzmq sends a 3-digit ZAP status)."""
    if len(reason) > 255:
        raise ValueError("an ERROR reason is at most 255 bytes")
    return _PREFIX[ERROR] + bytes((len(reason),)) + reason


def parse_error(data: bytes) -> bytes:
    """The reason of an ERROR command (``data`` after the name). Trailing bytes are ignored,
    as in libzmq ``mechanism_base.cpp``."""
    if not data or data[0] > len(data) - 1:
        raise RemoteProtocolError(
            "peer sent a malformed ERROR command: its reason length does not match its size",
            ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_ERROR,
        )
    return data[1 : 1 + data[0]]


def auth_status(reason: bytes) -> int | None:
    """300/400/500 when an ERROR reason is a ZAP status code (libzmq ``handle_error_reason``)."""
    if len(reason) == 3 and reason[0] in b"345" and reason[1:] == b"00":
        return int(reason)
    return None


def subscribe(topic: bytes) -> bytes:
    return _PREFIX[SUBSCRIBE] + topic


def cancel(topic: bytes) -> bytes:
    return _PREFIX[CANCEL] + topic


def ping(ttl_deciseconds: int = 0, context: bytes = b"") -> bytes:
    if not 0 <= ttl_deciseconds <= 0xFFFF:
        raise ValueError("a PING TTL is a uint16 number of deciseconds")
    if len(context) > MAX_PING_CONTEXT:
        raise ValueError("a PING context is at most 16 bytes")
    return _PREFIX[PING] + _TTL.pack(ttl_deciseconds) + context


def parse_ping(data: bytes) -> tuple[int, bytes]:
    """``(ttl_deciseconds, context)``; the context is truncated to 16 bytes for the PONG."""
    if len(data) < 2:
        raise RemoteProtocolError(
            f"peer sent a malformed PING: {len(data)} data bytes, a PING needs a 2-byte TTL",
            ProtocolErrorCode.ZMTP_MALFORMED_COMMAND_UNSPECIFIED,
        )
    return _TTL.unpack_from(data)[0], data[2 : 2 + MAX_PING_CONTEXT]


def pong(context: bytes = b"") -> bytes:
    return _PREFIX[PONG] + context[:MAX_PING_CONTEXT]


def join(group: bytes) -> bytes:
    if len(group) > 255:
        raise ValueError("a group name is at most 255 bytes")
    return _PREFIX[JOIN] + group


def leave(group: bytes) -> bytes:
    if len(group) > 255:
        raise ValueError("a group name is at most 255 bytes")
    return _PREFIX[LEAVE] + group


__all__ = [
    "READY",
    "ERROR",
    "HELLO",
    "WELCOME",
    "INITIATE",
    "MESSAGE",
    "SUBSCRIBE",
    "CANCEL",
    "PING",
    "PONG",
    "JOIN",
    "LEAVE",
    "MAX_PING_CONTEXT",
    "MAX_PING_TTL",
    "command_body",
    "parse_command",
    "ready",
    "error",
    "parse_error",
    "auth_status",
    "subscribe",
    "cancel",
    "ping",
    "parse_ping",
    "pong",
    "join",
    "leave",
]
