"""Peers of one loop thread share one receive buffer; other threads get their own."""

from __future__ import annotations

import threading

from purezmq._engine.transport_io import SHARED_BUFFER_SIZE, shared_receive_buffer


def test_one_buffer_per_thread() -> None:
    mine = shared_receive_buffer()
    assert mine is shared_receive_buffer()
    assert len(mine) == SHARED_BUFFER_SIZE
    other: list[memoryview] = []
    thread = threading.Thread(target=lambda: other.append(shared_receive_buffer()))
    thread.start()
    thread.join(timeout=10)
    assert other and other[0] is not mine
    assert other[0].obj is not mine.obj
