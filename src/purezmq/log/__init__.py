"""Logging over ØMQ (pyzmq's ``zmq.log``): ``handlers.PUBHandler`` publishes log records on a
PUB socket; ``python -m purezmq.log URL`` (``python -m zmq.log`` under ``purezmq run``)
subscribes to one and prints what arrives."""

from __future__ import annotations
