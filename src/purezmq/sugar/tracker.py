"""pyzmq's ``zmq.sugar.tracker``: ``MessageTracker`` and the always-done tracker."""

from __future__ import annotations

from .._base.frame import FINISHED_TRACKER
from ..sync import MessageTracker

#: The done tracker that purezmq's sends return (``send(copy=False)``, tracked frames), as
#: pyzmq's sends of copied messages return this one.
_FINISHED_TRACKER = FINISHED_TRACKER

__all__ = ["MessageTracker", "_FINISHED_TRACKER"]
