"""pyzmq's ``zmq.sugar.context``: ``Context`` (purezmq's sync Context)."""

from __future__ import annotations

from ..sync import Context

#: pyzmq's alias for the blocking Context (``zmq.asyncio.Context`` subclasses it).
SyncContext = Context

__all__ = ["Context", "SyncContext"]
