"""Authentication, as pyzmq's ``zmq.auth``: ZAP handlers (RFC 27) and CURVE certificates.

* ``Authenticator`` (the decisions), ``ThreadAuthenticator`` (answers on a thread, for sync
  contexts) and ``AsyncioAuthenticator`` (answers on the running loop), ``CURVE_ALLOW_ANY``.
* ``create_certificates``, ``load_certificate``, ``load_certificates``: pyzmq/czmq certificate
  files.

``AsyncioAuthenticator`` lives in ``purezmq.auth.asyncio`` and ``ThreadAuthenticator`` in
``purezmq.auth.thread`` (as in pyzmq); both are also importable from here.
"""

from __future__ import annotations

from typing import Any

from .base import CURVE_ALLOW_ANY, Authenticator
from .certs import create_certificates, load_certificate, load_certificates


def __getattr__(name: str) -> Any:
    # Lazy, so that ``import purezmq.auth`` does not pull in threading/asyncio front-ends.
    if name == "ThreadAuthenticator":
        from .thread import ThreadAuthenticator

        return ThreadAuthenticator
    if name == "AsyncioAuthenticator":
        from .asyncio import AsyncioAuthenticator

        return AsyncioAuthenticator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Authenticator",
    "AsyncioAuthenticator",
    "CURVE_ALLOW_ANY",
    "ThreadAuthenticator",
    "create_certificates",
    "load_certificate",
    "load_certificates",
]
