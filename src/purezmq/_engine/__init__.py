"""Layer 3, the engine: the asyncio runtime behind both public APIs.

The *socket side* lives here (``context.py``: ``ContextCore``; ``socket_core.py``: ``SocketCore``;
``inproc.py``; ``signal.py``: owner wake-ups; ``wakeup.py``: cross-thread loop wake-ups); the
*network side* in ``peer.py``, ``listener.py``, ``connecter.py``, ``monitor.py``. The contract
between them and with the front-ends is ``docs/contracts.md``. Threading rules are in each
module's docstring.
"""

from __future__ import annotations

from .context import ContextCore, before_exit_flush
from .signal import LoopSignal, ThreadSignal
from .socket_core import SocketCore

__all__ = ["ContextCore", "LoopSignal", "SocketCore", "ThreadSignal", "before_exit_flush"]
