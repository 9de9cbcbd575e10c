"""The 64-byte ZMTP 3.x greeting: encoding ours, parsing the peer's by byte count.

Owns the first 64 bytes of every connection (docs/protocol/zmtp.md §3, §4). The peer's greeting may
arrive in any fragments (libzmq sends 10 + 1 + 53 bytes, others send all 64 at once), so the parser
is fed incrementally and decides as early as each byte allows: byte 0 tells a ZMTP 1.0 peer, byte 9
an unversioned one, byte 10 the major version.

A ZMTP 2.0 peer (RFC 15: libzmq 3.x, JeroMQ 0.3) has a 12-byte greeting: byte 10 is its revision
(1) and byte 11 its socket type number. It is accepted when the parser is told so (``zmtp2``: the
NULL mechanism without ZAP, as libzmq rules, §4); the connection then speaks 2.0 to it. ZMTP 1.0
peers, and 2.0 peers of a socket with security, are refused with a ``RemoteProtocolError`` naming
their version.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError

GREETING_SIZE = 64
#: What a greeting holds up to the major version (signature + major): sent before anything of
#: the peer's is known; the rest waits for the peer's major (docs/protocol/zmtp.md §3.1).
GREETING_PREFIX_SIZE = 11
#: A ZMTP 2.0 greeting: signature, revision, socket type (RFC 15).
ZMTP2_GREETING_SIZE = 12
#: The revision byte of ZMTP 2.0, where 3.x has its major version.
ZMTP2_REVISION = 1
#: Socket type numbers a ZMTP 2.0 greeting can carry (PAIR=0 ... XSUB=10, RFC 15).
ZMTP2_MAX_SOCKET_TYPE = 10
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
    #: A ZMTP 2.0 peer's socket type number (its greeting's last byte); None for 3.x.
    zmtp2_socket_type: int | None = None


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

    __slots__ = ("_buf", "_mechanism", "_size", "_zmtp2", "greeting")

    def __init__(self, mechanism: bytes, *, zmtp2: bool = False) -> None:
        self._buf = bytearray()
        self._mechanism = mechanism.ljust(_MECHANISM_SIZE, b"\x00")
        #: Whether a ZMTP 2.0 peer is accepted (else refused at its revision byte).
        self._zmtp2 = zmtp2
        #: The size of the peer's greeting: 64, or 12 once byte 10 shows ZMTP 2.0.
        self._size = GREETING_SIZE
        self.greeting: Greeting | None = None

    @property
    def bytes_needed(self) -> int:
        return self._size - len(self._buf)

    @property
    def peer_major(self) -> int | None:
        """The peer's major version (2 for ZMTP 2.0) once its byte 10 arrived, else None."""
        if len(self._buf) <= 10:
            return None
        return 2 if self._size == ZMTP2_GREETING_SIZE else self._buf[10]

    def receive(self, data: bytes | bytearray | memoryview) -> int:
        if self.greeting is not None:
            return 0
        before = len(self._buf)
        take = min(len(data), self._size - before)
        if before <= 10 < before + take and data[10 - before] == ZMTP2_REVISION:
            take = min(take, ZMTP2_GREETING_SIZE - before)
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
            if buf[10] != ZMTP2_REVISION:
                raise RemoteProtocolError(
                    f"peer speaks ZMTP {_version_name(buf[10])}, purezmq needs 3.x"
                )
            if not self._zmtp2:
                # docs/protocol/zmtp.md §4: ZMTP 2.0 has no security handshake at all.
                raise RemoteProtocolError(
                    "peer speaks ZMTP 2.0, which has no security mechanism: only a NULL "
                    "socket without ZAP_DOMAIN talks to it"
                )
            self._size = ZMTP2_GREETING_SIZE
        if self._size == ZMTP2_GREETING_SIZE:
            if have == ZMTP2_GREETING_SIZE:
                self.greeting = Greeting(2, 0, b"NULL", False, buf[11])
            return
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
    "GREETING_PREFIX_SIZE",
    "GREETING_SIZE",
    "ZMTP2_GREETING_SIZE",
    "ZMTP2_MAX_SOCKET_TYPE",
    "VERSION_MAJOR",
    "VERSION_MINOR",
    "Greeting",
    "GreetingParser",
    "encode_greeting",
]
