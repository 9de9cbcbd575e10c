"""Helpers for tests that play a peer with a plain socket."""

from __future__ import annotations

import select
import socket
import time


def closed_by_peer(sock: socket.socket, deadline: float) -> bool:
    """True once ``sock`` reads EOF or a reset before ``deadline`` (monotonic)."""
    while time.monotonic() < deadline:
        if not select.select([sock], [], [], max(deadline - time.monotonic(), 0))[0]:
            return False
        try:
            if not sock.recv(65536):
                return True
        except ConnectionResetError:
            return True
    return False
