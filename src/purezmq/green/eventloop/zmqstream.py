"""``zmq.green.eventloop.zmqstream``: ``purezmq.eventloop.zmqstream`` under the green name."""

from __future__ import annotations

from ...eventloop.zmqstream import ZMQStream as ZMQStream

__all__ = ["ZMQStream"]
