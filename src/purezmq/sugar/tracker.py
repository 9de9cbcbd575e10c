"""pyzmq's ``zmq.sugar.tracker``: ``MessageTracker`` and the always-done tracker."""

from __future__ import annotations

from ..sync import MessageTracker

#: pyzmq returns this tracker for sends that track nothing; it is always done.
_FINISHED_TRACKER = MessageTracker()

__all__ = ["MessageTracker", "_FINISHED_TRACKER"]
