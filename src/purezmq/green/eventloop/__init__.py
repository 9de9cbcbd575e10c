"""``zmq.green.eventloop``: pyzmq's tornado integration under the green package's name.

tornado's IOLoop runs green sockets as it runs blocking ones (through their FD), so this is
``purezmq.eventloop`` itself, as in pyzmq.
"""

from __future__ import annotations

from ...eventloop import IOLoop as IOLoop

__all__ = ["IOLoop"]
