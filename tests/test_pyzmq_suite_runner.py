"""suites/pyzmq/run.py, the runner of pyzmq's own test suite: its lists and its bookkeeping of
outcomes (the suite itself runs in CI, not here)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SUITE = Path(__file__).resolve().parents[1] / "suites" / "pyzmq"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("pyzmq_suite_run", SUITE / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


run = _load_runner()


@pytest.mark.parametrize("name", ["expected_failures.txt", "reference_failures.txt"])
def test_every_listed_test_is_a_pyzmq_test_node_with_a_reason(name: str) -> None:
    entries = run.read_node_list(SUITE / name)
    assert entries
    for node, reason in entries:
        assert node.startswith("tests/test_") and ".py" in node, node
        assert len(reason) > 20, node


def test_a_python_version_condition_drops_the_entry_from_that_version_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "expected_failures.txt").write_text(
        "tests/test_a.py # always, whatever the Python\n"
        "tests/test_b.py::T::t # [python<3.12] only before PEP 688\n"
    )
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(sys, "version_info", (3, 11, 9))
    assert [node for node, _ in run.read_expected_failures()] == [
        "tests/test_a.py",
        "tests/test_b.py::T::t",
    ]
    monkeypatch.setattr(sys, "version_info", (3, 12, 0))
    assert [node for node, _ in run.read_expected_failures()] == ["tests/test_a.py"]


def test_an_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("tests/test_a.py::test_x\n")
    with pytest.raises(SystemExit, match="reason"):
        run.read_node_list(listing)


def test_a_failed_teardown_fails_a_test_that_passed_its_call(tmp_path: Path) -> None:
    results = tmp_path / "results-purezmq.jsonl"
    records = [
        {"nodeid": "tests/t.py::a", "outcome": "passed", "when": "call", "message": ""},
        {"nodeid": "tests/t.py::a", "outcome": "failed", "when": "teardown", "message": "E"},
        {"nodeid": "tests/t.py::b", "outcome": "failed", "when": "call", "message": "boom"},
        {"nodeid": "tests/t.py::c", "outcome": "skipped", "when": "setup", "message": "no"},
    ]
    results.write_text("".join(json.dumps(r) + "\n" for r in records))
    outcomes = run.summarize(results, "purezmq", tmp_path)
    assert outcomes["failed"] == ["tests/t.py::a", "tests/t.py::b"]
    assert outcomes["skipped"] == ["tests/t.py::c"] and outcomes["passed"] == []
    assert (tmp_path / "failed-purezmq.txt").read_text() == "tests/t.py::a\ntests/t.py::b\n"
    assert "failed tests/t.py::b [call] boom" in (tmp_path / "outcomes-purezmq.txt").read_text()
