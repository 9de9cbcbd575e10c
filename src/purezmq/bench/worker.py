"""One side of a benchmark cell, run as ``python -m purezmq.bench.worker '<json spec>'``.

The runner starts one process per side (tcp, ipc) or one process holding every side (inproc).
A worker speaks JSON lines on stdout: ``{"event": "ready", ...}`` once its socket is bound (with
the resolved endpoint, so tcp ports come from the OS and never race), then
``{"event": "result", ...}``. Failures go to stderr as a traceback with exit status 1.

What is measured follows libzmq's perf tools: throughput is messages / elapsed on the receiver,
the clock starting at the first message; latency is the round trip seen by the requester. Only
``time.perf_counter`` is used, and only inside the worker.

Sockets are never closed: teardown (linger, term) is not what is measured, and a library that
hangs there must not turn a good measurement into a timeout. A worker of a tcp/ipc cell waits
to be killed once done, so what it sent last keeps flowing meanwhile; an inproc worker leaves
with ``os._exit`` after its results.
"""

from __future__ import annotations

import asyncio
import faulthandler
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from .libs import Impl, curve_keypair, load, run_async

Report = Callable[[dict[str, Any]], None]

#: Control messages of the fan-out test; data messages are ``size`` >= 2 bytes, so a length
#: check tells them apart without a second frame on the hot path.
HELLO, READY, END, DONE = b"H", b"R", b"E", b"D"

#: RADIO→DISH: the group of the data, and how often (10 ms apart) the end marker is sent, since
#: UDP may drop any one datagram; the DISH gives up after a silence of ``RADIO_GAP_MS``.
RADIO_GROUP = "bench"
RADIO_END_REPEATS = 50
RADIO_GAP_MS = 1000

#: How long a finished worker waits to be killed (the runner kills it much sooner).
LINGER_S = 600.0


@dataclass
class Spec:
    """Everything a worker needs; passed as one JSON argument."""

    role: str
    impl: str
    endpoint: str = ""
    size: int = 64
    count: int = 10_000
    warmup: int = 100
    subs: int = 1
    cpu: int | None = None
    mechanism: str = "null"
    server_key: str = ""
    ctl_endpoint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Spec:
        return cls(**json.loads(text))


# --- helpers -------------------------------------------------------------------------------------


#: Every socket a role made. Sockets are never closed and never garbage-collected: closing is
#: not what is measured, and a close that dropped a reply still in flight (or hung) would turn
#: a measurement into a failure.
_KEEP: list[Any] = []


def _socket(ctx: Any, kind: int) -> Any:
    sock = ctx.socket(kind)
    _KEEP.append(sock)
    return sock


def stdout_report(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _last_endpoint(zmq: Any, sock: Any) -> str:
    raw = sock.getsockopt(zmq.LAST_ENDPOINT)
    return raw.decode() if isinstance(raw, bytes) else str(raw)


def _secure_server(zmq: Any, sock: Any, spec: Spec) -> str:
    """Make ``sock`` a CURVE server when asked; return its public key (Z85) or ``""``."""
    if spec.mechanism != "curve" or spec.endpoint.startswith("inproc"):
        return ""
    public, secret = curve_keypair(zmq)
    sock.setsockopt(zmq.CURVE_SERVER, 1)
    sock.setsockopt(zmq.CURVE_SECRETKEY, secret)
    return public.decode()


def _secure_client(zmq: Any, sock: Any, spec: Spec) -> None:
    if spec.mechanism != "curve" or spec.endpoint.startswith("inproc"):
        return
    public, secret = curve_keypair(zmq)
    sock.setsockopt(zmq.CURVE_SERVERKEY, spec.server_key.encode())
    sock.setsockopt(zmq.CURVE_PUBLICKEY, public)
    sock.setsockopt(zmq.CURVE_SECRETKEY, secret)


def _bind(zmq: Any, sock: Any, spec: Spec) -> dict[str, Any]:
    key = _secure_server(zmq, sock, spec)
    sock.bind(spec.endpoint)
    return {"event": "ready", "endpoint": _last_endpoint(zmq, sock), "server_key": key}


def _connect(zmq: Any, sock: Any, spec: Spec) -> None:
    _secure_client(zmq, sock, spec)
    sock.connect(spec.endpoint)


def _ctl_bind_endpoint(spec: Spec) -> str:
    """Where the fan-out publisher listens for its subscribers' control messages."""
    if spec.endpoint.startswith("ipc://"):
        return spec.endpoint + "-ctl"
    if spec.endpoint.startswith("inproc://"):
        return spec.endpoint + "-ctl"
    return "tcp://127.0.0.1:*"


def _latency_stats(times: list[float]) -> dict[str, Any]:
    times.sort()
    n = len(times)
    return {
        "count": n,
        "median_us": times[n // 2] * 1e6,
        "p99_us": times[min(n - 1, (n * 99) // 100)] * 1e6,
        "min_us": times[0] * 1e6,
        "mean_us": sum(times) / n * 1e6,
    }


def _check_size(msg: Any, size: int) -> None:
    if len(msg) != size:
        raise RuntimeError(f"expected a {size}-byte message, got {len(msg)} bytes")


# --- sync roles ----------------------------------------------------------------------------------


def thr_recv_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.PULL)
    report(_bind(zmq, sock, spec))
    recv = sock.recv
    _check_size(recv(), spec.size)
    t0 = time.perf_counter()
    for _ in range(spec.count - 1):
        recv()
    elapsed = time.perf_counter() - t0
    report({"event": "result", "messages": spec.count - 1, "elapsed": elapsed})


def thr_send_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.PUSH)
    _connect(zmq, sock, spec)
    send = sock.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        send(msg)
    report({"event": "sent", "elapsed": time.perf_counter() - t0})


def lat_rep_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.REP)
    report(_bind(zmq, sock, spec))
    recv, send = sock.recv, sock.send
    for _ in range(spec.warmup + spec.count):
        send(recv())
    report({"event": "served"})


def lat_req_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.REQ)
    _connect(zmq, sock, spec)
    recv, send = sock.recv, sock.send
    msg = b"\x00" * spec.size
    for _ in range(spec.warmup):
        send(msg)
        _check_size(recv(), spec.size)
    pc = time.perf_counter
    times = [0.0] * spec.count
    for i in range(spec.count):
        t = pc()
        send(msg)
        recv()
        times[i] = pc() - t
    report({"event": "result", **_latency_stats(times)})


def fan_pub_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    pub = _socket(ctx, zmq.PUB)
    ready = _bind(zmq, pub, spec)
    ctl = _socket(ctx, zmq.PULL)
    ctl.bind(_ctl_bind_endpoint(spec))
    report({**ready, "ctl_endpoint": _last_endpoint(zmq, ctl)})

    def gather(marker: bytes, want: bytes) -> None:
        # Repeat the marker until every subscriber answered: PUB drops what a slow or
        # not-yet-connected subscriber cannot take, so a single marker might never arrive.
        got = 0
        while got < spec.subs:
            pub.send(marker)
            time.sleep(0.01)
            while True:
                try:
                    msg = ctl.recv(zmq.NOBLOCK)
                except zmq.ZMQError:  # Again; pyomq 0.21 raises a plain ZMQError (EIO) instead
                    break
                got += msg == want

    gather(HELLO, READY)
    send = pub.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        send(msg)
    elapsed = time.perf_counter() - t0
    gather(END, DONE)
    report({"event": "published", "elapsed": elapsed, "t0": t0})


def fan_sub_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sub = _socket(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    _connect(zmq, sub, spec)
    ctl = _socket(ctx, zmq.PUSH)
    ctl.connect(spec.ctl_endpoint)
    recv = sub.recv
    while recv() != HELLO:
        pass
    ctl.send(READY)
    size, pc = spec.size, time.perf_counter
    n, first, last = 0, 0.0, 0.0
    while True:
        msg = recv()
        if len(msg) == size:
            last = pc()
            if not n:
                first = last
            n += 1
        elif msg == END:
            break
    ctl.send(DONE)
    report({"event": "result", "messages": n, "first": first, "last": last})


def radio_dish_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.DISH)
    sock.join(RADIO_GROUP)
    report(_bind(zmq, sock, spec))
    recv, size, pc = sock.recv, spec.size, time.perf_counter
    msg = recv()  # the first one, however long the sender takes to start
    n, first, last = 0, 0.0, 0.0
    sock.rcvtimeo = RADIO_GAP_MS
    while msg != END:
        if len(msg) == size:
            last = pc()
            if not n:
                first = last
            n += 1
        try:
            msg = recv()
        except zmq.Again:
            break
    report({"event": "result", "messages": n, "elapsed": last - first})


def radio_send_sync(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.RADIO)
    sock.connect(spec.endpoint)
    send = sock.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        send(msg, group=RADIO_GROUP)
    elapsed = time.perf_counter() - t0
    for _ in range(RADIO_END_REPEATS):
        send(END, group=RADIO_GROUP)
        time.sleep(0.01)
    report({"event": "sent", "elapsed": elapsed})


# --- asyncio roles (the same measurements, awaited) --------------------------------------------


async def thr_recv_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.PULL)
    report(_bind(zmq, sock, spec))
    recv = sock.recv
    _check_size(await recv(), spec.size)
    t0 = time.perf_counter()
    for _ in range(spec.count - 1):
        await recv()
    elapsed = time.perf_counter() - t0
    report({"event": "result", "messages": spec.count - 1, "elapsed": elapsed})


async def thr_send_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.PUSH)
    _connect(zmq, sock, spec)
    send = sock.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        await send(msg)
    report({"event": "sent", "elapsed": time.perf_counter() - t0})


async def lat_rep_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.REP)
    report(_bind(zmq, sock, spec))
    recv, send = sock.recv, sock.send
    for _ in range(spec.warmup + spec.count):
        await send(await recv())
    report({"event": "served"})


async def lat_req_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.REQ)
    _connect(zmq, sock, spec)
    recv, send = sock.recv, sock.send
    msg = b"\x00" * spec.size
    for _ in range(spec.warmup):
        await send(msg)
        _check_size(await recv(), spec.size)
    pc = time.perf_counter
    times = [0.0] * spec.count
    for i in range(spec.count):
        t = pc()
        await send(msg)
        await recv()
        times[i] = pc() - t
    report({"event": "result", **_latency_stats(times)})


async def fan_pub_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    pub = _socket(ctx, zmq.PUB)
    ready = _bind(zmq, pub, spec)
    ctl = _socket(ctx, zmq.PULL)
    ctl.bind(_ctl_bind_endpoint(spec))
    report({**ready, "ctl_endpoint": _last_endpoint(zmq, ctl)})

    async def gather(marker: bytes, want: bytes) -> None:
        got = 0
        while got < spec.subs:
            await pub.send(marker)
            await asyncio.sleep(0.01)
            while True:
                try:
                    msg = await ctl.recv(zmq.NOBLOCK)
                except zmq.ZMQError:  # Again; pyomq 0.21 raises a plain ZMQError (EIO) instead
                    break
                got += msg == want

    await gather(HELLO, READY)
    send = pub.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        await send(msg)
    elapsed = time.perf_counter() - t0
    await gather(END, DONE)
    report({"event": "published", "elapsed": elapsed, "t0": t0})


async def fan_sub_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sub = _socket(ctx, zmq.SUB)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    _connect(zmq, sub, spec)
    ctl = _socket(ctx, zmq.PUSH)
    ctl.connect(spec.ctl_endpoint)
    recv = sub.recv
    while (await recv()) != HELLO:
        pass
    await ctl.send(READY)
    size, pc = spec.size, time.perf_counter
    n, first, last = 0, 0.0, 0.0
    while True:
        msg = await recv()
        if len(msg) == size:
            last = pc()
            if not n:
                first = last
            n += 1
        elif msg == END:
            break
    await ctl.send(DONE)
    report({"event": "result", "messages": n, "first": first, "last": last})


async def radio_dish_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.DISH)
    sock.join(RADIO_GROUP)
    report(_bind(zmq, sock, spec))
    recv, size, pc = sock.recv, spec.size, time.perf_counter
    msg = await recv()  # the first one, however long the sender takes to start
    n, first, last = 0, 0.0, 0.0
    sock.rcvtimeo = RADIO_GAP_MS
    while msg != END:
        if len(msg) == size:
            last = pc()
            if not n:
                first = last
            n += 1
        try:
            msg = await recv()
        except zmq.Again:
            break
    report({"event": "result", "messages": n, "elapsed": last - first})


async def radio_send_async(zmq: Any, ctx: Any, spec: Spec, report: Report) -> None:
    sock = _socket(ctx, zmq.RADIO)
    sock.connect(spec.endpoint)
    send = sock.send
    msg = b"\x00" * spec.size
    t0 = time.perf_counter()
    for _ in range(spec.count):
        await send(msg, group=RADIO_GROUP)
    elapsed = time.perf_counter() - t0
    for _ in range(RADIO_END_REPEATS):
        await send(END, group=RADIO_GROUP)
        await asyncio.sleep(0.01)
    report({"event": "sent", "elapsed": elapsed})


#: role -> (binding side, connecting side) for (sync, async).
SYNC_ROLES: dict[str, tuple[Any, Any]] = {
    "thr": (thr_recv_sync, thr_send_sync),
    "lat": (lat_rep_sync, lat_req_sync),
    "fan": (fan_pub_sync, fan_sub_sync),
    "radio": (radio_dish_sync, radio_send_sync),
}
ASYNC_ROLES: dict[str, tuple[Any, Any]] = {
    "thr": (thr_recv_async, thr_send_async),
    "lat": (lat_rep_async, lat_req_async),
    "fan": (fan_pub_async, fan_sub_async),
    "radio": (radio_dish_async, radio_send_async),
}


# --- process entry points ------------------------------------------------------------------------


def _run_one_side(spec: Spec, impl: Impl, zmq: Any, Context: Any) -> None:
    """tcp/ipc: this process is one side (``<test>-bind`` or ``<test>-connect``)."""
    test, _, side = spec.role.partition("-")
    index = 0 if side == "bind" else 1
    # Every side stays up once its part is done, until the runner kills it: the last thing it
    # sent (REP's last reply, a subscriber's DONE, a PUSH's tail) may still sit in the
    # library's queues, and leaving now would drop it and hang the peer.
    if not impl.is_async:
        ctx = Context()
        SYNC_ROLES[test][index](zmq, ctx, spec, stdout_report)
        time.sleep(LINGER_S)
        return

    async def main() -> None:
        ctx = Context()
        await ASYNC_ROLES[test][index](zmq, ctx, spec, stdout_report)
        await asyncio.sleep(LINGER_S)

    run_async(impl, main)


def _run_inproc(spec: Spec, impl: Impl, zmq: Any, Context: Any) -> None:
    """inproc: both sides (and every subscriber) in this one process, sharing one Context."""
    test = spec.role.partition("-")[2]
    peers = spec.subs if test == "fan" else 1
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def collect(obj: dict[str, Any]) -> None:
        if obj["event"] in ("result", "published"):
            results.append(obj)

    def finish() -> None:
        if errors:
            raise errors[0]
        for obj in results:
            stdout_report(obj)

    if not impl.is_async:
        ctx = Context()
        bound = threading.Event()
        binder, connector = SYNC_ROLES[test]
        conn_spec = dict(asdict(spec))

        def on_bind(obj: dict[str, Any]) -> None:
            if obj["event"] == "ready":
                conn_spec["endpoint"] = obj["endpoint"]
                conn_spec["ctl_endpoint"] = obj.get("ctl_endpoint", "")
                bound.set()
            collect(obj)

        def guarded(fn: Any, *args: Any) -> None:
            try:
                fn(*args)
            except BaseException as exc:
                errors.append(exc)
                bound.set()

        threads = [threading.Thread(target=guarded, args=(binder, zmq, ctx, spec, on_bind))]
        threads[0].start()
        bound.wait()
        # In-process sender and receiver take turns on the GIL; a daemon sender is fine
        # because the process exits once the receivers reported.
        for _ in range(peers):
            t = threading.Thread(
                target=guarded, args=(connector, zmq, ctx, Spec(**conn_spec), collect)
            )
            t.daemon = True
            t.start()
            threads.append(t)
        waited = threads if test != "thr" else [threads[0]]
        # Poll rather than join: a connector that failed must end the run, not leave the
        # binder waiting for messages that will never come.
        alive = [t for t in waited if t.is_alive()]
        while alive and not errors:
            alive[0].join(0.05)
            alive = [t for t in alive if t.is_alive()]
        finish()
        return

    async def main() -> None:
        ctx = Context()
        binder, connector = ASYNC_ROLES[test]
        bound = asyncio.Event()
        conn_spec = dict(asdict(spec))

        def on_bind(obj: dict[str, Any]) -> None:
            if obj["event"] == "ready":
                conn_spec["endpoint"] = obj["endpoint"]
                conn_spec["ctl_endpoint"] = obj.get("ctl_endpoint", "")
                bound.set()
            collect(obj)

        bind_task = asyncio.ensure_future(binder(zmq, ctx, spec, on_bind))
        waiter = asyncio.ensure_future(bound.wait())
        await asyncio.wait([bind_task, waiter], return_when=asyncio.FIRST_COMPLETED)
        if bind_task.done():
            waiter.cancel()
            bind_task.result()  # raises the binder's error
        tasks = [
            asyncio.ensure_future(connector(zmq, ctx, Spec(**conn_spec), collect))
            for _ in range(peers)
        ]
        must = {bind_task} if test == "thr" else {bind_task, *tasks}
        pending = {bind_task, *tasks}
        while must & pending:
            done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a failed side ends the run with its error

    try:
        run_async(impl, main)
    except BaseException as exc:
        errors.append(exc)
    finish()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    spec = Spec.from_json(args[0])
    # On a timeout the runner sends SIGABRT: the stacks of every thread then show where it hung.
    faulthandler.enable()
    if spec.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec.cpu})
    if spec.role.startswith("mem-"):
        from .memory import worker_main

        worker_main(spec)
    else:
        impl = Impl.parse(spec.impl)
        zmq, Context = load(impl)
        if impl.lib == "floor":
            from .floor import run_side

            run_side(spec, stdout_report, _latency_stats)
        elif spec.role.startswith("inproc-"):
            _run_inproc(spec, impl, zmq, Context)
        else:
            _run_one_side(spec, impl, zmq, Context)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
