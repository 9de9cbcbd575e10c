"""pyzmq's ``zmq.green.core`` module: the green ``Context`` and ``Socket`` under the names pyzmq
gives them there (``_Context``, ``_Socket``), for code that imports them from this module."""

from __future__ import annotations

from .context import Context as _Context
from .socket import Socket as _Socket

__all__ = ["_Context", "_Socket"]
