"""``purezmq proxy``: a frontend socket, a backend socket and ``purezmq.proxy`` between them
(optionally copying every message to a capture PUB)."""

from __future__ import annotations

import argparse

from .endpoints import attach
from .errors import EXIT_STATUS_HELP, USAGE, CliError
from .registry import SOCKET_COMMANDS

EPILOG = f"""ENDPOINT: @tcp://... binds, >tcp://... connects, no prefix binds.

examples:
  purezmq proxy --frontend router @tcp://127.0.0.1:5559 --backend dealer @tcp://127.0.0.1:5560
      (a shared queue: REQ clients connect to 5559, REP workers to 5560)
  purezmq proxy --frontend xsub @tcp://127.0.0.1:5557 --backend xpub @tcp://127.0.0.1:5558
      (a PUB/SUB forwarder)
  purezmq proxy --frontend pull @tcp://127.0.0.1:5557 --backend push @tcp://127.0.0.1:5558 \\
      --capture @tcp://127.0.0.1:5559   (a streamer; sub to 5559 sees every message)

{EXIT_STATUS_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``proxy`` options."""
    parser.epilog = EPILOG
    types = [name for name in SOCKET_COMMANDS if name != "stream"]
    for side in ("frontend", "backend"):
        parser.add_argument(
            f"--{side}",
            nargs="+",
            required=True,
            metavar=("TYPE", "ENDPOINT"),
            help=f"the {side} socket's type ({', '.join(types[:6])}...) and its endpoints",
        )
    parser.add_argument(
        "--capture", action="append", default=[], metavar="ENDPOINT",
        help="also publish every message on a PUB socket at ENDPOINT",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no 'bound' lines on stderr")


def main(args: argparse.Namespace) -> int:
    """Run the proxy until interrupted (Ctrl-C: status 130)."""
    import purezmq

    sides = []
    for label, spec in (("frontend", args.frontend), ("backend", args.backend)):
        if len(spec) < 2:
            raise CliError(f"--{label} wants TYPE ENDPOINT [ENDPOINT...]", USAGE)
        if spec[0] not in SOCKET_COMMANDS:
            raise CliError(f"--{label}: unknown socket type {spec[0]!r}", USAGE)
        sides.append((label, spec[0], spec[1:]))
    ctx = purezmq.Context()
    try:
        sockets = []
        for label, kind, endpoints in sides:
            sock = ctx.socket(getattr(purezmq, kind.upper()))
            sock.setsockopt(purezmq.LINGER, 0)
            for spec in endpoints:
                attach(sock, spec, True, f"purezmq proxy: {label}", args.quiet)
            sockets.append(sock)
        capture = None
        if args.capture:
            capture = ctx.socket(purezmq.PUB)
            capture.setsockopt(purezmq.LINGER, 0)
            for spec in args.capture:
                attach(capture, spec, True, "purezmq proxy: capture", args.quiet)
        purezmq.proxy(sockets[0], sockets[1], capture)
    finally:
        ctx.destroy(0)
    return 0


__all__ = ["add_arguments", "main"]
