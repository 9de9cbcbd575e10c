"""Fixtures every test directory may use: a context of each library and a directory for ipc
endpoints. Helpers that are not fixtures live in ``tests/kit`` and ``purezmq.testing``."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq


@pytest.fixture
def pure_ctx() -> Iterator[purezmq.Context]:
    """A purezmq context, destroyed with LINGER 0 after the test."""
    ctx = purezmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def libzmq_ctx() -> Iterator[Any]:
    """A libzmq context (pyzmq), destroyed with LINGER 0 after the test."""
    zmq = pytest.importorskip("zmq")
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def ipc_dir() -> Iterator[str]:
    """A fresh directory for ipc socket files, removed after the test."""
    with tempfile.TemporaryDirectory(prefix="pzmq-") as path:
        yield path
