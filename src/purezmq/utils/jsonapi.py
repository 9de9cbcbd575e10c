"""pyzmq's ``zmq.utils.jsonapi``: JSON to and from UTF-8 bytes (the standard ``json`` module)."""

from __future__ import annotations

import json
from typing import Any

#: pyzmq keeps the name of the JSON module it uses.
jsonmod = json


def dumps(o: object, **kwargs: Any) -> bytes:
    """``json.dumps(o, **kwargs)`` encoded as UTF-8 bytes."""
    return json.dumps(o, **kwargs).encode("utf-8")


def loads(s: bytes | str, **kwargs: Any) -> Any:
    """``json.loads`` of UTF-8 bytes or of a str."""
    if isinstance(s, (bytes, bytearray, memoryview)):
        s = bytes(s).decode("utf-8")
    return json.loads(s, **kwargs)


__all__ = ["dumps", "loads"]
