"""The interop tests talk to real libzmq through pyzmq (a test dependency); the contexts and
ipc directory are the fixtures of ``tests/conftest.py``."""

from __future__ import annotations

import pytest

pytest.importorskip("zmq")

# Test modules import ``endpoint_for`` from here.
from ..kit.libzmq import endpoint_for as endpoint_for
