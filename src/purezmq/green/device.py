"""pyzmq's ``zmq.green.device`` module: ``device`` for green sockets.

purezmq's ``device`` waits with the Poller of the socket it is given (a green socket's is the
gevent Poller), so it blocks only the calling greenlet.
"""

from __future__ import annotations

from .. import device

__all__ = ["device"]
