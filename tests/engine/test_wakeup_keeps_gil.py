"""A thread that wakes the I/O loop keeps the GIL for the write (``_engine.gil_held_write``):
the loop's thread, woken by the write, must not take the GIL from the waking thread and run
before it has queued more (docs/performance.md, "Waking the I/O thread")."""

from __future__ import annotations

import os
import sys
import threading
import time

import pytest

from purezmq._engine.gil_held_write import write_keeping_gil

from ..kit.engine import TIMEOUT

pytestmark = pytest.mark.skipif(not hasattr(os, "eventfd"), reason="Linux eventfd")

_ONE = (1).to_bytes(8, sys.byteorder)


def test_each_write_reaches_the_descriptor() -> None:
    fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    try:
        for _ in range(5):
            write_keeping_gil(fd, _ONE)
        assert os.eventfd_read(fd) == 5
    finally:
        os.close(fd)


def test_a_closed_descriptor_is_ignored() -> None:
    fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    os.close(fd)
    write_keeping_gil(fd, _ONE)  # EBADF: nobody left to wake, nothing raised


@pytest.mark.skipif(
    sys.implementation.name != "cpython"
    or not getattr(sys, "_is_gil_enabled", lambda: True)(),
    reason="only a GIL can be kept",
)
def test_no_other_thread_runs_during_the_writes() -> None:
    """Another thread that wants the GIL runs no bytecode while this one writes: with a
    switch interval far above the test's length, only a released GIL would let it in."""
    fd = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
    ticks = [0]
    started = threading.Event()
    stop = threading.Event()

    def spin() -> None:
        started.set()
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0)  # hand the GIL back between ticks

    interval = sys.getswitchinterval()
    sys.setswitchinterval(TIMEOUT * 4)
    spinner = threading.Thread(target=spin, daemon=True)
    try:
        spinner.start()
        assert started.wait(TIMEOUT)
        before = ticks[0]
        for _ in range(2_000):
            write_keeping_gil(fd, _ONE)
        after = ticks[0]
    finally:
        sys.setswitchinterval(interval)
        stop.set()
        spinner.join(TIMEOUT)
        os.close(fd)
    assert after == before
