"""A raw ZMTP peer: the bytes of 23/ZMTP (37/ZMTP for 3.1) built by hand, and blocking sockets
to script them at a ZeroMQ socket.

The bytes are written from the RFC, not with purezmq's codec, so a test that uses them checks
the codec instead of agreeing with it. Scripts can send what no well-behaved peer sends: a
truncated greeting, an unknown mechanism, a frame over MAXMSGSIZE, a message before READY.
"""

from __future__ import annotations

import os
import socket
import struct

#: Seconds a raw socket waits for any one read, write or connection.
TIMEOUT = 5.0

#: Greeting length in bytes (23/ZMTP §"Version Negotiation" and on).
GREETING_SIZE = 64

_FLAG_COMMAND = 0x04
_FLAG_LONG = 0x02


def greeting(
    mechanism: bytes = b"NULL", *, as_server: bool = False, major: int = 3, minor: int = 1
) -> bytes:
    """A whole 64-byte greeting: signature, version, mechanism, as-server, filler."""
    return (
        b"\xff"
        + bytes(8)
        + b"\x7f"
        + bytes([major, minor])
        + mechanism.ljust(20, b"\0")
        + bytes([1 if as_server else 0])
        + bytes(31)
    )


def command(name: bytes, body: bytes = b"") -> bytes:
    """One command frame: the name's length and the name, then ``body``; a long frame when the
    whole exceeds 255 bytes."""
    payload = bytes([len(name)]) + name + body
    if len(payload) <= 255:
        return bytes([_FLAG_COMMAND, len(payload)]) + payload
    return bytes([_FLAG_COMMAND | _FLAG_LONG]) + struct.pack(">Q", len(payload)) + payload


def properties(**values: bytes) -> bytes:
    """Metadata as READY carries it: a one-byte name length, the name, a four-byte value
    length, the value. Keyword names use ``_`` for ``-`` (``Socket_Type`` → ``Socket-Type``)."""
    out = b""
    for key, value in values.items():
        name = key.replace("_", "-").encode()
        out += bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return out


def ready(socket_type: bytes, **extra: bytes) -> bytes:
    """The NULL mechanism's READY command naming ``socket_type`` (b"PUSH"...), with ``extra``
    properties (``Identity=b"me"``)."""
    return command(b"READY", properties(Socket_Type=socket_type, **extra))


def read_exactly(sock: socket.socket, n: int) -> bytes:
    """Read ``n`` bytes; fewer only when the peer closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def connect(address: str, timeout: float = TIMEOUT) -> socket.socket:
    """A plain socket connected to a ``tcp://host:port`` or ``ipc://path`` endpoint."""
    if address.startswith("tcp://"):
        host, port = address.removeprefix("tcp://").rsplit(":", 1)
        return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect(address.removeprefix("ipc://"))
    return sock


def listen(
    transport: str, directory: str = "", timeout: float = TIMEOUT
) -> tuple[socket.socket, str]:
    """A listening plain socket on 127.0.0.1 (``"tcp"``) or in ``directory`` (``"ipc"``),
    and the endpoint a ZeroMQ socket connects to."""
    if transport == "tcp":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    elif transport == "ipc":
        path = os.path.join(directory, "raw")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        address = f"ipc://{path}"
    else:
        raise ValueError(f"no raw listener for transport {transport!r}: tcp or ipc")
    sock.listen(4)
    sock.settimeout(timeout)
    return sock, address


__all__ = [
    "TIMEOUT",
    "GREETING_SIZE",
    "greeting",
    "command",
    "properties",
    "ready",
    "read_exactly",
    "connect",
    "listen",
]
