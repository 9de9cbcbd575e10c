"""``purezmq beacon``: publish and/or listen for UDP beacons (``purezmq.beacon``) from a shell.

    purezmq beacon --port 5670 --publish 'svc tcp://10.0.0.5:5555' --interval 1
    purezmq beacon --port 5670 --subscribe svc --count 1 --timeout 10

Each beacon received prints one line: the sender's address, a space, the payload (UTF-8 with
undecodable bytes escaped, or hexadecimal with ``--hex``). The command ends after ``--count``
beacons, or after ``--timeout`` seconds, or on Ctrl-C; exit status 1 when ``--count`` beacons
did not arrive in time, 2 on a usage error (a bad interface, a payload over 255 bytes).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from .error import ZMQError

HELP = "publish and listen for UDP discovery beacons (czmq zbeacon)"

#: czmq's and pyre's beacon port for ZRE.
DEFAULT_PORT = 5670


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="UDP port (default 5670)")
    parser.add_argument(
        "--interface",
        help="interface name, IPv4 address or '*' (default: $ZSYS_INTERFACE, else the first "
        "broadcast interface)",
    )
    parser.add_argument("--publish", metavar="PAYLOAD", help="broadcast this text (≤ 255 bytes)")
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between beacons (default 1)"
    )
    parser.add_argument(
        "--subscribe",
        metavar="PREFIX",
        nargs="?",
        const="",
        help="print the beacons that start with PREFIX (all without one)",
    )
    parser.add_argument("--count", type=int, help="stop after this many beacons")
    parser.add_argument("--timeout", type=float, help="stop after this many seconds")
    parser.add_argument("--hex", action="store_true", help="print payloads in hexadecimal")
    parser.add_argument(
        "--asyncio", action="store_true", help="use AsyncBeacon (default: the blocking Beacon)"
    )


def _show(address: str, payload: bytes, as_hex: bool) -> None:
    text = payload.hex() if as_hex else payload.decode("utf-8", "backslashreplace")
    print(f"{address} {text}", flush=True)


def _done(seen: int, args: argparse.Namespace) -> int:
    return 1 if args.count is not None and seen < args.count else 0


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def _run_blocking(args: argparse.Namespace, deadline: float | None) -> int:
    from .beacon import Beacon

    with Beacon(args.port, args.interface) as beacon:
        if args.publish is not None:
            beacon.publish(args.publish.encode(), args.interval)
        if args.subscribe is not None:
            beacon.subscribe(args.subscribe.encode())
        seen = 0
        while args.count is None or seen < args.count:
            left = _left(deadline)
            if left == 0.0:
                break
            got = beacon.recv(left)
            if got is not None:
                seen += 1
                _show(*got, args.hex)
        return _done(seen, args)


async def _run_async(args: argparse.Namespace, deadline: float | None) -> int:
    from .beacon import AsyncBeacon

    async with await AsyncBeacon.start(args.port, args.interface) as beacon:
        if args.publish is not None:
            beacon.publish(args.publish.encode(), args.interval)
        if args.subscribe is not None:
            beacon.subscribe(args.subscribe.encode())
        seen = 0
        while args.count is None or seen < args.count:
            left = _left(deadline)
            if left == 0.0:
                break
            got = await beacon.recv(left)
            if got is not None:
                seen += 1
                _show(*got, args.hex)
        return _done(seen, args)


def main(args: argparse.Namespace) -> int:
    if args.publish is None and args.subscribe is None:
        print("purezmq beacon: give --publish PAYLOAD and/or --subscribe [PREFIX]", file=sys.stderr)
        return 2
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    try:
        if args.asyncio:
            return asyncio.run(_run_async(args, deadline))
        return _run_blocking(args, deadline)
    except ZMQError as exc:
        print(f"purezmq beacon: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0
