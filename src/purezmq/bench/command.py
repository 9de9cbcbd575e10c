"""The command line of ``purezmq bench``: argument parsing, the run, printing and files."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence

from .._base.versions import has
from .libs import APIS, COMPARABLE, LIBS, Impl, importable
from .runner import (
    DEFAULT_SIZES,
    DEFAULT_TRANSPORTS,
    QUICK_SIZES,
    QUICK_TRANSPORTS,
    TESTS,
    TRANSPORTS,
    Cell,
    Options,
    Progress,
    parse_size,
    plan,
    run,
)

__all__ = ["main"]

#: The APIs ``--compare`` adds per library: pyzmq's (and pyomq's) sync API and their asyncio
#: module; the floor is an asyncio echo only.
COMPARE_APIS = {"pyzmq": ("sync", "asyncio"), "pyomq": ("sync", "asyncio"), "floor": ("asyncio",)}


def _compare(text: str) -> list[str]:
    """``--compare``: libraries to measure beside ``--lib``; ``none`` for none."""
    if text.strip() == "none":
        return []
    return _csv(text, COMPARABLE, "--compare")


def _csv(text: str, allowed: Sequence[str], what: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in allowed]
    if bad or not items:
        raise argparse.ArgumentTypeError(f"{what}: choose from {', '.join(allowed)}")
    return items


def _cpu(text: str) -> int | None:
    return None if text.lower() in ("none", "no", "off", "") else int(text)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="purezmq bench",
        description=(
            "Measure purezmq (and pyzmq with --compare pyzmq): PUSH→PULL and PUB→SUB "
            "throughput, REQ↔REP latency. Other commands: 'purezmq bench memory -h', "
            "'purezmq bench startup -h', "
            "'purezmq bench plot RESULTS.json OUT.png', 'purezmq bench report RESULTS.json'."
        ),
    )
    p.add_argument("--quick", action="store_true", help="a tiny set (a few cells, short)")
    p.add_argument("--lib", default="purezmq", choices=LIBS, help="library under test")
    p.add_argument(
        "--api",
        default=",".join(APIS),
        type=lambda t: _csv(t, APIS, "--api"),
        help="APIs of --lib: sync,asyncio,uvloop (default all)",
    )
    p.add_argument(
        "--compare",
        type=_compare,
        default=[],
        help=(
            "also run these interleaved and print ratios: pyzmq (sync and zmq.asyncio), pyomq "
            "(sync and pyomq.asyncio, when installed), floor (a bare asyncio echo, REQ↔REP "
            "over tcp/ipc only; comparing with pyzmq adds it); e.g. pyzmq,pyomq; none"
        ),
    )
    p.add_argument(
        "--test",
        type=lambda t: _csv(t, TESTS, "--test"),
        help="thr (PUSH→PULL), fan (PUB→N SUB), lat (REQ↔REP), radio (RADIO→DISH over udp, "
        "purezmq only); default all",
    )
    p.add_argument(
        "--transport",
        type=lambda t: _csv(t, TRANSPORTS, "--transport"),
        help="tcp,ipc,inproc,ws,udp (default: tcp,ipc,inproc for thr/lat, tcp for fan, udp for "
        "radio; ws and udp cells measure purezmq only)",
    )
    p.add_argument(
        "--size",
        type=lambda t: [parse_size(s) for s in t.split(",")],
        help="message sizes, e.g. 16,64,1k,1M (default: 16 B..1 MiB for thr, 1,1k for lat)",
    )
    p.add_argument("--subs", type=int, default=4, help="subscribers of the fan test (4)")
    p.add_argument(
        "--mechanism",
        type=lambda t: _csv(t, ("null", "curve"), "--mechanism"),
        help=(
            "null and/or curve, for tcp and ipc cells (default: null, plus the CURVE bar's "
            "tcp 64 B PUSH→PULL cells when the run measures that one)"
        ),
    )
    p.add_argument("--time", type=float, help="target seconds per cell (0.5; quick 0.1)")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds before a cell is killed")
    p.add_argument("--repeat", type=int, default=1, help="runs per cell, best kept (1)")
    p.add_argument(
        "--lat-cpu",
        type=_cpu,
        default=0,
        help="pin both latency processes to this CPU (default 0; 'none' to not pin)",
    )
    p.add_argument("--cpu", type=_cpu, default=None, help="pin every worker to this CPU")
    p.add_argument(
        "--ws-pyzmq",
        metavar="PYTHON",
        help=(
            "an interpreter whose pyzmq has ws:// (the pyzmq wheel has not): with --compare "
            "pyzmq, pyzmq's ws cells run under it, e.g. the venv of "
            "tests/interop/libzmq434/setup.sh (/tmp/venv-libzmq434/bin/python)"
        ),
    )
    p.add_argument("--json", metavar="PATH", help="write all results as JSON")
    p.add_argument("--plot", metavar="PATH", help="draw throughput vs size (needs matplotlib)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress line")
    return p


def options_from(args: argparse.Namespace) -> Options:
    impls = [Impl(args.lib, api) for api in args.api]
    compare = list(args.compare)
    if "pyzmq" in compare and "floor" not in compare:
        compare.append("floor")  # so that one run reports every bar
    for lib in compare:
        if not importable(lib):
            print(f"--compare {lib}: not installed here; its columns are left out", file=sys.stderr)
            continue
        impls += [Impl(lib, api) for api in COMPARE_APIS[lib] if Impl(lib, api) not in impls]
    tests = args.test or list(TESTS)
    base_sizes = QUICK_SIZES if args.quick else DEFAULT_SIZES
    base_transports = QUICK_TRANSPORTS if args.quick else DEFAULT_TRANSPORTS
    return Options(
        impls=impls,
        tests=tests,
        transports={t: args.transport or base_transports[t] for t in TESTS},
        sizes={t: args.size or base_sizes[t] for t in TESTS},
        mechanisms=args.mechanism or ["null"],
        curve_bar=args.mechanism is None and has("curve"),
        subs=args.subs,
        target=args.time if args.time else (0.1 if args.quick else 0.5),
        timeout=args.timeout,
        lat_cpu=args.lat_cpu,
        cpu=args.cpu,
        repeat=max(1, args.repeat),
        ws_python=args.ws_pyzmq,
    )


def run_main(argv: Sequence[str]) -> int:
    from . import report

    args = build_parser().parse_args(list(argv))
    opts = options_from(args)
    cells = plan(opts)
    if not cells:
        print("nothing to run", file=sys.stderr)
        return 2
    started = time.time()
    progress = Progress(len(cells), enabled=not args.quiet)
    done = list(run(cells, opts, progress))
    minutes = (time.time() - started) / 60
    info = report.machine()
    print(report.tables(done))
    print(report.bars_text(report.check_bars(done), _pinned(opts.lat_cpu)))
    print(
        f"\n{len(done)} cells in {minutes:.1f} min on {info['nproc']} × {info['cpu']}, "
        f"Python {info['python']}"
    )
    meta = {
        "command": "purezmq bench " + shlex.join(argv),
        "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "minutes": minutes,
        "machine": info,
        "lat_cpu": opts.lat_cpu,
        "target_seconds": opts.target,
    }
    if args.json:
        report.write_json(args.json, done, meta)
        print(f"results written to {args.json}")
    if args.plot:
        _plot(done, args.plot, meta)
    # A compared library's failure (pyomq's, say) is reported but does not fail the run.
    failed = [c for c in done if c.status in ("error", "timeout") and c.impl.startswith(args.lib)]
    if failed:
        print(f"{len(failed)} cell(s) failed (see Failures above)", file=sys.stderr)
    return 1 if failed else 0


def _plot(cells: list[Cell], path: str, meta: dict[str, object]) -> None:
    from . import plot

    if not plot.available():
        print("--plot: matplotlib is not installed; no plot drawn", file=sys.stderr)
        return
    machine = meta.get("machine", {})
    assert isinstance(machine, dict)
    title = f"{machine.get('nproc')} × {machine.get('cpu')}, Python {machine.get('python')}"
    try:
        plot.plot(cells, path, title)
        print(f"plot written to {path}")
    except ValueError as exc:
        print(f"--plot: {exc}", file=sys.stderr)


def plot_main(argv: Sequence[str]) -> int:
    from . import report

    p = argparse.ArgumentParser(prog="purezmq bench plot", description="Plot a --json result file.")
    p.add_argument("results", help="a file written by 'purezmq bench --json'")
    p.add_argument("out", help="the image to write (.png, .svg…)")
    args = p.parse_args(list(argv))
    meta, cells = report.load_json(args.results)
    _plot(list(cells), args.out, meta)
    return 0


def report_main(argv: Sequence[str]) -> int:
    from . import report

    p = argparse.ArgumentParser(
        prog="purezmq bench report", description="Print the tables of a --json result file."
    )
    p.add_argument("results", help="a file written by 'purezmq bench --json'")
    args = p.parse_args(list(argv))
    meta, cells = report.load_json(args.results)
    print(report.tables(cells))
    cpu = meta.get("lat_cpu")
    print(report.bars_text(report.check_bars(cells), _pinned(cpu)))
    m = meta.get("machine", {})
    print(
        f"\n{meta.get('command', '?')}  ({meta.get('started', '?')}, {m.get('nproc')} × "
        f"{m.get('cpu')}, Python {m.get('python')}, {meta.get('minutes', 0):.1f} min)"
    )
    return 0


def _pinned(cpu: object) -> str:
    return f" [both processes pinned to CPU {cpu}]" if cpu is not None else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``purezmq bench`` with ``argv`` (without the ``bench`` word); return the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "memory":
        from .memory import main as memory_main

        return memory_main(args[1:])
    if args and args[0] == "pgm":
        from .pgm import main as pgm_main

        return pgm_main(args[1:])
    if args and args[0] == "plot":
        return plot_main(args[1:])
    if args and args[0] == "startup":
        from .startup import main as startup_main

        return startup_main(args[1:])
    if args and args[0] == "report":
        return report_main(args[1:])
    if args and args[0] == "run":
        args = args[1:]
    return run_main(args)
