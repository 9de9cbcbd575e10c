"""libzmq's message stream over PGM: ZMTP 1.0 frames cut into APDUs behind an offset header.

Each APDU (one ODATA payload) is ``offset(2, BE) stream-bytes`` (libzmq ``pgm_sender.cpp``,
docs/transports.md). The stream is the v1 framing: ``length flags body`` with ``length`` one
byte (body + 1) when it is below 255, else 0xFF and 8 bytes; ``flags`` 1 for MORE.

``offset`` is where the first *message* (not a later frame of a multipart one) starts in the
APDU, or 0xFFFF when none does; a late-joining receiver skips APDUs until one has an offset,
skips that many bytes and decodes from there (libzmq ``pgm_receiver.cpp``).

The encoder fills APDUs as libzmq does: the pending frames are encoded back to back, an APDU is
cut when full, and the offset is noted at the position where the next message would begin —
even when it begins in the next APDU (the offset then equals the APDU's stream length).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

NO_OFFSET = 0xFFFF


def frame_header(size: int, more: bool) -> bytes:
    flags = b"\x01" if more else b"\x00"
    if size + 1 < 255:
        return bytes((size + 1,)) + flags
    return b"\xff" + (size + 1).to_bytes(8, "big") + flags


class ApduEncoder:
    """Messages in, APDUs out (each at most ``max_tsdu`` bytes including the offset)."""

    __slots__ = ("_buf", "_offset", "_room")

    def __init__(self, max_tsdu: int) -> None:
        if max_tsdu < 3:
            raise ValueError("an APDU needs room for the offset and one byte")
        self._room = max_tsdu - 2
        self._buf = bytearray()
        self._offset = NO_OFFSET

    def encode(self, messages: Iterable[Sequence[bytes]]) -> list[bytes]:
        """The APDUs that carry ``messages``; the last one is cut short (libzmq sends what the
        pipe held when the socket became writable, it does not wait to fill an APDU)."""
        out: list[bytes] = []
        room = self._room
        for msg in messages:
            for i, part in enumerate(msg):
                if i == 0 and self._offset == NO_OFFSET and len(self._buf) < room:
                    self._offset = len(self._buf)
                data = frame_header(len(part), i < len(msg) - 1) + bytes(part)
                pos = 0
                while pos < len(data):
                    take = min(room - len(self._buf), len(data) - pos)
                    self._buf += data[pos : pos + take]
                    pos += take
                    if len(self._buf) == room:
                        out.append(self._cut())
        if self._buf:
            # libzmq notes where the next message would start before finding the pipe empty.
            if self._offset == NO_OFFSET:
                self._offset = len(self._buf)
            out.append(self._cut())
        return out

    def _cut(self) -> bytes:
        apdu = self._offset.to_bytes(2, "big") + bytes(self._buf)
        self._buf = bytearray()
        self._offset = NO_OFFSET
        return apdu


class ApduDecoder:
    """APDUs of one source in, whole messages out; joins at the next message boundary.

    ``reset()`` (after unrecoverable loss) drops the partial message and re-joins as a late
    joiner does.
    """

    __slots__ = ("_buf", "_frames", "_joined", "max_message_size")

    def __init__(self, max_message_size: int = -1) -> None:
        self._joined = False
        self._buf = bytearray()
        self._frames: list[bytes] = []
        self.max_message_size = max_message_size

    @property
    def joined(self) -> bool:
        return self._joined

    def reset(self) -> None:
        self._joined = False
        self._buf = bytearray()
        self._frames = []

    def feed(self, apdu: bytes) -> list[list[bytes]]:
        """The messages completed by ``apdu``; raises ``ValueError`` on a broken stream (the
        caller resets and re-joins)."""
        if len(apdu) < 2:
            raise ValueError("APDU shorter than its offset header")
        offset = int.from_bytes(apdu[:2], "big")
        data = apdu[2:]
        if not self._joined:
            if offset == NO_OFFSET:
                return []
            if offset > len(data):
                raise ValueError("APDU offset beyond its data")
            self._joined = True
            data = data[offset:]
        self._buf += data
        return self._parse()

    def _parse(self) -> list[list[bytes]]:
        out: list[list[bytes]] = []
        buf = self._buf
        pos = 0
        limit = self.max_message_size
        while True:
            if pos >= len(buf):
                break
            first = buf[pos]
            if first == 0xFF:
                if pos + 10 > len(buf):
                    break
                length = int.from_bytes(buf[pos + 1 : pos + 9], "big")
                head = 9
            else:
                length = first
                head = 1
            if length == 0:
                raise ValueError("v1 frame with length 0")
            if limit >= 0 and length - 1 > limit:
                raise ValueError("message larger than MAXMSGSIZE")
            end = pos + head + length
            if end > len(buf):
                break
            flags = buf[pos + head]
            self._frames.append(bytes(buf[pos + head + 1 : end]))
            pos = end
            if not flags & 1:
                out.append(self._frames)
                self._frames = []
        if pos:
            del buf[:pos]
        return out


__all__ = ["NO_OFFSET", "ApduDecoder", "ApduEncoder", "frame_header"]
