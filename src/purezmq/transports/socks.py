"""SOCKS5 client handshake (RFC 1928, username/password RFC 1929), sans-IO, as libzmq's
``socks_connecter_t`` speaks it for ``ZMQ_SOCKS_PROXY``.

``Socks5Client(host, port, username, password)`` yields the bytes to send and consumes what the
proxy answers: ``to_send()`` after each ``receive(data)``; ``done`` once the proxy has
connected us to ``host:port``, after which the same TCP connection carries ZMTP. The request
names the target as libzmq does: an IPv4 or IPv6 literal as an address, anything else as a
domain name the proxy resolves. Failures raise ``SocksError`` (the connecter retries, like
libzmq).

Layer 1: standard library only.
"""

from __future__ import annotations

import ipaddress
import struct
from enum import Enum

VERSION = 5
NO_AUTH = 0x00
BASIC_AUTH = 0x02
NO_ACCEPTABLE = 0xFF
CMD_CONNECT = 1
ATYP_IPV4 = 1
ATYP_DOMAIN = 3
ATYP_IPV6 = 4


class SocksError(OSError):
    """The proxy refused us or broke the protocol."""


def parse_proxy(value: str) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port`` of ``ZMQ_SOCKS_PROXY``."""
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit():
        raise SocksError(f"SOCKS_PROXY {value!r} is not host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host, int(port)


def connect_request(host: str, port: int) -> bytes:
    """The CONNECT request for ``host:port`` (RFC 1928 §4)."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        name = host.encode("idna")
        if not 0 < len(name) <= 255:
            raise SocksError(f"cannot name {host!r} to a SOCKS proxy") from None
        address = bytes((ATYP_DOMAIN, len(name))) + name
    else:
        atyp = ATYP_IPV4 if ip.version == 4 else ATYP_IPV6
        address = bytes((atyp,)) + ip.packed
    return bytes((VERSION, CMD_CONNECT, 0)) + address + struct.pack("!H", port)


class _Step(Enum):
    """Which reply of the proxy the client waits for (RFC 1928 §3, §6; RFC 1929 §2)."""

    METHOD = "method"
    AUTH = "auth"
    REPLY = "reply"


class Socks5Client:
    """The client side of one SOCKS5 handshake (see the module docstring)."""

    def __init__(self, host: str, port: int, username: bytes = b"", password: bytes = b"") -> None:
        self._host = host
        self._port = port
        self._username = username
        self._password = password
        self._buffer = b""
        self._out = b""
        self._state = _Step.METHOD
        self.done = False
        # libzmq offers basic authentication only when a username is set.
        methods = bytes((NO_AUTH, BASIC_AUTH)) if username else bytes((NO_AUTH,))
        self._out = bytes((VERSION, len(methods))) + methods

    def to_send(self) -> bytes:
        out, self._out = self._out, b""
        return out

    def receive(self, data: bytes) -> None:
        """Feed what the proxy sent; raises ``SocksError`` on a refusal or bad reply."""
        self._buffer += data
        while not self.done and self._step():
            pass

    def _take(self, n: int) -> bytes | None:
        if len(self._buffer) < n:
            return None
        chunk, self._buffer = self._buffer[:n], self._buffer[n:]
        return chunk

    def _step(self) -> bool:
        if self._state is _Step.METHOD:
            reply = self._take(2)
            if reply is None:
                return False
            if reply[0] != VERSION:
                raise SocksError("the proxy does not speak SOCKS5")
            if reply[1] == NO_AUTH:
                self._request()
            elif reply[1] == BASIC_AUTH and self._username:
                user, password = self._username, self._password
                self._out += bytes((1, len(user))) + user + bytes((len(password),)) + password
                self._state = _Step.AUTH
            else:
                raise SocksError("the SOCKS proxy accepts none of our authentication methods")
            return True
        if self._state is _Step.AUTH:
            reply = self._take(2)
            if reply is None:
                return False
            if reply[1] != 0:
                raise SocksError("the SOCKS proxy refused our username/password")
            self._request()
            return True
        # "reply": VER REP RSV ATYP BND.ADDR BND.PORT
        head = self._buffer[:5]
        if len(head) < 5:
            return False
        if head[0] != VERSION:
            raise SocksError("bad SOCKS5 reply")
        if head[1] != 0:
            raise SocksError(f"the SOCKS proxy could not connect (reply code {head[1]})")
        atyp = head[3]
        if atyp == ATYP_IPV4:
            size = 4 + 4 + 2
        elif atyp == ATYP_IPV6:
            size = 4 + 16 + 2
        elif atyp == ATYP_DOMAIN:
            size = 4 + 1 + head[4] + 2
        else:
            raise SocksError("bad address type in the SOCKS5 reply")
        if self._take(size) is None:
            return False
        self.done = True
        return True

    def _request(self) -> None:
        self._out += connect_request(self._host, self._port)
        self._state = _Step.REPLY

    def wanted(self) -> int:
        """How many more bytes the next step needs at least: read exactly that many, so that
        nothing after the proxy's reply (the peer's ZMTP greeting) is taken from the socket."""
        have = len(self._buffer)
        if self.done:
            return 0
        if self._state is not _Step.REPLY:
            return max(2 - have, 0) or 1
        if have < 5:
            return 5 - have
        atyp, size = self._buffer[3], 0
        if atyp == ATYP_IPV4:
            size = 10
        elif atyp == ATYP_IPV6:
            size = 22
        elif atyp == ATYP_DOMAIN:
            size = 7 + self._buffer[4]
        return max(size - have, 1)


__all__ = ["Socks5Client", "SocksError", "connect_request", "parse_proxy"]
