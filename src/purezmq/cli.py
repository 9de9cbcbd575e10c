"""The ``purezmq`` command line: ``purezmq demo`` (also ``python -m purezmq demo``), ``purezmq
run -- COMMAND ARGS`` (a pyzmq program, unchanged, on purezmq), ``keygen``, ``bench``.

``run`` replaces itself (``execvpe``) with COMMAND, whose environment has purezmq's
``sitecustomize`` directory first on ``PYTHONPATH``: every Python process of the command's
process tree then starts with ``purezmq.install_as_zmq()`` done (docs/dropin.md).

``demo`` plays every lego of the ØMQ deck — REQ/REP, PUSH/PULL fan-out and fan-in, PUB/SUB with
topics, ROUTER/DEALER with envelopes — over inproc, ipc and tcp, printing what flowed where and
how long it took. When pyzmq is importable it plays them again with libzmq on the other end
(purezmq binds, libzmq connects, then the other way round). Exits 0 when every lego worked,
1 with a message naming the lego and transport that failed.

Layer 5: uses the public sync API only, so the very same lego code drives pyzmq.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

#: Receives wait at most this long (ms): a broken lego fails fast instead of hanging.
TIMEOUT_MS = 3000


class DemoFailure(Exception):
    """A lego did not deliver what it should have."""


@dataclass
class Side:
    """One end of a lego: a library (purezmq or zmq) and a Context of it."""

    name: str
    lib: ModuleType
    ctx: Any

    def socket(self, kind: str) -> Any:
        sock = self.ctx.socket(getattr(self.lib, kind))
        sock.setsockopt(self.lib.LINGER, 0)
        sock.setsockopt(self.lib.RCVTIMEO, TIMEOUT_MS)
        sock.setsockopt(self.lib.SNDTIMEO, TIMEOUT_MS)
        return sock


class Endpoints:
    """Fresh endpoints per lego: inproc names, ipc paths in a temp dir, tcp ports from the OS."""

    def __init__(self, tmpdir: str) -> None:
        self.tmpdir = tmpdir
        self.n = 0

    def bind(self, sock: Any, transport: str) -> str:
        self.n += 1
        if transport == "inproc":
            addr = f"inproc://demo-{self.n}"
        elif transport == "ipc":
            addr = f"ipc://{os.path.join(self.tmpdir, f'demo-{self.n}.sock')}"
        else:
            addr = "tcp://127.0.0.1:*"
        sock.bind(addr)
        last = sock.getsockopt_string(_lib_of(sock).LAST_ENDPOINT)
        return str(last) if last else addr


def _lib_of(sock: Any) -> ModuleType:
    return sys.modules[type(sock).__module__.split(".")[0]]


def _recv(sock: Any, what: str) -> list[bytes]:
    try:
        return list(sock.recv_multipart())
    except Exception as exc:  # Again on timeout, or anything the library raised
        raise DemoFailure(f"{what}: nothing received within {TIMEOUT_MS} ms ({exc!r})") from exc


def _expect(cond: bool, what: str) -> None:
    if not cond:
        raise DemoFailure(what)


def _close(*socks: Any) -> None:
    for s in socks:
        s.close(0)


# ---- the legos ---------------------------------------------------------------------------------
# Each takes the binding side, the connecting side, the transport and the endpoint maker, and
# returns one line saying what flowed where.


def lego_req_rep(a: Side, b: Side, transport: str, ep: Endpoints) -> str:
    rep = a.socket("REP")
    req = b.socket("REQ")
    try:
        req.connect(ep.bind(rep, transport))
        for i in range(3):
            req.send(b"ping %d" % i)
            _expect(_recv(rep, "REP")[0] == b"ping %d" % i, "REP got the wrong request")
            rep.send(b"pong %d" % i)
            _expect(_recv(req, "REQ")[0] == b"pong %d" % i, "REQ got the wrong reply")
        return f"req({b.name}) -> rep({a.name}) -> req: 3 round trips"
    finally:
        _close(req, rep)


def lego_fan_out(a: Side, b: Side, transport: str, ep: Endpoints) -> str:
    push = a.socket("PUSH")
    pulls = [b.socket("PULL") for _ in range(3)]
    try:
        addr = ep.bind(push, transport)
        mon = None
        if transport != "inproc":
            # Wait (bounded) until every worker finished its handshake, so that the tasks are
            # spread over all three rather than over whoever connected first.
            mon = push.get_monitor_socket(a.lib.EVENT_HANDSHAKE_SUCCEEDED)
            mon.setsockopt(a.lib.RCVTIMEO, TIMEOUT_MS)
        for p in pulls:
            p.connect(addr)
        if mon is not None:
            for _ in pulls:
                _recv(mon, "monitor (HANDSHAKE_SUCCEEDED)")
            push.disable_monitor()
            mon.close(0)
        # Load balancing spreads over the workers connected so far; all 9 tasks must arrive.
        for i in range(9):
            push.send(b"task %d" % i)
        counts = [0, 0, 0]
        got: set[bytes] = set()
        poller = a.lib.Poller() if a.lib is b.lib else b.lib.Poller()
        for p in pulls:
            poller.register(p, b.lib.POLLIN)
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while len(got) < 9 and time.monotonic() < deadline:
            for sock, _ in poller.poll(100):
                got.add(sock.recv())
                counts[pulls.index(sock)] += 1
        _expect(len(got) == 9, f"fan-out delivered {len(got)}/9 tasks")
        spread = ", ".join(f"pull[{i}]={n}" for i, n in enumerate(counts))
        return f"push({a.name}) -> {spread} ({b.name})"
    finally:
        _close(push, *pulls)


def lego_fan_in(a: Side, b: Side, transport: str, ep: Endpoints) -> str:
    pull = a.socket("PULL")
    pushes = [b.socket("PUSH") for _ in range(3)]
    try:
        addr = ep.bind(pull, transport)
        for i, p in enumerate(pushes):
            p.connect(addr)
            for j in range(3):
                p.send(b"result %d.%d" % (i, j))
        got = {_recv(pull, "PULL")[0] for _ in range(9)}
        _expect(len(got) == 9, f"fan-in collected {len(got)}/9 results")
        return f"3 x push({b.name}) -> pull({a.name}): 9 results"
    finally:
        _close(pull, *pushes)


def lego_pub_sub(a: Side, b: Side, transport: str, ep: Endpoints) -> str:
    pub = a.socket("PUB")
    weather = b.socket("SUB")
    sports = b.socket("SUB")
    try:
        addr = ep.bind(pub, transport)
        for sub, topic in ((weather, b"weather"), (sports, b"sports")):
            sub.setsockopt(b.lib.SUBSCRIBE, topic)
            sub.connect(addr)
        # Subscriptions travel to the publisher asynchronously ("slow joiner"): publish a
        # probe on each topic until each subscriber has seen one, then the real traffic.
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        for sub, topic in ((weather, b"weather"), (sports, b"sports")):
            while True:
                pub.send_multipart([topic, b"probe"])
                if sub.poll(20):
                    sub.recv_multipart()
                    break
                if time.monotonic() > deadline:
                    raise DemoFailure(f"subscription {topic!r} never reached the publisher")
        for sub in (weather, sports):  # drop leftover probes
            while sub.poll(0):
                sub.recv_multipart()
        pub.send_multipart([b"weather", b"sunny"])
        pub.send_multipart([b"news", b"nobody listens"])
        pub.send_multipart([b"sports", b"3-1"])
        pub.send_multipart([b"weather", b"rain"])
        w = [_recv(weather, "SUB weather")[1] for _ in range(2)]
        s = [_recv(sports, "SUB sports")[1] for _ in range(1)]
        _expect(w == [b"sunny", b"rain"] and s == [b"3-1"], f"topics mixed up: {w} {s}")
        _expect(not weather.poll(0) and not sports.poll(0), "a SUB got a topic it did not want")
        return (
            f"pub({a.name}) -> sub(weather)={len(w)}, sub(sports)={len(s)}, "
            f"'news' filtered ({b.name})"
        )
    finally:
        _close(pub, weather, sports)


def lego_router_dealer(a: Side, b: Side, transport: str, ep: Endpoints) -> str:
    router = a.socket("ROUTER")
    dealers = [b.socket("DEALER") for _ in range(2)]
    names = [b"alice", b"bob"]
    try:
        addr = ep.bind(router, transport)
        for d, name in zip(dealers, names, strict=True):
            d.setsockopt(b.lib.ROUTING_ID, name)
            d.connect(addr)
            d.send_multipart([b"", b"hello from " + name])
        seen = []
        for _ in dealers:
            envelope, empty, body = _recv(router, "ROUTER")
            _expect(empty == b"" and body == b"hello from " + envelope, "bad envelope")
            seen.append(envelope)
            router.send_multipart([envelope, b"", b"hi " + envelope])
        for d, name in zip(dealers, names, strict=True):
            _expect(_recv(d, "DEALER") == [b"", b"hi " + name], "reply routed to the wrong peer")
        envs = ", ".join(e.decode() for e in sorted(seen))
        return f"dealer({b.name}) [{envs}] -> router({a.name}) -> back by envelope"
    finally:
        _close(router, *dealers)


LEGOS: list[tuple[str, Callable[[Side, Side, str, Endpoints], str]]] = [
    ("REQ/REP", lego_req_rep),
    ("PUSH/PULL fan-out", lego_fan_out),
    ("PUSH/PULL fan-in", lego_fan_in),
    ("PUB/SUB topics", lego_pub_sub),
    ("ROUTER/DEALER", lego_router_dealer),
]


def _run_set(
    title: str, a: Side, b: Side, transports: Sequence[str], ep: Endpoints, quiet: bool
) -> None:
    if not quiet:
        print(f"== {title}")
    for transport in transports:
        for name, lego in LEGOS:
            start = time.perf_counter()
            try:
                line = lego(a, b, transport, ep)
            except DemoFailure as exc:
                raise DemoFailure(f"{name} over {transport} ({title}): {exc}") from None
            except Exception as exc:
                raise DemoFailure(f"{name} over {transport} ({title}): {exc!r}") from exc
            ms = (time.perf_counter() - start) * 1000
            if not quiet:
                print(f"  {transport:<6} {name:<18} {ms:7.1f} ms  {line}")


def demo(transports: Sequence[str], with_pyzmq: bool, quiet: bool) -> None:
    import purezmq

    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="purezmq-demo-") as tmpdir:
        ep = Endpoints(tmpdir)
        ctx = purezmq.Context()
        try:
            pure = Side("purezmq", purezmq, ctx)
            _run_set("purezmq <-> purezmq", pure, pure, transports, ep, quiet)
            zmq = _import_pyzmq() if with_pyzmq else None
            if zmq is not None:
                zctx = zmq.Context()
                try:
                    lib = Side("libzmq", zmq, zctx)
                    wire = [t for t in transports if t != "inproc"]
                    _run_set("purezmq binds, libzmq connects", pure, lib, wire, ep, quiet)
                    _run_set("libzmq binds, purezmq connects", lib, pure, wire, ep, quiet)
                finally:
                    zctx.destroy(0)
            elif with_pyzmq and not quiet:
                print("== pyzmq not installed: skipping the libzmq interop legos")
        finally:
            ctx.destroy(0)
    if not quiet:
        print(f"all legos OK in {time.perf_counter() - start:.2f} s")


def _import_pyzmq() -> ModuleType | None:
    try:
        import zmq
    except ImportError:
        return None
    from .compat import ZmqFacade

    # Under ``purezmq run`` ``zmq`` is purezmq itself: there is no libzmq to play against.
    return None if isinstance(zmq, ZmqFacade) else zmq


RUN_USAGE = """usage: purezmq run [--] COMMAND [ARGS...]

Run COMMAND with `import zmq` resolved to purezmq in every Python process it starts
(children included): purezmq's sitecustomize directory goes first on PYTHONPATH.
Python started with -I, -E or -S skips it."""


def run_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) with purezmq's sitecustomize first on
    ``PYTHONPATH`` and ``PUREZMQ_RUN=1``."""
    from ._run import ENV_FLAG, SITE_DIR

    env = dict(os.environ if environ is None else environ)
    entries = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != SITE_DIR]
    env["PYTHONPATH"] = os.pathsep.join([SITE_DIR, *entries])
    env[ENV_FLAG] = "1"
    return env


def run(argv: Sequence[str]) -> int:
    """``purezmq run [--] COMMAND ARGS``: exec COMMAND; returns only when that fails."""
    command = list(argv)
    if command and command[0] in ("-h", "--help"):
        print(RUN_USAGE)
        return 0
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print(RUN_USAGE, file=sys.stderr)
        return 2
    # Whatever this process buffered must not be lost when exec replaces it.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, run_environment())
    except FileNotFoundError:
        print(f"purezmq run: command not found: {command[0]}", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"purezmq run: permission denied: {command[0]}", file=sys.stderr)
        return 126


#: Subcommands implemented by their own modules: name -> (module with ``main(argv)``, help).
_DELEGATED: dict[str, tuple[str, str]] = {
    "bench": ("purezmq.bench", "measure throughput and latency, beside pyzmq with --compare"),
    "keygen": ("purezmq._keygen", "make a CURVE keypair, or certificate files like pyzmq's"),
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``purezmq`` console script."""
    import purezmq

    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "run":
        return run(args_list[1:])
    if args_list[:1] == ["demo"] and "--browser" in args_list:
        from .browser.demo import main as browser_demo  # the web page demo (docs/browser.md)

        return browser_demo([a for a in args_list[1:] if a != "--browser"])
    if args_list and args_list[0] in _DELEGATED:
        # These commands own their whole argument parsing (and their own --help).
        module = importlib.import_module(_DELEGATED[args_list[0]][0])
        return int(module.main(args_list[1:]))
    parser = argparse.ArgumentParser(
        prog="purezmq", description="ZeroMQ in pure Python: tools and a demo."
    )
    parser.add_argument("--version", action="version", version=f"purezmq {purezmq.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p_demo = sub.add_parser("demo", help="run every ØMQ lego over inproc, ipc and tcp")
    p_demo.add_argument(
        "-t",
        "--transport",
        action="append",
        choices=["inproc", "ipc", "tcp"],
        help="only this transport (repeatable; default: all)",
    )
    p_demo.add_argument(
        "--no-pyzmq", action="store_true", help="skip the legos with libzmq on the other end"
    )
    p_demo.add_argument("-q", "--quiet", action="store_true", help="print only failures")
    p_demo.add_argument(
        "--browser", action="store_true", help="serve a web page talking ØMQ to this process"
    )
    for name, (_module, help_text) in _DELEGATED.items():
        sub.add_parser(name, help=help_text, add_help=False)
    sub.add_parser(
        "run", help="run a pyzmq program unchanged on purezmq: run -- COMMAND ARGS",
        add_help=False,
    )
    from . import _beacon_command

    _beacon_command.add_arguments(sub.add_parser("beacon", help=_beacon_command.HELP))
    args = parser.parse_args(args_list)
    if args.command == "beacon":
        return _beacon_command.main(args)
    if args.command != "demo":
        parser.print_help()
        return 2
    transports = args.transport or ["inproc", "ipc", "tcp"]
    if "ipc" in transports and not purezmq.has("ipc"):
        transports = [t for t in transports if t != "ipc"]
        if not args.quiet:
            print("== ipc is not available here: skipping it")
    try:
        demo(transports, with_pyzmq=not args.no_pyzmq, quiet=args.quiet)
    except DemoFailure as exc:
        print(f"purezmq demo FAILED: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # the demo itself broke: still one clear line, not a traceback
        print(f"purezmq demo FAILED: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


__all__ = ["main", "run", "run_environment"]
