"""pyzmq's ``zmq.sugar.socket``: ``Socket`` (purezmq's sync Socket)."""

from __future__ import annotations

from ..sync import Socket

#: pyzmq's alias for the blocking Socket.
SyncSocket = Socket

__all__ = ["Socket", "SyncSocket"]
