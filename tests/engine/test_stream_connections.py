"""STREAM over connect(): one pipe per TCP connection (spec patterns.md §3.6).

libzmq gives each outgoing connection of a STREAM socket a new routing id and delivers the
``[id, b""]`` notification when the TCP connection is made, not at ``connect()``; after the
peer closes it delivers ``[id, b""]`` again and the reconnection gets a fresh id.
"""

from __future__ import annotations

import socket

import pytest
import zmq

from purezmq._engine import ContextCore, SocketCore
from purezmq.constants import Errno, SocketOption, SocketType
from purezmq.error import ZMQError

from ..kit.engine import TIMEOUT, recv, send, sync_socket


def _stream(ctx: ContextCore) -> SocketCore:
    core = sync_socket(ctx, SocketType.STREAM)
    core.setsockopt(SocketOption.LINGER, 0)
    core.setsockopt(SocketOption.RECONNECT_IVL, 10)
    return core


def _recv_data(core: SocketCore, rid: bytes, want: bytes) -> None:
    """Bytes may arrive split across reads: collect ``want`` from connection ``rid``."""
    got = b""
    while len(got) < len(want):
        frm, data = recv(core)
        assert frm == rid and data, (frm, data)
        got += data
    assert got == want


def test_raw_server_sees_a_new_id_per_connection(ctx: ContextCore) -> None:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))  # bound, not listening yet: connection attempts fail
    port = server.getsockname()[1]
    server.settimeout(TIMEOUT)
    core = _stream(ctx)
    core.connect(f"tcp://127.0.0.1:{port}")
    # No connection exists yet, so there is nothing to announce (the session pipe used to be
    # attached here, announcing a connection that did not exist).
    assert core.try_recv() is None
    server.listen(4)
    conn, _ = server.accept()
    rid1, empty = recv(core)
    assert empty == b"" and len(rid1) == 5 and rid1[0] == 0
    conn.sendall(b"hello")
    _recv_data(core, rid1, b"hello")
    send(core, [rid1, b"world"])
    conn.settimeout(TIMEOUT)
    assert conn.recv(5) == b"world"
    conn.close()  # the peer ends this connection
    assert recv(core) == [rid1, b""]  # disconnect notification
    # The connecter reconnects: a new connection, a new id, a new notification.
    conn2, _ = server.accept()
    rid2, empty = recv(core)
    assert empty == b"" and rid2 != rid1
    with pytest.raises(ZMQError) as err:
        core.try_send([rid1, b"stale"])
    assert err.value.errno == Errno.EHOSTUNREACH
    send(core, [rid2, b"again"])
    conn2.settimeout(TIMEOUT)
    assert conn2.recv(5) == b"again"
    # An empty send closes that connection from our side: the server reads EOF.
    send(core, [rid2, b""])
    assert conn2.recv(1) == b""
    conn2.close()
    server.close()


def test_raw_client_connections_to_a_bound_stream(ctx: ContextCore) -> None:
    core = _stream(ctx)
    endpoint = core.bind("tcp://127.0.0.1:*")
    port = int(endpoint.rsplit(":", 1)[1])
    ids = []
    for _ in range(2):
        client = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        rid, empty = recv(core)
        assert empty == b""
        client.sendall(b"ping")
        _recv_data(core, rid, b"ping")
        send(core, [rid, b"pong"])
        assert client.recv(4) == b"pong"
        client.close()
        assert recv(core) == [rid, b""]
        ids.append(rid)
    assert ids[0] != ids[1]


def test_against_pyzmq_stream(ctx: ContextCore) -> None:
    zctx = zmq.Context()
    try:
        srv = zctx.socket(zmq.STREAM)
        srv.linger = 0
        srv.rcvtimeo = int(TIMEOUT * 1000)
        port = srv.bind_to_random_port("tcp://127.0.0.1")
        core = _stream(ctx)
        core.connect(f"tcp://127.0.0.1:{port}")
        ours1, empty = recv(core)
        assert empty == b""
        theirs1, empty = srv.recv_multipart()
        assert empty == b""
        send(core, [ours1, b"from purezmq"])
        got = b""
        while got != b"from purezmq":
            frm, data = srv.recv_multipart()
            assert frm == theirs1
            got += data
        srv.send_multipart([theirs1, b"from libzmq"])
        _recv_data(core, ours1, b"from libzmq")
        # We end the connection (empty send): libzmq announces the disconnection.
        send(core, [ours1, b""])
        assert srv.recv_multipart() == [theirs1, b""]
        # A second connect() is a second connection: new ids on both sides.
        core.connect(f"tcp://127.0.0.1:{port}")
        ours2, empty = recv(core)
        if ours2 == ours1:
            # purezmq's pattern also notifies the connection we closed ourselves.
            assert empty == b""
            ours2, empty = recv(core)
        assert empty == b"" and ours2 != ours1
        theirs2, empty = srv.recv_multipart()
        assert empty == b"" and theirs2 != theirs1
        send(core, [ours2, b"x"])
        assert srv.recv_multipart() == [theirs2, b"x"]
        srv.close()
    finally:
        zctx.destroy(linger=0)
