"""pyzmq's ``zmq.utils.garbage``: the collector that keeps zero-copy send buffers alive.

pyzmq lends a Python buffer to libzmq on ``send(copy=False)`` and holds a reference here until
libzmq is done with it. purezmq never lends a buffer (frames are immutable bytes once sent), so
nothing is ever held: ``store`` releases at once. The names exist for code that touches them
(``zmq.utils.garbage.gc``).
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple


class gcref(NamedTuple):
    """An object held for libzmq and the event set when it is released."""

    obj: object
    event: threading.Event | None


class GarbageCollector:
    """Holds nothing: purezmq copies what it sends, so buffers are released immediately."""

    def __init__(self, context: Any = None) -> None:
        self.context = context
        self.refs: dict[int, gcref] = {}
        self.url = "inproc://pyzmq.gc.01"

    def store(self, obj: object, event: threading.Event | None = None) -> int:
        """Register ``obj`` as released already; sets ``event`` and returns a key."""
        if event is not None:
            event.set()
        return id(obj)

    def collect(self) -> None:
        """Nothing to collect."""

    def start(self) -> None:
        """No collector thread is needed."""

    def stop(self) -> None:
        """No collector thread is running."""

    def is_alive(self) -> bool:
        """Always False: there is no collector thread."""
        return False

    def __len__(self) -> int:
        return 0


gc = GarbageCollector()

__all__ = ["GarbageCollector", "gc", "gcref"]
