"""pyzmq's ``zmq.utils.interop``: ``cast_int_addr``, an address (int or CFFI pointer) as int.

purezmq has no C handles to pass around; the function is kept for code that shares pyzmq's
``underlying`` addresses with other bindings.
"""

from __future__ import annotations

from typing import Any


def cast_int_addr(n: Any) -> int:
    """``n`` as a Python int: an int as is, a CFFI pointer (when cffi is installed) by value.

    Raises ``ValueError`` for anything else.
    """
    if isinstance(n, int):
        return n
    try:
        import cffi  # type: ignore[import-untyped, unused-ignore]
    except ImportError:
        pass
    else:
        ffi = cffi.FFI()
        if isinstance(n, ffi.CData):
            return int(ffi.cast("size_t", n))
    raise ValueError(f"Cannot cast {n!r} to int")


__all__ = ["cast_int_addr"]
