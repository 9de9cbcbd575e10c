"""Churn soak: peers connect, send and vanish in a loop against one ROUTER, PUB and PULL, the
bind side restarts now and then, and the process's resources are sampled throughout.

    python soak/run.py --duration 60            # the CI form
    python soak/run.py --duration 1800 --plot soak.svg

Sampled every ``--interval`` seconds: RSS (``/proc/self/status`` VmRSS), open descriptors
(``/proc/self/fd``), threads (``/proc/self/status`` Threads) and asyncio tasks of the main loop.
The first ``--warmup`` fraction of the run sets each figure's plateau (its maximum then); the
run fails (exit 1) if a figure's final value exceeds ``plateau × (1 + tolerance) + slack``, or
if a peer's request goes unanswered outside a restart of the bind side. The samples print as a
table; the plot is a PNG when matplotlib is installed, else an SVG drawn here.

What churns, all in this one process (so every resource is counted here):

- asyncio DEALERs: connect to the ROUTER, send one request, await its echo, close;
- asyncio SUBs: connect to the PUB, subscribe, await one tick, close;
- asyncio PUSHes: connect to the PULL, send one message, close (LINGER lets it go first);
- raw TCP peers: connect to each bound port, write half a ZMTP greeting, vanish (RST);
- a thread of blocking DEALERs (the sync API and its I/O thread) doing request/reply;
- every ``--restart-every`` seconds, the ROUTER, PUB and PULL close and bind again on the same
  ports (the peers of the moment reconnect).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import struct
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import purezmq
import purezmq.asyncio

#: Seconds any one awaited step may take before the peer counts it as unanswered.
STEP_TIMEOUT = 5.0

METRICS = ("rss_kb", "fds", "threads", "tasks")
#: Absolute slack per figure on top of the relative tolerance: the allocator and the loop
#: keep some headroom that is not a leak.
SLACK = {"rss_kb": 16 * 1024, "fds": 16, "threads": 2, "tasks": 16}


@dataclass
class Sample:
    t: float
    rss_kb: int
    fds: int
    threads: int
    tasks: int
    cycles: int
    messages: int


@dataclass
class Counters:
    cycles: int = 0
    requests: int = 0
    replies: int = 0
    unanswered: int = 0
    unanswered_in_restart: int = 0
    ticks: int = 0
    pushed: int = 0
    pulled: int = 0
    vanished: int = 0
    sync_requests: int = 0
    sync_replies: int = 0
    restarts: int = 0
    errors: list[str] = field(default_factory=list)


def status_field(name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise LookupError(name)


def sample(started: float, counters: Counters) -> Sample:
    return Sample(
        t=time.monotonic() - started,
        rss_kb=status_field("VmRSS"),
        fds=len(os.listdir("/proc/self/fd")),
        threads=status_field("Threads"),
        tasks=len(asyncio.all_tasks()),
        cycles=counters.cycles,
        messages=counters.replies + counters.ticks + counters.pulled + counters.sync_replies,
    )


class BindSide:
    """The ROUTER (echo), PUB (ticks) and PULL (drain) that every peer talks to."""

    def __init__(self, ctx: purezmq.asyncio.Context, counters: Counters) -> None:
        self.ctx = ctx
        self.counters = counters
        self.ports: dict[str, int] = {}
        self.sockets: dict[str, Any] = {}
        self.tasks: list[asyncio.Task[None]] = []
        self.restarting = False

    def open(self) -> None:
        kinds = (("router", purezmq.ROUTER), ("pub", purezmq.PUB), ("pull", purezmq.PULL))
        for name, kind in kinds:
            sock = self.ctx.socket(kind)
            sock.linger = 0
            sock.bind(f"tcp://127.0.0.1:{self.ports.get(name, '*')}")
            endpoint = sock.getsockopt(purezmq.LAST_ENDPOINT).decode()
            self.ports[name] = int(endpoint.rsplit(":", 1)[1])
            self.sockets[name] = sock
        self.tasks = [
            asyncio.create_task(self._echo()),
            asyncio.create_task(self._tick()),
            asyncio.create_task(self._drain()),
        ]

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        for sock in self.sockets.values():
            sock.close(linger=0)
        self.sockets.clear()

    async def restart(self) -> None:
        self.restarting = True
        await self.close()
        self.open()
        self.counters.restarts += 1

    def endpoint(self, name: str) -> str:
        return f"tcp://127.0.0.1:{self.ports[name]}"

    async def _echo(self) -> None:
        router = self.sockets["router"]
        while True:
            frames = await router.recv_multipart()
            await router.send_multipart(frames)

    async def _tick(self) -> None:
        pub = self.sockets["pub"]
        while True:
            await pub.send(b"tick")
            await asyncio.sleep(0.01)  # a publisher's pace, not a wait for a condition

    async def _drain(self) -> None:
        pull = self.sockets["pull"]
        while True:
            await pull.recv()
            self.counters.pulled += 1


async def dealer_peer(ctx: Any, side: BindSide, counters: Counters, n: int) -> None:
    sock = ctx.socket(purezmq.DEALER)
    sock.linger = 0
    try:
        sock.connect(side.endpoint("router"))
        request = b"req-%d" % n
        await sock.send(request)
        counters.requests += 1
        try:
            reply = await asyncio.wait_for(sock.recv(), STEP_TIMEOUT)
        except asyncio.TimeoutError:
            if side.restarting:
                counters.unanswered_in_restart += 1
            else:
                counters.unanswered += 1
            return
        if reply != request:
            counters.errors.append(f"DEALER {n}: wrong reply {reply!r}")
        counters.replies += 1
    finally:
        sock.close()


async def sub_peer(ctx: Any, side: BindSide, counters: Counters) -> None:
    sock = ctx.socket(purezmq.SUB)
    sock.linger = 0
    try:
        sock.subscribe(b"tick")
        sock.connect(side.endpoint("pub"))
        try:
            await asyncio.wait_for(sock.recv(), STEP_TIMEOUT)
            counters.ticks += 1
        except asyncio.TimeoutError:
            if not side.restarting:
                counters.errors.append("SUB: no tick within the step timeout")
    finally:
        sock.close()


async def push_peer(ctx: Any, side: BindSide, counters: Counters, n: int) -> None:
    sock = ctx.socket(purezmq.PUSH)
    sock.linger = 1000
    try:
        sock.connect(side.endpoint("pull"))
        await sock.send(b"push-%d" % n)
        counters.pushed += 1
    finally:
        sock.close()


async def vanishing_peer(side: BindSide, counters: Counters) -> None:
    """A TCP peer that writes part of a greeting and resets: the listener must forget it."""
    for name in ("router", "pub", "pull"):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", side.ports[name])
        except OSError:
            continue  # the bind side is restarting
        writer.write(b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x03")
        sock = writer.get_extra_info("socket")
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        counters.vanished += 1


def sync_churn(endpoint_of: Any, counters: Counters, stop: threading.Event) -> None:
    """Blocking DEALERs on a sync Context (its I/O thread), one request each."""
    ctx = purezmq.Context()
    n = 0
    try:
        while not stop.is_set():
            sock = ctx.socket(purezmq.DEALER)
            sock.linger = 0
            sock.rcvtimeo = int(STEP_TIMEOUT * 1000)
            try:
                sock.connect(endpoint_of())
                sock.send(b"sync-%d" % n)
                counters.sync_requests += 1
                try:
                    if sock.recv() == b"sync-%d" % n:
                        counters.sync_replies += 1
                except purezmq.Again:
                    pass  # counted by the difference; restarts drop requests in flight
            finally:
                sock.close()
            n += 1
    finally:
        ctx.term()


async def soak(args: argparse.Namespace) -> tuple[list[Sample], Counters]:
    counters = Counters()
    ctx = purezmq.asyncio.Context()
    side = BindSide(ctx, counters)
    side.open()
    stop = threading.Event()
    worker = threading.Thread(
        target=sync_churn, args=(lambda: side.endpoint("router"), counters, stop), daemon=True
    )
    worker.start()
    started = time.monotonic()
    samples = [sample(started, counters)]
    next_sample = started + args.interval
    next_restart = started + args.restart_every
    n = 0
    try:
        while time.monotonic() - started < args.duration:
            peers = []
            for _ in range(args.peers):
                peers.append(dealer_peer(ctx, side, counters, n))
                peers.append(push_peer(ctx, side, counters, n))
                n += 1
            peers.append(sub_peer(ctx, side, counters))
            peers.append(vanishing_peer(side, counters))
            results = await asyncio.gather(*peers, return_exceptions=True)
            for result in results:
                if isinstance(result, BaseException):
                    counters.errors.append(f"peer raised {result!r}")
            counters.cycles += 1
            side.restarting = False
            now = time.monotonic()
            if now >= next_restart:
                await side.restart()
                next_restart = now + args.restart_every
            if now >= next_sample:
                samples.append(sample(started, counters))
                next_sample = now + args.interval
        samples.append(sample(started, counters))
    finally:
        stop.set()
        worker.join(STEP_TIMEOUT * 2)
        await side.close()
        ctx.term()
    return samples, counters


def check_plateau(
    samples: list[Sample], warmup: float, tolerance: float
) -> tuple[dict[str, tuple[int, int, int]], list[str]]:
    """Per figure: (warm-up maximum, limit, final value); and the figures over their limit."""
    end_of_warmup = samples[-1].t * warmup
    warm = [s for s in samples if s.t <= end_of_warmup] or samples[:1]
    figures: dict[str, tuple[int, int, int]] = {}
    failures = []
    for metric in METRICS:
        plateau = max(getattr(s, metric) for s in warm)
        limit = int(plateau * (1 + tolerance) + SLACK[metric])
        final = getattr(samples[-1], metric)
        figures[metric] = (plateau, limit, final)
        if final > limit:
            failures.append(f"{metric}: {final} > {limit} (warm-up plateau {plateau})")
    return figures, failures


def print_table(samples: list[Sample], rows: int = 30) -> None:
    step = max(1, len(samples) // rows)
    shown = samples[::step]
    if shown[-1] is not samples[-1]:
        shown.append(samples[-1])
    print(
        f"{'t (s)':>8} {'RSS kB':>9} {'fds':>5} {'threads':>7} {'tasks':>6} "
        f"{'cycles':>7} {'msgs':>8}"
    )
    for s in shown:
        print(
            f"{s.t:8.1f} {s.rss_kb:9d} {s.fds:5d} {s.threads:7d} {s.tasks:6d} "
            f"{s.cycles:7d} {s.messages:8d}"
        )


def plot(samples: list[Sample], path: Path) -> Path:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        svg = path.with_suffix(".svg")
        svg.write_text(svg_plot(samples))
        return svg
    fig, axes = plt.subplots(len(METRICS), 1, sharex=True, figsize=(8, 8))
    for ax, metric in zip(axes, METRICS, strict=True):
        ax.plot([s.t for s in samples], [getattr(s, metric) for s in samples])
        ax.set_ylabel(metric)
    axes[-1].set_xlabel("seconds")
    png = path.with_suffix(".png")
    fig.savefig(png)
    return png


def svg_plot(samples: list[Sample]) -> str:
    """Four stacked line charts, one per figure, in plain SVG."""
    width, panel, pad = 640, 120, 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{len(METRICS) * (panel + pad) + pad}" font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    t_max = max(samples[-1].t, 1e-9)
    for i, metric in enumerate(METRICS):
        top = pad + i * (panel + pad)
        values = [getattr(s, metric) for s in samples]
        low, high = min(values), max(values)
        span = (high - low) or 1
        points = " ".join(
            f"{pad + (s.t / t_max) * (width - 2 * pad):.1f},"
            f"{top + panel - (v - low) / span * panel:.1f}"
            for s, v in zip(samples, values, strict=True)
        )
        parts += [
            f'<rect x="{pad}" y="{top}" width="{width - 2 * pad}" height="{panel}" '
            'fill="none" stroke="#ccc"/>',
            f'<text x="{pad}" y="{top - 6}">{metric}: {low}..{high} over {t_max:.0f} s</text>',
            f'<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="{points}"/>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds to run (default 60)")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between samples")
    parser.add_argument("--peers", type=int, default=8, help="DEALER and PUSH peers per cycle")
    parser.add_argument("--restart-every", type=float, default=10.0, help="bind-side restarts (s)")
    parser.add_argument("--warmup", type=float, default=0.25, help="warm-up fraction of the run")
    parser.add_argument("--tolerance", type=float, default=0.10, help="growth allowed over warm-up")
    parser.add_argument(
        "--plot", type=Path, default=Path("soak-plot"), help="plot file (no suffix)"
    )
    args = parser.parse_args(argv)
    samples, counters = asyncio.run(soak(args))
    print_table(samples)
    figures, failures = check_plateau(samples, args.warmup, args.tolerance)
    print()
    print(f"{'figure':>8} {'start':>9} {'warm-up max':>12} {'limit':>9} {'end':>9}")
    for metric, (plateau, limit, final) in figures.items():
        print(f"{metric:>8} {getattr(samples[0], metric):9d} {plateau:12d} {limit:9d} {final:9d}")
    print()
    print(
        f"{samples[-1].t:.0f} s, {counters.cycles} cycles, {counters.restarts} bind-side restarts; "
        f"requests {counters.requests}, replies {counters.replies}, unanswered "
        f"{counters.unanswered} (+{counters.unanswered_in_restart} across a restart); "
        f"sync requests {counters.sync_requests}, replies {counters.sync_replies}; "
        f"SUB ticks {counters.ticks}; pushed {counters.pushed}, pulled {counters.pulled}; "
        f"vanished TCP peers {counters.vanished}"
    )
    print(f"plot: {plot(samples, args.plot)}")
    problems = failures + counters.errors[:20]
    if counters.unanswered:
        problems.append(f"{counters.unanswered} requests unanswered outside a restart")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
