"""``purezmq bench startup``: import and cold start, beside pyzmq (and pyomq when installed).

Each measurement runs in a fresh interpreter, so every import is cold (modules not yet loaded;
the files themselves are in the page cache after the first run, as they are for any program
started twice). Per library, the median over ``--repeat`` interpreters of:

- ``import``: wall time of ``import <module>`` measured inside the interpreter;
- ``importtime``: the cumulative µs of the top module in ``python -X importtime``;
- ``context``: ``Context()`` right after the import;
- ``first round trip``: from after ``Context()`` to the reply of a first REQ↔REP round trip
  over tcp on 127.0.0.1 in that process (bind, connect, handshake, request, reply).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence

from .libs import MODULES, importable

LIBS = ("purezmq", "pyzmq", "pyomq")

_PROBE = r"""
import json, sys, time
t0 = time.perf_counter()
import {module} as zmq
t1 = time.perf_counter()
ctx = zmq.Context()
t2 = time.perf_counter()
rep = ctx.socket(zmq.REP)
rep.setsockopt(zmq.LINGER, 0)
rep.bind("tcp://127.0.0.1:*")
req = ctx.socket(zmq.REQ)
req.setsockopt(zmq.LINGER, 0)
req.connect(rep.getsockopt(zmq.LAST_ENDPOINT).decode())
req.send(b"x")
rep.send(rep.recv())
req.recv()
t3 = time.perf_counter()
print(json.dumps({{"import": t1 - t0, "context": t2 - t1, "first": t3 - t2}}))
sys.stdout.flush()
req.close(); rep.close(); ctx.term()
"""


def _importtime(python: str, module: str) -> float:
    """Cumulative µs of ``module`` as ``-X importtime`` reports it."""
    out = subprocess.run(
        [python, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stderr
    for line in reversed(out.splitlines()):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return float(parts[1])
    raise RuntimeError(f"-X importtime did not report {module}")


def measure(lib: str, repeat: int, python: str = sys.executable) -> dict[str, float]:
    """Medians (seconds) of one library's start-up figures over ``repeat`` interpreters."""
    module = MODULES[lib]
    probes: list[dict[str, float]] = []
    stamps: list[float] = []
    for _ in range(repeat):
        out = subprocess.run(
            [python, "-c", _PROBE.format(module=module)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout
        probes.append(json.loads(out.strip().splitlines()[-1]))
        stamps.append(_importtime(python, module) / 1e6)
    med = {k: statistics.median(p[k] for p in probes) for k in probes[0]}
    med["importtime"] = statistics.median(stamps)
    return med


def uncached_bytecode(module: str) -> str | None:
    """Where ``module``'s bytecode should be cached, when it is not there.

    Without it every fresh interpreter compiles the sources again (a source tree run with
    ``PYTHONDONTWRITEBYTECODE=1`` and never compiled): purezmq's ``Context()`` then measures
    about twice what an installed package, whose bytecode pip writes, costs.
    """
    spec = importlib.util.find_spec(module)
    if spec is None or spec.cached is None or os.path.exists(spec.cached):
        return None
    return spec.cached


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="purezmq bench startup",
        description="Import time and a cold first round trip, each in a fresh interpreter.",
    )
    p.add_argument("--compare", default="pyzmq,pyomq", help="libraries beside purezmq")
    p.add_argument("--repeat", type=int, default=7, help="interpreters per library (median)")
    p.add_argument("--json", metavar="PATH", help="write the medians as JSON")
    args = p.parse_args(list(argv))
    libs = ["purezmq"] + [lib.strip() for lib in args.compare.split(",") if lib.strip() in LIBS[1:]]
    results: dict[str, dict[str, float]] = {}
    for lib in libs:
        if not importable(lib):
            print(f"{lib}: not installed here; left out", file=sys.stderr)
            continue
        missing = uncached_bytecode(MODULES[lib])
        if missing is not None:
            print(
                f"{lib}: no cached bytecode ({missing}): every interpreter compiles the "
                "sources, so the figures are not an installed package's; run "
                "`python -m compileall` on the sources first",
                file=sys.stderr,
            )
        results[lib] = measure(lib, max(1, args.repeat))
    head = ["library", "import ms", "-X importtime ms", "Context() ms", "first round trip ms"]
    rows: list[list[str]] = [head]
    for lib, r in results.items():
        rows.append(
            [
                lib,
                f"{r['import'] * 1e3:.1f}",
                f"{r['importtime'] * 1e3:.1f}",
                f"{r['context'] * 1e3:.2f}",
                f"{r['first'] * 1e3:.1f}",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  " + "  ".join(v.ljust(widths[i]) if i == 0 else v.rjust(widths[i])
                               for i, v in enumerate(row)))  # fmt: skip
        if n == 0:
            print("  " + "  ".join("-" * w for w in widths))
    if "pyzmq" in results and "purezmq" in results:
        ratio = results["purezmq"]["import"] / results["pyzmq"]["import"]
        mark = "met" if ratio <= 1.0 else "NOT met"
        print(f"\n  import purezmq / import zmq (wall)   {ratio:.2f}×  (target <= 1.0) {mark}")
    print(f"\n(median of {args.repeat} fresh interpreters each)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
    return 0
