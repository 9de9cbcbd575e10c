"""Layer 2 stream transports (tcp, ipc, ws/wss): bind, resolve, connect, tune — one entry
point each.

Owns the dispatch from a parsed endpoint to its transport module, so that the engine's
listener and connecter handle every stream transport with the same code. Thread affinity:
``bind`` and ``new_connect_socket`` are synchronous (callable from any thread); ``resolve``
is a coroutine for the I/O loop.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from types import ModuleType
from typing import Any

from ..constants import Errno, SocketType
from ..endpoint import Endpoint, IpcEndpoint, TcpEndpoint, WsEndpoint
from ..error import ZMQError
from . import ipc, tcp
from .base import BoundSocket, SocketSettings, zmq_error

StreamEndpoint = TcpEndpoint | IpcEndpoint | WsEndpoint

#: Pyodide (a browser, or Node): no sockets. ws:// and wss:// connect through the JavaScript
#: WebSocket (``js_websocket``), which hands over whole messages; nothing else is served.
JS_WEBSOCKET = sys.platform == "emscripten"


def check_stream(endpoint: Endpoint) -> StreamEndpoint:
    """The endpoint if a stream transport here serves it, else ``ZMQError(EPROTONOSUPPORT)``."""
    if JS_WEBSOCKET:
        if isinstance(endpoint, WsEndpoint):
            return endpoint
        raise ZMQError(
            Errno.EPROTONOSUPPORT,
            f"{endpoint.scheme}:// needs sockets, which Pyodide does not have: connect to a "
            "ws:// or wss:// endpoint (through the JavaScript WebSocket), or use inproc://",
        )
    if isinstance(endpoint, (TcpEndpoint, IpcEndpoint)):
        return endpoint
    if isinstance(endpoint, WsEndpoint):
        ws_transport()
        return endpoint
    raise ZMQError(
        Errno.EPROTONOSUPPORT,
        f"{endpoint.scheme}:// is not a stream transport the network engine serves "
        "(tcp://, ipc://, ws:// and wss:// are)",
    )


def check_socket_type(endpoint: StreamEndpoint, socket_type: int) -> None:
    """STREAM sockets move raw bytes: over ws:// there would be no ZMTP frames to carry, so
    purezmq refuses the pair with ENOCOMPATPROTO instead of speaking raw TCP on a ws port."""
    if isinstance(endpoint, WsEndpoint) and int(socket_type) == SocketType.STREAM:
        raise ZMQError(
            Errno.ENOCOMPATPROTO,
            f"STREAM sockets cannot use {endpoint.scheme}:// (they carry raw TCP bytes): "
            "use tcp://",
        )


def ws_transport() -> ModuleType:
    """The ws transport module; ``ZMQError(EPROTONOSUPPORT)`` without the ``ws`` extra."""
    try:
        from . import ws
    except ImportError as exc:
        raise ZMQError(
            Errno.EPROTONOSUPPORT,
            f"ws:// and wss:// need the WebSocket library wsproto ({exc}): "
            "pip install 'purezmq[ws]'",
        ) from None
    return ws


def bind(endpoint: StreamEndpoint, settings: SocketSettings) -> BoundSocket:
    """Bind and listen synchronously; ``ZMQError`` with libzmq's errno on failure."""
    if JS_WEBSOCKET:
        raise ZMQError(
            Errno.EPROTONOSUPPORT,
            f"cannot bind {endpoint}: under Pyodide a socket can only connect (the JavaScript "
            "WebSocket accepts no connections); bind on the server and connect to its ws://",
        )
    if isinstance(endpoint, TcpEndpoint):
        return tcp.bind(endpoint, settings)
    if isinstance(endpoint, WsEndpoint):
        return ws_transport().bind(endpoint, settings)  # type: ignore[no-any-return]
    return ipc.bind(endpoint, settings)


async def resolve(
    loop: asyncio.AbstractEventLoop, endpoint: StreamEndpoint, settings: SocketSettings
) -> tuple[socket.AddressFamily, Any]:
    """(family, sockaddr) to connect to; raises ``OSError`` when it cannot be resolved now."""
    if isinstance(endpoint, WsEndpoint):
        endpoint = _as_tcp(endpoint)
    if isinstance(endpoint, TcpEndpoint):
        return await tcp.resolve(loop, endpoint, settings)
    return socket.AF_UNIX, ipc.connect_address(endpoint)


def new_connect_socket(
    family: socket.AddressFamily, endpoint: StreamEndpoint, settings: SocketSettings
) -> socket.socket:
    """A non-blocking socket ready for ``connect_ex``; raises ``OSError``."""
    if isinstance(endpoint, WsEndpoint):
        endpoint = _as_tcp(endpoint)
    if isinstance(endpoint, TcpEndpoint):
        try:
            return tcp.new_connect_socket(family, endpoint, settings)
        except ZMQError as exc:
            raise OSError(exc.errno, exc.strerror) from None
    return ipc.new_connect_socket(settings)


def _as_tcp(endpoint: WsEndpoint) -> TcpEndpoint:
    return TcpEndpoint(endpoint.host, endpoint.port, ipv6=endpoint.ipv6)


def tune_accepted(sock: socket.socket, settings: SocketSettings) -> None:
    """Apply per-connection options to an accepted socket (TCP_NODELAY, keepalive…)."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        tcp.tune(sock, settings)
    elif sock.family == socket.AF_UNIX:
        ipc.apply_buffers(sock, settings)
    else:
        settings.apply_buffers(sock)


def peer_address(sock: socket.socket) -> str:
    """The ``Peer-Address`` property of a connected socket."""
    if sock.family == socket.AF_UNIX:
        return ipc.peer_address(sock)
    return tcp.peer_address(sock)


__all__ = [
    "JS_WEBSOCKET",
    "BoundSocket",
    "SocketSettings",
    "StreamEndpoint",
    "bind",
    "check_socket_type",
    "check_stream",
    "new_connect_socket",
    "peer_address",
    "resolve",
    "tune_accepted",
    "ws_transport",
    "zmq_error",
]
