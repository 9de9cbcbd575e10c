"""PGM packets (RFC 3208 §8): encode and decode the types a libzmq/OpenPGM peer exchanges.

Common header (16 bytes, big-endian): source port, destination port, type, options bits,
checksum, GSI (6 bytes), TSDU length. The checksum is the Internet one's-complement sum over the
whole packet with the field zeroed (RFC 3208 §8, RFC 1071); OpenPGM sets it on every packet.

Types used: SPM, ODATA, RDATA, NAK, NCF, SPMR (§8.1–8.3, §13.6). Options (§9: type, length,
two reserved bytes, value; the first is OPT_LENGTH with the options' total length) are parsed far
enough to read OPT_NAK_LIST (NAKs and NCFs for several sequence numbers) and to skip the rest;
a packet carrying OPT_FRAGMENT is reported so that the caller can refuse it (libzmq never
fragments: it sizes each APDU to fit one packet).
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field

SPM = 0x00
ODATA = 0x04
RDATA = 0x05
NAK = 0x08
NCF = 0x0A
SPMR = 0x0C

OPT_PRESENT = 0x01
OPT_NETWORK = 0x02
OPT_LENGTH = 0x00
OPT_FRAGMENT = 0x01
OPT_NAK_LIST = 0x02
OPT_END = 0x80
#: NLA address family: IPv4 (RFC 1700 / RFC 3208 §8.1).
AFI_IPV4 = 1

HEADER = struct.Struct("!HHBBH6sH")
_SPM_BODY = struct.Struct("!IIIHH4s")
_DATA_BODY = struct.Struct("!II")
_NAK_BODY = struct.Struct("!IHH4sHH4s")
HEADER_SIZE = HEADER.size
#: Bytes before the TSDU of an ODATA/RDATA packet without options.
DATA_HEADER_SIZE = HEADER_SIZE + _DATA_BODY.size
#: What OpenPGM reserves per packet for a fragmentable APDU (header, data header, OPT_LENGTH,
#: OPT_FRAGMENT): the maximum TSDU it announces (PGM_MSS) is MAXTPDU minus IP/UDP and this.
RESERVED_PER_PACKET = DATA_HEADER_SIZE + 4 + 16


def checksum(data: bytes | bytearray | memoryview) -> int:
    """The Internet checksum (RFC 1071) of ``data``: 0xFFFF for an all-zero sum, never 0,
    since 0 on the wire means "no checksum" (RFC 3208 §8).

    The one's-complement sum of 16-bit words is the data read as one big number modulo
    0xFFFF (2**16 ≡ 1), which ``int.from_bytes`` computes in C.
    """
    value = int.from_bytes(data, "big")
    if len(data) % 2:
        value <<= 8
    return (~(value % 0xFFFF) & 0xFFFF) or 0xFFFF


def _verify(data: bytes) -> bool:
    """A packet with its checksum in place sums to zero (one's complement)."""
    value = int.from_bytes(data, "big")
    if len(data) % 2:
        value <<= 8
    return value % 0xFFFF == 0


def _finish(packet: bytearray) -> bytes:
    packet[6:8] = checksum(packet).to_bytes(2, "big")
    return bytes(packet)


@dataclass(frozen=True, slots=True)
class Tsi:
    """Transport session identifier: the GSI and the source port (RFC 3208 §3)."""

    gsi: bytes
    sport: int


@dataclass(slots=True)
class Packet:
    """A decoded PGM packet. Fields not used by ``type`` keep their defaults."""

    type: int
    sport: int
    dport: int
    gsi: bytes
    #: ODATA/RDATA: data_sqn; SPM: spm_sqn; NAK/NCF: the first requested sqn.
    sqn: int = 0
    #: ODATA/RDATA/SPM: the trailing edge of the source's transmit window.
    trail: int = 0
    #: SPM: the leading edge.
    lead: int = 0
    #: SPM: the source's path address; NAK/NCF: the source's address.
    nla: bytes = b""
    #: NAK/NCF: the multicast group.
    group: bytes = b""
    payload: bytes = b""
    #: NAK/NCF: every sqn asked for (``sqn`` and the OPT_NAK_LIST ones).
    sqns: list[int] = field(default_factory=list)
    fragment: bool = False

    @property
    def tsi(self) -> Tsi:
        """The source's TSI; NAK/NCF travel upstream with the ports swapped (§8)."""
        return Tsi(self.gsi, self.dport if self.type in (NAK, SPMR) else self.sport)


def _options(options: bytes, sqns: list[int]) -> tuple[bool, int]:
    """Walk the options (RFC 3208 §9): (OPT_FRAGMENT seen, their total length)."""
    if len(options) < 4 or options[0] != OPT_LENGTH or options[1] != 4:
        raise ValueError("options do not start with OPT_LENGTH")
    total = int.from_bytes(options[2:4], "big")
    if total > len(options) or total < 4:
        raise ValueError("bad OPT_LENGTH")
    pos = 4
    fragment = False
    while pos + 2 <= total:
        kind, length = options[pos], options[pos + 1]
        if length < 2 or pos + length > total:
            raise ValueError("bad option length")
        base = kind & 0x7F
        if base == OPT_FRAGMENT:
            fragment = True
        elif base == OPT_NAK_LIST:
            body = options[pos + 4 : pos + length]
            sqns.extend(x for (x,) in struct.iter_unpack("!I", body[: len(body) // 4 * 4]))
        pos += length
        if kind & OPT_END:
            break
    return fragment, total


def decode(data: bytes | bytearray | memoryview) -> Packet:
    """Parse one PGM packet; ``ValueError`` says why one is refused (bad checksum, too short,
    a type this implementation does not handle)."""
    buf = data if isinstance(data, bytes) else bytes(data)
    if len(buf) < HEADER_SIZE:
        raise ValueError("shorter than the PGM header")
    sport, dport, kind, opts, csum, gsi, tsdu = HEADER.unpack_from(buf)
    if csum:
        if not _verify(buf):
            raise ValueError("bad checksum")
    elif kind in (ODATA, RDATA):
        raise ValueError("data packet without a checksum")
    packet = Packet(kind, sport, dport, gsi)
    body = memoryview(buf)[HEADER_SIZE:]
    if kind == SPM:
        if len(body) < _SPM_BODY.size:
            raise ValueError("short SPM")
        packet.sqn, packet.trail, packet.lead, afi, _r, nla = _SPM_BODY.unpack_from(body)
        if afi != AFI_IPV4:
            raise ValueError("SPM path NLA is not IPv4")
        packet.nla = bytes(nla)
    elif kind in (ODATA, RDATA):
        if len(body) < _DATA_BODY.size:
            raise ValueError("short data packet")
        packet.sqn, packet.trail = _DATA_BODY.unpack_from(body)
        rest = body[_DATA_BODY.size :]
        if opts & OPT_PRESENT:
            packet.fragment, used = _options(bytes(rest), [])
            rest = rest[used:]
        if len(rest) != tsdu:
            raise ValueError("TSDU length does not match the packet")
        packet.payload = bytes(rest)
    elif kind in (NAK, NCF):
        if len(body) < _NAK_BODY.size:
            raise ValueError("short NAK/NCF")
        sqn, afi, _r, nla, gafi, _r2, grp = _NAK_BODY.unpack_from(body)
        if afi != AFI_IPV4 or gafi != AFI_IPV4:
            raise ValueError("NAK/NCF addresses are not IPv4")
        packet.sqn, packet.nla, packet.group = sqn, nla, grp
        packet.sqns = [sqn]
        if opts & OPT_PRESENT:
            _options(bytes(body[_NAK_BODY.size :]), packet.sqns)
    elif kind != SPMR:
        raise ValueError(f"unhandled PGM type 0x{kind:02x}")
    return packet


def encode_spm(
    sport: int, dport: int, gsi: bytes, spm_sqn: int, trail: int, lead: int, nla: bytes
) -> bytes:
    out = bytearray(HEADER.pack(sport, dport, SPM, 0, 0, gsi, 0))
    out += _SPM_BODY.pack(spm_sqn, trail, lead & 0xFFFFFFFF, AFI_IPV4, 0, nla)
    return _finish(out)


def encode_data(
    sport: int, dport: int, gsi: bytes, sqn: int, trail: int, tsdu: bytes, *, repair: bool = False
) -> bytes:
    """ODATA (or RDATA, ``repair``) without options: one whole APDU (RFC 3208 §8.2)."""
    kind = RDATA if repair else ODATA
    out = bytearray(HEADER.pack(sport, dport, kind, 0, 0, gsi, len(tsdu)))
    out += _DATA_BODY.pack(sqn, trail)
    out += tsdu
    return _finish(out)


def _nak_like(
    kind: int, sport: int, dport: int, gsi: bytes, sqns: list[int], source: bytes, group: bytes
) -> bytes:
    extra = sqns[1:63]  # OPT_NAK_LIST holds at most 62 more (RFC 3208 §9.3)
    # OpenPGM flags a NAK list as network-significant (OPT_NETWORK) too.
    flags = OPT_PRESENT | OPT_NETWORK if extra else 0
    out = bytearray(HEADER.pack(sport, dport, kind, flags, 0, gsi, 0))
    out += _NAK_BODY.pack(sqns[0], AFI_IPV4, 0, source, AFI_IPV4, 0, group)
    if extra:
        nak_list = struct.pack(f"!{len(extra)}I", *extra)
        opt_len = 4 + len(nak_list)
        out += struct.pack("!BBH", OPT_LENGTH, 4, 4 + opt_len)
        out += struct.pack("!BBH", OPT_NAK_LIST | OPT_END, opt_len, 0) + nak_list
    return _finish(out)


def encode_nak(tsi: Tsi, dport: int, sqns: list[int], source: bytes, group: bytes) -> bytes:
    """A NAK from a receiver to the source of ``tsi`` (ports swapped, RFC 3208 §8.3)."""
    return _nak_like(NAK, dport, tsi.sport, tsi.gsi, sqns, source, group)


def encode_ncf(
    sport: int, dport: int, gsi: bytes, sqns: list[int], source: bytes, group: bytes
) -> bytes:
    return _nak_like(NCF, sport, dport, gsi, sqns, source, group)


def encode_spmr(tsi: Tsi, dport: int) -> bytes:
    """SPMR: a receiver asks the source of ``tsi`` for an SPM (RFC 3208 §13.6)."""
    return _finish(bytearray(HEADER.pack(dport, tsi.sport, SPMR, 0, 0, tsi.gsi, 0)))


def ipv4(address: str) -> bytes:
    return socket.inet_aton(address)


__all__ = [
    "DATA_HEADER_SIZE",
    "NAK",
    "NCF",
    "ODATA",
    "RDATA",
    "SPM",
    "SPMR",
    "Packet",
    "Tsi",
    "checksum",
    "decode",
    "encode_data",
    "encode_nak",
    "encode_ncf",
    "encode_spm",
    "encode_spmr",
    "ipv4",
]
