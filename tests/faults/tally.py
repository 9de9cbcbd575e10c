"""Numbered messages for the fault tier: send a range, receive it back exactly, and keep the
tier's totals (faults injected, messages checked, messages lost) for its summary line."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from purezmq.testing import FaultProxy


@dataclass
class Totals:
    faults: int = 0
    checked: int = 0
    lost: int = 0
    duplicated: int = 0


#: What every test of the tier added up, printed by ``conftest.pytest_terminal_summary``.
TOTALS = Totals()


def count_faults(proxy: FaultProxy) -> None:
    TOTALS.faults += proxy.stats.faults_injected


def numbered(n: int, prefix: bytes = b"") -> bytes:
    return prefix + b"%06d" % n


def send_range(sock: Any, numbers: Iterable[int], prefix: bytes = b"") -> None:
    for n in numbers:
        sock.send(numbered(n, prefix))


def expect_exactly(sock: Any, numbers: Iterable[int], prefix: bytes = b"") -> None:
    """Receive the messages ``numbers`` (in order) and then nothing more for a short poll:
    none lost, none duplicated, none reordered. ``sock`` has a bounded RCVTIMEO."""
    wanted = [numbered(n, prefix) for n in numbers]
    got: list[bytes] = []
    try:
        while len(got) < len(wanted):
            got.append(sock.recv())
    except Exception:
        TOTALS.lost += len(wanted) - len(got)
        raise AssertionError(
            f"{len(wanted) - len(got)} of {len(wanted)} messages lost; "
            f"last received {got[-1:]!r}"
        ) from None
    extra = []
    while sock.poll(50):
        extra.append(sock.recv())
    TOTALS.checked += len(got)
    TOTALS.duplicated += len(extra)
    assert got == wanted, f"received out of order: first difference at {_first_diff(got, wanted)}"
    assert not extra, f"unexpected extra messages: {extra[:5]!r}"


def _first_diff(got: list[bytes], wanted: list[bytes]) -> int:
    return next(i for i, (a, b) in enumerate(zip(got, wanted, strict=False)) if a != b)
