"""Frames and serialization shared by every front-end: what ``send`` accepts, and the codecs
behind ``send_string``/``send_json``/``send_pyobj``/``send_serialized`` and their ``recv`` twins.

Pure functions: no I/O, no waiting. Layer 4 base: imports the standard library and
``_base.frame`` only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import ModuleType
from typing import Any

from .frame import Frame, TrackedPayload

# json and pickle load with the first JSON or pickled message, not with the first socket: a
# few ms of a cold start that most programs never use. Each is looked up once per process;
# after that a call costs one global read more than a top-level import would.
_json: ModuleType | None = None
_pickle: ModuleType | None = None


def _load_json() -> ModuleType:
    global _json
    import json

    _json = json
    return json


def _load_pickle() -> ModuleType:
    global _pickle
    import pickle

    _pickle = pickle
    return pickle


def coerce_frame(data: object, index: int | None = None) -> bytes:
    """One frame as ``bytes``, from anything pyzmq's ``send`` accepts.

    ``bytearray`` and ``memoryview`` are copied: the frame may be read by another thread after
    ``send`` returned, and the caller is free to reuse its buffer (pyzmq copies small frames
    too). ``str`` raises ``TypeError`` like pyzmq.
    """
    if type(data) is bytes:
        return data
    if isinstance(data, str):
        raise TypeError("unicode not allowed, use send_string")
    if isinstance(data, bytes):
        # A tracked payload travels as it is: its release completes a tracker (``frame``).
        return data if type(data) is TrackedPayload else bytes(data)
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    if isinstance(data, Frame):
        return data._payload()
    # Another frame-like object with its payload as ``.bytes``.
    payload = getattr(data, "bytes", None)
    if isinstance(payload, bytes):
        return payload
    try:
        return memoryview(data).tobytes()  # type: ignore[arg-type]
    except TypeError:
        where = "Frame" if index is None else f"Frame {index}"
        raise TypeError(f"{where} ({data!r}) does not support the buffer interface.") from None


def coerce_message(parts: Iterable[object]) -> list[bytes]:
    """A whole message as a list of ``bytes``; see ``coerce_frame``."""
    if isinstance(parts, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"send_multipart expects a sequence of frames, got {type(parts).__name__}")
    out: list[Any] = list(parts)
    for i, part in enumerate(out):
        if type(part) is not bytes:
            out[i] = coerce_frame(part, i)
    return out


def encode_string(u: str, encoding: str = "utf-8") -> bytes:
    if not isinstance(u, str):
        raise TypeError("str objects only")
    return u.encode(encoding)


def decode_string(b: bytes, encoding: str = "utf-8") -> str:
    return b.decode(encoding)


def encode_json(obj: object, **kwargs: Any) -> bytes:
    """``zmq.utils.jsonapi.dumps``: JSON as utf-8 bytes."""
    return (_json or _load_json()).dumps(obj, **kwargs).encode("utf8")  # type: ignore[no-any-return]


def decode_json(b: bytes, **kwargs: Any) -> Any:
    return (_json or _load_json()).loads(b.decode("utf8"), **kwargs)


def encode_pyobj(obj: object, protocol: int | None = None) -> bytes:
    """``pickle.dumps``; ``protocol=None`` is pickle's ``DEFAULT_PROTOCOL``."""
    return (_pickle or _load_pickle()).dumps(obj, protocol)  # type: ignore[no-any-return]


def decode_pyobj(b: bytes) -> Any:
    # Never unpickle untrusted input: pyzmq carries the same warning.
    return (_pickle or _load_pickle()).loads(b)


def encode_serialized(msg: Any, serialize: Callable[[Any], Sequence[Any]]) -> list[bytes]:
    return coerce_message(serialize(msg))


def writable_view(buffer: Any) -> memoryview:
    """``recv_into``'s target as a writable byte view; BufferError for a buffer that is not
    one contiguous, writable block, TypeError for an object without the buffer protocol (as
    pyzmq)."""
    view = memoryview(buffer)
    if not view.c_contiguous:
        raise BufferError("recv_into needs a contiguous buffer")
    if view.readonly:
        raise BufferError("recv_into needs a writable buffer")
    return view.cast("B")


__all__ = [
    "writable_view",
    "coerce_frame",
    "coerce_message",
    "decode_json",
    "decode_pyobj",
    "decode_string",
    "encode_json",
    "encode_pyobj",
    "encode_serialized",
    "encode_string",
]
