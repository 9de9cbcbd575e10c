"""``purezmq keygen``: make a CURVE key pair (RFC 26 long-term keys, Z85 text per RFC 32).

Without options it prints the pair, one key a line::

    public: <40 Z85 characters>
    secret: <40 Z85 characters>

With ``--dir DIR`` it writes ``DIR/<name>.key`` and ``DIR/<name>.key_secret`` instead (the
certificate files pyzmq's ``zmq.auth`` and czmq's ``zcert`` read; ``--name`` defaults to
``client``) and prints their paths. ``--meta KEY=VALUE`` adds metadata to the secret file.
Exit status 0, or 2 for bad arguments, or 1 when PyNaCl (the ``curve`` extra) is missing.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The ``keygen`` argument parser (the ``purezmq`` CLI may embed it as a sub-command)."""
    parser = argparse.ArgumentParser(
        prog="purezmq keygen",
        description="Generate a CURVE key pair (Z85), or write it as certificate files.",
        epilog="""examples:
  purezmq keygen                              (prints public: and secret:)
  purezmq keygen --dir keys --name server     (keys/server.key, keys/server.key_secret)
  purezmq rep -b tcp://127.0.0.1:5555 --echo --curve-server --curve-keys keys/server.key_secret""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--dir", metavar="DIR", help="write <name>.key and <name>.key_secret into DIR"
    )
    parser.add_argument(
        "--name", default="client", help="certificate base name with --dir (default: client)"
    )
    parser.add_argument(
        "--meta",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="metadata for the secret certificate (repeatable; with --dir)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``keygen`` with ``argv`` (without the program name); returns the exit status."""
    from ._curve_keys import curve_keypair
    from .auth.certs import create_certificates
    from .error import ZMQError

    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    metadata: dict[str | bytes, str | bytes] = {}
    for item in args.meta:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"--meta wants KEY=VALUE, not {item!r}")
        metadata[key] = value
    if metadata and not args.dir:
        parser.error("--meta needs --dir")
    try:
        if args.dir:
            os.makedirs(args.dir, exist_ok=True)
            public_file, secret_file = create_certificates(args.dir, args.name, metadata or None)
            print(f"public: {public_file}")
            print(f"secret: {secret_file}")
        else:
            public, secret = curve_keypair()
            print(f"public: {public.decode('ascii')}")
            print(f"secret: {secret.decode('ascii')}")
    except ZMQError as exc:
        print(f"purezmq keygen: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
