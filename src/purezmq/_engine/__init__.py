"""Layer 3, the engine: the asyncio runtime behind both public APIs.

The *socket side* lives here (``context.py``: ``ContextCore``; ``socket_core.py``: ``SocketCore``;
``inproc.py``; ``signal.py``: owner wake-ups; ``wakeup.py``: cross-thread loop wake-ups); the
*network side* in ``peer.py`` (composing ``flow.py``, ``transport_io.py``, ``security.py``,
``zap_client.py``), ``owner_writes.py``, ``stream_peer.py``, ``ws_peer.py``, ``listener.py``,
``connecter.py``, ``linger.py``, ``monitor.py``, meeting the socket side at
``network_side.py``. The contract between them and with the front-ends is
``docs/contracts.md``. Threading rules are in each module's docstring.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..zmtp.bodies import BodyPool, mark_payloads_tracked
from .context import ContextCore, before_exit_flush
from .signal import LoopSignal, ThreadSignal
from .socket_core import SocketCore

if TYPE_CHECKING:
    from ..zmtp.mechanisms._crypto import MISSING_MESSAGE as CURVE_MISSING_MESSAGE


def curve_available() -> bool:
    """Whether CURVE can run here (PyNaCl installed), asked at each call."""
    # The CURVE module loads with the first question about CURVE: a program that never
    # sets a CURVE option never imports it.
    from ..zmtp.mechanisms import _crypto

    return _crypto.available()


def __getattr__(name: str) -> Any:
    if name == "CURVE_MISSING_MESSAGE":
        from ..zmtp.mechanisms._crypto import MISSING_MESSAGE

        return MISSING_MESSAGE
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The front-ends reach the layers below only through the engine (docs/architecture.md §1):
# the buffer pool type their sockets hold, the switch that makes pools stop reusing buffers once
# a tracked frame exists, and whether CURVE can run here (PyNaCl installed).
__all__ = [
    "CURVE_MISSING_MESSAGE",
    "BodyPool",
    "ContextCore",
    "LoopSignal",
    "SocketCore",
    "ThreadSignal",
    "before_exit_flush",
    "curve_available",
    "mark_payloads_tracked",
]
