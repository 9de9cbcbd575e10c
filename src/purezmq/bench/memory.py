"""``purezmq bench memory``: what connections cost and whether a flood stays bounded.

Two measurements, each per implementation (library + API), each side in its own process:

- **connections**: a ROUTER binds on tcp; a raw-socket client (no ZeroMQ library at all, so it
  costs the same against both libraries) opens N connections, each sending a ZMTP 3.1 greeting,
  a DEALER READY and one message. Once the ROUTER has received N messages every connection is
  known to be up and idle; the ROUTER's resident set growth / N is the cost of one idle
  connection. Both processes raise ``RLIMIT_NOFILE`` themselves (``resource.setrlimit``).
- **flood**: a PUSH sends as fast as it can to a PULL that never reads, so both sides sit at
  their high-water marks. The runner samples both processes' RSS from ``/proc`` every 100 ms;
  "flat" means the second half of the flood grows by no more than a few MiB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import queue
import socket
import sys
import time
from collections.abc import Sequence
from typing import Any

from .libs import APIS, LIBS, Impl, load, run_async
from .runner import CellFailed, WorkerProcess, fmt_size, parse_size
from .worker import Spec, stdout_report

#: ZMTP 3.1 greeting of a NULL client, then READY (Socket-Type DEALER), then one message "hi".
_GREETING = (
    b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x01" + b"NULL".ljust(20, b"\x00") + b"\x00" * 32
)
_READY_BODY = b"\x05READY" + b"\x0bSocket-Type" + (6).to_bytes(4, "big") + b"DEALER"
_HELLO = _GREETING + bytes([0x04, len(_READY_BODY)]) + _READY_BODY + b"\x00\x02hi"

#: Connections opened before waiting for the server's greetings: stays under libzmq's default
#: listen backlog (100), so no SYN is dropped and retried a second later.
BATCH = 90


def rss_kib(pid: int | str = "self") -> int:
    """Resident set size of a process in KiB, from /proc (0 where /proc is missing)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def raise_nofile(want: int) -> int:
    """Raise the soft (and if allowed the hard) open-file limit to ``want``; return the limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < want:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            return want
    new = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if new > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
    return max(new, soft)


# --- worker roles (run inside ``python -m purezmq.bench.worker``) ------------------------------


def worker_main(spec: Spec) -> None:
    if spec.role == "mem-client":
        _client(spec)
        return
    impl = Impl.parse(spec.impl)
    zmq, Context = load(impl)
    role = {"mem-router": _router, "mem-pull": _pull, "mem-push": _push}[spec.role]
    if impl.is_async:

        async def main() -> None:
            await role(zmq, Context(), spec, True)

        run_async(impl, main)
    else:
        # The roles are coroutines so one body serves both APIs; with the sync API nothing in
        # them awaits, so driving the coroutine by hand runs it to the end in one step.
        coro = role(zmq, Context(), spec, False)
        with contextlib.suppress(StopIteration):
            coro.send(None)


async def _maybe(value: Any, is_async: bool) -> Any:
    return await value if is_async else value


async def _router(zmq: Any, ctx: Any, spec: Spec, is_async: bool) -> None:
    limit = raise_nofile(spec.count + 200)
    sock = ctx.socket(zmq.ROUTER)
    sock.bind(spec.endpoint)
    raw = sock.getsockopt(zmq.LAST_ENDPOINT)
    before = rss_kib()
    stdout_report(
        {"event": "ready", "endpoint": raw.decode() if isinstance(raw, bytes) else str(raw),
         "nofile": limit}
    )  # fmt: skip
    for _ in range(spec.count):
        await _maybe(sock.recv_multipart(), is_async)
    # Let the engine settle (buffers of the last handshakes) before sampling.
    if is_async:
        await asyncio.sleep(0.5)
    else:
        time.sleep(0.5)
    after = rss_kib()
    stdout_report({"event": "result", "rss_before_kib": before, "rss_after_kib": after,
                    "connections": spec.count})  # fmt: skip


async def _pull(zmq: Any, ctx: Any, spec: Spec, is_async: bool) -> None:
    sock = ctx.socket(zmq.PULL)
    sock.bind(spec.endpoint)
    raw = sock.getsockopt(zmq.LAST_ENDPOINT)
    stdout_report({"event": "ready", "endpoint": raw.decode() if isinstance(raw, bytes) else raw})
    # Never read: the flood must stop at the high-water marks, not in this process's memory.
    if is_async:
        await asyncio.sleep(3600)
    else:
        time.sleep(3600)


async def _push(zmq: Any, ctx: Any, spec: Spec, is_async: bool) -> None:
    sock = ctx.socket(zmq.PUSH)
    sock.connect(spec.endpoint)
    msg = b"\x00" * spec.size
    stdout_report({"event": "flooding"})
    while True:
        await _maybe(sock.send(msg), is_async)


def _client(spec: Spec) -> None:
    """Open ``spec.count`` raw ZMTP connections and keep them open, idle."""
    raise_nofile(spec.count + 200)
    host, _, port = spec.endpoint.removeprefix("tcp://").rpartition(":")
    conns: list[socket.socket] = []
    t0 = time.perf_counter()
    while len(conns) < spec.count:
        batch = [
            socket.create_connection((host, int(port)), timeout=30)
            for _ in range(min(BATCH, spec.count - len(conns)))
        ]
        # Step by step, as a real peer's engine would: signature, rest of the greeting once
        # the server's signature is in, READY and a message once its greeting is in (libzmq
        # did not complete handshakes whose bytes all arrived in one segment).
        for part, answer in ((_HELLO[:10], True), (_HELLO[10:64], True), (_HELLO[64:], False)):
            for s in batch:
                s.sendall(part)
            for s in batch if answer else ():
                if not s.recv(4096):
                    raise RuntimeError("server closed a connection during the handshake")
        conns.extend(batch)
    stdout_report({"event": "connected", "seconds": time.perf_counter() - t0})
    time.sleep(3600)


# --- runner -------------------------------------------------------------------------------------


class _Run:
    def __init__(self, timeout: float) -> None:
        self.events: queue.Queue[tuple[int, Any]] = queue.Queue()
        self.procs: list[WorkerProcess] = []
        self.deadline = time.monotonic() + timeout

    def start(self, spec: Spec) -> WorkerProcess:
        proc = WorkerProcess(spec, len(self.procs), self.events)
        self.procs.append(proc)
        return proc

    def wait(self, event: str) -> dict[str, Any]:
        while True:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise CellFailed("timeout", f"no {event!r} in time")
            try:
                tag, obj = self.events.get(timeout=left)
            except queue.Empty:
                continue
            if obj is None:
                time.sleep(0.1)
                raise CellFailed("error", self.procs[tag].failure())
            if obj.get("event") == event:
                return obj  # type: ignore[no-any-return]

    def close(self) -> None:
        for p in self.procs:
            p.kill()


def measure_connections(impl: Impl, n: int, timeout: float) -> dict[str, Any]:
    r = _Run(timeout)
    try:
        r.start(Spec(role="mem-router", impl=impl.label, endpoint="tcp://127.0.0.1:*", count=n))
        ready = r.wait("ready")
        if ready.get("nofile", n) < n + 100:
            n = int(ready["nofile"]) - 200
        r.start(Spec(role="mem-client", impl=impl.label, endpoint=ready["endpoint"], count=n))
        res = r.wait("result")
        grown = res["rss_after_kib"] - res["rss_before_kib"]
        return {
            "connections": n,
            "rss_before_mib": res["rss_before_kib"] / 1024,
            "rss_after_mib": res["rss_after_kib"] / 1024,
            "per_connection_kib": grown / n,
        }
    finally:
        r.close()


def measure_flood(impl: Impl, size: int, seconds: float, timeout: float) -> dict[str, Any]:
    r = _Run(timeout)
    try:
        pull = r.start(Spec(role="mem-pull", impl=impl.label, endpoint="tcp://127.0.0.1:*"))
        ready = r.wait("ready")
        push = r.start(
            Spec(role="mem-push", impl=impl.label, endpoint=ready["endpoint"], size=size)
        )
        r.wait("flooding")
        samples: list[tuple[float, int, int]] = []
        t0 = time.monotonic()
        while (t := time.monotonic() - t0) < seconds:
            for p in (pull, push):
                if p.popen.poll() is not None:
                    raise CellFailed("error", p.failure())
            samples.append((t, rss_kib(push.popen.pid), rss_kib(pull.popen.pid)))
            time.sleep(0.1)
        half = [s for s in samples if s[0] >= seconds / 2] or samples
        out: dict[str, Any] = {"size": size, "seconds": seconds}
        for i, name in ((1, "sender"), (2, "receiver")):
            out[f"{name}_peak_mib"] = max(s[i] for s in samples) / 1024
            out[f"{name}_half_mib"] = half[0][i] / 1024
            out[f"{name}_end_mib"] = samples[-1][i] / 1024
            out[f"{name}_growth_2nd_half_mib"] = (max(s[i] for s in half) - half[0][i]) / 1024
        out["samples"] = samples
        return out
    finally:
        r.close()


def main(argv: Sequence[str]) -> int:
    p = argparse.ArgumentParser(
        prog="purezmq bench memory",
        description="Idle connection cost (N raw connections to one ROUTER) and RSS during a "
        "flood against the high-water mark.",
    )
    p.add_argument("--lib", default="purezmq", choices=LIBS)
    p.add_argument("--api", default="sync,asyncio", help="APIs of --lib (sync,asyncio,uvloop)")
    p.add_argument("--compare", choices=["pyzmq", "none"], default="none")
    p.add_argument("--connections", type=int, default=10_000)
    p.add_argument("--flood-seconds", type=float, default=4.0)
    p.add_argument("--flood-size", type=parse_size, default=16 * 1024)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("--quick", action="store_true", help="200 connections, 1 s flood")
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args(list(argv))
    apis = [a for a in args.api.split(",") if a in APIS]
    impls = [Impl(args.lib, a) for a in apis]
    if args.compare == "pyzmq":
        impls += [Impl("pyzmq", a) for a in ("sync", "asyncio") if Impl("pyzmq", a) not in impls]
    n = 200 if args.quick else args.connections
    seconds = 1.0 if args.quick else args.flood_seconds
    results: list[dict[str, Any]] = []
    failed = 0
    print(
        f"{'implementation':<18} {'connections':>11} {'KiB/conn':>9} {'RSS MiB':>14}"
        f"   flood {fmt_size(args.flood_size)}: sender / receiver MiB (peak, 2nd-half growth)"
    )
    for impl in impls:
        row: dict[str, Any] = {"impl": impl.label}
        if sys.stderr.isatty():
            print(f"… {impl.label}", end="\r", file=sys.stderr, flush=True)
        try:
            row["connections"] = measure_connections(impl, n, args.timeout)
        except CellFailed as exc:
            row["connections_error"] = f"{exc.status}: {exc}"
            failed += 1
        try:
            row["flood"] = measure_flood(impl, args.flood_size, seconds, args.timeout)
        except CellFailed as exc:
            row["flood_error"] = f"{exc.status}: {exc}"
            failed += 1
        results.append(row)
        print(_row_text(row))
    for row in results:
        for k in ("connections_error", "flood_error"):
            if k in row:
                print(f"{row['impl']} {k.split('_')[0]}: {row[k]}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": "purezmq bench memory " + " ".join(argv), "results": results},
                      f, indent=1)  # fmt: skip
    return 1 if failed else 0


def _row_text(row: dict[str, Any]) -> str:
    c = row.get("connections")
    if c:
        conn = (f"{c['connections']:>11,} {c['per_connection_kib']:>9.1f} "
                f"{c['rss_before_mib']:>6.1f}→{c['rss_after_mib']:<7.1f}")  # fmt: skip
    else:
        conn = f"{'FAILED':>11} {'-':>9} {'-':>14}"
    f = row.get("flood")
    if f:
        s_peak, s_grow = f["sender_peak_mib"], f["sender_growth_2nd_half_mib"]
        r_peak, r_grow = f["receiver_peak_mib"], f["receiver_growth_2nd_half_mib"]
        flood = f"{s_peak:.1f} (+{s_grow:.1f}) / {r_peak:.1f} (+{r_grow:.1f})"
    else:
        flood = "FAILED"
    return f"{row['impl']:<18} {conn}   {flood}"
