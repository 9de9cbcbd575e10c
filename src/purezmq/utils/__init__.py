"""pyzmq's ``zmq.utils``: ``jsonapi``, ``strtypes``, ``interop``, ``win32``, ``garbage``,
``monitor``, ``z85``.

Submodules load on first attribute access too (``zmq.utils.jsonapi.dumps`` works after a plain
``import zmq``, as with pyzmq, which imports some of them eagerly).
"""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = frozenset({"garbage", "interop", "jsonapi", "monitor", "strtypes", "win32", "z85"})


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
