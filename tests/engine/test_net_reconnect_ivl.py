"""libzmq's reconnect interval rule (stream_connecter_base::get_new_reconnect_ivl)."""

from __future__ import annotations

import random

from purezmq._engine.connecter import next_reconnect_ivl


def test_jitter_when_no_maximum() -> None:
    rng = random.Random(7)
    current = -1
    for _ in range(200):
        delay, current = next_reconnect_ivl(current, 100, 0, rng)
        assert 100 <= delay < 200
        assert current == 100  # no growth without RECONNECT_IVL_MAX


def test_exponential_backoff_capped() -> None:
    rng = random.Random(0)
    current = -1
    delays = []
    for _ in range(6):
        delay, current = next_reconnect_ivl(current, 100, 1000, rng)
        delays.append(delay)
    assert delays == [100, 200, 400, 800, 1000, 1000]


def test_backoff_does_not_overflow() -> None:
    delay, current = next_reconnect_ivl(2**30 + 1, 100, 2**31 - 1, random.Random(0))
    assert delay == current == 2**31 - 1
