"""The test kit for code built on purezmq (and for purezmq's own tests).

- ``memory``: two sans-IO ``zmtp.Connection`` objects joined in memory
  (``connected_pair``, ``pump``, ``transfer``), the bytes re-cut on the way
  (``pieces_of``, ``split_at``) to exercise the incremental parsers.
- ``driver``: one ``Connection`` driven over a blocking socket against another ZMTP peer
  (``ConnectionDriver``).
- ``raw``: a raw ZMTP peer: greeting, command and READY bytes written from the RFC, plain
  sockets to script them (``raw.greeting()``, ``raw.ready(b"PUSH")``, ``raw.connect(...)``).
- ``faultproxy``: a TCP proxy that injects faults between two peers (cut, reset, half-open,
  black hole, stall, delay, throttle, re-segmenting, refused connects): ``FaultProxy``.
- ``wait``: bounded waits for asynchronous steps (``wait_subscribed``).
"""

from __future__ import annotations

from . import raw
from .driver import ConnectionDriver
from .faultproxy import FaultProxy, ProxyStats
from .memory import Chunker, connected_pair, pieces_of, pump, split_at, transfer
from .wait import wait_subscribed

__all__ = [
    "raw",
    "ConnectionDriver",
    "FaultProxy",
    "ProxyStats",
    "Chunker",
    "connected_pair",
    "pieces_of",
    "pump",
    "split_at",
    "transfer",
    "wait_subscribed",
]
