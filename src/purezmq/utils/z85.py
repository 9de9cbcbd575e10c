"""pyzmq's ``zmq.utils.z85``: Z85 (ZeroMQ RFC 32) encoding, re-exported from ``purezmq.z85``."""

from __future__ import annotations

from ..z85 import ALPHABET, decode, encode

__all__ = ["ALPHABET", "decode", "encode"]
