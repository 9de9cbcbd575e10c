"""pyzmq's ``zmq.utils.win32``: ``allow_interrupt``, Ctrl-C for blocking polls on Windows.

On Windows a console Ctrl-C is only turned into ``KeyboardInterrupt`` when the interpreter
regains control; ``allow_interrupt(action)`` registers a console control handler that calls
``action()`` (which should wake the blocked poll, e.g. by sending to a PAIR socket). On other
systems signals already interrupt the wait, and the context manager does nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import TracebackType
from typing import Any

_CTRL_C_EVENT = 0


class allow_interrupt:
    """``with allow_interrupt(action): ...`` calls ``action()`` on Ctrl-C (Windows only)."""

    def __init__(self, action: Callable[[], Any] | None = None) -> None:
        self.action: Callable[[], Any] = action if action is not None else (lambda: None)
        self._handler: Any = None
        self._set_handler: Any = None
        if os.name == "nt":
            self._prepare_windows_handler()

    def _prepare_windows_handler(self) -> None:
        import ctypes
        from ctypes import wintypes

        kernel32 = ctypes.WinDLL("kernel32")  # type: ignore[attr-defined, unused-ignore]
        handler_type = ctypes.WINFUNCTYPE(  # type: ignore[attr-defined, unused-ignore]
            wintypes.BOOL, wintypes.DWORD
        )
        set_handler = kernel32.SetConsoleCtrlHandler
        set_handler.argtypes = (handler_type, wintypes.BOOL)
        set_handler.restype = wintypes.BOOL

        def handle(event: int) -> int:
            if event == _CTRL_C_EVENT:
                self.action()
            # "Not handled": Python's own handler still raises KeyboardInterrupt.
            return 0

        self._handler = handler_type(handle)
        self._set_handler = set_handler

    def __enter__(self) -> None:
        if self._set_handler is not None and not self._set_handler(self._handler, 1):
            raise OSError("SetConsoleCtrlHandler failed to add the handler")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._set_handler is not None and not self._set_handler(self._handler, 0):
            raise OSError("SetConsoleCtrlHandler failed to remove the handler")


__all__ = ["allow_interrupt"]
