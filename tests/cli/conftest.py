"""``spawn``: start ``purezmq`` processes that are killed (if still running) after the test."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .shell import Proc, start


@pytest.fixture
def spawn() -> Iterator[Callable[..., Proc]]:
    procs: list[Proc] = []

    def starter(*args: str, stdin: Any = subprocess.DEVNULL) -> Proc:
        proc = start(*args, stdin=stdin)
        procs.append(proc)
        return proc

    yield starter
    for proc in procs:
        proc.stop()
