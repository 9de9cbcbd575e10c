"""The gevent-cooperative ``Context`` (pyzmq's ``zmq.green.Context``): it makes green sockets.

Its engine is the blocking Context's (connections on one daemon I/O thread, which wakes the
hub through each socket's fd); it has its own ``instance()``, as in pyzmq.

``term()`` waits, as libzmq's does, until every socket is closed, but it waits cooperatively:
the greenlets that own those sockets (one blocked in ``recv`` wakes with ETERM) must run to
close them, in this same thread. So the engine's blocking wait runs in the hub's thread pool
while the calling greenlet waits in the hub. (pyzmq's green ``term()`` blocks the whole
process there.)

Under ``gevent.monkey.patch_all()`` threads are greenlets: the engine's I/O "thread" is then a
greenlet too, and must run asyncio's own event loop, whose selector gevent has patched to yield
to the hub (uvloop's C loop would never yield); its waits are cooperative already, so
``term()`` needs no thread pool.

Layer 4: imports ``_engine``, gevent and the blocking front-end's public ``Context``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ClassVar

from gevent.hub import get_hub

from .._engine import ContextCore
from ..sync import Context as _BlockingContext
from .socket import Socket


def threads_are_greenlets() -> bool:
    """Whether ``gevent.monkey`` has patched ``threading`` (threads are then greenlets)."""
    from gevent import monkey

    return bool(monkey.is_module_patched("threading"))


class _HubContextCore(ContextCore):
    """A ContextCore whose ``term()`` blocks only the calling greenlet."""

    def term(
        self, timeout: float | None = None, reap: Callable[[], None] | None = None
    ) -> bool:
        if timeout == 0 or threads_are_greenlets():
            # Nothing to wait for (a finalizer's call), or waits that already yield.
            return super().term(timeout, reap)
        blocking_term = super().term
        return bool(get_hub().threadpool.apply(blocking_term, (timeout, reap)))


class Context(_BlockingContext):
    """Creates green sockets; ``Context.instance()`` is separate from the blocking one's."""

    _repr_cls = "green.Context"

    _instance: ClassVar[Any] = None
    _socket_class: ClassVar[type[Any]] = Socket

    def _make_core(self) -> Any:
        if threads_are_greenlets():
            return _HubContextCore.threaded(asyncio.new_event_loop)
        return _HubContextCore.threaded()


__all__ = ["Context"]
