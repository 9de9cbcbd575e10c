"""The interop tests talk to real libzmq through pyzmq (a test dependency); the contexts and
ipc directory are the fixtures of ``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("zmq")

# Test modules import ``endpoint_for`` from here.
from ..kit.libzmq import endpoint_for as endpoint_for


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    """Sockets to close at the end (pyzmq warns about sockets left to the context)."""
    socks: list[Any] = []
    yield socks
    for sock in socks:
        sock.close(0)
