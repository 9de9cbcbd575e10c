"""The status line: counts and rate on stderr, redrawn in place — only when stderr is a
terminal, so that pipes and log files stay clean."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: Redraw at most this often (seconds): a terminal cannot show faster anyway.
REFRESH = 0.1


class StatusLine:
    """``sent N  received M  (R msg/s)`` for one subcommand."""

    def __init__(self, name: str, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.name = name
        self.stream = sys.stderr if stream is None else stream
        self.enabled = not quiet and self.stream.isatty()
        self.sent = 0
        self.received = 0
        self.start = time.monotonic()
        self.last_draw = 0.0
        self.drawn = False

    def count_sent(self) -> None:
        self.sent += 1
        self._maybe_draw()

    def count_received(self) -> None:
        self.received += 1
        self._maybe_draw()

    def _maybe_draw(self) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last_draw < REFRESH:
            return
        self.last_draw = now
        rate = (self.sent + self.received) / max(now - self.start, 1e-9)
        self.stream.write(
            f"\r\x1b[K{self.name}: sent {self.sent}  received {self.received}  ({rate:,.0f} msg/s)"
        )
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        """Erase the line (before other stderr output, and at exit)."""
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False


__all__ = ["StatusLine"]
