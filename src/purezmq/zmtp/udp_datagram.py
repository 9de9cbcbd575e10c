"""libzmq's RADIO/DISH datagram over udp:// (docs/protocol/transports.md §5), sans-IO.

One message is one datagram and nothing else goes on the wire: no greeting, no handshake, no
JOIN/LEAVE (a DISH filters by its joined groups itself)::

    +-----------+----------------+------------------+
    | len (1 B) | group (len B)  | body (rest)      |
    +-----------+----------------+------------------+

``len`` is the group length, 0..255 (``ZMQ_GROUP_MAX_LENGTH``). A whole datagram is at most
``MAX_DATAGRAM`` bytes (libzmq ``MAX_UDP_MSG``): libzmq's sender drops a larger message without
a word, and so does ``encode`` (it returns None, the caller counts it).

Decoding is stricter than libzmq, never looser: libzmq reads into an 8192-byte buffer, so a
larger datagram arrives truncated and is delivered cut; here it is refused (``OVERSIZE``). A
group length byte pointing past the end of the datagram (or an empty datagram) is refused as
libzmq refuses it (``BROKEN_GROUP``). A refused datagram is the sender's fault and costs only
itself: the caller drops it and serves the next.

Layer 1a: standard library only, no sockets.
"""

from __future__ import annotations

from typing import Final

#: The largest datagram libzmq sends or reads (``MAX_UDP_MSG``).
MAX_DATAGRAM: Final = 8192
#: The longest group (``ZMQ_GROUP_MAX_LENGTH``): the length byte holds it.
MAX_GROUP: Final = 255

#: Why ``decode`` refused a datagram.
BROKEN_GROUP: Final = "broken group header"
OVERSIZE: Final = "datagram larger than 8192 bytes"


def encoded_size(group: bytes | memoryview, body: bytes | memoryview) -> int:
    """Bytes the datagram for ``(group, body)`` takes on the wire."""
    return 1 + len(group) + len(body)


def encode(group: bytes | memoryview, body: bytes | memoryview) -> bytes | None:
    """The datagram for one RADIO message, or None when it would exceed ``MAX_DATAGRAM``.

    ``group`` must be at most ``MAX_GROUP`` bytes (the pattern refuses longer ones with EINVAL
    before a message gets here); a longer one raises ``ValueError``.
    """
    size = len(group)
    if size > MAX_GROUP:
        raise ValueError(f"a group is at most {MAX_GROUP} bytes, this one has {size}")
    if 1 + size + len(body) > MAX_DATAGRAM:
        return None
    return b"".join((size.to_bytes(1, "big"), group, body))


def decode(datagram: bytes | bytearray | memoryview) -> tuple[bytes, bytes] | str:
    """``(group, body)`` of one received datagram, or the reason it is refused (a ``str``:
    ``BROKEN_GROUP`` or ``OVERSIZE``)."""
    n = len(datagram)
    if n > MAX_DATAGRAM:
        return OVERSIZE
    if n == 0:
        return BROKEN_GROUP
    end = 1 + datagram[0]
    if end > n:
        return BROKEN_GROUP
    view = memoryview(datagram)
    return bytes(view[1:end]), bytes(view[end:])


__all__ = [
    "BROKEN_GROUP",
    "MAX_DATAGRAM",
    "MAX_GROUP",
    "OVERSIZE",
    "decode",
    "encode",
    "encoded_size",
]
