"""Plan benchmark cells, run each one in worker processes with a deadline, collect results.

A *cell* is one measurement: a test (``thr`` PUSH→PULL, ``fan`` PUB→N SUB, ``lat`` REQ↔REP),
a transport, a message size, a mechanism and an implementation (library + API). Cells that
differ only in implementation run back to back, so purezmq and pyzmq are measured interleaved
under the same machine conditions.

Message counts adapt so that each cell takes about ``target`` seconds: a series (same test,
transport, mechanism, implementation) walks the sizes upwards and sizes the next cell from the
rate just measured; a cell that ran much shorter than the target is re-run once with a count
scaled up. A cell that fails or times out is recorded with its reason and the run goes on; after
a timeout (or two failures in a row) the rest of that series is skipped so a hang costs one
timeout, not one per size.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .libs import Impl
from .worker import Spec

TESTS = ("thr", "fan", "lat", "radio")
TRANSPORTS = ("tcp", "ipc", "inproc", "ws", "udp")
#: Transports measured only when asked for (``--transport ws``): the pyzmq wheel has no ws://,
#: so those cells measure purezmq alone unless ``Options.ws_python`` names an interpreter whose
#: pyzmq has it. udp:// serves RADIO→DISH only (the ``radio`` test).
OPT_IN_TRANSPORTS = ("ws", "udp")
TEST_NAMES = {"thr": "PUSH→PULL", "fan": "PUB→SUB", "lat": "REQ↔REP", "radio": "RADIO→DISH"}
#: Transports (and libraries) that only some tests run on: udp:// carries RADIO→DISH only, and
#: the pyzmq wheel's libzmq has neither the draft sockets nor ws:// nor udp://.
PUREZMQ_ONLY_TRANSPORTS = ("ws", "udp")
#: Where the asyncio floor (``floor-asyncio``, a bare BufferedProtocol echo) is measured.
FLOOR_TRANSPORTS = ("tcp", "ipc")

KiB, MiB = 1024, 1024 * 1024
DEFAULT_SIZES = {
    "thr": [16, 64, 256, KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, MiB],
    "lat": [1, KiB],
    "fan": [64],
    "radio": [64],
}
_STANDARD = [t for t in TRANSPORTS if t not in OPT_IN_TRANSPORTS]
DEFAULT_TRANSPORTS = {
    "thr": list(_STANDARD),
    "lat": list(_STANDARD),
    "fan": ["tcp"],
    "radio": ["udp"],
}
QUICK_SIZES = {"thr": [64, 64 * KiB], "lat": [1], "fan": [64], "radio": [64]}
QUICK_TRANSPORTS = {"thr": ["tcp", "inproc"], "lat": ["tcp"], "fan": ["tcp"], "radio": ["udp"]}

#: Bounds on message counts: enough messages for a stable rate / a meaningful p99, and a cap
#: on the bytes one cell may push.
MIN_COUNT = {"thr": 200, "fan": 200, "lat": 300, "radio": 200}
MAX_COUNT = 5_000_000
MAX_BYTES = 8 * 1024 * MiB
#: The message size of the CURVE bar (tcp PUSH→PULL), measured by the default set too.
CURVE_BAR_SIZE = 64
#: First guesses (messages or round trips per second) before a series has measured anything.
FIRST_RATE = {"thr": 50_000.0, "fan": 20_000.0, "lat": 5_000.0, "radio": 50_000.0}


@dataclass
class Cell:
    """One measurement and, once run, its outcome."""

    test: str
    transport: str
    size: int
    impl: str
    mechanism: str = "null"
    subs: int = 1
    cpu: int | None = None
    status: str = "pending"  # ok | error | timeout | skipped
    error: str = ""
    details: str = ""  # failed cells: the workers' stderr (tracebacks, stacks of a hang)
    count: int = 0
    seconds: float = 0.0  # wall time of the cell, processes included
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def series(self) -> tuple[str, str, str, int, str]:
        return (self.test, self.transport, self.mechanism, self.subs, self.impl)

    @property
    def name(self) -> str:
        mech = f" {self.mechanism}" if self.mechanism != "null" else ""
        subs = f" ×{self.subs}" if self.test == "fan" else ""
        return f"{self.test}{subs} {self.transport}{mech} {fmt_size(self.size)} {self.impl}"

    def rate(self) -> float | None:
        """Messages (or round trips) per second, for sizing the next cell of the series."""
        if self.status != "ok":
            return None
        if self.test == "lat":
            return 1e6 / self.metrics["mean_us"]
        return (
            self.metrics["per_sub_msgs_per_s"] if self.test == "fan" else self.metrics["msgs_per_s"]
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Options:
    impls: list[Impl]
    tests: list[str]
    transports: dict[str, list[str]]
    sizes: dict[str, list[int]]
    mechanisms: list[str] = field(default_factory=lambda: ["null"])
    #: Also measure the CURVE bar's cell (tcp 64 B PUSH→PULL) when "curve" is not among
    #: ``mechanisms``, so that one run of the default set reports every bar of the issue.
    curve_bar: bool = False
    subs: int = 4
    target: float = 0.5
    timeout: float = 30.0
    lat_cpu: int | None = 0
    cpu: int | None = None
    repeat: int = 1
    #: An interpreter whose pyzmq speaks ws:// (a libzmq built with it, as the venv of
    #: ``tests/interop/libzmq434/setup.sh``): pyzmq's ws cells run their workers under it.
    ws_python: str | None = None


def fmt_size(n: int) -> str:
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= KiB and n % KiB == 0:
        return f"{n // KiB} KiB"
    return f"{n} B"


def parse_size(text: str) -> int:
    t = text.strip().lower().replace(" ", "").rstrip("b").rstrip("i")
    mult = 1
    if t.endswith("k"):
        mult, t = KiB, t[:-1]
    elif t.endswith("m"):
        mult, t = MiB, t[:-1]
    return int(float(t) * mult)


def plan(opts: Options) -> list[Cell]:
    """Every cell, implementations of one measurement next to each other."""
    cells: list[Cell] = []
    for test in opts.tests:
        for transport in opts.transports[test]:
            if (test == "radio") != (transport == "udp"):
                continue  # RADIO→DISH is measured over udp://, and udp:// carries only it
            mechs = ["null"] if transport in ("inproc", "udp") else opts.mechanisms
            bar_cell = (
                opts.curve_bar
                and (test, transport) == ("thr", "tcp")
                and CURVE_BAR_SIZE in opts.sizes[test]
                and "curve" not in mechs
            )
            for mech in [*mechs, "curve"] if bar_cell else mechs:
                for size in opts.sizes[test]:
                    if test == "fan" and size < 2:
                        continue  # 1-byte messages are the fan-out test's control markers
                    if mech not in mechs and size != CURVE_BAR_SIZE:
                        continue
                    for impl in opts.impls:
                        if (
                            transport in PUREZMQ_ONLY_TRANSPORTS
                            and impl.lib != "purezmq"
                            and not (transport == "ws" and opts.ws_python)
                        ):
                            continue  # libzmq in the pyzmq wheel is built without them
                        if impl.lib == "floor" and not (
                            test == "lat" and transport in FLOOR_TRANSPORTS and mech == "null"
                        ):
                            continue  # the floor is a bare asyncio echo: round trips only
                        cpu = opts.lat_cpu if test == "lat" else None
                        cells.append(
                            Cell(
                                test,
                                transport,
                                size,
                                impl.label,
                                mechanism=mech,
                                subs=opts.subs if test == "fan" else 1,
                                cpu=opts.cpu if opts.cpu is not None else cpu,
                            )
                        )
    return cells


# --- running one cell ---------------------------------------------------------------------------


class CellFailed(Exception):
    def __init__(self, status: str, message: str, details: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.details = details


class WorkerProcess:
    """A worker process whose stdout JSON lines land in a shared queue."""

    def __init__(
        self,
        spec: Spec,
        tag: int,
        events: queue.Queue[tuple[int, Any]],
        python: str = sys.executable,
    ) -> None:
        self.tag = tag
        self.stderr: list[str] = []
        env = dict(os.environ)
        # The worker must import this very purezmq even when it is run from a source tree.
        src = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
        self.popen = subprocess.Popen(
            [python, "-m", "purezmq.bench.worker", spec.to_json()],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        self._threads = [
            threading.Thread(target=self._pump_out, args=(events,), daemon=True),
            threading.Thread(target=self._pump_err, daemon=True),
        ]
        for t in self._threads:
            t.start()

    def _pump_out(self, events: queue.Queue[tuple[int, Any]]) -> None:
        assert self.popen.stdout is not None
        with contextlib.suppress(OSError, ValueError):  # the pipe closed under us by kill()
            for line in self.popen.stdout:
                try:
                    events.put((self.tag, json.loads(line)))
                except ValueError:
                    self.stderr.append(line)  # a library printing on stdout: keep it
        events.put((self.tag, None))  # end of stream: the process is exiting

    def _pump_err(self) -> None:
        assert self.popen.stderr is not None
        with contextlib.suppress(OSError, ValueError):
            for line in self.popen.stderr:
                self.stderr.append(line)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        for t in self._threads:
            t.join(1)
        for pipe in (self.popen.stdout, self.popen.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def failure(self) -> str:
        """The last meaningful stderr line (the exception of a traceback)."""
        lines = [ln.rstrip() for ln in self.stderr if ln.strip() and "RuntimeWarning" not in ln]
        code = self.popen.poll()
        if not lines:
            return f"worker exited with status {code}" if code is not None else "no output"
        last = lines[-1].strip()
        # A bare "AssertionError" says little: name the place it was raised from.
        where = [ln.strip() for ln in lines if ln.lstrip().startswith("File ")]
        if where and len(last) < 60:
            place = where[-1].replace('File "', "").replace('", line ', ":").split(",")[0]
            last = f"{last} at {place.rsplit('/', 1)[-1]}"
        return last[:300]


class CellRun:
    """Runs the processes of one cell and waits for the events it needs, under one deadline."""

    def __init__(
        self,
        cell: Cell,
        count: int,
        timeout: float,
        tmpdir: str,
        n: int,
        python: str = sys.executable,
    ) -> None:
        self.cell = cell
        #: The interpreter of the workers.
        self.python = python
        self.count = count
        self.deadline = time.monotonic() + timeout
        self.timeout = timeout
        self.tmpdir = tmpdir
        self.n = n
        self.events: queue.Queue[tuple[int, Any]] = queue.Queue()
        self.procs: dict[int, WorkerProcess] = {}
        self.finished: set[int] = set()

    def spec(self, role: str, **kw: Any) -> Spec:
        c = self.cell
        return Spec(
            role=role,
            impl=c.impl,
            size=c.size,
            count=self.count,
            warmup=min(1000, max(20, self.count // 20)),
            subs=c.subs,
            cpu=c.cpu,
            mechanism=c.mechanism,
            **kw,
        )

    def start(self, spec: Spec) -> int:
        tag = len(self.procs)
        self.procs[tag] = WorkerProcess(spec, tag, self.events, self.python)
        return tag

    def wait_for(self, want: Callable[[int, dict[str, Any]], bool], n: int) -> list[Any]:
        """Wait for ``n`` events matching ``want``; raise CellFailed on error or deadline."""
        got: list[Any] = []
        while len(got) < n:
            left = self.deadline - time.monotonic()
            if left <= 0:
                # What the workers already said (an exception logged by a loop callback, say)
                # usually explains the hang better than where they are stuck.
                said = {p.failure() for p in self.procs.values() if p.stderr}
                hint = f" (stderr: {'; '.join(sorted(said))})" if said else ""
                message = f"no result within {self.timeout:.0f} s{hint}"
                raise CellFailed("timeout", message, self.stacks())
            try:
                tag, obj = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if obj is None:
                proc = self.procs[tag]
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.popen.wait(2)
                self.finished.add(tag)
                # A side that is done may exit before the side holding the result reported
                # (REP after its last reply, PUB after its subscribers said DONE): fine.
                if proc.popen.returncode == 0 and len(self.finished) < len(self.procs):
                    continue
                time.sleep(0.05)  # let the stderr pump catch up with the traceback
                raise CellFailed("error", proc.failure(), "".join(proc.stderr[-40:]))
            if want(tag, obj):
                got.append(obj)
        return got

    def stacks(self) -> str:
        """Ask the workers still running for their threads' stacks (faulthandler, SIGABRT)."""
        alive = [p for p in self.procs.values() if p.popen.poll() is None]
        for p in alive:
            with contextlib.suppress(OSError):
                p.popen.send_signal(signal.SIGABRT)
        for p in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                p.popen.wait(2)
            for t in p._threads:
                t.join(1)
        return "\n".join(
            f"--- worker {tag} ---\n" + "".join(p.stderr[-60:]) for tag, p in self.procs.items()
        )

    def endpoint(self) -> str:
        t = self.cell.transport
        if t == "tcp":
            return "tcp://127.0.0.1:*"
        if t == "ipc":
            return f"ipc://{self.tmpdir}/c{self.n}.sock"
        if t == "ws":
            return "ws://127.0.0.1:*/bench"
        if t == "udp":
            return "udp://127.0.0.1:0"  # the DISH reports the port the kernel picked
        return f"inproc://bench-{self.n}"

    def run(self) -> dict[str, Any]:
        try:
            return self._run()
        finally:
            for proc in self.procs.values():
                proc.kill()

    def _run(self) -> dict[str, Any]:
        c = self.cell
        peers = c.subs if c.test == "fan" else 1
        want = peers + 1 if c.test == "fan" else 1  # fan: the publisher's start time too
        if c.transport == "inproc":
            self.start(self.spec(f"inproc-{c.test}", endpoint=self.endpoint()))
            results = self.wait_for(lambda tag, o: o["event"] in ("result", "published"), want)
            return summarize(c, self.count, results)
        binder = self.start(self.spec(f"{c.test}-bind", endpoint=self.endpoint()))
        (ready,) = self.wait_for(lambda tag, o: o["event"] == "ready", 1)
        conn_spec = self.spec(
            f"{c.test}-connect",
            endpoint=ready["endpoint"],
            server_key=ready.get("server_key", ""),
            ctl_endpoint=ready.get("ctl_endpoint", ""),
        )
        for _ in range(peers):
            self.start(conn_spec)
        results = self.wait_for(
            lambda tag, o: (
                (o["event"] == "result" and (c.test != "thr" or tag == binder))
                or o["event"] == "published"
            ),
            want,
        )
        return summarize(c, self.count, results)


def summarize(cell: Cell, count: int, results: list[dict[str, Any]]) -> dict[str, float]:
    """Turn the workers' raw results into the cell's metrics."""
    if cell.test == "lat":
        (r,) = results
        return {k: float(r[k]) for k in ("median_us", "p99_us", "min_us", "mean_us")}
    if cell.test == "radio":
        # UDP drops what the receiver's kernel buffer cannot hold: the rate is what arrived,
        # first to last datagram, and ``delivered`` says how much of what was sent that is.
        (r,) = results
        rate = r["messages"] / r["elapsed"] if r["elapsed"] > 0 else 0.0
        return {
            "msgs_per_s": rate,
            "mb_per_s": rate * cell.size / 1e6,
            "elapsed": float(r["elapsed"]),
            "delivered": r["messages"] / count if count else 0.0,
        }
    if cell.test == "thr":
        (r,) = results
        rate = r["messages"] / r["elapsed"] if r["elapsed"] > 0 else 0.0
        return {
            "msgs_per_s": rate,
            "mb_per_s": rate * cell.size / 1e6,
            "elapsed": float(r["elapsed"]),
        }
    # Fan-out: PUB drops what a subscriber cannot take, and a subscriber may then receive a
    # short burst very fast; a per-subscriber first-to-last rate would reward that. So each
    # subscriber's rate counts from the publisher's first send to its own last message
    # (perf_counter is CLOCK_MONOTONIC on Linux: one clock for all processes), and the total
    # delivered is the sum over subscribers.
    (pub,) = [r for r in results if r["event"] == "published"]
    subs = [r for r in results if r["event"] == "result"]
    t0 = float(pub["t0"])
    rates = [r["messages"] / (r["last"] - t0) if r["last"] > t0 else 0.0 for r in subs]
    received = sum(r["messages"] for r in subs)
    total = sum(rates)
    return {
        "msgs_per_s": total,
        "mb_per_s": total * cell.size / 1e6,
        "per_sub_msgs_per_s": min(rates) if rates else 0.0,
        "delivered": received / (count * len(subs)) if subs else 0.0,
        "elapsed": max(float(r["last"]) for r in subs) - t0,
        "publish_msgs_per_s": count / pub["elapsed"] if pub["elapsed"] > 0 else 0.0,
    }


# --- the whole run ------------------------------------------------------------------------------


def _count_for(test: str, size: int, rate: float, target: float, byte_rate: float = 0.0) -> int:
    """Messages for about ``target`` seconds at ``rate`` msg/s (measured at a smaller size).

    The message rate falls as sizes grow, so the count is also capped by a guessed byte rate
    (a bit above the best seen so far in the series): a guess too low only costs a re-run.
    """
    guess = max(200e6, 1.5 * byte_rate)
    n = int(min(rate, guess / max(1, size)) * target)
    n = min(n, MAX_COUNT, max(1, MAX_BYTES // max(1, size)))
    return max(MIN_COUNT[test], n)


def _elapsed(cell: Cell) -> float:
    if cell.test == "lat":
        return cell.metrics["mean_us"] * 1e-6 * cell.count
    return cell.metrics["elapsed"]


class Progress:
    """One status line on stderr: overwritten on a terminal, one line per cell otherwise."""

    def __init__(self, total: int, stream: Any = None, enabled: bool = True) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.enabled = enabled
        self.started = time.monotonic()
        self.width = 0

    def show(self, i: int, text: str, final: bool = False) -> None:
        if not self.enabled:
            return
        mins, secs = divmod(int(time.monotonic() - self.started), 60)
        line = f"[{i}/{self.total} {mins}:{secs:02d}] {text}"
        if self.tty:
            pad = " " * max(0, self.width - len(line))
            self.stream.write("\r" + line + pad)
            self.width = len(line)
            if final:
                self.stream.write("\n")
        elif final:
            self.stream.write(line + "\n")
        self.stream.flush()


def describe(cell: Cell) -> str:
    if cell.status != "ok":
        return f"{cell.status.upper()}: {cell.error}"
    m = cell.metrics
    if cell.test == "lat":
        return f"median {m['median_us']:.1f} µs, p99 {m['p99_us']:.1f} µs"
    text = f"{m['msgs_per_s'] / 1e3:,.1f} k msg/s, {m['mb_per_s']:,.1f} MB/s"
    if cell.test == "fan":
        text += f", {m['delivered'] * 100:.0f}% delivered"
    return text


def run(cells: list[Cell], opts: Options, progress: Progress | None = None) -> Iterable[Cell]:
    """Run ``cells`` in order, yielding each as it completes."""
    progress = progress or Progress(len(cells))
    last_rate: dict[tuple[Any, ...], float] = {}
    last_bytes: dict[tuple[Any, ...], float] = {}
    fails: dict[tuple[Any, ...], int] = {}
    dead: dict[tuple[Any, ...], str] = {}
    with tempfile.TemporaryDirectory(prefix="purezmq-bench-") as tmpdir:
        for i, cell in enumerate(cells, 1):
            key = cell.series
            if key in dead:
                cell.status, cell.error = "skipped", dead[key]
                progress.show(i, f"{cell.name}: {describe(cell)}", final=True)
                yield cell
                continue
            rate = last_rate.get(key, FIRST_RATE[cell.test])
            byte_rate = last_bytes.get(key, 0.0)
            count = _count_for(cell.test, cell.size, rate, opts.target, byte_rate)
            best: Cell | None = None
            left, calibrated, n = opts.repeat, False, 0
            while left > 0:
                n += 1
                trial = _run_trial(cell, count, opts, tmpdir, i * 100 + n, progress, i)
                if trial.status != "ok":
                    best = trial
                    break
                # A cell far shorter than the target is noise-prone: once, re-run it bigger.
                if not calibrated and _elapsed(trial) < opts.target / 4:
                    calibrated = True
                    r = trial.rate() or rate
                    new = _count_for(cell.test, cell.size, r, opts.target, r * cell.size / 1.4)
                    if new > count:
                        count = new
                        continue
                calibrated = True
                left -= 1
                if best is None or _better(trial, best):
                    best = trial
            assert best is not None
            cell.__dict__.update(best.__dict__)
            if cell.status == "ok":
                fails.pop(key, None)
                measured = cell.rate()
                if measured:
                    last_rate[key] = measured
                    last_bytes[key] = max(byte_rate, measured * cell.size)
            else:
                fails[key] = fails.get(key, 0) + 1
                if cell.status == "timeout" or fails[key] >= 2:
                    dead[key] = f"after {cell.status} at {fmt_size(cell.size)}"
            progress.show(i, f"{cell.name}: {describe(cell)}", final=True)
            yield cell


def _run_trial(
    cell: Cell, count: int, opts: Options, tmpdir: str, n: int, progress: Progress, i: int
) -> Cell:
    trial = Cell(**{**cell.to_dict(), "metrics": {}})
    trial.count = count
    progress.show(i, f"{cell.name} ({count:,} msgs)…")
    t0 = time.monotonic()
    try:
        python = sys.executable
        if opts.ws_python and trial.transport == "ws" and Impl.parse(trial.impl).lib == "pyzmq":
            python = opts.ws_python
        trial.metrics = CellRun(trial, count, opts.timeout, tmpdir, n, python).run()
        trial.status = "ok"
    except CellFailed as exc:
        trial.status, trial.error, trial.details = exc.status, str(exc), exc.details
    except Exception as exc:  # a bug in a summary must not end the run
        trial.status, trial.error = "error", f"runner: {exc!r}"
    trial.seconds = time.monotonic() - t0
    return trial


def _better(a: Cell, b: Cell) -> bool:
    if a.test == "lat":
        return a.metrics["median_us"] < b.metrics["median_us"]
    return a.metrics["msgs_per_s"] > b.metrics["msgs_per_s"]
