"""The blocking API (pyzmq's ``zmq``): ``Context``, ``Socket``, ``Poller``, ``select``, ``Frame``.

Re-exported at the top level (``purezmq.Context`` is ``purezmq.sync.Context``). Sockets' routing
patterns run on the calling thread; each Context has one daemon I/O thread for connections.

Where purezmq deliberately differs from pyzmq (docs/architecture.md §4: keep the API, fix the trap):

* ``Context.term()`` closes sockets that the calling thread created and left open instead of
  hanging forever; a socket collected while open is closed by its Context, not leaked.
* ``send(..., SNDMORE)`` frames are held by the socket and handed over with the last frame, so
  a peer never sees part of a message; ``send`` returns what pyzmq's returns for its
  ``copy``/``track`` arguments, but every tracker is done at once (purezmq never lends a
  buffer to the engine), and ``Frame.buffer`` is read-only (payloads are immutable bytes).
* No libzmq underneath: ``underlying`` is a purezmq handle, which ``Socket.shadow``/
  ``Context.shadow`` resolve (a libzmq address cannot be shadowed); terminating a shadow
  Context leaves the engine running. The draft API (RADIO/DISH ``join``, ``routing_id``/
  ``group`` on send or on a Frame) raises ENOTSUP.
"""

from __future__ import annotations

from .._base.frame import Frame, Message, MessageTracker
from .context import Context
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
