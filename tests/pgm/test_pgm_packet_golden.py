"""PGM packets byte for byte against what libzmq 4.3.4 + OpenPGM put on the wire (epgm on a
loopback namespace, captured at the UDP boundary)."""

from __future__ import annotations

import pytest

from purezmq.pgm import packet as pk

LOCAL = pk.ipv4("127.0.0.1")
GROUP = pk.ipv4("239.192.1.1")

# A libzmq PUB's first SPM: sqn 0, empty window (trail 0, lead 0xffffffff), NLA 127.0.0.1.
SPM = bytes.fromhex("c9ab15b300005066fc982a932a0c00000000000000000000ffffffff000100007f000001")
# A libzmq PUB's ODATA for b"hello": APDU offset 0, v1 frame 06 00 "hello".
ODATA = bytes.fromhex("c1f415b304004d6fb7c6d1bc038a000900000000000000000000060068656c6c6f")
# A libzmq SUB's NAK for sqn 1, and for 3, 4, 5 (OPT_LENGTH + OPT_NAK_LIST, OPT_NETWORK set).
NAK_ONE = bytes.fromhex("15b387bd08000ef4c4676eb0a8bc000000000001000100007f00000100010000efc00101")
NAK_LIST = bytes.fromhex(
    "15b387bd08038cc5c4676eb0a8bc000000000003000100007f00000100010000efc00101"
    "00040010820c00000000000400000005"
)


def test_spm_decodes_and_encodes_like_openpgm() -> None:
    p = pk.decode(SPM)
    assert (p.type, p.sport, p.dport, p.sqn, p.trail, p.lead) == (
        pk.SPM,
        0xC9AB,
        5555,
        0,
        0,
        0xFFFFFFFF,
    )
    assert p.gsi == bytes.fromhex("fc982a932a0c") and p.nla == LOCAL
    assert pk.encode_spm(0xC9AB, 5555, p.gsi, 0, 0, -1, LOCAL) == SPM


def test_odata_decodes_and_encodes_like_openpgm() -> None:
    p = pk.decode(ODATA)
    assert (p.type, p.sqn, p.trail, p.payload) == (pk.ODATA, 0, 0, b"\x00\x00\x06\x00hello")
    assert p.tsi == pk.Tsi(bytes.fromhex("b7c6d1bc038a"), 0xC1F4)
    assert pk.encode_data(0xC1F4, 5555, p.gsi, 0, 0, p.payload) == ODATA


def test_rdata_differs_from_odata_only_in_type_and_checksum() -> None:
    p = pk.decode(ODATA)
    rdata = pk.encode_data(0xC1F4, 5555, p.gsi, 0, 0, p.payload, repair=True)
    assert rdata[4] == pk.RDATA and rdata[8:] == ODATA[8:]
    assert pk.decode(rdata).payload == p.payload


@pytest.mark.parametrize(("wire", "sqns"), [(NAK_ONE, [1]), (NAK_LIST, [3, 4, 5])])
def test_nak_matches_openpgm(wire: bytes, sqns: list[int]) -> None:
    p = pk.decode(wire)
    assert p.type == pk.NAK and p.sqns == sqns
    assert p.nla == LOCAL and p.group == GROUP
    # A NAK travels upstream: its destination port is the source's TSI port.
    tsi = pk.Tsi(bytes.fromhex("c4676eb0a8bc"), 0x87BD)
    assert p.tsi == tsi
    assert pk.encode_nak(tsi, 5555, sqns, LOCAL, GROUP) == wire


def test_ncf_echoes_the_nak_list() -> None:
    gsi = b"\x01\x02\x03\x04\x05\x06"
    ncf = pk.decode(pk.encode_ncf(0x1234, 5555, gsi, [7, 9], LOCAL, GROUP))
    assert ncf.type == pk.NCF and ncf.sqns == [7, 9] and ncf.tsi == pk.Tsi(gsi, 0x1234)


def test_spmr_carries_the_source_tsi_with_ports_swapped() -> None:
    tsi = pk.Tsi(b"abcdef", 0x4321)
    p = pk.decode(pk.encode_spmr(tsi, 5555))
    assert p.type == pk.SPMR and p.sport == 5555 and p.tsi == tsi


@pytest.mark.parametrize(
    ("wire", "reason"),
    [
        (ODATA[:10], "shorter"),
        (ODATA[:6] + b"\x00\x01" + ODATA[8:], "checksum"),
        (ODATA[:6] + b"\x00\x00" + ODATA[8:], "without a checksum"),
        (ODATA[:-1], "checksum"),
    ],
)
def test_broken_packets_are_refused_with_a_reason(wire: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        pk.decode(wire)


def test_checksum_is_never_zero_on_the_wire() -> None:
    # A packet whose one's-complement sum is 0xFFFF would checksum to 0, which means "none".
    assert pk.checksum(b"\xff\xff") == 0xFFFF
    assert pk.checksum(b"\x00\x01\xf2\x03\xf4\xf5\xf6\xf7") == 0x220D
