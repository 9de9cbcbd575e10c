"""The asyncio API (pyzmq's ``zmq.asyncio``): ``Context``, ``Socket``, ``Poller``.

Sockets run on the caller's running event loop, with no thread hop. As in pyzmq,
``send``/``recv`` (and their variants) and ``poll`` return ``asyncio.Future`` objects; when a
message is already queued the Future is already done, so awaiting it does not yield to the
loop. Pending receives are cancel-safe: a message is taken only for a Future that is still
pending, so ``wait_for(sock.recv(), t)`` timing out never loses one. ``Context(sync_ctx)``
shares a sync Context's engine, so one process may mix both APIs (Jupyter does);
``Context.instance()`` is a process-wide asyncio Context.

``Socket(sync_socket)`` (or ``Socket.from_socket(sync_socket)``) is an asyncio view of a sync
socket, as in pyzmq: the same socket, used from the loop's thread (``shadow.py``).

Differences from ``zmq.asyncio``: Futures pending when their socket closes fail with ENOTSOCK
(pyzmq cancels them), and with ETERM when the context terminates (pyzmq leaves them pending).
An asyncio ``Socket`` is an instance of ``purezmq.Socket`` as in pyzmq, though a virtual
subclass (registered with ``abc``): it shares the await-free base, not the sync socket's
blocking calls. ``Socket.shadow(address)`` is refused: there is no libzmq socket
address to wrap (pass the sync socket itself).

Layer 4: imports layer 0, the front-ends' base (``_base``) and ``_engine``; its ``Context``
subclasses the blocking ``purezmq.Context`` (public names only), because pyzmq's
``zmq.asyncio.Context`` is a ``zmq.Context`` and programs check that.
"""

from __future__ import annotations

import selectors
import warnings
from asyncio import SelectorEventLoop
from typing import Any, ClassVar

from .. import sync as _sync
from .._base.frame import Frame, Message
from .._engine import ContextCore
from .poll import Poller
from .socket import Socket

# pyzmq's ``zmq.asyncio.Socket`` is a ``zmq.Socket``, and programs check that: a virtual
# subclass (it shares SocketBase with the sync socket, not the sync socket's blocking calls).
_sync.Socket.register(Socket)


class Context(_sync.Context):
    """A Context whose sockets are asyncio sockets (``zmq.asyncio.Context``).

    ``Context(sync_ctx)`` (or ``Context(shadow=sync_ctx)``) shares ``sync_ctx``'s engine;
    terminating the shadow leaves the original running.
    """

    _repr_cls = "asyncio.Context"

    _instance: ClassVar[Any] = None
    _socket_class: ClassVar[type[Any]] = Socket

    def _make_core(self) -> Any:
        # No I/O thread: sockets run their connections on the loop that creates them.
        return ContextCore.on_loop()

    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new asyncio socket of ``socket_type``."""
        return super().socket(socket_type, socket_class, **kwargs)


def _deprecated() -> None:
    warnings.warn(
        "ZMQEventLoop and purezmq.asyncio.install() are deprecated (as in pyzmq 17+): "
        "purezmq's asyncio sockets work on any asyncio event loop",
        DeprecationWarning,
        stacklevel=3,
    )


class ZMQEventLoop(SelectorEventLoop):
    """Deprecated (pyzmq 17+): a plain selector event loop. Any asyncio loop works."""

    def __init__(self, selector: selectors.BaseSelector | None = None) -> None:
        _deprecated()
        super().__init__(selector)


def install() -> None:
    """Deprecated (pyzmq 17+): does nothing but warn; no special loop is needed."""
    _deprecated()


__all__ = ["Context", "Frame", "Message", "Poller", "Socket", "ZMQEventLoop", "install"]
