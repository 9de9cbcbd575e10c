"""udp:// — the datagram sockets of RADIO (sender) and DISH (receiver), the way libzmq opens them.

Owns turning a parsed ``UdpEndpoint`` into an address and an open, non-blocking OS socket
(docs/protocol/transports.md §5; libzmq ``udp_address.cpp``, ``udp_engine.cpp``):

* ``udp://host:port`` — for a receiver (DISH bind) ``host`` is the local address to bind: ``*``,
  an address, an interface name or a host name; for a sender (RADIO connect) it is where the
  datagrams go (an address or a host name).
* ``udp://group:port`` with a multicast ``group`` — the receiver binds ANY:port (SO_REUSEADDR
  and SO_REUSEPORT, so several receivers on one host all get the group) and joins the group;
  the sender sends to it with IP_MULTICAST_LOOP = MULTICAST_LOOP and TTL = MULTICAST_HOPS.
* ``udp://iface;group:port`` — ``iface`` (``*``, an interface's address or its name; no DNS)
  picks the interface that joins (receiver) or sends (sender). It is only allowed before a
  multicast group. IPv6 multicast needs the interface *name* (the kernel takes an index).

Errors are libzmq's: ENOCOMPATPROTO is the engine's (socket type), EINVAL a malformed or
inconsistent address, ENODEV an unknown interface, and the OS errno of a failing ``bind``.
Unlike libzmq, which binds later on its I/O thread and fails silently, everything here runs in
the caller's thread, so ``bind()``/``connect()`` raise where the mistake was made.

Thread affinity: none; synchronous calls, no state.
"""

from __future__ import annotations

import ipaddress
import socket
import struct
from dataclasses import dataclass
from typing import Any

from ..constants import Errno
from ..endpoint import WILDCARD, UdpEndpoint
from ..error import ZMQError
from .base import SocketSettings, close_quietly, zmq_error
from .tcp import interface_ipv4

SockAddr = Any  # (host, port) or (host, port, flowinfo, scope_id)

_ANY = {socket.AF_INET: "0.0.0.0", socket.AF_INET6: "::"}
_REUSEPORT = getattr(socket, "SO_REUSEPORT", None)


@dataclass(frozen=True, slots=True)
class UdpAddress:
    """A resolved udp:// endpoint (libzmq ``udp_address_t``)."""

    family: socket.AddressFamily
    #: Where a sender's datagrams go (the group, for multicast).
    target: SockAddr
    #: What a receiver binds to (ANY:port for multicast).
    bind: SockAddr
    multicast: bool
    #: The interface's IPv4 address for IPv4 multicast ("0.0.0.0": let the kernel choose).
    interface_ipv4: str = "0.0.0.0"
    #: The interface index for IPv6 multicast (0: any; -1: given, but not by name).
    interface_index: int = 0


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def _sockaddr(host: str, port: int, kind: int = socket.AI_NUMERICHOST) -> SockAddr:
    """``getaddrinfo``'s sockaddr (it turns an IPv6 zone into the scope id)."""
    info = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM, 0, kind)
    return info[0][4]


def _interface(name: str, target_family: socket.AddressFamily, what: str) -> tuple[str, int]:
    """The ``iface;`` part: (IPv4 address or "0.0.0.0", interface index) — libzmq resolves it
    as a bindable local address, no DNS, names allowed."""
    if name == WILDCARD:
        return "0.0.0.0", 0
    try:
        index = socket.if_nametoindex(name)
    except OSError:
        index = -1
    ip = _literal(name)
    if ip is not None:
        if ip.is_multicast:
            raise ZMQError(Errno.EINVAL, f"{what}: the interface {name!r} is a multicast address")
        if _family(str(ip)) != target_family:
            raise ZMQError(
                Errno.EINVAL, f"{what}: the interface {name!r} and the group differ in family"
            )
        return (str(ip) if ip.version == 4 else "0.0.0.0"), index
    if index < 0:
        raise ZMQError(
            Errno.ENODEV,
            f"{what}: {name!r} is neither an address nor a network interface of this host "
            "(use *, an interface's address or its name, e.g. lo)",
        )
    if target_family == socket.AF_INET:
        addr = interface_ipv4(name)
        if addr is None:
            raise ZMQError(Errno.ENODEV, f"{what}: interface {name!r} has no IPv4 address")
        return addr, index
    return "0.0.0.0", index


def resolve(endpoint: UdpEndpoint, *, receiver: bool, ipv6: bool) -> UdpAddress:
    """Resolve now, like libzmq's ``zmq_bind``/``zmq_connect`` do for udp (``receiver`` is the
    DISH bind side). Host names go through DNS here, in the caller's thread."""
    what = f"cannot {'bind to' if receiver else 'connect to'} {endpoint}"
    host, port = endpoint.host, endpoint.port
    if endpoint.ipv6 and not ipv6:
        raise ZMQError(
            Errno.ENODEV if receiver else Errno.EINVAL,
            f"{what}: {host!r} is an IPv6 address; set the IPV6 option to 1 first",
        )
    if receiver and host == WILDCARD:
        family = socket.AF_INET6 if ipv6 else socket.AF_INET
        any_addr = _sockaddr(_ANY[family], port)
        return UdpAddress(family, any_addr, any_addr, False)
    try:
        if _literal(host) is not None:
            target = _sockaddr(host, port)
        elif receiver and endpoint.interface is None and interface_ipv4(host) is not None:
            # An interface name is the local address to bind (libzmq: NIC names on bind).
            target = _sockaddr(str(interface_ipv4(host)), port)
        else:
            family = socket.AF_UNSPEC if ipv6 else socket.AF_INET
            infos = socket.getaddrinfo(host, port, family, socket.SOCK_DGRAM)
            target = infos[0][4]
    except OSError as exc:
        raise ZMQError(
            Errno.EINVAL, f"{what}: {host!r} does not resolve ({exc.strerror or exc})"
        ) from None
    family = _family(target[0])
    multicast = bool(ipaddress.ip_address(target[0].split("%", 1)[0]).is_multicast)
    iface4, index = "0.0.0.0", 0
    if endpoint.interface is not None:
        if not multicast:
            raise ZMQError(
                Errno.EINVAL,
                f"{what}: an interface ('{endpoint.interface};') is only allowed before a "
                "multicast group",
            )
        iface4, index = _interface(endpoint.interface, family, what)
        if family == socket.AF_INET6 and index < 0:
            # The kernel joins an IPv6 group by interface index, never by address.
            raise ZMQError(
                Errno.ENODEV,
                f"{what}: IPv6 multicast needs the interface by name (e.g. eth0;ff02::1)",
            )
    bind_addr = _sockaddr(_ANY[family], port) if multicast or not receiver else target
    return UdpAddress(family, target, bind_addr, multicast, iface4, index)


def _membership(address: UdpAddress) -> tuple[int, int, bytes]:
    group = str(address.target[0]).split("%", 1)[0]
    if address.family == socket.AF_INET:
        mreq = socket.inet_aton(group) + socket.inet_aton(address.interface_ipv4)
        return socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq
    mreq6 = socket.inet_pton(socket.AF_INET6, group) + struct.pack("@I", address.interface_index)
    return socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq6


def open_receiver(address: UdpAddress, settings: SocketSettings, endpoint: str) -> socket.socket:
    """A non-blocking socket bound (and joined, for multicast) to receive ``address``."""
    what = f"cannot bind to {endpoint}"
    try:
        sock = socket.socket(address.family, socket.SOCK_DGRAM)
    except OSError as exc:
        raise zmq_error(exc, what) from None
    try:
        sock.setblocking(False)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if address.multicast and _REUSEPORT is not None:
            # Every receiver of a group on this host gets each datagram (libzmq does the same).
            sock.setsockopt(socket.SOL_SOCKET, _REUSEPORT, 1)
        settings.apply_buffers(sock)
        sock.bind(address.bind)
        if address.multicast:
            sock.setsockopt(*_membership(address))
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return sock


def open_sender(
    address: UdpAddress, settings: SocketSettings, endpoint: str, *, loop: bool, hops: int
) -> socket.socket:
    """A non-blocking socket that sends to ``address.target``; for multicast with the loop,
    hop limit and interface libzmq sets (MULTICAST_LOOP, MULTICAST_HOPS, ``iface;``)."""
    what = f"cannot connect to {endpoint}"
    try:
        sock = socket.socket(address.family, socket.SOCK_DGRAM)
    except OSError as exc:
        raise zmq_error(exc, what) from None
    try:
        sock.setblocking(False)
        settings.apply_buffers(sock)
        if address.multicast:
            if address.family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, int(loop))
                if hops > 0:
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, hops)
                if address.interface_index > 0:
                    sock.setsockopt(
                        socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, address.interface_index
                    )
            else:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(loop))
                if hops > 0:
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, hops)
                if address.interface_ipv4 != "0.0.0.0":
                    sock.setsockopt(
                        socket.IPPROTO_IP,
                        socket.IP_MULTICAST_IF,
                        socket.inet_aton(address.interface_ipv4),
                    )
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return sock


__all__ = ["UdpAddress", "open_receiver", "open_sender", "resolve"]
