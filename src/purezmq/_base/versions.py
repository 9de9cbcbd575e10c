"""``has(capability)`` and the version functions (``zmq.has``, ``zmq_version``,
``pyzmq_version``). Layer 4 base: imports layer 0 at import, and the engine's CURVE
availability check only when asked (``import purezmq`` must not start the engine's imports:
see docs/architecture.md, "Import cost").
"""

from __future__ import annotations

import sys as _sys

#: The libzmq release whose wire protocol and API semantics purezmq reproduces.
LIBZMQ_VERSION_INFO = (4, 3, 5)
#: The pyzmq release whose Python API purezmq mirrors (``zmq.pyzmq_version()`` answers this, so
#: programs that check pyzmq's version keep working).
PYZMQ_VERSION = "27.3.0"


def _module_exists(name: str) -> bool:
    # Here, not at the top: ``import purezmq`` must stay light (importlib.util and socket
    # below cost a few ms there, and only ``has()`` needs them).
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def has(capability: str) -> bool:
    """Whether this purezmq supports ``capability`` (``zmq.has``).

    Answers truthfully for what exists here: ``ipc`` needs AF_UNIX and the ipc transport,
    ``ws`` the WebSocket transport, ``curve`` PyNaCl (the ``curve`` extra), ``draft`` the draft
    socket types (always here), ``pgm`` the pgm:// and epgm:// transports (libzmq answers
    ``pgm`` for both; pgm:// also needs CAP_NET_RAW when used); ``tipc``, ``norm`` and
    ``gssapi`` are not implemented.
    """
    if capability == "ipc":
        import socket

        return hasattr(socket, "AF_UNIX") and _module_exists("purezmq.transports.ipc")
    if capability == "curve":
        from .._engine import curve_available

        return curve_available()
    if capability == "draft":
        return True
    if capability == "pgm":
        return _module_exists("purezmq.transports.pgm")
    if capability == "ws":
        if _sys.platform == "emscripten":
            return True  # Pyodide: the JavaScript WebSocket (transports.js_websocket)
        return _module_exists("purezmq.transports.ws") and _module_exists("wsproto")
    return False


def zmq_version_info() -> tuple[int, int, int]:
    """The libzmq version purezmq is compatible with (API and wire), not a linked library."""
    return LIBZMQ_VERSION_INFO


def zmq_version() -> str:
    """``"4.3.5"``: the libzmq version purezmq is compatible with (there is no libzmq here)."""
    return ".".join(map(str, LIBZMQ_VERSION_INFO))


def pyzmq_version_info() -> tuple[int, ...]:
    """The pyzmq API version purezmq mirrors."""
    return tuple(int(x) for x in PYZMQ_VERSION.split("."))


def pyzmq_version() -> str:
    """The pyzmq API version purezmq mirrors (see ``purezmq.__version__`` for our own)."""
    return PYZMQ_VERSION


__all__ = [
    "LIBZMQ_VERSION_INFO",
    "PYZMQ_VERSION",
    "has",
    "pyzmq_version",
    "pyzmq_version_info",
    "zmq_version",
    "zmq_version_info",
]
