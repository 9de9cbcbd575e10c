"""A Unix-domain connection's send buffer: raised to ``IPC_SNDBUF`` while ZMQ_SNDBUF is -1 (the
sender's buffer bounds what a Unix stream holds in flight, docs/performance.md "Socket buffers
over ipc"), applied as given when the option is set, on both the connecting and the accepted
socket."""

from __future__ import annotations

import socket

import pytest

from purezmq import transports
from purezmq.transports import SocketSettings
from purezmq.transports.ipc import IPC_SNDBUF, new_connect_socket

pytestmark = pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix-domain sockets")


def _sndbuf(sock: socket.socket) -> int:
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)


def _as_set(value: int) -> int:
    """What the kernel reports for SO_SNDBUF ``value`` on a fresh Unix socket (Linux doubles
    it and caps it at ``net.core.wmem_max``)."""
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, value)
        return _sndbuf(probe)
    finally:
        probe.close()


def test_a_connecting_ipc_socket_gets_the_larger_send_buffer_by_default() -> None:
    sock = new_connect_socket(SocketSettings())
    try:
        assert _sndbuf(sock) == _as_set(IPC_SNDBUF)
    finally:
        sock.close()


def test_an_explicit_sndbuf_is_applied_as_given() -> None:
    sock = new_connect_socket(SocketSettings(sndbuf=50_000))
    try:
        assert _sndbuf(sock) == _as_set(50_000)
    finally:
        sock.close()


@pytest.mark.parametrize("sndbuf", [-1, 60_000])
def test_an_accepted_ipc_socket_is_tuned_alike(sndbuf: int) -> None:
    a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        transports.tune_accepted(a, SocketSettings(sndbuf=sndbuf))
        assert _sndbuf(a) == _as_set(IPC_SNDBUF if sndbuf < 0 else sndbuf)
    finally:
        a.close()
        b.close()
