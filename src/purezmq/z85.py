"""Z85 encoding (ZeroMQ RFC 32): printable text for CURVE keys and other binary blobs.

Layer 0, standard library only. CURVE keys travel through options and certificate files as 40
Z85 characters (docs/protocol/mechanisms.md §4); this module owns that conversion so that
``options`` (key validation), ``auth`` (certificates) and the pyzmq-compatible ``zmq.z85`` API
share one strict implementation.

Strictness follows libzmq's ``zmq_z85_encode`` / ``zmq_z85_decode``: binary length must be a
multiple of 4, text length a multiple of 5, every character must be in the alphabet, and a
5-character group must not exceed 0xFFFFFFFF. Errors raise ``ValueError`` like pyzmq's
``zmq.utils.z85``.
"""

from __future__ import annotations

import struct

#: RFC 32: the 85 digits, value 0..84 in order.
ALPHABET = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#"

_BYTE_TO_DIGIT: dict[int, int] = {c: i for i, c in enumerate(ALPHABET)}
_DIGITS: list[bytes] = [bytes((c,)) for c in ALPHABET]
_PAIRS: list[bytes] = [a + b for a in _DIGITS for b in _DIGITS]

_85_3 = 85 * 85 * 85
_UINT32_MAX = 0xFFFFFFFF


def encode(data: bytes | bytearray | memoryview) -> bytes:
    """Encode binary data whose length is a multiple of 4 into Z85 text (as ``bytes``)."""
    raw = bytes(data)
    if len(raw) % 4:
        raise ValueError(f"Z85 encodes data whose length is a multiple of 4, not {len(raw)}")
    words = struct.unpack(f">{len(raw) // 4}I", raw)
    pairs = _PAIRS
    digits = _DIGITS
    out: list[bytes] = []
    append = out.append
    for word in words:
        # 5 base-85 digits, most significant first (RFC 32 §Encoding); the top four digits are
        # emitted as two precomputed pairs to halve the per-digit work on the hot path.
        hi, lo = divmod(word, _85_3)
        append(pairs[hi])
        append(pairs[lo // 85])
        append(digits[lo % 85])
    return b"".join(out)


def decode(text: str | bytes | bytearray | memoryview) -> bytes:
    """Decode Z85 text (``str`` or ``bytes``) whose length is a multiple of 5 into bytes."""
    if isinstance(text, str):
        try:
            raw = text.encode("ascii")
        except UnicodeEncodeError:
            bad = next(ch for ch in text if ord(ch) > 127)
            raise ValueError(f"Z85 text contains {bad!r}, which is not a Z85 character") from None
    else:
        raw = bytes(text)
    if len(raw) % 5:
        raise ValueError(f"Z85 text length must be a multiple of 5, not {len(raw)}")
    table = _BYTE_TO_DIGIT
    words: list[int] = []
    for start in range(0, len(raw), 5):
        value = 0
        for offset in range(start, start + 5):
            digit = table.get(raw[offset])
            if digit is None:
                raise ValueError(
                    f"Z85 text contains {chr(raw[offset])!r} at offset {offset}, "
                    "which is not a Z85 character"
                )
            value = value * 85 + digit
        if value > _UINT32_MAX:
            # libzmq's zmq_z85_decode rejects groups that overflow 32 bits (spec §4).
            raise ValueError(
                f"Z85 group {raw[start : start + 5].decode()!r} at offset {start} "
                "is larger than 32 bits"
            )
        words.append(value)
    return struct.pack(f">{len(words)}I", *words)


__all__ = ["ALPHABET", "encode", "decode"]
