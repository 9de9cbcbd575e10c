"""``--filter`` and ``--transform``: a Python expression evaluated once per message.

Names the expression sees:

- ``msg``: the message, a list of frames (``bytes``)
- ``text``: its last frame decoded as UTF-8 (the body of a one-frame message)
- ``n``: how many messages came before this one, plus one
- the modules ``json``, ``re``, ``time`` and ``math``

``--filter`` keeps a message when the expression is true. ``--transform``'s value becomes the
message: ``bytes`` or ``str`` is one frame, a list or tuple is the frames (``str`` encoded as
UTF-8, other values as their ``str()``), ``None`` drops the message, a ``dict`` is one frame
of its JSON text, anything else one frame of its ``str()``.
"""

from __future__ import annotations

import json
import math
import re
import time
from types import CodeType
from typing import Any

from .errors import USAGE, CliError

EXPRESSION_HELP = (
    "Python, evaluated per message with: msg (the frames, a list of bytes), text (the last"
    " frame as str), n (the message number), and the modules json, re, time, math. A"
    " transform's str/bytes is one frame, a list the frames, None drops the message."
)


class Expression:
    """One compiled ``--filter`` or ``--transform`` expression."""

    def __init__(self, source: str, option: str) -> None:
        self.source = source
        self.option = option
        try:
            self.code: CodeType = compile(source, f"<{option}>", "eval")
        except SyntaxError as exc:
            raise CliError(f"{option} {source!r}: {exc.msg}", USAGE) from None
        self.globals: dict[str, Any] = {"json": json, "re": re, "time": time, "math": math}

    def __call__(self, msg: list[bytes], n: int = 1) -> Any:
        names = {
            "msg": msg,
            "text": msg[-1].decode("utf-8", "replace") if msg else "",
            "n": n,
        }
        try:
            return eval(self.code, self.globals, names)
        except Exception as exc:
            raise CliError(
                f"{self.option} {self.source!r} raised {type(exc).__name__}: {exc}"
            ) from None


def _frame(value: Any) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":")).encode("utf-8")
    return str(value).encode("utf-8")


def as_message(value: Any) -> list[bytes] | None:
    """A ``--transform`` result as frames; ``None`` drops the message."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [_frame(item) for item in value]
    return [_frame(value)]


class Pipeline:
    """A message's way through ``--filter`` then ``--transform`` (each optional)."""

    def __init__(self, filter_source: str | None, transform_source: str | None) -> None:
        self.filter = Expression(filter_source, "--filter") if filter_source else None
        self.transform = (
            Expression(transform_source, "--transform") if transform_source else None
        )
        #: Messages seen so far (the ``n`` of the expressions).
        self.n = 0

    def __call__(self, msg: list[bytes]) -> list[bytes] | None:
        """The message to pass on, or ``None`` when it is dropped."""
        self.n += 1
        if self.filter is not None and not self.filter(msg, self.n):
            return None
        if self.transform is not None:
            return as_message(self.transform(msg, self.n))
        return msg

    def __bool__(self) -> bool:
        return self.filter is not None or self.transform is not None



__all__ = ["EXPRESSION_HELP", "Expression", "Pipeline", "as_message"]
