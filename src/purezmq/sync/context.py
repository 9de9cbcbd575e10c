"""The blocking ``Context`` (``zmq.Context``): a factory of blocking sockets.

A sync Context runs its engine's connections on one daemon I/O thread, started lazily by
``ContextCore.threaded()`` (docs/architecture.md, threads and loops). Sockets' patterns run on
the users' threads. Everything else -- options, ``instance()``, ``term()``/``destroy()`` with
libzmq's rules -- is the shared ``ContextBase``.

Layer 4: imports layer 0, the front-ends' base and ``_engine`` only.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._base.context import ContextBase
from .._engine import ContextCore
from .socket import Socket


class Context(ContextBase):
    """Creates blocking sockets; one per process is usually enough (``Context.instance()``).

    Args:
        io_threads: accepted for pyzmq compatibility; purezmq uses one I/O thread.
        shadow: another purezmq ``Context`` or its ``underlying`` handle, whose engine this
            one shares (pyzmq's ``Context(shadow=...)``); terminating a shadow does not
            terminate the original.
    """

    _repr_cls = "Context"

    _instance: ClassVar[Any] = None
    _socket_class: ClassVar[type[Any]] = Socket

    def _make_core(self) -> Any:
        return ContextCore.threaded()


__all__ = ["Context"]
