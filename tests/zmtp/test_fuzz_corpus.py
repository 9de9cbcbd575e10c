"""The fuzz corpora replayed: every seed and every input that once crashed a parser (fuzz/).

A crash that the fuzzer finds is saved under ``fuzz/corpus/<target>/`` once fixed, so this test
keeps it fixed. The connection seeds must also still reach READY: otherwise the fuzzer would
start from inputs that no longer get past the handshake and explore nothing deep.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
sys.path.insert(0, str(FUZZ))

from targets import DRIVERS, TARGETS  # noqa: E402

CASES = sorted(
    (target, path.name) for target in TARGETS for path in (FUZZ / "corpus" / target).iterdir()
)


def test_every_target_has_seeds() -> None:
    assert {target for target, _ in CASES} == set(TARGETS)


@pytest.mark.parametrize(("target", "name"), CASES)
def test_corpus_input_is_handled(target: str, name: str) -> None:
    TARGETS[target]((FUZZ / "corpus" / target / name).read_bytes())


@pytest.mark.parametrize("target", sorted(DRIVERS))
def test_connection_seeds_reach_ready(target: str) -> None:
    ready = [
        DRIVERS[target](path.read_bytes()).ready
        for path in sorted((FUZZ / "corpus" / target).iterdir())
    ]
    assert any(ready), f"no seed of {target} completes the handshake"
