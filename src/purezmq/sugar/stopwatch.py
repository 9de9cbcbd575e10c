"""pyzmq's deprecated ``zmq.Stopwatch`` (``zmq.sugar.stopwatch``)."""

from __future__ import annotations

import time
import warnings


class Stopwatch:
    """Microsecond timer kept for old programs; ``time.monotonic()`` does the same.

    Creating one warns (``DeprecationWarning``), as pyzmq does.
    """

    def __init__(self) -> None:
        warnings.warn(
            "zmq.Stopwatch is deprecated: use time.monotonic() or time.perf_counter()",
            DeprecationWarning,
            stacklevel=2,
        )
        self._start: float | None = None

    def start(self) -> None:
        """Start (or restart) the timer."""
        self._start = time.monotonic()

    def stop(self) -> int:
        """Microseconds since ``start()``.

        Raises ``ZMQError(EINVAL)`` if the watch was never started (libzmq's ``zmq_stopwatch``
        has no such state; pyzmq's Cython backend raised the same).
        """
        if self._start is None:
            from ..constants import Errno
            from ..error import ZMQError

            raise ZMQError(Errno.EINVAL, "Must start the Stopwatch before calling stop.")
        return int(1e6 * (time.monotonic() - self._start))


__all__ = ["Stopwatch"]
