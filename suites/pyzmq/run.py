"""Run pyzmq's own test suite against purezmq (or, with ``--reference``, against pyzmq).

The suite is not vendored: it comes from pyzmq's sdist on the package index, downloaded once
into the work directory. Only its ``tests/`` folder and ``pytest.ini`` are unpacked, so nothing
named ``zmq`` sits next to the tests.

purezmq mode: a venv holds purezmq (editable, from this checkout, or the tree given with
``--purezmq-src``) and the suite's test tools, but not pyzmq. This folder goes first on
PYTHONPATH: its ``sitecustomize`` calls ``purezmq.install_as_zmq()`` in pytest and in every
Python process the tests start, and the ``pyzmq_suite_plugin`` pytest plugin checks that
``zmq`` is purezmq before pyzmq's ``conftest.py`` imports it.

reference mode: a second venv holds the pyzmq release whose tests are run, to tell which tests
pass with real libzmq on this machine (the bar purezmq is held to).

Tests listed in ``expected_failures.txt`` (pyzmq's Cython/CFFI internals) are deselected in
both modes. Tests listed in ``reference_failures.txt`` fail with pyzmq itself on this machine:
they run, are marked in the report, and do not count for ``--strict``.

The run ends with ``N passed, N failed`` and the failing node ids, also written to
``<workdir>/failed-<mode>.txt``. Exit status: 0 when the suite ran (failures, a pytest crash or
the run limit are reported, not fatal) unless ``--strict`` is given, which makes any of them
exit 1 (failures of reference_failures.txt aside); 2 when the suite could not be set up or no
test passed.

Uses only the standard library: it runs under whatever ``python3`` CI has.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]

#: Which pyzmq release's tests to run. pyzmq 27 is the API purezmq follows.
PYZMQ_SPEC = "pyzmq==27.3.0"

#: What pyzmq's tests import beyond pytest (its test-requirements.txt, less the linters,
#: coverage, mypy and Cython, whose tests are in expected_failures.txt). gevent and tornado
#: make the Green and tornado test classes run instead of skipping.
TEST_TOOLS = [
    "pytest>=8",
    "pytest-timeout>=2.2",
    "pytest-asyncio>=0.24",
    "tornado>=6",
    "gevent>=24",
]

#: Per-test limit (pytest-timeout, and pyzmq's own SIGALRM guard in BaseZMQTestCase).
DEFAULT_TEST_TIMEOUT = 30
#: Limit for the whole pytest run; past it pytest is stopped and the results so far reported.
DEFAULT_RUN_TIMEOUT = 10 * 60


def log(message: str) -> None:
    print(f"[pyzmq-suite] {message}", flush=True)


def run(command: list[str], **kwargs: object) -> None:
    log("$ " + " ".join(command))
    subprocess.run(command, check=True, **kwargs)  # type: ignore[call-overload]


def venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def create_venv(venv: Path) -> Path:
    python = venv_python(venv)
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
        run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"])
    return python


def ensure_venv(venv: Path, requirements: list[str], stamp_extra: str) -> Path:
    """Create ``venv`` and install ``requirements`` unless an identical install is there."""
    python = create_venv(venv)
    stamp_file = venv / ".pyzmq-suite-stamp"
    stamp = hashlib.sha256(
        json.dumps([requirements, stamp_extra, sys.version]).encode()
    ).hexdigest()
    if stamp_file.exists() and stamp_file.read_text() == stamp:
        log(f"venv {venv} is up to date")
        return python
    run([str(python), "-m", "pip", "install", "-q", *requirements])
    stamp_file.write_text(stamp)
    return python


def download_suite(python: Path, workdir: Path) -> Path:
    """Fetch pyzmq's sdist (once) and unpack its tests; return the unpacked folder."""
    sdist_dir = workdir / "sdist"
    sdists = sorted(sdist_dir.glob("pyzmq-*.tar.gz"))
    if not sdists:
        sdist_dir.mkdir(parents=True, exist_ok=True)
        run(
            [str(python), "-m", "pip", "download", "-q", "--no-binary", ":all:",
             "--no-deps", PYZMQ_SPEC, "-d", str(sdist_dir)]
        )
        sdists = sorted(sdist_dir.glob("pyzmq-*.tar.gz"))
    if len(sdists) != 1:
        raise SystemExit(f"expected one pyzmq sdist in {sdist_dir}, found {sdists}")
    sdist = sdists[0]
    top = sdist.name.removesuffix(".tar.gz")
    suite = workdir / top
    if not (suite / "tests" / "conftest.py").exists():
        with tarfile.open(sdist) as archive:
            wanted = [
                member
                for member in archive.getmembers()
                if member.name == f"{top}/pytest.ini" or member.name.startswith(f"{top}/tests/")
            ]
            if hasattr(tarfile, "data_filter"):  # 3.10.12+, 3.11.4+: refuse odd members
                archive.extractall(workdir, members=wanted, filter="data")
            else:
                archive.extractall(workdir, members=wanted)
    return suite


def pyzmq_version(suite: Path) -> str:
    return suite.name.removeprefix("pyzmq-")


def read_node_list(path: Path) -> list[tuple[str, str]]:
    """``(node id, reason)`` pairs from a list file: ``node id # reason`` lines."""
    entries = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        node, sep, reason = line.partition(" # ")
        if not sep or not reason.strip():
            raise SystemExit(f"{path.name}: every entry needs ' # reason': {line!r}")
        entries.append((node.strip(), reason.strip()))
    return entries


def read_expected_failures() -> list[tuple[str, str]]:
    """``(node id prefix, reason)`` pairs from expected_failures.txt that apply to this Python.

    A reason that starts with ``[python<X.Y]`` applies only below that version (the venv runs
    the Python that runs this script)."""
    entries = []
    for node, reason in read_node_list(HERE / "expected_failures.txt"):
        below = re.match(r"\[python<(\d+)\.(\d+)\]", reason)
        if below and sys.version_info[:2] >= (int(below[1]), int(below[2])):
            continue
        entries.append((node, reason))
    return entries


def run_pytest(
    python: Path,
    suite: Path,
    mode: str,
    results: Path,
    test_timeout: int,
    run_timeout: int,
    pytest_args: list[str],
    purezmq_src: Path | None,
) -> int | None:
    """Run the suite; return pytest's exit status, or None when the run limit stopped it."""
    deselect = []
    for node, _reason in read_expected_failures():
        # A whole module is not even imported: its imports are the internals in question.
        deselect += ["--deselect", node] if "::" in node else [f"--ignore={node}"]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), *([str(purezmq_src)] if purezmq_src else [])])
    env["PYZMQ_SUITE_TARGET"] = mode
    env["PYZMQ_SUITE_RESULTS"] = str(results)
    env["PYZMQ_SUITE_TEST_TIMEOUT"] = str(test_timeout)
    env.pop("ZMQ_TEST_TIMEOUT", None)  # the plugin sets pyzmq's own guard to test_timeout
    command = [
        str(python), "-m", "pytest",
        "-p", "pyzmq_suite_plugin",
        "-p", "no:cacheprovider",
        "--rootdir", str(suite),
        "-c", str(suite / "pytest.ini"),
        f"--timeout={test_timeout}",
        "-o", "faulthandler_timeout=0",
        "-rfE",
        # Native tracebacks: pytest's own formatting parses the test's source with ast, and
        # CPython 3.11 < 3.11.8 can raise SystemError ("AST constructor recursion depth
        # mismatch", cpython#106905) when another thread compiles at that moment, which
        # aborts the whole session; the socket I/O threads may be importing then.
        "--tb=native",
        # Today whole modules fail to import; the rest of the suite still runs.
        "--continue-on-collection-errors",
        *deselect,
        *pytest_args,
    ]
    results.unlink(missing_ok=True)
    log("$ " + " ".join(command))
    # Its own session, so the run limit can stop pytest and whatever it started.
    process = subprocess.Popen(command, cwd=suite, env=env, start_new_session=True)
    try:
        return process.wait(timeout=run_timeout)
    except subprocess.TimeoutExpired:
        log(f"the run passed its {run_timeout} s limit: stopping pytest")
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        return None


def read_records(results: Path) -> dict[str, dict[str, str]]:
    """Node id -> its record; a failed setup, call or teardown fails a test."""
    final: dict[str, dict[str, str]] = {}
    if results.exists():
        for line in results.read_text().splitlines():
            record = json.loads(line)
            if final.get(record["nodeid"], {}).get("outcome") != "failed":
                final[record["nodeid"]] = record
    return final


def read_outcomes(results: Path) -> dict[str, str]:
    return {node: record["outcome"] for node, record in read_records(results).items()}


def summarize(results: Path, mode: str, workdir: Path) -> dict[str, list[str]]:
    """Group outcomes; write ``outcomes-<mode>.txt`` (outcome, node id, why) and the failing
    node ids to ``failed-<mode>.txt``."""
    records = read_records(results)
    outcomes: dict[str, list[str]] = {"passed": [], "failed": [], "skipped": [], "xfailed": []}
    lines = []
    for node, record in sorted(records.items()):
        outcomes.setdefault(record["outcome"], []).append(node)
        why = f" [{record['when']}] {record['message']}" if record.get("message") else ""
        lines.append(f"{record['outcome']} {node}{why}\n")
    (workdir / f"outcomes-{mode}.txt").write_text("".join(lines))
    (workdir / f"failed-{mode}.txt").write_text("".join(f"{n}\n" for n in outcomes["failed"]))
    return outcomes


def compare_with_reference(final: dict[str, str], workdir: Path) -> None:
    """Say where the tests that pass with pyzmq stand with purezmq (when a reference ran)."""
    reference = read_outcomes(workdir / "results-reference.jsonl")
    bar = sorted(node for node, outcome in reference.items() if outcome == "passed")
    if not bar:
        log("no reference run in the work directory: run with --reference to compare")
        return
    counts: dict[str, int] = {}
    for node in bar:
        if node in final:
            where = final[node]
        else:
            module = node.partition("::")[0]
            where = "not collected" if final.get(module) == "failed" else "not run"
        counts[where] = counts.get(where, 0) + 1
    log(f"of the {len(bar)} tests that pass with pyzmq here: "
        + ", ".join(f"{count} {where}" for where, count in sorted(counts.items())))
    failing_reference = sorted(n for n, outcome in reference.items() if outcome == "failed")
    if failing_reference:
        log(f"{len(failing_reference)} tests fail with pyzmq itself here (not our bar): "
            + " ".join(failing_reference))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", action="store_true",
                        help="run the tests with real pyzmq instead of purezmq")
    parser.add_argument("--venv", type=Path,
                        help="venv to create or reuse (default: .venv-pyzmq-suite[-reference])")
    parser.add_argument("--workdir", type=Path, default=REPO / ".pyzmq-suite",
                        help="where the sdist, the unpacked tests and the results go")
    parser.add_argument("--test-timeout", type=int, default=DEFAULT_TEST_TIMEOUT,
                        help="seconds per test (default %(default)s)")
    parser.add_argument("--run-timeout", type=int, default=DEFAULT_RUN_TIMEOUT,
                        help="seconds for the whole pytest run (default %(default)s)")
    parser.add_argument("--purezmq-src", type=Path,
                        help="test the purezmq package under this src folder (put first on "
                        "PYTHONPATH) instead of this checkout's, e.g. a merge of branches")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when any test fails")
    parser.add_argument("pytest_args", nargs="*",
                        help="passed to pytest after '--' (e.g. -- -k test_socket -x)")
    args = parser.parse_args()

    mode = "reference" if args.reference else "purezmq"
    workdir: Path = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    venv = (args.venv or REPO / (".venv-pyzmq-suite" + ("-reference" if args.reference else ""))
            ).resolve()

    started = time.monotonic()
    # The sdist comes first (with the new venv's pip): the reference venv installs that same
    # release.
    suite = download_suite(create_venv(venv), workdir)
    version = pyzmq_version(suite)
    if args.reference:
        python = ensure_venv(venv, [*TEST_TOOLS, f"pyzmq=={version}"], "reference")
    else:
        pyproject = (REPO / "pyproject.toml").read_bytes()
        python = ensure_venv(
            venv, [*TEST_TOOLS, "-e", f"{REPO}[curve]"], hashlib.sha256(pyproject).hexdigest()
        )
        # pyzmq must not be the one under test: nothing above should have installed it.
        probe = subprocess.run(
            [str(python), "-c", "import importlib.util as u; print(u.find_spec('zmq') is None)"],
            capture_output=True, text=True, check=True,
        )
        if probe.stdout.strip() != "True":
            log("warning: a module named zmq is installed in the venv; install_as_zmq() "
                "still takes precedence, the plugin checks it")
    setup_seconds = time.monotonic() - started

    # A run of chosen tests keeps its own files: the full runs' (the comparison's) stay.
    label = mode + ("-subset" if args.pytest_args else "")
    results = workdir / f"results-{label}.jsonl"
    status = run_pytest(python, suite, mode, results, args.test_timeout, args.run_timeout,
                        args.pytest_args, args.purezmq_src)
    outcomes = summarize(results, label, workdir)
    final = read_outcomes(results)
    total = time.monotonic() - started

    not_our_bar = {node for node, _ in read_node_list(HERE / "reference_failures.txt")}
    log(f"mode {mode}, pyzmq {version} tests, setup {setup_seconds:.0f} s, "
        f"total {total:.0f} s, pytest exit status {status}")
    for node in sorted(outcomes["failed"]):
        log(f"FAILED {node}" + (" (fails with pyzmq too)" if node in not_our_bar else ""))
    log(f"failing node ids: {workdir / f'failed-{label}.txt'}")
    if not args.reference:
        compare_with_reference(final, workdir)
    counts = (f"{len(outcomes['passed'])} passed, {len(outcomes['failed'])} failed, "
              f"{len(outcomes['skipped'])} skipped")
    print(f"pyzmq-suite-{label}: {counts}", flush=True)

    if not outcomes["passed"]:
        log("no test passed: the suite did not run (setup, collection or import failure)")
        return 2
    complete = status in (0, 1)
    if not complete:
        log(f"WARNING: the run did not complete (pytest exit status {status}); "
            "the counts above cover the tests that ran")
    if args.strict and (set(outcomes["failed"]) - not_our_bar or not complete):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
