"""``purezmq bench pgm``: PUB→SUB throughput over epgm:// (or pgm://), purezmq beside libzmq.

The pyzmq wheel's libzmq has no OpenPGM, so the libzmq cells run under a Python whose pyzmq is
built against a libzmq with pgm (Debian's 4.3.4: ``tests/interop/libzmq434/setup.sh`` makes
one; ``--libzmq-python``, default ``$PUREZMQ_LIBZMQ434_VENV/bin/python``). Multicast needs a
network that carries it: as root the command re-runs itself in a private network namespace
whose loopback interface has multicast on and a route for 224.0.0.0/4 (``--here`` skips
that). Each cell is one SUB process and one PUB process of the same library; the SUB measures
from its first message to its last, and reports the share of the messages that arrived.

This file is run by path as the worker (``--worker``), under either Python, so it imports only
the standard library at the top.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SIZES = (64, 64 * 1024)
#: Messages per cell: enough for a second or so of traffic at each size.
COUNTS = {64: 30_000, 64 * 1024: 400}
SETUP = "ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo"
SRC = str(Path(__file__).resolve().parents[2])


def _worker(args: argparse.Namespace) -> None:
    zmq: Any
    if args.impl == "purezmq":
        sys.path.insert(0, SRC)
        import purezmq as zmq
    else:
        import zmq
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # OpenPGM prints notes on the C stdout
    ctx = zmq.Context()
    if args.role == "sub":
        sock = ctx.socket(zmq.SUB)
        sock.setsockopt(zmq.SUBSCRIBE, b"")
        sock.setsockopt(zmq.RCVHWM, 0)
    else:
        sock = ctx.socket(zmq.PUB)
        sock.setsockopt(zmq.SNDHWM, 0)
    sock.setsockopt(zmq.RATE, args.rate)
    sock.setsockopt(zmq.RCVBUF, 8 << 20)
    sock.setsockopt(zmq.SNDBUF, 8 << 20)
    sock.setsockopt(zmq.LINGER, 3000)
    sock.connect(args.endpoint)
    if args.role == "sub":
        print("ready", file=out)
        got = 0
        first = last = 0.0
        while got < args.count and sock.poll(3000):
            msg = sock.recv()
            if msg == b"END":
                break
            if not got:
                first = time.perf_counter()
            last = time.perf_counter()
            got += 1
        print(json.dumps({"got": got, "seconds": last - first}), file=out)
    else:
        body = b"x" * args.size
        for _ in range(args.count):
            sock.send(body)
        for _ in range(3):
            sock.send(b"END")
        print(json.dumps({"sent": args.count}), file=out)
        # Stay up for repairs until the driver, told by the SUB that it is done, stops us.
        sys.stdin.read()
    sock.close()
    ctx.term()


def _cell(python: str, impl: str, size: int, endpoint: str, rate: int) -> dict[str, Any]:
    count = COUNTS.get(size, 1000)
    base = [python, __file__, "--worker", "--impl", impl, "--endpoint", endpoint]
    base += ["--size", str(size), "--count", str(count), "--rate", str(rate)]
    sub = subprocess.Popen([*base, "--role", "sub"], stdout=subprocess.PIPE, text=True)
    assert sub.stdout is not None
    if sub.stdout.readline().strip() != "ready":
        sub.kill()
        return {"impl": impl, "size": size, "error": "the SUB did not start"}
    pub = subprocess.Popen(
        [*base, "--role", "pub"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, _ = sub.communicate(timeout=300)
    _, pub_err = pub.communicate("", timeout=60)
    if sub.returncode or pub.returncode:
        return {"impl": impl, "size": size, "error": pub_err[-500:]}
    result = json.loads(out.strip().splitlines()[-1])
    seconds = max(result["seconds"], 1e-9)
    got = result["got"]
    return {
        "impl": impl,
        "size": size,
        "messages": got,
        "delivered": got / count,
        "msgs_per_s": (got - 1) / seconds if got > 1 else 0.0,
        "mb_per_s": (got - 1) * size / seconds / 1e6 if got > 1 else 0.0,
    }


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'library':<10} {'size':>7} {'msg/s':>10} {'MB/s':>8} {'arrived':>8}"]
    for r in rows:
        if "error" in r:
            lines.append(f"{r['impl']:<10} {r['size']:>7} error: {r['error'].strip()[:60]}")
            continue
        lines.append(
            f"{r['impl']:<10} {r['size']:>7} {r['msgs_per_s']:>10.0f} {r['mb_per_s']:>8.2f} "
            f"{r['delivered']:>7.1%}"
        )
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    venv = os.environ.get("PUREZMQ_LIBZMQ434_VENV", "/tmp/venv-libzmq434")
    p = argparse.ArgumentParser(prog="purezmq bench pgm", description=__doc__.split("\n\n")[0])
    p.add_argument("--transport", choices=["epgm", "pgm"], default="epgm")
    p.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    p.add_argument("--rate", type=int, default=1_000_000, help="RATE in kbit/s (both sides)")
    p.add_argument("--libzmq-python", default=str(Path(venv) / "bin" / "python"))
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--here", action="store_true", help="do not enter a private namespace")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--impl", help=argparse.SUPPRESS)
    p.add_argument("--role", help=argparse.SUPPRESS)
    p.add_argument("--endpoint", help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--count", type=int, help=argparse.SUPPRESS)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    if args.worker:
        _worker(args)
        return 0
    if not args.here and os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip"):
        me = [sys.executable, __file__, "--here", *(argv if argv is not None else sys.argv[1:])]
        return subprocess.run(
            ["unshare", "-n", "sh", "-c", f'{SETUP} && exec "$@"', "sh", *me]
        ).returncode
    impls = [("purezmq", sys.executable)]
    if Path(args.libzmq_python).exists():
        impls.append(("libzmq", args.libzmq_python))
    else:
        print(f"no libzmq with pgm at {args.libzmq_python}: purezmq only", file=sys.stderr)
    rows = []
    port = 46000
    for size in (int(s) for s in args.sizes.split(",")):
        for impl, python in impls:
            port += 1
            endpoint = f"{args.transport}://127.0.0.1;239.192.7.1:{port}"
            rows.append(_cell(python, impl, size, endpoint, args.rate))
            print(_table(rows[-1:]).splitlines()[-1], file=sys.stderr, flush=True)
    print(f"PUB→SUB over {args.transport}:// (RATE {args.rate} kbit/s)")
    print(_table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
