"""``purezmq monitor ENDPOINT``: open a socket of its own on ENDPOINT and print every event of
it (connect, handshake, disconnect, retry...), one a line."""

from __future__ import annotations

import argparse
import json
import sys
import time

from . import security
from .endpoints import attach
from .errors import EXIT_STATUS_HELP, TIMEOUT, CliError
from .registry import SOCKET_COMMANDS

EPILOG = f"""Each event is printed as  NAME<TAB>ENDPOINT<TAB>VALUE  (or one JSON object a line
with --format json). ENDPOINT: >tcp://... connects (the default), @tcp://... binds.

examples:
  purezmq monitor tcp://127.0.0.1:5555                 (a DEALER connects and reports)
  purezmq monitor tcp://127.0.0.1:5556 --type sub --count 3
  purezmq monitor @tcp://127.0.0.1:5557 --type pull    (see who connects)

{EXIT_STATUS_HELP}"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``monitor`` options."""
    parser.epilog = EPILOG
    parser.add_argument("endpoint", metavar="ENDPOINT", nargs="+", help="where to connect")
    parser.add_argument(
        "--type", default="dealer", choices=[n for n in SOCKET_COMMANDS if n != "stream"],
        help="the monitored socket's type (default: dealer); the peer must accept it",
    )
    parser.add_argument("-n", "--count", type=int, metavar="N", help="stop after N events")
    parser.add_argument(
        "-t", "--timeout", type=float, metavar="SECS",
        help="exit 3 when no event comes for SECS",
    )
    parser.add_argument(
        "-f", "--format", choices=("lines", "json"), default="lines", help="output format"
    )
    security.add_arguments(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="no 'bound' lines on stderr")


def main(args: argparse.Namespace) -> int:
    """Print events until ``--count``, ``--timeout`` or Ctrl-C."""
    import purezmq
    from purezmq.utils.monitor import recv_monitor_message

    security.check(args)
    ctx = purezmq.Context()
    authenticator = None
    try:
        sock = ctx.socket(getattr(purezmq, args.type.upper()))
        sock.setsockopt(purezmq.LINGER, 0)
        authenticator = security.apply(sock, args, args.quiet)
        monitor = sock.get_monitor_socket()
        for spec in args.endpoint:
            attach(sock, spec, False, "purezmq monitor:", args.quiet)
        if args.type == "sub":
            sock.setsockopt(purezmq.SUBSCRIBE, b"")
        timeout_ms = -1 if args.timeout is None else int(args.timeout * 1000)
        seen = 0
        while args.count is None or seen < args.count:
            if not monitor.poll(timeout_ms):
                raise CliError(f"no event for {args.timeout} s", TIMEOUT)
            event = recv_monitor_message(monitor)
            name = purezmq.Event(event["event"]).name
            endpoint = event["endpoint"].decode(errors="replace")
            value = int(event["value"])
            if args.format == "json":
                record = {"event": name, "endpoint": endpoint, "value": value,
                          "time": round(time.time(), 6)}
                line = json.dumps(record)
            else:
                line = f"{name}\t{endpoint}\t{value}"
            print(line, flush=True)
            seen += 1
        sock.disable_monitor()
        monitor.close(0)
    except BrokenPipeError:
        pass
    finally:
        if authenticator is not None:
            authenticator.stop()
        ctx.destroy(0)
    sys.stdout.flush()
    return 0


__all__ = ["add_arguments", "main"]
