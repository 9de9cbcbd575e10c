"""The asyncio API (pyzmq's ``zmq.asyncio``): ``Context``, ``Socket``, ``Poller``.

Sockets run on the caller's running event loop, with no thread hop: ``await sock.recv()``
returns without creating a Future when a message is queued, and receives are cancel-safe.
``Context(sync_ctx)`` shares a sync Context's engine, so one process may mix both APIs
(Jupyter does); ``Context.instance()`` is a process-wide asyncio Context.

Differences from ``zmq.asyncio``: ``send``/``recv``/``poll``... are coroutines (pyzmq returns
Futures) -- which is what makes ``recv`` cancel-safe: a message is only taken by a coroutine
that is running, so ``wait_for(sock.recv(), t)`` timing out never loses one. An asyncio
``Socket`` is not a subclass of the sync ``Socket`` (the same names, but its methods wait
differently); ``Socket.from_socket`` is refused.

Layer 4: imports layer 0, the front-ends' base (``_base``) and ``_engine``; its ``Context``
subclasses the blocking ``purezmq.Context`` (public names only), because pyzmq's
``zmq.asyncio.Context`` is a ``zmq.Context`` and programs check that.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import sync as _sync
from .._base.frame import Frame, Message
from .._engine import ContextCore
from .poll import Poller
from .socket import Socket


class Context(_sync.Context):
    """A Context whose sockets are asyncio sockets (``zmq.asyncio.Context``).

    ``Context(sync_ctx)`` (or ``Context(shadow=sync_ctx)``) shares ``sync_ctx``'s engine;
    terminating the shadow leaves the original running.
    """

    _instance: ClassVar[Any] = None
    _socket_class: ClassVar[type[Any]] = Socket

    def _make_core(self) -> Any:
        # No I/O thread: sockets run their connections on the loop that creates them.
        return ContextCore.on_loop()

    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new asyncio socket of ``socket_type``."""
        return super().socket(socket_type, socket_class, **kwargs)


__all__ = ["Context", "Frame", "Message", "Poller", "Socket"]
