"""Fixtures of the engine tests: a threaded ``ContextCore`` and the event loop kinds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from purezmq._engine import ContextCore

from ..kit import network_side
from ..kit.engine import TIMEOUT


@pytest.fixture
def ctx() -> Iterator[ContextCore]:
    """A context with its I/O thread; every socket left open is closed, and term must end."""
    c = ContextCore.threaded()
    yield c
    for s in c.sockets:
        s.close(0)
    assert c.term(timeout=TIMEOUT)


@pytest.fixture(params=["asyncio", "uvloop"])
def loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run the test once on each event loop kind (``network_side.run`` picks it up)."""
    if request.param == "uvloop":
        pytest.importorskip("uvloop")
    with network_side.using_loop(request.param):
        yield request.param
