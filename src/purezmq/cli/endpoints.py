"""Endpoint arguments shared by ``proxy`` and ``monitor``: czmq's notation, where
``@ENDPOINT`` binds and ``>ENDPOINT`` connects."""

from __future__ import annotations

import sys
from typing import Any

from .errors import CliError


def attach(sock: Any, spec: str, default_bind: bool, label: str, quiet: bool) -> None:
    """Bind or connect ``sock`` as ``spec`` says (no prefix: ``default_bind``); a bind prints
    ``<label> bound <endpoint>`` on stderr, the resolved port included."""
    import purezmq

    bind = default_bind
    endpoint = spec
    if spec[:1] in ("@", ">"):
        bind, endpoint = spec[0] == "@", spec[1:]
    try:
        if bind:
            sock.bind(endpoint)
            bound = sock.getsockopt_string(purezmq.LAST_ENDPOINT) or endpoint
            if not quiet:
                print(f"{label} bound {bound}", file=sys.stderr, flush=True)
        else:
            sock.connect(endpoint)
    except purezmq.ZMQError as exc:
        verb = "bind" if bind else "connect"
        raise CliError(f"cannot {verb} {endpoint}: {exc}") from None


__all__ = ["attach"]
