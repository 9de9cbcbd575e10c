"""Coverage-guided fuzzing of purezmq's parsers with atheris (libFuzzer for Python).

    python fuzz/run.py --list
    python fuzz/run.py frame_decoder --runs 1000000     # one target
    python fuzz/run.py --all --runs 5000 --seed 1       # each target in turn (CI's short form)

Each target runs in its own process (libFuzzer ends the process when it is done), starts from
its seeds in ``fuzz/corpus/<target>/`` (never written to: new inputs go to a scratch folder),
and writes a crashing input to ``fuzz/crashes/<target>-crash-<sha1>``. The summary gives the
inputs run and the crashes found per target. Replay a crash with
``python fuzz/run.py TARGET fuzz/crashes/FILE`` and make it a regression test.

Needs ``pip install -e '.[fuzz]'`` (atheris).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"
CRASHES = HERE / "crashes"
_DONE = re.compile(r"Done (\d+) runs in (\d+) second")


def fuzz_one(target: str, runs: int, seconds: int, seed: int, extra: list[str]) -> int:
    """Run inside this process; libFuzzer exits it when done."""
    import atheris  # type: ignore[import-untyped, import-not-found, unused-ignore]

    sys.path.insert(0, str(HERE))
    with atheris.instrument_imports(include=["purezmq", "targets"]):
        from targets import TARGETS

    if target not in TARGETS:
        sys.exit(f"unknown target {target!r}; --list shows them")
    function = TARGETS[target]

    def test_one_input(data: bytes) -> None:
        function(data)

    CRASHES.mkdir(exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=f"purezmq-fuzz-{target}-")
    argv = [sys.argv[0], f"-artifact_prefix={CRASHES}/{target}-", "-print_final_stats=1"]
    if runs:
        argv.append(f"-runs={runs}")
    if seconds:
        argv.append(f"-max_total_time={seconds}")
    if seed:
        argv.append(f"-seed={seed}")
    if extra:
        argv += extra  # a crash file to replay
    else:
        argv += [scratch, str(CORPUS / target)]
    atheris.Setup(argv, test_one_input)
    atheris.Fuzz()
    return 0


def fuzz_all(targets: list[str], runs: int, seconds: int, seed: int) -> int:
    rows = []
    failed = False
    for target in targets:
        started = time.monotonic()
        args = [sys.executable, __file__, target, "--runs", str(runs), "--seconds", str(seconds)]
        args += ["--seed", str(seed)]
        proc = subprocess.run(args, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        done = _DONE.findall(proc.stderr)
        executed = int(done[-1][0]) if done else 0
        crashed = proc.returncode != 0
        failed |= crashed
        rows.append((target, executed, elapsed, "CRASH" if crashed else "0"))
        if crashed:
            # The Python exception and the crashing input's file name.
            start = proc.stderr.find("=== Uncaught Python exception")
            print(proc.stderr[start if start >= 0 else -4000 :], file=sys.stderr)
        print(f"{target:15} {executed:>10} inputs  {elapsed:7.1f} s  crashes: {rows[-1][3]}")
    total = sum(r[1] for r in rows)
    print(f"{'all':15} {total:>10} inputs, {sum(r[3] != '0' for r in rows)} target(s) crashed")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("target", nargs="?", help="a target name (see --list)")
    parser.add_argument("crash", nargs="*", help="input files to replay instead of fuzzing")
    parser.add_argument("--all", action="store_true", help="run every target in turn")
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--runs", type=int, default=0, help="inputs per target (0: no limit)")
    parser.add_argument("--seconds", type=int, default=0, help="time limit per target")
    parser.add_argument(
        "--seed", type=int, default=0, help="libFuzzer's random seed (0: a new one each run)"
    )
    args = parser.parse_args()
    if args.target and not args.all and not args.list:
        # Import nothing of purezmq here: fuzz_one must import it under instrumentation.
        if not (args.runs or args.seconds or args.crash):
            parser.error("give --runs or --seconds (libFuzzer would run forever)")
        return fuzz_one(args.target, args.runs, args.seconds, args.seed, args.crash)
    sys.path.insert(0, str(HERE))
    from targets import TARGETS

    if args.list:
        print("\n".join(TARGETS))
        return 0
    if args.all:
        return fuzz_all(list(TARGETS), args.runs, args.seconds, args.seed)
    parser.error("give a target, --all or --list")


if __name__ == "__main__":
    sys.exit(main())
