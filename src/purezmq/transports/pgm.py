"""pgm:// and epgm:// — the OS sockets PGM runs over, the way libzmq/OpenPGM open them.

* ``epgm://iface;group:port`` carries each PGM packet in a UDP datagram. libzmq sets OpenPGM's
  unicast and multicast encapsulation ports both to the endpoint port, and the PGM
  data-destination port to it too: data goes to ``group:port``, NAKs to ``source-ip:port``
  (docs/transports.md, pgm and epgm).
* ``pgm://iface;group:port`` sends PGM as IP protocol 113 on a raw socket; that needs
  CAP_NET_RAW (or root), and the error says so.
* ``iface`` is the interface's IPv4 address or its name; empty picks the interface the kernel
  routes the group through. Its address is the NLA the source announces in its SPMs.

Sockets here: a *sender* (ephemeral UDP or raw) that multicasts data, SPMs, NCFs and repairs and
unicasts NAKs; a *group* receiver bound to ``group:port`` (epgm) that joined the group, so it
never takes unicast NAKs from the source's own socket; and, for a source, a *NAK* receiver bound
to ``iface-address:port`` — more specific than OpenPGM's ``0.0.0.0:port``, so the kernel hands
unicast NAKs to it even when an OpenPGM receiver shares the host. For pgm:// one raw socket
receives everything (IP header included, stripped by ``strip_ip_header``).
"""

from __future__ import annotations

import errno as _errno
import ipaddress
import socket
from dataclasses import dataclass

from ..constants import Errno
from ..endpoint import PgmEndpoint
from ..error import ZMQError
from .base import SocketSettings, close_quietly, zmq_error
from .tcp import interface_ipv4

IPPROTO_PGM = 113
#: IPv4 + UDP header bytes that MAXTPDU includes.
IP_HEADER = 20
UDP_HEADER = 8


@dataclass(frozen=True, slots=True)
class PgmAddress:
    """A resolved pgm/epgm endpoint."""

    udp: bool
    group: str
    port: int
    #: The interface's IPv4 address (the source's NLA; "0.0.0.0" only if none was found).
    interface: str


def resolve(endpoint: PgmEndpoint) -> PgmAddress:
    what = f"cannot open {endpoint}"
    try:
        group = ipaddress.ip_address(endpoint.group)
    except ValueError:
        raise ZMQError(
            Errno.EINVAL, f"{what}: {endpoint.group!r} is not an IPv4 multicast group address"
        ) from None
    if group.version != 4 or not group.is_multicast:
        raise ZMQError(
            Errno.EINVAL,
            f"{what}: {endpoint.group!r} is not an IPv4 multicast group (224.0.0.0/4)",
        )
    name = endpoint.interface
    if not name:
        iface = _routed_source(str(group), endpoint.port)
    else:
        try:
            literal = ipaddress.ip_address(name)
        except ValueError:
            literal = None
        if literal is not None:
            if literal.version != 4 or literal.is_multicast:
                raise ZMQError(
                    Errno.EINVAL, f"{what}: the interface {name!r} is not an IPv4 unicast address"
                )
            iface = str(literal)
        else:
            found = interface_ipv4(name)
            if found is None:
                raise ZMQError(
                    Errno.ENODEV,
                    f"{what}: {name!r} is neither an IPv4 address nor a network interface with "
                    "an IPv4 address (e.g. epgm://127.0.0.1;239.192.1.1:5555 or eth0;...)",
                )
            iface = found
    return PgmAddress(endpoint.epgm, str(group), endpoint.port, iface)


def _routed_source(group: str, port: int) -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect((group, port))
        return str(probe.getsockname()[0])
    except OSError:
        return "0.0.0.0"
    finally:
        probe.close()


def max_tsdu(address: PgmAddress, max_tpdu: int) -> int:
    """The APDU size libzmq uses (OpenPGM's PGM_MSS): no packet ever needs fragmenting."""
    from ..pgm.packet import RESERVED_PER_PACKET

    overhead = IP_HEADER + (UDP_HEADER if address.udp else 0) + RESERVED_PER_PACKET
    return max(64, max_tpdu - overhead)


def _raw_error(exc: OSError, what: str) -> ZMQError:
    if isinstance(exc, PermissionError):
        return ZMQError(
            exc.errno or _errno.EPERM,
            f"{what}: pgm:// sends raw IP (protocol 113) and needs the CAP_NET_RAW capability "
            "(or root); use epgm:// (PGM over UDP) without privileges",
        )
    return zmq_error(exc, what)


def _new_socket(address: PgmAddress, what: str) -> socket.socket:
    try:
        if address.udp:
            return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        return socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_PGM)
    except OSError as exc:
        raise _raw_error(exc, what) from None


def _share_port(sock: socket.socket) -> None:
    """Every PGM socket of the host shares the port: OpenPGM sets SO_REUSEADDR and, where it
    exists, SO_REUSEPORT, and the kernel lets a socket in only if it sets the same."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reuseport = getattr(socket, "SO_REUSEPORT", None)
    if reuseport is not None:
        sock.setsockopt(socket.SOL_SOCKET, reuseport, 1)


def _join(sock: socket.socket, address: PgmAddress) -> None:
    mreq = socket.inet_aton(address.group) + socket.inet_aton(address.interface)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)


def open_sender(
    address: PgmAddress, settings: SocketSettings, what: str, *, loop: bool, hops: int
) -> socket.socket:
    sock = _new_socket(address, what)
    try:
        sock.setblocking(False)
        settings.apply_buffers(sock)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, int(loop))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, max(1, hops))
        if address.interface != "0.0.0.0":
            sock.setsockopt(
                socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address.interface)
            )
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return sock


def open_group_receiver(address: PgmAddress, settings: SocketSettings, what: str) -> socket.socket:
    """Receives what is multicast to the group (for pgm://, every PGM packet to this host)."""
    sock = _new_socket(address, what)
    try:
        sock.setblocking(False)
        settings.apply_buffers(sock)
        if address.udp:
            _share_port(sock)
            sock.bind((address.group, address.port))
        _join(sock, address)
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return sock


def open_nak_receiver(address: PgmAddress, settings: SocketSettings, what: str) -> socket.socket:
    """epgm: receives NAKs unicast to ``interface:port``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        _share_port(sock)
        settings.apply_buffers(sock)
        sock.bind((address.interface, address.port))
    except OSError as exc:
        close_quietly(sock)
        raise zmq_error(exc, what) from None
    return sock


def strip_ip_header(data: memoryview) -> memoryview:
    """A raw IPv4 socket delivers the IP header too (its length is in the first byte)."""
    if len(data) < 20:
        return data[:0]
    return data[(data[0] & 0x0F) * 4 :]


__all__ = [
    "PgmAddress",
    "max_tsdu",
    "open_group_receiver",
    "open_nak_receiver",
    "open_sender",
    "resolve",
    "strip_ip_header",
]
