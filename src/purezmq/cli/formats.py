"""How messages are read from stdin and written to stdout: one codec per ``--format``.

A message is a list of frames (``bytes``). Line formats put one message a line and split its
frames with ``--separator`` (a tab by default); ``json`` writes a message as a JSON array of
its frames; ``msgpack`` as a MessagePack array of binary frames; ``raw`` reads the whole of
stdin as one single-frame message and writes frames with nothing between them.

=========  ===========================================================================
raw        input: all of stdin is one frame; output: the frames' bytes, back to back
lines      one message a line, frames split by the separator (default)
json       one JSON array of strings a line (a non-array value is one frame of its text)
msgpack    a stream of MessagePack arrays of binary frames (the ``msgpack`` extra)
hex        one message a line, each frame in hexadecimal
z85        one message a line, each frame in Z85 (RFC 32: lengths a multiple of 4)
=========  ===========================================================================
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from .errors import CliError

FORMATS = ("lines", "raw", "json", "msgpack", "hex", "z85")

Message = list[bytes]


class FormatError(CliError):
    """An input line that its format cannot decode, or a frame it cannot encode."""


def _z85_decode(text: bytes) -> bytes:
    from ..z85 import decode

    try:
        return bytes(decode(text))
    except (ValueError, KeyError) as exc:
        raise FormatError(f"not Z85: {text[:40]!r} ({exc})") from None


def _z85_encode(frame: bytes) -> bytes:
    from ..z85 import encode

    if len(frame) % 4:
        raise FormatError(
            f"Z85 encodes frames whose length is a multiple of 4, not {len(frame)} bytes"
            " (use --format hex)"
        )
    return bytes(encode(frame))


def _hex_decode(text: bytes) -> bytes:
    try:
        return binascii.unhexlify(text.strip())
    except (binascii.Error, ValueError) as exc:
        raise FormatError(f"not hexadecimal: {text[:40]!r} ({exc})") from None


_FRAME_CODECS: dict[str, tuple[Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    # format: (decode one frame's text, encode one frame as text)
    "lines": (bytes, bytes),
    "hex": (_hex_decode, binascii.hexlify),
    "z85": (_z85_decode, _z85_encode),
}


def _json_frame(value: Any) -> bytes:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def parse_json_message(line: bytes) -> Message:
    """One JSON line as a message: an array is its frames, any other value one frame."""
    try:
        value = json.loads(line)
    except ValueError as exc:
        raise FormatError(f"not JSON: {line[:40]!r} ({exc})") from None
    if isinstance(value, list):
        return [_json_frame(item) for item in value]
    return [_json_frame(value)]


def json_line(msg: Message) -> bytes:
    """A message as a JSON array of strings; frames that are not UTF-8 come out escaped
    (``\\udcXX``) so that Python reads them back byte for byte."""
    texts = [frame.decode("utf-8", "surrogateescape") for frame in msg]
    plain = all(frame.isascii() or _is_utf8(frame) for frame in msg)
    return json.dumps(texts, ensure_ascii=not plain).encode("utf-8")


def _is_utf8(frame: bytes) -> bool:
    try:
        frame.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _msgpack() -> Any:
    try:
        import msgpack
    except ImportError:
        raise CliError(
            "--format msgpack needs the msgpack package: pip install 'purezmq[msgpack]'"
        ) from None
    return msgpack


def _msgpack_frame(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return str(value).encode()


def read_messages(fmt: str, stream: BinaryIO, separator: bytes) -> Iterator[Message]:
    """The messages of ``stream`` in format ``fmt``; blank lines are skipped."""
    if fmt == "raw":
        yield [stream.read()]
        return
    if fmt == "msgpack":
        for value in _msgpack().Unpacker(stream, raw=True):
            if isinstance(value, (list, tuple)):
                yield [_msgpack_frame(item) for item in value]
            else:
                yield [_msgpack_frame(value)]
        return
    for raw_line in stream:
        line = raw_line.rstrip(b"\n").removesuffix(b"\r")
        if not line:
            continue
        yield parse_line(fmt, line, separator)


def parse_line(fmt: str, line: bytes, separator: bytes) -> Message:
    """One input line (without its newline) as a message."""
    if fmt == "json":
        return parse_json_message(line)
    decode = _FRAME_CODECS[fmt][0]
    parts = line.split(separator) if separator else [line]
    return [decode(part) for part in parts]


def parse_data(fmt: str, text: str, separator: bytes) -> Message:
    """``--data TEXT`` as a message: read as a line of ``fmt`` where that is a line format
    (so ``-f json --data '["a","b"]'`` is two frames), else as one frame of its bytes."""
    line = text.encode("utf-8")
    if fmt in ("raw", "msgpack"):
        return [line]
    return parse_line(fmt, line, separator)


def format_message(fmt: str, msg: Message, separator: bytes) -> bytes:
    """The bytes ``fmt`` writes for ``msg``, newline included for line formats."""
    if fmt == "raw":
        return b"".join(msg)
    if fmt == "json":
        return json_line(msg) + b"\n"
    if fmt == "msgpack":
        return bytes(_msgpack().packb(msg, use_bin_type=True))
    encode = _FRAME_CODECS[fmt][1]
    return separator.join(encode(frame) for frame in msg) + b"\n"


def check_available(fmt: str) -> None:
    """Fail early (before any socket opens) when ``fmt`` needs a missing package."""
    if fmt == "msgpack":
        _msgpack()


def separator_argument(text: str) -> bytes:
    """``--separator``'s value with backslash escapes (``\\t``, ``\\x00``) understood."""
    return text.encode("utf-8").decode("unicode_escape").encode("latin-1")


__all__ = [
    "FORMATS",
    "FormatError",
    "Message",
    "check_available",
    "format_message",
    "json_line",
    "parse_data",
    "parse_json_message",
    "parse_line",
    "read_messages",
    "separator_argument",
]
