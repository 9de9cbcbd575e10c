"""pyzmq's ``zmq.sugar.frame``: ``Frame`` and its old name ``Message``."""

from __future__ import annotations

from ..sync import Frame, Message

__all__ = ["Frame", "Message"]
