"""Fixtures for talking to real libzmq through pyzmq (a test dependency)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest

zmq = pytest.importorskip("zmq")

import purezmq  # noqa: E402


@pytest.fixture
def libzmq_ctx() -> Iterator[Any]:
    ctx = zmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def pure_ctx() -> Iterator[purezmq.Context]:
    ctx = purezmq.Context()
    yield ctx
    ctx.destroy(linger=0)


@pytest.fixture
def ipc_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pzmq-") as path:
        yield path


def endpoint_for(transport: str, ipc_dir: str) -> str:
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    return f"ipc://{os.path.join(ipc_dir, 'sock')}"
