"""Tables, ratios and the performance bars of the issue, from a list of finished cells.

Ratios always compare purezmq with pyzmq measured in the same run: ``purezmq-sync`` against
``pyzmq-sync``, ``purezmq-asyncio`` and ``purezmq-uvloop`` against ``pyzmq-asyncio``
(``zmq.asyncio``). For throughput a ratio above 1 means purezmq is faster; for latency a ratio
below 1 means purezmq is faster. pyomq, when measured, gets the same ratios in columns of its
own (``sync/pyomq``...), and the asyncio round trip is also divided by the asyncio floor
(``floor-asyncio``, a bare ``BufferedProtocol`` echo: ``asyncio/floor``).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .libs import versions
from .runner import TEST_NAMES, Cell, fmt_size

#: The implementation each purezmq API is compared with.
BASELINE = {"sync": "pyzmq-sync", "asyncio": "pyzmq-asyncio", "uvloop": "pyzmq-asyncio"}
#: The same for the other libraries a run may compare with (column suffix, baselines).
OTHER_BASELINES = (
    ("pyomq", {"sync": "pyomq-sync", "asyncio": "pyomq-asyncio", "uvloop": "pyomq-asyncio"}),
    ("floor", {"asyncio": "floor-asyncio", "uvloop": "floor-asyncio"}),
)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        **versions(),
    }
    try:
        root = Path(__file__).resolve().parents[3]
        rev = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
        )
        if rev.returncode == 0:
            info["purezmq_git"] = rev.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return info


def _key(c: Cell) -> tuple[str, str, str, int, int]:
    return (c.test, c.transport, c.mechanism, c.subs, c.size)


def index(cells: Iterable[Cell]) -> dict[tuple[Any, ...], dict[str, Cell]]:
    out: dict[tuple[Any, ...], dict[str, Cell]] = {}
    for c in cells:
        out.setdefault(_key(c), {})[c.impl] = c
    return out


def _value(c: Cell | None) -> float | None:
    if c is None or c.status != "ok":
        return None
    return c.metrics["median_us"] if c.test == "lat" else c.metrics["msgs_per_s"]


def ratio(a: Cell | None, b: Cell | None) -> float | None:
    va, vb = _value(a), _value(b)
    if va is None or vb is None or vb == 0:
        return None
    return va / vb


def _fmt_cell(c: Cell | None) -> str:
    if c is None:
        return "-"
    if c.status != "ok":
        return c.status.upper()
    m = c.metrics
    if c.test == "lat":
        return f"{m['median_us']:.0f}/{m['p99_us']:.0f}"
    if c.size >= 16 * 1024:
        return f"{m['mb_per_s']:,.0f} MB/s"
    if c.test == "radio":
        return f"{m['msgs_per_s'] / 1e3:,.0f}k ({m['delivered']:.0%})"
    return f"{m['msgs_per_s'] / 1e3:,.0f}k"


def tables(cells: list[Cell]) -> str:
    """One table per test: rows are transport/size, columns implementations, then ratios."""
    impls = list(dict.fromkeys(c.impl for c in cells))  # plan order: purezmq first
    ratio_cols = [
        (impl, BASELINE[impl.split("-", 1)[1]], f"{impl.split('-', 1)[1]} ratio")
        for impl in impls
        if impl.startswith("purezmq-") and BASELINE[impl.split("-", 1)[1]] in impls
    ]
    for other, base in OTHER_BASELINES:
        for impl in impls:
            api = impl.split("-", 1)[1]
            if impl.startswith("purezmq-") and base.get(api) in impls:
                ratio_cols.append((impl, base[api], f"{api}/{other}"))
    idx = index(cells)
    out: list[str] = []
    for test in ("thr", "fan", "lat", "radio"):
        keys = [k for k in idx if k[0] == test]
        present = {i for k in keys for i in idx[k]}
        cols = [i for i in impls if i in present]
        rcols = [r for r in ratio_cols if r[1] in present]
        if not keys:
            continue
        unit = "round trip µs, median/p99" if test == "lat" else "k msg/s, or MB/s from 16 KiB"
        if test == "radio":
            unit = "k msg/s received (share of those sent)"
        subs = f" ×{keys[0][3]}" if test == "fan" else ""
        out.append(f"\n{TEST_NAMES[test]}{subs} ({unit})")
        head = ["transport", "size", *cols] + [name for _, _, name in rcols]
        rows = [head]
        for k in keys:
            row_cells = idx[k]
            mech = f" {k[2]}" if k[2] != "null" else ""
            row = [f"{k[1]}{mech}", fmt_size(k[4])]
            row += [_fmt_cell(row_cells.get(i)) for i in cols]
            for a, b, _ in rcols:
                rr = ratio(row_cells.get(a), row_cells.get(b))
                row.append("-" if rr is None else f"{rr:.2f}×")
            rows.append(row)
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        for n, r in enumerate(rows):
            line = "  ".join(
                v.ljust(widths[i]) if i < 2 else v.rjust(widths[i]) for i, v in enumerate(r)
            )
            out.append("  " + line.rstrip())
            if n == 0:
                out.append("  " + "  ".join("-" * w for w in widths))
    failures = [c for c in cells if c.status not in ("ok", "skipped")]
    if failures:
        out.append("\nFailures")
        for c in failures:
            out.append(f"  {c.name}: {c.status}: {c.error}")
    return "\n".join(out)


@dataclass
class Bar:
    """One performance bar, checked against this run's cells if present."""

    name: str
    key: tuple[str, str, str, int, int]
    impl: str
    baseline: str
    op: str  # ">=" (throughput) or "<=" (latency)
    target: float
    metric: str = ""  # compare this metric instead of the default (msg/s or median)

    def measure(self, idx: dict[tuple[Any, ...], dict[str, Cell]]) -> float | None:
        row = idx.get(self.key, {})
        a, b = row.get(self.impl), row.get(self.baseline)
        if not self.metric:
            return ratio(a, b)
        if a is None or b is None or a.status != "ok" or b.status != "ok":
            return None
        vb = b.metrics[self.metric]
        return a.metrics[self.metric] / vb if vb else None


def bars(subs: int = 4) -> list[Bar]:
    """The bars of both performance issues: the second round's first, then the first's."""
    kib, mib = 1024, 1024 * 1024
    second = [
        Bar(
            "tcp 1 B REQ↔REP sync latency",
            ("lat", "tcp", "null", 1, 1),
            "purezmq-sync",
            "pyzmq-sync",
            "<=",
            1.0,
        ),
        Bar(
            "ipc 1 B REQ↔REP sync latency",
            ("lat", "ipc", "null", 1, 1),
            "purezmq-sync",
            "pyzmq-sync",
            "<=",
            1.0,
        ),
        Bar(
            "tcp 1 B REQ↔REP asyncio latency / floor",
            ("lat", "tcp", "null", 1, 1),
            "purezmq-asyncio",
            "floor-asyncio",
            "<=",
            2.0,
        ),
        Bar(
            f"PUB→{subs} SUB 64 B sync",
            ("fan", "tcp", "null", subs, 64),
            "purezmq-sync",
            "pyzmq-sync",
            ">=",
            1.0,
        ),
    ]
    for transport in ("tcp", "ipc"):
        for size in (16, 64, 256, kib, 4 * kib, 16 * kib, 64 * kib, 256 * kib, mib):
            key = ("thr", transport, "null", 1, size)
            name = f"{transport} {fmt_size(size)} PUSH→PULL sync"
            second.append(Bar(name, key, "purezmq-sync", "pyzmq-sync", ">=", 0.9))
    second += [
        Bar("tcp 64 B PUSH→PULL asyncio / pyzmq sync", ("thr", "tcp", "null", 1, 64),
            "purezmq-asyncio", "pyzmq-sync", ">=", 1.0),
        Bar("CURVE tcp 64 B PUSH→PULL sync", ("thr", "tcp", "curve", 1, 64),
            "purezmq-sync", "pyzmq-sync", ">=", 0.6),
    ]  # fmt: skip
    first = [
        Bar("tcp 64 B PUSH→PULL asyncio", ("thr", "tcp", "null", 1, 64),
            "purezmq-asyncio", "pyzmq-asyncio", ">=", 8.0),
        Bar("tcp 64 B PUSH→PULL uvloop", ("thr", "tcp", "null", 1, 64),
            "purezmq-uvloop", "pyzmq-asyncio", ">=", 8.0),
        Bar("tcp 64 B PUSH→PULL sync (round 1)", ("thr", "tcp", "null", 1, 64),
            "purezmq-sync", "pyzmq-sync", ">=", 0.5),
        Bar("tcp 1 MiB PUSH→PULL sync (MB/s)", ("thr", "tcp", "null", 1, mib),
            "purezmq-sync", "pyzmq-sync", ">=", 1.0, "mb_per_s"),
        Bar("tcp 1 MiB PUSH→PULL asyncio (MB/s)", ("thr", "tcp", "null", 1, mib),
            "purezmq-asyncio", "pyzmq-sync", ">=", 1.0, "mb_per_s"),
        Bar("tcp 1 B REQ↔REP asyncio latency", ("lat", "tcp", "null", 1, 1),
            "purezmq-asyncio", "pyzmq-asyncio", "<=", 0.4),
        Bar("tcp 1 B REQ↔REP sync latency (round 1)", ("lat", "tcp", "null", 1, 1),
            "purezmq-sync", "pyzmq-sync", "<=", 1.5),
        Bar("inproc 64 B PUSH→PULL sync", ("thr", "inproc", "null", 1, 64),
            "purezmq-sync", "pyzmq-sync", ">=", 0.5),
        Bar(f"PUB→{subs} SUB 64 B asyncio", ("fan", "tcp", "null", subs, 64),
            "purezmq-asyncio", "pyzmq-asyncio", ">=", 4.0),
        Bar("CURVE tcp 64 B PUSH→PULL sync (round 1)", ("thr", "tcp", "curve", 1, 64),
            "purezmq-sync", "pyzmq-sync", ">=", 0.5),
        Bar("CURVE tcp 64 B PUSH→PULL asyncio", ("thr", "tcp", "curve", 1, 64),
            "purezmq-asyncio", "pyzmq-asyncio", ">=", 0.5),
    ]  # fmt: skip
    return second + first


def check_bars(cells: list[Cell]) -> list[dict[str, Any]]:
    idx = index(cells)
    subs = max((c.subs for c in cells if c.test == "fan"), default=4)
    out = []
    for bar in bars(subs):
        r = bar.measure(idx)
        if r is None:
            continue
        ok = r >= bar.target if bar.op == ">=" else r <= bar.target
        out.append({"bar": bar.name, "ratio": r, "target": f"{bar.op} {bar.target}", "met": ok})
    return out


def bars_text(results: list[dict[str, Any]], pinned: str = "") -> str:
    if not results:
        return ""
    lines = ["\nPerformance bars (ratio purezmq / pyzmq, or / the asyncio floor)"]
    for b in results:
        mark = "met" if b["met"] else "NOT met"
        note = pinned if "latency" in b["bar"] else ""
        lines.append(f"  {b['bar']:<42} {b['ratio']:7.2f}×  (target {b['target']}) {mark}{note}")
    return "\n".join(lines)


def write_json(path: str, cells: list[Cell], meta: dict[str, Any]) -> None:
    data = {**meta, "bars": check_bars(cells), "cells": [c.to_dict() for c in cells]}
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


def load_json(path: str) -> tuple[dict[str, Any], list[Cell]]:
    with open(path) as f:
        data = json.load(f)
    cells = [Cell(**c) for c in data.pop("cells")]
    return data, cells
