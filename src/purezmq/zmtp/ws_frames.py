"""RFC 6455 §5.2 data framing, for the binary messages of an open ZWS connection.

Owns the hot path of ws:// once the upgrade is done: each ZMTP frame travels as one unfragmented
binary WebSocket message, so encoding one and cutting a byte stream into frames are a few
header bytes and, on the client's frames, the masking of §5.3. wsproto keeps everything else
(the upgrade, control frames, fragmented and text messages): ``WsFrameSplitter`` hands such
frames back whole so that they can be fed to it unchanged.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence

from .._typing import BytesLike
from ..constants import ProtocolErrorCode
from ..error import RemoteProtocolError

#: FIN + opcode 2: a whole binary message in one frame.
BINARY_FINAL = 0x82
_MASK_BIT = 0x80
_RSV_BITS = 0x70
_OPCODE = 0x0F
_FIN = 0x80
_SHORT = struct.Struct(">BBH")
_LONG = struct.Struct(">BBQ")
_CODE = ProtocolErrorCode.WS_UNSPECIFIED


_ZEROS = bytes(14)  # a frame header is at most 14 bytes
#: From this payload size on, a frame is masked on its own with byte tables: big-integer XOR
#: (used for a batch of small frames at once) makes three passes and is slower there.
LARGE = 2048
#: ``_XOR_TABLES[k]`` maps each byte to itself XOR ``k``.
_XOR_TABLES = [bytes(b ^ k for b in range(256)) for k in range(256)]


def _mask_large(payload: BytesLike, key: BytesLike) -> bytes:
    """One payload XOR the repeated ``key``: the bytes at each of the 4 key positions are
    mapped through that key byte's table."""
    out = bytearray(payload)
    for i in range(4):
        out[i::4] = out[i::4].translate(_XOR_TABLES[key[i]])
    return bytes(out)


def _xor(data: BytesLike, stream: bytes) -> bytes:
    """``data`` XOR ``stream`` (as long), in one pass of big-integer arithmetic."""
    size = len(data)
    return (int.from_bytes(data, "little") ^ int.from_bytes(stream, "little")).to_bytes(
        size, "little"
    )


def _key_stream(key: BytesLike, size: int) -> bytes:
    return (bytes(key) * ((size >> 2) + 1))[:size]


def mask(payload: BytesLike, key: bytes) -> bytes:
    """``payload`` XOR the repeated 4-byte ``key`` (RFC 6455 §5.3); its own inverse."""
    size = len(payload)
    if not size:
        return b""
    if size >= LARGE:
        return _mask_large(payload, key)
    return _xor(payload, _key_stream(key, size))


def _header(size: int, masked: bool) -> bytes:
    bit = _MASK_BIT if masked else 0
    if size < 126:
        return bytes((BINARY_FINAL, bit | size))
    if size < 0x10000:
        return _SHORT.pack(BINARY_FINAL, bit | 126, size)
    return _LONG.pack(BINARY_FINAL, bit | 127, size)


def encode_binary(payloads: Sequence[bytes], *, masked: bool) -> list[bytes]:
    """Each payload as one binary message; ``masked`` (a client's frames, §5.3) draws a fresh
    key for each from the OS's random source, in one call for the batch, and masks the whole
    batch in one pass (the key stream has zeros under the headers and keys)."""
    out: list[bytes] = []
    if not masked:
        for payload in payloads:
            out.append(_header(len(payload), False))
            out.append(payload)
        return out
    keys = os.urandom(4 * len(payloads))
    small: list[bytes] = []  # small frames not masked yet
    stream: list[bytes] = []  # their key stream
    for i, payload in enumerate(payloads):
        size = len(payload)
        key = keys[4 * i : 4 * i + 4]
        head = _header(size, True)
        if size < LARGE:
            small += (head, key, payload)
            stream += (_ZEROS[: len(head) + 4], _key_stream(key, size))
            continue
        if small:
            out.append(_xor(b"".join(small), b"".join(stream)))
            small, stream = [], []
        out += (head + key, _mask_large(payload, key))
    if small:
        out.append(_xor(b"".join(small), b"".join(stream)))
    return out


class WsFrameSplitter:
    """Cuts the bytes of an open WebSocket connection into frames.

    ``masked`` is what the peer must do (a server receives masked frames, a client unmasked
    ones, §5.1); ``limit`` bounds a data frame's payload before it is buffered (-1: none), and
    ``limit_source`` names the option behind it in the error.
    ``split(data)`` returns the frames completed so far as ``(payload, raw)`` pairs: ``raw`` is
    None for a whole binary message (its payload unmasked), else the frame's own bytes for
    wsproto (control frames, fragments, text: everything but the hot path).
    """

    __slots__ = ("_buf", "_fragmented", "_limit", "_limit_source", "_masked", "_need")

    def __init__(self, *, masked: bool, limit: int = -1, limit_source: str = "") -> None:
        self._masked = masked
        self._limit = limit
        self._limit_source = limit_source
        self._buf = bytearray()
        #: The size of the buffered frame once its header is known (so that a large frame
        #: arriving in many reads is copied out once, when complete), else 0.
        self._need = 0
        #: A fragmented message is under way: its frames (and only wsproto's) go to wsproto.
        self._fragmented = False

    def split(self, data: BytesLike) -> list[tuple[bytes, bytes | None]]:
        buf = self._buf
        if buf:
            buf += data
            if len(buf) < self._need:
                return []
            view = bytes(buf)
        else:
            view = data if type(data) is bytes else bytes(data)
        #: (payload start, stop, the raw frame for wsproto, the key of a large masked payload)
        spans: list[tuple[int, int, bytes | None, bytes | None]] = []
        stream: list[bytes] = []
        streamed = 0  # the end of the last masked payload
        pos = 0
        need = 0
        end = len(view)
        masked = self._masked
        while end - pos >= 2:
            first = view[pos]
            second = view[pos + 1]
            size = second & 0x7F
            head = 2
            if size == 126:
                if end - pos < 4:
                    break
                size = int.from_bytes(view[pos + 2 : pos + 4], "big")
                head = 4
            elif size == 127:
                if end - pos < 10:
                    break
                size = int.from_bytes(view[pos + 2 : pos + 10], "big")
                if size >> 63:
                    raise RemoteProtocolError(
                        "WebSocket frame length has its most significant bit set "
                        "(RFC 6455 §5.2)",
                        _CODE,
                    )
                head = 10
            if bool(second & _MASK_BIT) is not masked:
                raise RemoteProtocolError(
                    "peer sent an unmasked WebSocket frame (clients must mask, RFC 6455 §5.1)"
                    if masked
                    else "server sent a masked WebSocket frame (RFC 6455 §5.1)",
                    _CODE,
                )
            if first & _RSV_BITS:
                raise RemoteProtocolError(
                    "WebSocket frame with RSV bits set, and no extension agreed (RFC 6455 §5.2)",
                    _CODE,
                )
            if 0 <= self._limit < size and not first & 0x08:  # control frames: wsproto's
                raise RemoteProtocolError(
                    f"peer sent a {size}-byte WebSocket frame, over the limit of {self._limit} "
                    f"bytes ({self._limit_source})",
                    _CODE,
                )
            if masked:
                head += 4
            stop = pos + head + size
            if stop > end:
                need = stop - pos
                break
            if first == BINARY_FINAL and not self._fragmented:
                start = pos + head
                if masked and size >= LARGE:
                    spans.append((start, stop, None, view[start - 4 : start]))
                else:
                    spans.append((start, stop, None, None))
                    if masked:
                        # Zeros up to this payload, the key under it: unmasked in one pass
                        # below with the other small ones.
                        stream += (
                            bytes(start - streamed),
                            _key_stream(view[start - 4 : start], size),
                        )
                        streamed = stop
            else:
                opcode = first & _OPCODE
                if opcode <= 2:  # continuation, text, binary: a message's fragment
                    self._fragmented = not first & _FIN
                spans.append((pos, stop, view[pos:stop], None))
            pos = stop
        self._need = need
        clear = _xor(view[:streamed], b"".join(stream)) if streamed else view
        frames: list[tuple[bytes, bytes | None]] = []
        for a, b, raw, key in spans:
            if raw is not None:
                frames.append((b"", raw))
            elif key is not None:
                frames.append((_mask_large(view[a:b], key), None))
            else:
                frames.append((clear[a:b], None))
        if pos == end:
            buf.clear()
        else:
            buf[:] = view[pos:]
        return frames


__all__ = ["BINARY_FINAL", "WsFrameSplitter", "encode_binary", "mask"]
