"""pyzmq's Cython binding to libzmq: purezmq has none (importing this raises ImportError)."""

from __future__ import annotations

raise ImportError(
    "zmq.backend.cython is pyzmq's compiled binding to libzmq; purezmq is pure Python and has "
    "no libzmq underneath. Use the names of zmq.backend (Context, Socket, proxy, has...)."
)
