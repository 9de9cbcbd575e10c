"""PEER and CHANNEL (draft types) and STREAM (raw TCP) on the command line."""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Callable

from .shell import WAIT, Proc


def test_channel_talks_both_ways(spawn: Callable[..., Proc]) -> None:
    left = spawn("channel", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20", "--data", "L")
    right = spawn("channel", "-c", left.endpoint(), "-n", "1", "-t", "20", "--data", "R")
    assert left.finish() == (0, b"R\n")
    assert right.finish() == (0, b"L\n")


def test_peer_addresses_by_routing_id(spawn: Callable[..., Proc]) -> None:
    listener = spawn("peer", "-b", "tcp://127.0.0.1:*", "-n", "1", "-t", "20")
    dialer = spawn("peer", "-c", listener.endpoint(), "-v", "-t", "20", stdin=subprocess.PIPE)
    rid = dialer.wait_for(r"as routing id (\d+)").group(1)
    dialer.wait_for("HANDSHAKE_SUCCEEDED")  # the routing id is reachable from now on
    assert dialer.popen.stdin is not None
    dialer.popen.stdin.write(f"{rid}\thello peer\n".encode())
    dialer.popen.stdin.flush()
    status, out = listener.finish()
    assert status == 0, listener.stderr()
    sender, body = out.rstrip(b"\n").split(b"\t")
    assert sender.isdigit() and body == b"hello peer"


def test_stream_talks_raw_tcp(spawn: Callable[..., Proc]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        server.settimeout(WAIT)
        stream = spawn(
            "stream", "-c", f"tcp://127.0.0.1:{port}", "-n", "3", "-t", "20",
            stdin=subprocess.PIPE,
        )
        conn, _ = server.accept()
        assert stream.popen.stdout is not None and stream.popen.stdin is not None
        with conn:
            conn.settimeout(WAIT)
            conn.sendall(b"plain bytes")
            # STREAM writes the connection's id first: an empty frame on connect, then data.
            first = stream.popen.stdout.readline()
            ident = first.split(b"\t")[0]
            assert first == ident + b"\t\n" and ident.startswith(b"0x")
            assert stream.popen.stdout.readline() == ident + b"\tplain bytes\n"
            stream.popen.stdin.write(ident + b"\tback to you\n")
            stream.popen.stdin.flush()
            assert conn.recv(100) == b"back to you"
        # The disconnection is the third message: an empty frame again.
        assert stream.finish() == (0, ident + b"\t\n")
