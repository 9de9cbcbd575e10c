"""The 64-byte ZMTP 3.x greeting: encoding ours, parsing the peer's by byte count.

Owns the first 64 bytes of every connection (docs/protocol/zmtp.md §3, §4). The peer's greeting may
arrive in any fragments (libzmq sends 10 + 1 + 53 bytes, others send all 64 at once), so the parser
is fed incrementally and decides as early as each byte allows: byte 0 tells a ZMTP 1.0 peer, byte 9
an unversioned one, byte 10 the major version. purezmq speaks only 3.x; older peers are refused
with a ``RemoteProtocolError`` naming their version (optional fallback left out, §4 "Advice").
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError

GREETING_SIZE = 64
#: Our protocol version: 3.1 (RFC 37). A 3.0 announcement is only used by tests.
VERSION_MAJOR = 3
VERSION_MINOR = 1

_SIGNATURE_PADDING = struct.Struct(">Q")
_MECHANISM_SIZE = 20


@dataclass(frozen=True, slots=True)
class Greeting:
    """What the peer announced in its greeting."""

    major: int
    minor: int
    #: The mechanism name without its NUL padding, e.g. ``b"NULL"``.
    mechanism: bytes
    #: The as-server bit. libzmq always sends 0 (docs/protocol/zmtp.md §3), so never rely on it.
    as_server: bool


def encode_greeting(
    mechanism: bytes,
    *,
    as_server: bool = False,
    routing_id_length: int = 0,
    minor: int = VERSION_MINOR,
) -> bytes:
    """Our whole 64-byte greeting, sent at once as soon as the transport connects (spec §3.1).

    The 8 padding bytes carry ``routing_id_length + 1`` as libzmq does (a ZMTP 1.0 compatibility
    trick, docs/protocol/zmtp.md §3); peers must not validate them.
    """
    if len(mechanism) > _MECHANISM_SIZE:
        raise ValueError(f"mechanism name {mechanism!r} is longer than 20 bytes")
    return b"".join(
        (
            b"\xff",
            _SIGNATURE_PADDING.pack(routing_id_length + 1),
            b"\x7f",
            bytes((VERSION_MAJOR, minor)),
            mechanism.ljust(_MECHANISM_SIZE, b"\x00"),
            b"\x01" if as_server else b"\x00",
            bytes(31),
        )
    )


def _version_name(major: int) -> str:
    return {0: "1.0", 1: "2.0"}.get(major, f"{major}.x")


class GreetingParser:
    """Incremental parser of the peer's greeting.

    ``receive(data)`` consumes at most what the greeting still needs and returns how many bytes
    it took; the rest belongs to the frame decoder. ``greeting`` is set once all 64 bytes arrived.
    Raises ``RemoteProtocolError`` as soon as the bytes seen rule the peer out.
    """

    __slots__ = ("_buf", "_mechanism", "greeting")

    def __init__(self, mechanism: bytes) -> None:
        self._buf = bytearray()
        self._mechanism = mechanism.ljust(_MECHANISM_SIZE, b"\x00")
        self.greeting: Greeting | None = None

    @property
    def bytes_needed(self) -> int:
        return GREETING_SIZE - len(self._buf)

    def receive(self, data: bytes | bytearray | memoryview) -> int:
        if self.greeting is not None:
            return 0
        before = len(self._buf)
        take = min(len(data), GREETING_SIZE - before)
        self._buf += data[:take]
        self._check(before)
        return take

    def _check(self, before: int) -> None:
        buf = self._buf
        have = len(buf)
        # Checks run once each, when the byte they need first becomes available.
        if before < 1 <= have and buf[0] != 0xFF:
            # docs/protocol/zmtp.md §4: a first byte other than 0xFF is a ZMTP 1.0 length byte.
            raise RemoteProtocolError(
                "peer speaks ZMTP 1.0 (its first byte is not the 0xFF signature), purezmq needs 3.x"
            )
        if before < 10 <= have and not buf[9] & 0x01:
            raise RemoteProtocolError(
                "peer speaks ZMTP 1.0 (signature byte 9 has its low bit clear), purezmq needs 3.x"
            )
        if before < 11 <= have and buf[10] < VERSION_MAJOR:
            raise RemoteProtocolError(
                f"peer speaks ZMTP {_version_name(buf[10])}, purezmq needs 3.x"
            )
        if have < GREETING_SIZE:
            return
        mechanism = bytes(buf[12:32])
        if mechanism != self._mechanism:
            theirs = mechanism.rstrip(b"\x00")
            ours = self._mechanism.rstrip(b"\x00")
            raise RemoteProtocolError(
                f"security mechanism mismatch: peer uses {theirs!r}, we use {ours!r}",
                ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH,
            )
        # Any major >= 3 is accepted (spec §3.1); libzmq applies 3.1 rules to majors above 3.
        minor = buf[11] if buf[10] == VERSION_MAJOR else VERSION_MINOR
        self.greeting = Greeting(buf[10], minor, mechanism.rstrip(b"\x00"), bool(buf[32] & 1))


__all__ = [
    "GREETING_SIZE",
    "VERSION_MAJOR",
    "VERSION_MINOR",
    "Greeting",
    "GreetingParser",
    "encode_greeting",
]
