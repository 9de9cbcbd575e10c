"""``python -m zmq.curve_keygen``: pyzmq's CURVE key pair generator (Z85, RFC 32).

Prints libzmq's ``curve_keygen`` layout (``== CURVE PUBLIC KEY ==`` then the key, a blank
line, ``== CURVE SECRET KEY ==`` then the key); ``--json`` prints ``{"public", "secret"}``
instead; ``--secret KEY`` derives the public key of an existing secret key. ``purezmq keygen``
is purezmq's own form, which can also write certificate files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run the generator; returns the exit status (1 when PyNaCl is missing)."""
    from ._curve_keys import curve_keypair, curve_public
    from .error import ZMQError

    parser = argparse.ArgumentParser(prog="python3 -m zmq.curve_keygen", description=__doc__)
    parser.add_argument("--json", action="store_true", help="output keys as a JSON dict")
    parser.add_argument("--secret", help="derive the public key of this secret key")
    args = parser.parse_args(argv)
    try:
        if args.secret:
            secret = args.secret
            public = curve_public(secret.encode("ascii")).decode("ascii")
        else:
            public_b, secret_b = curve_keypair()
            public, secret = public_b.decode("ascii"), secret_b.decode("ascii")
    except ZMQError as exc:
        print(f"curve_keygen: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"public": public, "secret": secret}, indent=1, sort_keys=True))
    else:
        print("== CURVE PUBLIC KEY ==")
        print(public)
        print()
        print("== CURVE SECRET KEY ==")
        print(secret)
    return 0


#: pyzmq's name for the entry point.
_main = main

if __name__ == "__main__":
    sys.exit(main())
