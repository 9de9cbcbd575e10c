"""Type aliases shared by every layer."""

from __future__ import annotations

from typing import Union

#: Anything that can be sent as one frame without a copy.
BytesLike = Union[bytes, bytearray, memoryview]
#: A whole message as the routing and wire layers see it: one ``bytes`` per frame.
Message = list[bytes]

__all__ = ["BytesLike", "Message"]
