"""The blocking API (pyzmq's ``zmq``): ``Context``, ``Socket``, ``Poller``, ``select``, ``Frame``.

Re-exported at the top level (``purezmq.Context`` is ``purezmq.sync.Context``). Sockets' routing
patterns run on the calling thread; each Context has one daemon I/O thread for connections.
"""

from __future__ import annotations

from .context import Context
from .frame import Frame, Message, MessageTracker
from .poll import Poller, select, zmq_poll
from .socket import Socket

__all__ = [
    "Context",
    "Frame",
    "Message",
    "MessageTracker",
    "Poller",
    "Socket",
    "select",
    "zmq_poll",
]
