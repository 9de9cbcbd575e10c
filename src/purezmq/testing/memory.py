"""Two sans-IO ``zmtp.Connection`` objects joined in memory: no socket, no loop, no clock.

It only moves ``data_to_send()`` of one side into ``receive_data`` of the other until both are
quiet, optionally re-chunking the bytes (a ``Chunker``) to exercise the incremental parsers, which
must accept input split at any byte (docs/architecture.md §2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..constants import SocketType
from ..zmtp import Connection, ConnectionOptions, Mechanism, NullMechanism

#: Splits the bytes one side sent into the pieces the other side receives.
Chunker = Callable[[bytes], Iterable[bytes]]


def _whole(data: bytes) -> Iterable[bytes]:
    return (data,)


def pieces_of(*sizes: int) -> Chunker:
    """A chunker that cuts the bytes into pieces of ``sizes[0]``, ``sizes[1]``... bytes, cycling
    through ``sizes`` (``pieces_of(1)`` hands the peer one byte at a time)."""
    if not sizes or min(sizes) < 1:
        raise ValueError(f"piece sizes must be at least 1 byte: {sizes}")

    def chunker(data: bytes) -> list[bytes]:
        out: list[bytes] = []
        pos = 0
        while pos < len(data):
            step = sizes[len(out) % len(sizes)]
            out.append(data[pos : pos + step])
            pos += step
        return out

    return chunker


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """``data`` cut at the offsets ``cuts`` (each taken modulo ``len(data) + 1``, so any integers
    a property-based test draws are valid); empty pieces included."""
    points = sorted({c % (len(data) + 1) for c in cuts})
    out: list[bytes] = []
    last = 0
    for point in [*points, len(data)]:
        out.append(data[last:point])
        last = point
    return out


def transfer(
    src: Connection, dst: Connection, now: float | None = None, chunker: Chunker = _whole
) -> int:
    """Move everything ``src`` wants to send into ``dst``; returns the number of bytes."""
    data = b"".join(bytes(c) for c in src.data_to_send())
    if data:
        for piece in chunker(data):
            dst.receive_data(piece, now)
    return len(data)


def pump(
    a: Connection,
    b: Connection,
    now: float | None = None,
    chunker: Chunker = _whole,
    max_rounds: int = 100,
) -> None:
    """Shuttle bytes both ways until neither side has anything left to send."""
    for _ in range(max_rounds):
        if not (transfer(a, b, now, chunker) | transfer(b, a, now, chunker)):
            return
    raise RuntimeError(f"connections still talking after {max_rounds} rounds")


def connected_pair(
    type_a: int,
    type_b: int,
    *,
    mechanism_a: Mechanism | None = None,
    mechanism_b: Mechanism | None = None,
    options_a: ConnectionOptions | None = None,
    options_b: ConnectionOptions | None = None,
    now: float = 0.0,
) -> tuple[Connection, Connection]:
    """Two connections started at ``now`` and pumped through their handshake."""
    a = Connection(SocketType(type_a), mechanism_a or NullMechanism(), options=options_a)
    b = Connection(SocketType(type_b), mechanism_b or NullMechanism(), options=options_b)
    a.start(now)
    b.start(now)
    pump(a, b, now)
    return a, b


__all__ = ["Chunker", "pieces_of", "split_at", "transfer", "pump", "connected_pair"]
