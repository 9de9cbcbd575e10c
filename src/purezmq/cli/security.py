"""Security flags: CURVE (RFC 26) and PLAIN (RFC 24) for any socket subcommand.

- ``--curve-server``: be the CURVE server; its key pair comes from ``--curve-keys FILE`` or is
  made fresh, and then its public key is printed on stderr for clients to use.
- ``--curve-serverkey KEY``: be a CURVE client of the server whose public key is KEY (40 Z85
  characters, or a certificate file); the client's own pair is ``--curve-keys`` or fresh.
- ``--curve-keys FILE``: a secret certificate file, as ``purezmq keygen --dir`` writes it.
- ``--curve-allow DIR``: a CURVE server accepts only the clients whose public certificates
  (``*.key``) are in DIR (a ZAP handler checks them, RFC 27).
- ``--plain USER:PASS``: a PLAIN client's credentials; with ``--plain-server``, the only
  credentials the PLAIN server accepts (repeatable).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .errors import USAGE, CliError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The security option group."""
    group = parser.add_argument_group("security")
    group.add_argument(
        "--curve-server",
        action="store_true",
        help="be a CURVE server (keys from --curve-keys, or fresh: the public key is printed)",
    )
    group.add_argument(
        "--curve-serverkey",
        metavar="KEY",
        help="be a CURVE client of the server with this public key (Z85, or a .key file);"
        " write --curve-serverkey=KEY, as a key may begin with '-'",
    )
    group.add_argument(
        "--curve-keys",
        metavar="FILE",
        help="this side's CURVE key pair: a secret certificate file (purezmq keygen --dir)",
    )
    group.add_argument(
        "--curve-allow",
        metavar="DIR",
        help="CURVE server: accept only clients whose public certificates are in DIR",
    )
    group.add_argument(
        "--plain",
        metavar="USER:PASS",
        action="append",
        default=[],
        help="PLAIN credentials (a client's; with --plain-server the accepted ones)",
    )
    group.add_argument(
        "--plain-server", action="store_true", help="be a PLAIN server checking --plain"
    )


def _key_pair(path: str | None) -> tuple[bytes, bytes]:
    from .._curve_keys import curve_keypair

    if path is None:
        return curve_keypair()
    from ..auth.certs import load_certificate

    try:
        public, secret = load_certificate(path)
    except (OSError, ValueError) as exc:
        raise CliError(f"--curve-keys {path}: {exc}", USAGE) from None
    if secret is None:
        raise CliError(
            f"--curve-keys {path} holds no secret key: give the .key_secret file", USAGE
        )
    return public, secret


def _server_key(text: str) -> bytes:
    if os.path.exists(text):
        from ..auth.certs import load_certificate

        return load_certificate(text)[0]
    if len(text) != 40:
        raise CliError(
            f"--curve-serverkey wants 40 Z85 characters or a certificate file, not {text!r}",
            USAGE,
        )
    return text.encode("ascii")


def _credentials(items: list[str]) -> dict[str, str]:
    passwords = {}
    for item in items:
        user, sep, password = item.partition(":")
        if not sep or not user:
            raise CliError(f"--plain wants USER:PASS, not {item!r}", USAGE)
        passwords[user] = password
    return passwords


def check(args: argparse.Namespace) -> None:
    """Reject contradictory flags before any socket opens."""
    if args.curve_server and args.curve_serverkey:
        raise CliError("--curve-server and --curve-serverkey exclude each other", USAGE)
    if args.curve_allow and not args.curve_server:
        raise CliError("--curve-allow is for a --curve-server", USAGE)
    if args.plain_server and not args.plain:
        raise CliError("--plain-server needs the accepted --plain USER:PASS", USAGE)
    if args.plain and (args.curve_server or args.curve_serverkey):
        raise CliError("choose CURVE or PLAIN, not both", USAGE)
    if len(args.plain) > 1 and not args.plain_server:
        raise CliError("a PLAIN client has one --plain USER:PASS", USAGE)
    _credentials(args.plain)


def apply(sock: Any, args: argparse.Namespace, quiet: bool) -> Any:
    """Set ``sock``'s security options; returns the started ZAP authenticator, if one was
    needed (the caller stops it)."""
    import purezmq

    authenticator = None
    if (args.curve_server or args.plain_server) and (args.curve_allow or args.plain_server):
        from ..auth.thread import ThreadAuthenticator

        authenticator = ThreadAuthenticator(sock.context)
        authenticator.start()
        if args.curve_allow:
            authenticator.configure_curve(location=args.curve_allow)
        if args.plain_server:
            authenticator.configure_plain(passwords=_credentials(args.plain))
    if args.curve_server:
        public, secret = _key_pair(args.curve_keys)
        sock.setsockopt(purezmq.CURVE_SERVER, 1)
        sock.setsockopt(purezmq.CURVE_PUBLICKEY, public)
        sock.setsockopt(purezmq.CURVE_SECRETKEY, secret)
        if not quiet:
            # Clients pass it as --curve-serverkey=KEY (a Z85 key may begin with "-").
            print(f"curve server key: {public.decode()}", file=sys.stderr, flush=True)
    elif args.curve_serverkey:
        public, secret = _key_pair(args.curve_keys)
        sock.setsockopt(purezmq.CURVE_SERVERKEY, _server_key(args.curve_serverkey))
        sock.setsockopt(purezmq.CURVE_PUBLICKEY, public)
        sock.setsockopt(purezmq.CURVE_SECRETKEY, secret)
    elif args.plain_server:
        sock.setsockopt(purezmq.PLAIN_SERVER, 1)
    elif args.plain:
        user, password = next(iter(_credentials(args.plain).items()))
        sock.setsockopt(purezmq.PLAIN_USERNAME, user.encode())
        sock.setsockopt(purezmq.PLAIN_PASSWORD, password.encode())
    return authenticator


__all__ = ["add_arguments", "apply", "check"]
