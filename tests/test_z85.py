"""Z85 (RFC 32): the RFC and CURVE test vectors, strict errors, round trips, pyzmq cross-check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from purezmq import z85

# docs/protocol/mechanisms.md §3.10 and §4.
VECTORS = [
    (bytes.fromhex("864FD26FB559F75B"), b"HelloWorld"),
    (b"", b""),
    (
        bytes.fromhex("BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518"),
        b"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
    ),
    (
        bytes.fromhex("7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888"),
        b"D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
    ),
    (
        bytes.fromhex("54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652"),
        b"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
    ),
    (
        bytes.fromhex("8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7"),
        b"JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
    ),
    (b"\x00\x00\x00\x00", b"00000"),
    (b"\xff\xff\xff\xff", b"%nSc0"),
]


@pytest.mark.parametrize(("raw", "text"), VECTORS)
def test_vectors(raw: bytes, text: bytes) -> None:
    assert z85.encode(raw) == text
    assert z85.decode(text) == raw
    assert z85.decode(text.decode()) == raw


def test_alphabet_is_rfc32() -> None:
    assert len(z85.ALPHABET) == 85
    assert len(set(z85.ALPHABET)) == 85
    assert z85.encode(b"\x00\x00\x00\x54") == b"00000"[:4] + bytes([z85.ALPHABET[84]])


def test_accepts_buffers() -> None:
    raw = bytes.fromhex("864FD26FB559F75B")
    assert z85.encode(bytearray(raw)) == b"HelloWorld"
    assert z85.encode(memoryview(raw)) == b"HelloWorld"
    assert z85.decode(bytearray(b"HelloWorld")) == raw


@pytest.mark.parametrize("n", [1, 2, 3, 5, 31, 33])
def test_encode_rejects_length_not_multiple_of_4(n: int) -> None:
    with pytest.raises(ValueError, match=f"multiple of 4, not {n}"):
        z85.encode(b"x" * n)


@pytest.mark.parametrize("n", [1, 4, 6, 39, 41])
def test_decode_rejects_length_not_multiple_of_5(n: int) -> None:
    with pytest.raises(ValueError, match=f"multiple of 5, not {n}"):
        z85.decode(b"0" * n)


@pytest.mark.parametrize("bad", [b'Hello"orld', b"Hello orld", b"HelloWorl\x00", "HelloWorl\u00e9"])
def test_decode_rejects_characters_outside_alphabet(bad: bytes | str) -> None:
    with pytest.raises(ValueError, match="not a Z85 character"):
        z85.decode(bad)


def test_decode_rejects_group_over_32_bits() -> None:
    # "%nSc0" is 0xFFFFFFFF; "%nSc1" is one more.
    with pytest.raises(ValueError, match="larger than 32 bits"):
        z85.decode(b"%nSc1")
    with pytest.raises(ValueError, match="offset 5"):
        z85.decode(b"00000#####")


@given(st.binary(max_size=64).map(lambda b: b[: len(b) - len(b) % 4]))
def test_round_trip(raw: bytes) -> None:
    text = z85.encode(raw)
    assert len(text) == len(raw) // 4 * 5
    assert set(text) <= set(z85.ALPHABET)
    assert z85.decode(text) == raw


zmq = pytest.importorskip("zmq")


@given(st.binary(max_size=64).map(lambda b: b[: len(b) - len(b) % 4]))
def test_matches_pyzmq(raw: bytes) -> None:
    from zmq.utils import z85 as ref

    assert z85.encode(raw) == ref.encode(raw)
    assert ref.decode(z85.encode(raw)) == raw


def test_curve_keypair_from_libzmq_decodes() -> None:
    public, secret = zmq.curve_keypair()
    assert len(z85.decode(public)) == 32
    assert z85.encode(z85.decode(secret)) == secret
    assert zmq.curve_public(z85.encode(z85.decode(secret))) == public
