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

from ..zmtp.bodies import BodyPool, mark_payloads_tracked
from ..zmtp.mechanisms import _crypto
from ..zmtp.mechanisms._crypto import MISSING_MESSAGE as CURVE_MISSING_MESSAGE
from .context import ContextCore, before_exit_flush
from .signal import LoopSignal, ThreadSignal
from .socket_core import SocketCore


def curve_available() -> bool:
    """Whether CURVE can run here (PyNaCl installed), asked at each call."""
    return _crypto.available()


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
