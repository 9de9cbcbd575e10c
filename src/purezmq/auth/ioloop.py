"""Deprecated: ``IOLoopAuthenticator``, ZAP authentication on tornado's IOLoop
(pyzmq's ``zmq.auth.ioloop``).

tornado ≥ 6 runs on asyncio, so the asyncio authenticator already answers on tornado's loop;
pyzmq ≥ 25 made this class a thin subclass of ``AsyncioAuthenticator`` and warns on import
(``DeprecationWarning``); so does purezmq. It needs no tornado itself: ``io_loop``, when
given, is ignored with a warning.
"""

from __future__ import annotations

import warnings
from typing import Any

from .asyncio import AsyncioAuthenticator

warnings.warn(
    "zmq.auth.ioloop.IOLoopAuthenticator is deprecated. Use zmq.auth.asyncio.AsyncioAuthenticator",
    DeprecationWarning,
    stacklevel=2,
)


class IOLoopAuthenticator(AsyncioAuthenticator):
    """ZAP authentication on the running tornado IOLoop (an ``AsyncioAuthenticator``)."""

    def __init__(
        self,
        context: Any = None,
        encoding: str = "utf-8",
        log: Any = None,
        io_loop: Any = None,
    ) -> None:
        if io_loop is not None:
            warnings.warn(
                f"{type(self).__name__}(io_loop) is deprecated and ignored",
                DeprecationWarning,
                stacklevel=2,
            )
        super().__init__(context=context, encoding=encoding, log=log)


__all__ = ["IOLoopAuthenticator"]
