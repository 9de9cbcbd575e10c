"""pyzmq's ``zmq.sugar.poll``: ``Poller`` and ``select``."""

from __future__ import annotations

from ..sync import Poller, select

__all__ = ["Poller", "select"]
