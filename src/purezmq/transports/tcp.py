"""tcp:// — listening, connecting and tuning TCP sockets the way libzmq does.

Owns the TCP half of layer 2 (docs/protocol/transports.md §1): turning a parsed ``TcpEndpoint`` into
a bound listening socket (wildcards, IPv6 dual-stack, interface names, ephemeral ports), resolving
a connect target (DNS allowed, like libzmq, only on connect), and applying the socket options
libzmq applies (TCP_NODELAY always; keepalives, TOS, TCP_USER_TIMEOUT, buffers when set).

Thread affinity: ``bind`` runs synchronously in the caller's thread so that EADDRINUSE,
EADDRNOTAVAIL, ENODEV and EINVAL raise where the user called ``bind()`` (contracts.md);
``resolve`` is a coroutine for the I/O loop (DNS may block, so it goes through
``loop.getaddrinfo``). Nothing here keeps state.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import sys
from typing import Any

from ..constants import Errno
from ..endpoint import WILDCARD, TcpEndpoint
from ..error import ZMQError
from .base import BoundSocket, SocketSettings, close_quietly, zmq_error

#: ``SIOCGIFADDR`` (Linux ``<linux/sockios.h>``): the IPv4 address of a named interface.
_SIOCGIFADDR = 0x8915
_IFREQ = struct.Struct("256s")
_TCP_USER_TIMEOUT = getattr(socket, "TCP_USER_TIMEOUT", None)

SockAddr = Any  # (host, port) or (host, port, flowinfo, scope_id)


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _interface_ipv4(name: str) -> str | None:
    """The IPv4 address of network interface ``name`` (libzmq ``resolve_nic_name``), or None."""
    if sys.platform != "linux" or len(name) > 15:
        return None
    try:
        names = {n for _, n in socket.if_nameindex()}
    except OSError:
        return None
    if name not in names:
        return None
    import fcntl  # Linux only; imported lazily so that importing this module works anywhere

    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        raw = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR, _IFREQ.pack(name.encode()))
    except OSError:
        return None
    finally:
        probe.close()
    return socket.inet_ntoa(raw[20:24])


def _interface_ipv6(name: str) -> str | None:
    """An IPv6 address of interface ``name`` from /proc/net/if_inet6 (global before link-local)."""
    try:
        with open("/proc/net/if_inet6") as f:
            rows = [line.split() for line in f]
    except OSError:
        return None
    found: list[tuple[int, str]] = []
    import ipaddress  # an interface name with IPV6 set: rare, and ~1 ms to import

    for row in rows:
        if len(row) >= 6 and row[5] == name:
            addr = str(ipaddress.IPv6Address(bytes.fromhex(row[0])))
            scope = int(row[3], 16)
            found.append((scope, addr if scope != 0x20 else f"{addr}%{name}"))
    found.sort()
    return found[0][1] if found else None


def _ip_version(literal: str) -> int | None:
    """4 or 6 when ``literal`` is an IP address, else None (an interface or host name).

    ``inet_pton`` takes the same literals as ``ipaddress.ip_address`` (strict dotted quads
    without leading zeros or shorthand such as ``127.1``, and RFC 4291 IPv6 text;
    tests/transports/test_tcp_literals.py compares them) and needs no import, where
    ``ipaddress`` would add ~1 ms to every first bind.
    """
    for family, version in ((socket.AF_INET, 4), (socket.AF_INET6, 6)):
        try:
            socket.inet_pton(family, literal)
        except (OSError, ValueError):
            continue
        return version
    return None


def _local_address(host: str, ipv6: bool, what: str) -> tuple[socket.AddressFamily, str]:
    """Resolve a *local* host (bind interface or connect source) without DNS.

    libzmq accepts ``*``, numeric addresses and interface names here (transports.md §1); an
    IPv6 literal needs ZMQ_IPV6=1 and anything else is ENODEV (verified against libzmq 4.3.5).
    """
    if host == WILDCARD:
        return (socket.AF_INET6, "::") if ipv6 else (socket.AF_INET, "0.0.0.0")
    version = _ip_version(host.split("%", 1)[0])
    if version is not None:
        if version == 6:
            if not ipv6:
                raise ZMQError(
                    Errno.ENODEV,
                    f"{what}: {host!r} is an IPv6 address; set the IPV6 option to 1 first",
                )
            return socket.AF_INET6, host
        return socket.AF_INET, host
    if ipv6:
        addr6 = _interface_ipv6(host)
        if addr6 is not None:
            return socket.AF_INET6, addr6
    addr4 = _interface_ipv4(host)
    if addr4 is not None:
        return socket.AF_INET, addr4
    if host == "localhost":
        return socket.AF_INET, "127.0.0.1"
    raise ZMQError(
        Errno.ENODEV,
        f"{what}: {host!r} is neither an IP address nor a network interface of this host "
        "(bind takes no DNS names: use *, an address or an interface name such as lo)",
    )


def _sockaddr(family: socket.AddressFamily, host: str, port: int) -> SockAddr:
    if family == socket.AF_INET6:
        # getaddrinfo turns a zone id (fe80::1%eth0) into the scope id the kernel needs.
        info = socket.getaddrinfo(
            host, port, socket.AF_INET6, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST
        )
        return info[0][4]
    return (host, port)


def bind(endpoint: TcpEndpoint, settings: SocketSettings) -> BoundSocket:
    """Create, bind and listen; return the socket and the resolved endpoint (ephemeral port).

    Raises ``ZMQError`` with the OS errno (EADDRINUSE, EADDRNOTAVAIL, EACCES…), ENODEV for an
    unknown interface or an IPv6 address without the IPV6 option.
    """
    what = f"cannot bind to {endpoint}"
    family, host = _local_address(endpoint.host, settings.ipv6, what)
    try:
        addr = _sockaddr(family, host, endpoint.port)
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError as exc:
        raise zmq_error(exc, what) from None
    try:
        if sys.platform != "win32":
            # libzmq sets SO_REUSEADDR on listeners so a restarted server can rebind at once.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            # ``tcp://*:*`` with IPV6=1 is dual-stack (libzmq clears IPV6_V6ONLY).
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        settings.apply_buffers(sock)
        _apply_tos(sock, family, settings)
        sock.bind(addr)
        sock.listen(settings.backlog)
        sock.setblocking(False)
        bound_host = sock.getsockname()[0]
        port = sock.getsockname()[1]
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return BoundSocket(sock, f"tcp://{_bracket(bound_host)}:{port}")


def _apply_tos(sock: socket.socket, family: socket.AddressFamily, settings: SocketSettings) -> None:
    if settings.tos:
        if family == socket.AF_INET6 and hasattr(socket, "IPV6_TCLASS"):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, settings.tos)
        else:
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, settings.tos)


def tune(sock: socket.socket, settings: SocketSettings) -> None:
    """Options libzmq applies to every connected or accepted TCP socket (``tcp.cpp``).

    TCP_NODELAY always (ZMTP batches itself; Nagle would only add latency); keepalives,
    TCP_USER_TIMEOUT (TCP_MAXRT), TOS and buffers when configured. Failures of optional knobs
    the platform lacks are ignored, as libzmq does on platforms without them.
    """
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    settings.apply_buffers(sock)
    with contextlib.suppress(OSError):
        _apply_tos(sock, sock.family, settings)
    if settings.tcp_keepalive != -1:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1 if settings.tcp_keepalive else 0)
        if settings.tcp_keepalive == 1:
            for name, value in (
                ("TCP_KEEPCNT", settings.tcp_keepalive_cnt),
                ("TCP_KEEPIDLE", settings.tcp_keepalive_idle),
                ("TCP_KEEPINTVL", settings.tcp_keepalive_intvl),
            ):
                opt = getattr(socket, name, None)
                if opt is not None and value != -1:
                    sock.setsockopt(socket.IPPROTO_TCP, opt, value)
    if settings.tcp_maxrt > 0 and _TCP_USER_TIMEOUT is not None:
        sock.setsockopt(socket.IPPROTO_TCP, _TCP_USER_TIMEOUT, settings.tcp_maxrt)


async def resolve(
    loop: asyncio.AbstractEventLoop, endpoint: TcpEndpoint, settings: SocketSettings
) -> tuple[socket.AddressFamily, SockAddr]:
    """The address to connect to; DNS through the loop's resolver (it may block).

    Raises ``OSError`` (the connecter counts it as a failed attempt and retries, like libzmq
    which resolves on every attempt).
    """
    host = endpoint.host
    family = socket.AF_UNSPEC if settings.ipv6 else socket.AF_INET
    if endpoint.ipv6 and not settings.ipv6:
        # libzmq accepts the connect, then every attempt fails until IPV6 is set.
        raise OSError(Errno.EAFNOSUPPORT, f"{host} is IPv6 and the IPV6 option is 0")
    # An address needs no resolver: the loop's getaddrinfo would hand it to a worker thread
    # (and start that thread pool on a first connect) to get the same answer back.
    version = _ip_version(host.split("%", 1)[0])
    if version == 4:
        return socket.AF_INET, (host, endpoint.port)
    if version == 6:
        return socket.AF_INET6, _sockaddr(socket.AF_INET6, host, endpoint.port)
    infos = await loop.getaddrinfo(host, endpoint.port, family=family, type=socket.SOCK_STREAM)
    if not infos:
        raise OSError(Errno.EHOSTUNREACH, f"{host} did not resolve")
    fam, _, _, _, addr = infos[0]
    return socket.AddressFamily(fam), addr


def new_connect_socket(
    family: socket.AddressFamily, endpoint: TcpEndpoint, settings: SocketSettings
) -> socket.socket:
    """A non-blocking, tuned socket for ``connect_ex``, bound to the source address if any."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setblocking(False)
        tune(sock, settings)
        if endpoint.source_host is not None:
            src_family, src_host = _local_address(
                endpoint.source_host, settings.ipv6, f"cannot use source of {endpoint}"
            )
            if src_family != family:
                raise OSError(Errno.EAFNOSUPPORT, "source and peer address families differ")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(_sockaddr(src_family, src_host, endpoint.source_port))
    except (OSError, ZMQError):
        sock.close()
        raise
    return sock


def peer_address(sock: socket.socket) -> str:
    """``Peer-Address`` property: the peer's IP without the port (docs/protocol/patterns.md §9)."""
    try:
        return str(sock.getpeername()[0])
    except (OSError, IndexError):
        return ""


#: Interface-name lookups other transports share (udp:// multicast interfaces).
interface_ipv4 = _interface_ipv4
interface_ipv6 = _interface_ipv6

__all__ = [
    "bind",
    "interface_ipv4",
    "interface_ipv6",
    "new_connect_socket",
    "peer_address",
    "resolve",
    "tune",
]
