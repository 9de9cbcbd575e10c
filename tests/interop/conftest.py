"""The interop tests talk to real libzmq through pyzmq (a test dependency); the contexts and
ipc directory are the fixtures of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import purezmq

# Skip before the kit imports pyzmq. Test modules import ``endpoint_for`` from here.
zmq = pytest.importorskip("zmq")

from ..kit.libzmq import endpoint_for as endpoint_for  # noqa: E402

#: RCVTIMEO/SNDTIMEO of ``libzmq_pair``'s sockets, so that a lost message fails the test.
PAIR_TIMEOUT_MS = 10_000


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    """Sockets to close at the end (pyzmq warns about sockets left to the context)."""
    socks: list[Any] = []
    yield socks
    for sock in socks:
        sock.close(0)


def libzmq_pair(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    pure_type: int,
    lib_type: int,
    transport: str,
    ipc_dir: str,
    pure_binds: bool,
) -> tuple[Any, Any]:
    """A connected (purezmq socket, libzmq socket) pair, either side binding; both with LINGER
    0 and ``PAIR_TIMEOUT_MS`` timeouts, closed at the end through ``opened``."""
    ours = pure_ctx.socket(pure_type)
    theirs = libzmq_ctx.socket(lib_type)
    opened += [ours, theirs]
    for sock, lib in ((ours, purezmq), (theirs, zmq)):
        sock.setsockopt(lib.LINGER, 0)
        sock.setsockopt(lib.RCVTIMEO, PAIR_TIMEOUT_MS)
        sock.setsockopt(lib.SNDTIMEO, PAIR_TIMEOUT_MS)
    if pure_binds:
        ours.bind(endpoint_for(transport, ipc_dir))
        theirs.connect(ours.getsockopt(purezmq.LAST_ENDPOINT).decode())
    else:
        theirs.bind(endpoint_for(transport, ipc_dir))
        ours.connect(theirs.getsockopt(zmq.LAST_ENDPOINT).decode())
    return ours, theirs
