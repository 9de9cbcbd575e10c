"""Local port forwarding over a paramiko transport (``ssh -L``), for ``paramiko_tunnel``.

Every connection accepted on 127.0.0.1:``local_port`` gets a ``direct-tcpip`` channel to
``remote_host``:``remote_port`` through the SSH server, and bytes are copied both ways until
either side closes.
"""

from __future__ import annotations

import logging
import select
import socketserver
from typing import Any

logger = logging.getLogger("purezmq.ssh")

_CHUNK = 16384


class ForwardServer(socketserver.ThreadingTCPServer):
    """Accepts local connections, one thread each."""

    daemon_threads = True
    allow_reuse_address = True


class Handler(socketserver.BaseRequestHandler):
    """Copies one local connection to and from its SSH channel."""

    ssh_transport: Any
    chain_host: str
    chain_port: int

    def handle(self) -> None:
        target = (self.chain_host, self.chain_port)
        try:
            chan = self.ssh_transport.open_channel(
                "direct-tcpip", target, self.request.getpeername()
            )
        except Exception as exc:
            logger.debug("forwarding to %s:%d failed: %r", *target, exc)
            return
        if chan is None:
            logger.debug("the SSH server refused forwarding to %s:%d", *target)
            return
        try:
            while True:
                readable, _, _ = select.select([self.request, chan], [], [])
                if self.request in readable:
                    data = self.request.recv(_CHUNK)
                    if not data:
                        break
                    chan.sendall(data)
                if chan in readable:
                    data = chan.recv(_CHUNK)
                    if not data:
                        break
                    self.request.sendall(data)
        finally:
            chan.close()
            self.request.close()


def forward_tunnel(local_port: int, remote_host: str, remote_port: int, transport: Any) -> None:
    """Serve 127.0.0.1:``local_port`` forever, forwarding to ``remote_host``:``remote_port``."""
    handler = type(
        "BoundHandler",
        (Handler,),
        {"chain_host": remote_host, "chain_port": remote_port, "ssh_transport": transport},
    )
    with ForwardServer(("127.0.0.1", local_port), handler) as server:
        server.serve_forever()


__all__ = ["forward_tunnel"]
