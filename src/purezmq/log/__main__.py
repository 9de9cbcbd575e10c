"""``python -m purezmq.log URL``: print the log records a ``PUBHandler`` publishes.

Connects a SUB socket to ``URL`` and prints one line per record::

    [timestamp ][color]<topic><separator><message>[reset]

Options as pyzmq's ``python -m zmq.log``: ``--topic`` (subscription prefix, default all),
``--timestamp`` with ``--dateformat``, ``--separator``, ``--align`` (pad each topic part to
the widest seen so far), ``--color`` (needs colorama). purezmq adds ``--count N``: exit after
N records. Ctrl-C exits.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from datetime import datetime


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m zmq.log", description="Print log records published by a PUBHandler."
    )
    parser.add_argument("zmq_pub_url", help="address of the PUBHandler's socket to connect to")
    parser.add_argument("-t", "--topic", default="", help="only records whose topic starts so")
    parser.add_argument("--timestamp", action="store_true", help="prefix the local time")
    parser.add_argument("--separator", default=" | ", help="printed between topic and message")
    parser.add_argument(
        "--dateformat", default="%Y-%d-%m %H:%M", help="strftime format for --timestamp"
    )
    parser.add_argument("--align", action="store_true", help="align the parts of topics")
    parser.add_argument("--color", action="store_true", help="color by level (needs colorama)")
    parser.add_argument("--count", type=int, default=0, help="exit after this many records")
    return parser


def _level_of(parts: list[str]) -> str:
    """The level name in a topic (``root.LEVEL.sub`` or ``LEVEL.sub``)."""
    for part in parts[:2]:
        # getLevelName maps a registered level name to its number.
        if isinstance(logging.getLevelName(part), int):
            return part
    return parts[0]


def _colors(enabled: bool) -> dict[str, str]:
    if not enabled:
        return {}
    import colorama  # type: ignore[import-untyped, import-not-found, unused-ignore]

    colorama.init()
    fore = colorama.Fore
    return {
        "DEBUG": fore.LIGHTCYAN_EX,
        "INFO": fore.LIGHTWHITE_EX,
        "WARNING": fore.YELLOW,
        "ERROR": fore.LIGHTRED_EX,
        "CRITICAL": fore.LIGHTRED_EX,
        "": fore.RESET,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the log watcher; returns the exit status."""
    import purezmq

    args = _parser().parse_args(argv)
    colors = _colors(args.color)
    widths: list[int] = []
    ctx = purezmq.Context()
    sub = ctx.socket(purezmq.SUB)
    sub.linger = 0
    sub.subscribe(args.topic.encode("utf-8"))
    sub.connect(args.zmq_pub_url)
    printed = 0
    try:
        while not args.count or printed < args.count:
            # Poll in short slices so that Ctrl-C is seen promptly.
            if not sub.poll(100):
                continue
            frames = sub.recv_multipart()
            topic = frames[0].decode("utf-8", "replace").strip()
            text = b"".join(frames[1:]).decode("utf-8", "replace").strip()
            parts = topic.split(".")
            if args.align:
                widths.extend(0 for _ in range(len(widths), len(parts)))
                for i, part in enumerate(parts):
                    widths[i] = max(widths[i], len(part))
                parts += [""] * (len(widths) - len(parts))
                topic = ".".join(part.ljust(widths[i]) for i, part in enumerate(parts))
            stamp = datetime.now().strftime(args.dateformat) + " " if args.timestamp else ""
            color = colors.get(_level_of(parts), "")
            reset = colors.get("", "")
            print(f"{stamp}{color}{topic}{args.separator}{text}{reset}", flush=True)
            printed += 1
    except KeyboardInterrupt:
        pass
    finally:
        sub.close(0)
        ctx.term()
        if colors:
            print(colors[""], end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
