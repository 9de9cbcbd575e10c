"""Smoke tests of ``purezmq bench``: the CLI parses, and one tiny cell runs end to end.

No timing is asserted: only that a cell produced a measurement and that the report and the
JSON file carry it. The cell runs pyzmq (libzmq) so that it checks the harness, not purezmq.
"""

from __future__ import annotations

import json
import py_compile
import tempfile
from pathlib import Path

import pytest

from purezmq.bench import main
from purezmq.bench.command import build_parser, options_from
from purezmq.bench.libs import Impl, importable
from purezmq.bench.runner import parse_size, plan
from purezmq.bench.startup import measure, uncached_bytecode


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
        "floor-asyncio",
    ]
    assert opts.sizes["thr"] == [16, 1024, 1024 * 1024]
    cells = plan(opts)
    # Implementations of one measurement run back to back (interleaved comparison); the
    # asyncio floor is a round trip only.
    first = cells[: len(labels) - 1]
    assert {(c.test, c.transport, c.size) for c in first} == {("thr", "tcp", 16)}
    assert [c.impl for c in first] == labels[:-1]


def test_the_floor_measures_tcp_and_ipc_round_trips_only() -> None:
    opts = options_from(build_parser().parse_args(["--compare", "floor"]))
    floor = {(c.test, c.transport, c.mechanism) for c in plan(opts) if c.impl == "floor-asyncio"}
    assert floor == {("lat", "tcp", "null"), ("lat", "ipc", "null")}


def test_compare_takes_a_list_and_leaves_out_what_is_missing() -> None:
    args = build_parser().parse_args(["--compare", "pyzmq,pyomq", "--api", "sync"])
    labels = [i.label for i in options_from(args).impls]
    assert labels[:2] == ["purezmq-sync", "pyzmq-sync"]
    assert ("pyomq-sync" in labels) == importable("pyomq")
    assert build_parser().parse_args(["--compare", "none"]).compare == []
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--compare", "pyzmq,nanomsg"])


def test_the_floor_echoes_a_round_trip() -> None:
    """One tiny floor cell end to end: the worker processes report a latency."""
    out = Path(tempfile.mkdtemp()) / "floor.json"
    rc = main(["--lib", "floor", "--api", "asyncio", "--test", "lat", "--transport", "tcp",
               "--size", "1", "--time", "0.05", "-q", "--json", str(out)])  # fmt: skip
    assert rc == 0
    (cell,) = json.loads(out.read_text())["cells"]
    assert cell["status"] == "ok" and cell["metrics"]["median_us"] > 0


def test_startup_reports_import_and_first_round_trip() -> None:
    got = measure("purezmq", 1)
    assert set(got) == {"import", "importtime", "context", "first"}
    assert all(v > 0 for v in got.values())


def test_startup_tells_when_the_bytecode_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "startup_probe_module.py"
    source.write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    cached = uncached_bytecode("startup_probe_module")
    assert cached is not None and "__pycache__" in cached
    py_compile.compile(str(source), cfile=cached)
    assert uncached_bytecode("startup_probe_module") is None


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


def test_pyomq_and_floor_columns_and_the_floor_bar() -> None:
    from purezmq.bench.report import check_bars, tables
    from purezmq.bench.runner import Cell

    def lat(impl: str, median: float) -> Cell:
        metrics = {"median_us": median, "p99_us": 1.0}
        return Cell("lat", "tcp", 1, impl, status="ok", metrics=metrics)

    cells = [
        lat("purezmq-asyncio", 60.0),
        lat("pyzmq-asyncio", 120.0),
        lat("pyomq-asyncio", 100.0),
        lat("floor-asyncio", 30.0),
    ]
    text = tables(cells)
    assert "asyncio/pyomq" in text and "asyncio/floor" in text
    assert "0.60×" in text and "2.00×" in text
    bars = {b["bar"]: b for b in check_bars(cells)}
    floor = bars["tcp 1 B REQ↔REP asyncio latency / floor"]
    assert floor["ratio"] == 2.0 and floor["met"]
    assert not bars["tcp 1 B REQ↔REP asyncio latency"]["met"]  # 0.5 > 0.4
