"""Authentication helpers, as pyzmq's ``zmq.auth``: for now the CURVE certificate functions.

The ZAP authenticators (``Authenticator``, ``ThreadAuthenticator``, ``AsyncioAuthenticator``)
will join them here.
"""

from __future__ import annotations

from .certs import create_certificates, load_certificate, load_certificates

__all__ = ["create_certificates", "load_certificate", "load_certificates"]
