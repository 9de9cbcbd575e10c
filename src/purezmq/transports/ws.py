"""ws:// and wss:// — WebSocket endpoints over TCP, with TLS from the standard ``ssl`` module.

Owns the layer-2 half of ZWS 2.0 (RFC 45; docs/protocol/transports.md §4): binding and
connecting is tcp's (``ws://*:port/path`` binds like ``tcp://*:port``; the path only travels in
the upgrade request), and wss adds TLS contexts built from libzmq's options: the server's
``WSS_CERT_PEM`` + ``WSS_KEY_PEM`` (PEM text, not file names, as in libzmq), the client's
``WSS_TRUST_PEM`` or ``WSS_TRUST_SYSTEM`` and ``WSS_HOSTNAME`` (SNI and the name the server's
certificate must carry). The WebSocket protocol itself is in ``zmtp.zws`` (sans-IO).

Importing this module needs the ``ws`` extra (wsproto): ``purezmq.has("ws")`` asks for exactly
that. Thread affinity: as ``tcp`` (``bind`` in the caller's thread).
"""

from __future__ import annotations

import contextlib
import os
import ssl
import tempfile
from dataclasses import replace
from typing import Any

import wsproto  # noqa: F401  (the ``ws`` extra: without it this module does not import)

from ..constants import Errno
from ..endpoint import TcpEndpoint, WsEndpoint
from ..error import ZMQError
from . import tcp
from .base import BoundSocket, SocketSettings


def tcp_endpoint(endpoint: WsEndpoint) -> TcpEndpoint:
    """The TCP endpoint a ws endpoint binds or connects to (the path stays in the upgrade)."""
    return TcpEndpoint(endpoint.host, endpoint.port, ipv6=endpoint.ipv6)


def bind(endpoint: WsEndpoint, settings: SocketSettings) -> BoundSocket:
    """Bind as tcp; ``LAST_ENDPOINT`` keeps the scheme and path (``ws://127.0.0.1:5555/x``)."""
    bound = tcp.bind(tcp_endpoint(endpoint), settings)
    host_port = bound.endpoint.removeprefix("tcp://")
    return replace(bound, endpoint=f"{endpoint.scheme}://{host_port}{endpoint.path}")


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace").rstrip("\0")
    return str(value or "")


def server_context(options: Any) -> ssl.SSLContext:
    """TLS server context from ``WSS_CERT_PEM``/``WSS_KEY_PEM``; EINVAL when either is unset."""
    cert = _text(getattr(options, "wss_cert_pem", b""))
    key = _text(getattr(options, "wss_key_pem", b""))
    if not cert or not key:
        raise ZMQError(
            Errno.EINVAL,
            "a wss:// bind needs the server certificate and key: set WSS_CERT_PEM and "
            "WSS_KEY_PEM to their PEM text",
        )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # ssl loads certificates from files only: a private temporary file, removed at once.
    fd, path = tempfile.mkstemp(suffix=".pem")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(cert.strip() + "\n" + key.strip() + "\n")
        context.load_cert_chain(path)
    except (ssl.SSLError, ValueError) as exc:
        raise ZMQError(
            Errno.EINVAL, f"WSS_CERT_PEM/WSS_KEY_PEM are not a usable certificate and key: {exc}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return context


def client_context(options: Any) -> ssl.SSLContext:
    """TLS client context: trust ``WSS_TRUST_PEM`` and/or the system store
    (``WSS_TRUST_SYSTEM``), check the certificate against ``WSS_HOSTNAME`` when it is set."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    trust = _text(getattr(options, "wss_trust_pem", b""))
    if trust:
        try:
            context.load_verify_locations(cadata=trust)
        except (ssl.SSLError, ValueError) as exc:
            raise ZMQError(Errno.EINVAL, f"WSS_TRUST_PEM is not a PEM certificate: {exc}") from None
    if getattr(options, "wss_trust_system", 0) or not trust:
        context.load_default_certs(ssl.Purpose.SERVER_AUTH)
    context.check_hostname = bool(client_hostname(options))
    return context


def client_hostname(options: Any) -> str:
    """``WSS_HOSTNAME``: the SNI name and the name the certificate is checked against."""
    return _text(getattr(options, "wss_hostname", b""))


__all__ = ["bind", "client_context", "client_hostname", "server_context", "tcp_endpoint"]
