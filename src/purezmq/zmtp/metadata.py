"""The ZMTP metadata property list carried by READY and INITIATE.

Owns the encoding of docs/protocol/zmtp.md §7.2 (RFC 23 §"The READY command"): ``name-len(1) name
value-len(4, uint32 BE) value``, repeated. We emit the canonical spellings (``Socket-Type``,
``Identity``) because libzmq matches names case-sensitively, and we look names up
case-insensitively on receive as the RFC asks. Also used for ZAP reply metadata (zap.md §3).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping

from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError

_VALUE_LENGTH = struct.Struct(">I")

SOCKET_TYPE = "Socket-Type"
IDENTITY = "Identity"


def encode_metadata(properties: Mapping[str, bytes]) -> bytes:
    """Encode properties in the mapping's order. Names are 1..255 ASCII bytes."""
    parts: list[bytes] = []
    for name, value in properties.items():
        raw = name.encode("ascii")
        if not 0 < len(raw) <= 255:
            raise ValueError(f"metadata property name {name!r} must be 1..255 bytes long")
        parts.append(bytes((len(raw),)))
        parts.append(raw)
        parts.append(_VALUE_LENGTH.pack(len(value)))
        parts.append(bytes(value))
    return b"".join(parts)


def decode_metadata(
    data: bytes, code: int = ProtocolErrorCode.ZMTP_INVALID_METADATA
) -> dict[str, bytes]:
    """Decode a property list; names keep the peer's spelling (decoded as Latin-1).

    Raises ``RemoteProtocolError(code)`` when bytes are left over that do not form a complete
    property (libzmq ``mechanism.cpp: parse_metadata`` → EPROTO).
    """
    props: dict[str, bytes] = {}
    pos = 0
    end = len(data)
    while pos < end:
        name_len = data[pos]
        pos += 1
        if end - pos < name_len + 4:
            raise RemoteProtocolError(
                f"peer sent truncated metadata: property name of {name_len} bytes "
                f"and its value length do not fit in the {end - pos} bytes left",
                code,
            )
        name = data[pos : pos + name_len].decode("latin-1")
        pos += name_len
        value_len = _VALUE_LENGTH.unpack_from(data, pos)[0]
        pos += 4
        if end - pos < value_len:
            raise RemoteProtocolError(
                f"peer sent truncated metadata: property {name!r} announces a "
                f"{value_len}-byte value but only {end - pos} bytes are left",
                code,
            )
        props[name] = data[pos : pos + value_len]
        pos += value_len
    return props


def get_property(properties: Mapping[str, bytes], name: str) -> bytes | None:
    """Look a property up by name, ignoring case (RFC 37: names are case-insensitive)."""
    value = properties.get(name)
    if value is not None:
        return value
    folded = name.casefold()
    for key, val in properties.items():
        if key.casefold() == folded:
            return val
    return None


__all__ = ["SOCKET_TYPE", "IDENTITY", "encode_metadata", "decode_metadata", "get_property"]
