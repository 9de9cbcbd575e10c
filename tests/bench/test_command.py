"""Smoke tests of ``purezmq bench``: the CLI parses, and one tiny cell runs end to end.

No timing is asserted: only that a cell produced a measurement and that the report and the
JSON file carry it. The cell runs pyzmq (libzmq) so that it checks the harness, not purezmq.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from purezmq.bench import main
from purezmq.bench.command import build_parser, options_from
from purezmq.bench.libs import Impl
from purezmq.bench.runner import parse_size, plan


def test_parser_defaults_and_compare() -> None:
    args = build_parser().parse_args(["--compare", "pyzmq", "--size", "16,1k,1M"])
    opts = options_from(args)
    labels = [i.label for i in opts.impls]
    assert labels == [
        "purezmq-sync",
        "purezmq-asyncio",
        "purezmq-uvloop",
        "pyzmq-sync",
        "pyzmq-asyncio",
    ]
    assert opts.sizes["thr"] == [16, 1024, 1024 * 1024]
    cells = plan(opts)
    # Implementations of one measurement run back to back (interleaved comparison).
    first = cells[: len(labels)]
    assert {(c.test, c.transport, c.size) for c in first} == {("thr", "tcp", 16)}
    assert [c.impl for c in first] == labels


def test_default_set_measures_the_curve_bar() -> None:
    """One run of the default set reports every bar: it adds CURVE tcp 64 B PUSH→PULL (only
    that cell of CURVE, beside its null twin); naming the mechanisms turns this off."""
    pytest.importorskip("nacl")
    cells = plan(options_from(build_parser().parse_args(["--compare", "pyzmq"])))
    curve = [(c.test, c.transport, c.size) for c in cells if c.mechanism == "curve"]
    assert curve == [("thr", "tcp", 64)] * 5
    named = plan(options_from(build_parser().parse_args(["--mechanism", "null"])))
    assert all(c.mechanism == "null" for c in named)


def test_parser_rejects_unknown_names() -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--transport", "carrier-pigeon"])
    with pytest.raises(ValueError):
        Impl.parse("purezmq-threads")


def test_sizes() -> None:
    assert parse_size("64") == 64
    assert parse_size("4k") == 4096
    assert parse_size("1MiB") == 1024 * 1024


def test_quick_inproc_cell_with_pyzmq(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("zmq")
    out = tmp_path / "results.json"
    argv = ["--quick", "--lib", "pyzmq", "--api", "sync", "--test", "thr"]
    argv += ["--transport", "inproc", "--size", "64", "--time", "0.02", "--timeout", "30"]
    argv += ["--json", str(out), "--quiet"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "PUSH→PULL" in printed
    data = json.loads(out.read_text())
    (cell,) = data["cells"]
    assert cell["status"] == "ok", cell["error"]
    assert cell["impl"] == "pyzmq-sync"
    assert cell["metrics"]["msgs_per_s"] > 0
    assert data["machine"]["nproc"] >= 1


def test_ws_cell_measures_purezmq_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import purezmq

    if not purezmq.has("ws"):
        pytest.skip("ws needs the ws extra")
    out = tmp_path / "results.json"
    argv = ["--quick", "--api", "sync", "--test", "thr", "--transport", "ws"]
    argv += ["--size", "64", "--time", "0.02", "--timeout", "60", "--json", str(out), "--quiet"]
    assert main(argv) == 0
    capsys.readouterr()
    data = json.loads(out.read_text())
    (cell,) = data["cells"]  # pyzmq's wheel has no ws://: no cell for it
    assert cell["status"] == "ok", cell["error"]
    assert cell["impl"] == "purezmq-sync" and cell["transport"] == "ws"
    assert cell["metrics"]["msgs_per_s"] > 0


def test_ws_cells_of_pyzmq_need_an_interpreter_whose_pyzmq_has_ws() -> None:
    argv = ["--compare", "pyzmq", "--api", "sync", "--test", "thr", "--transport", "ws"]
    argv += ["--size", "64"]
    without = plan(options_from(build_parser().parse_args(argv)))
    assert [c.impl for c in without] == ["purezmq-sync"]
    opts = options_from(build_parser().parse_args([*argv, "--ws-pyzmq", "/venv/bin/python"]))
    assert opts.ws_python == "/venv/bin/python"
    assert [c.impl for c in plan(opts)] == ["purezmq-sync", "pyzmq-sync", "pyzmq-asyncio"]


def test_ws_cell_of_pyzmq_runs_under_the_given_interpreter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With Debian's libzmq 4.3.4 venv (tests/interop/libzmq434/setup.sh), when it is there."""
    import os

    python = Path(os.environ.get("PUREZMQ_LIBZMQ434_VENV", "/tmp/venv-libzmq434")) / "bin/python"
    if not python.exists():
        pytest.skip(f"no pyzmq with ws:// at {python} (tests/interop/libzmq434/setup.sh)")
    out = tmp_path / "results.json"
    argv = ["--lib", "pyzmq", "--api", "sync", "--test", "thr", "--transport", "ws"]
    argv += ["--size", "64", "--time", "0.02", "--timeout", "60", "--json", str(out), "--quiet"]
    assert main([*argv, "--ws-pyzmq", str(python)]) == 0
    capsys.readouterr()
    (cell,) = json.loads(out.read_text())["cells"]
    assert cell["status"] == "ok", cell["error"]
    assert cell["impl"] == "pyzmq-sync" and cell["metrics"]["msgs_per_s"] > 0


def test_radio_udp_cell_measures_purezmq_only(tmp_path: Path) -> None:
    """RADIO→DISH over udp:// (the pyzmq wheel has neither): one cell, purezmq alone, with the
    share of the datagrams that arrived."""
    out = tmp_path / "results.json"
    argv = ["--quick", "--api", "sync", "--compare", "pyzmq", "--test", "radio", "--size", "64"]
    argv += ["--time", "0.02", "--timeout", "60", "--json", str(out), "--quiet"]
    assert main(argv) == 0
    data = json.loads(out.read_text())
    (cell,) = data["cells"]
    assert cell["status"] == "ok", cell["error"]
    assert (cell["impl"], cell["transport"], cell["test"]) == ("purezmq-sync", "udp", "radio")
    assert cell["metrics"]["msgs_per_s"] > 0
    assert 0 < cell["metrics"]["delivered"] <= 1
    assert not [
        c
        for c in plan(options_from(build_parser().parse_args(["--test", "thr"])))
        if c.transport == "udp"
    ]
