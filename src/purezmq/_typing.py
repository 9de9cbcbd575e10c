"""Type aliases shared by every layer."""

from __future__ import annotations

from typing import Union

#: Anything that can be sent as one frame without a copy.
BytesLike = Union[bytes, bytearray, memoryview]
#: A whole message as the routing and wire layers see it: one ``bytes`` per frame.
Message = list[bytes]
#: A message as a network connection hands it on (docs/contracts.md, "Pipes"): a ``Message``,
#: or a 1-tuple for a one-frame message its hot path cut from a read. Readers never mutate
#: either.
Received = Union[list[bytes], tuple[bytes]]

__all__ = ["BytesLike", "Message", "Received"]
