"""Sockets closed and contexts terminated from an ``atexit`` handler (ipykernel's kernel does
this: ``atexit.register(app.close)``, which terminates its contexts).

At interpreter exit, ``weakref.finalize`` objects marked ``atexit`` (the default) run before
the ``atexit`` handlers registered before them. The I/O loop's wake-up fd
(``_engine/wakeup.py``) must not be closed by such a finalizer while its loop still runs: a
close that needs the I/O loop afterwards (a tcp listener's close is one control-plane round
trip) would kick a closed fd and wait forever.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")

SCRIPT = textwrap.dedent(
    """
    import atexit

    import purezmq

    ctx = purezmq.Context()


    def close_at_exit():
        sock.close()
        ctx.term()
        print("closed at exit", flush=True)


    atexit.register(close_at_exit)
    sock = ctx.socket(purezmq.ROUTER)
    sock.bind("tcp://127.0.0.1:0")  # first use: the I/O thread and its wake-up fd start here
    """
)


def test_a_socket_closed_by_an_atexit_handler_closes() -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=5
        )
    except subprocess.TimeoutExpired:
        pytest.fail("closing the socket from an atexit handler hung")
    assert proc.returncode == 0, proc.stderr
    assert "closed at exit" in proc.stdout
