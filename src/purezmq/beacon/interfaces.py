"""Which IPv4 interface a beacon uses, and its broadcast address (czmq's ``ziflist``).

The choice, as czmq's zbeacon makes it: the ``interface`` argument, else the
``ZSYS_INTERFACE`` environment variable, else the first interface that is up, broadcast-capable
and neither loopback nor point-to-point. ``"*"`` means every interface: bind to INADDR_ANY and
send to 255.255.255.255. An interface may be named (``eth0``) or given by its IPv4 address. A
loopback interface named explicitly is allowed (its broadcast comes from its netmask:
127.255.255.255 for ``lo``), which is what tests on one host use.

Interfaces are read with the Linux ``SIOCGIF*`` ioctls; elsewhere only ``"*"`` and addresses
given outright are known.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
import sys
from typing import NamedTuple

from ..constants import Errno
from ..error import ZMQError

# <linux/sockios.h> and <net/if.h>
_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_SIOCGIFBRDADDR = 0x8919
_SIOCGIFNETMASK = 0x891B
_IFF_UP = 0x1
_IFF_BROADCAST = 0x2
_IFF_LOOPBACK = 0x8
_IFF_POINTOPOINT = 0x10

ANY = "*"


class Interface(NamedTuple):
    """An IPv4 interface: its name, address and the broadcast address a beacon sends to."""

    name: str
    address: str
    broadcast: str
    up: bool = True
    loopback: bool = False
    point_to_point: bool = False
    can_broadcast: bool = True


def _ioctl_ipv4(sock: socket.socket, request: int, name: str) -> str | None:
    import fcntl

    try:
        reply = fcntl.ioctl(sock.fileno(), request, struct.pack("256s", name.encode()[:15]))
    except OSError:
        return None
    return socket.inet_ntoa(reply[20:24])


def _ioctl_flags(sock: socket.socket, name: str) -> int:
    import fcntl

    reply = fcntl.ioctl(sock.fileno(), _SIOCGIFFLAGS, struct.pack("256s", name.encode()[:15]))
    flags: int = struct.unpack_from("H", reply, 16)[0]
    return flags


def list_interfaces() -> list[Interface]:
    """The host's IPv4 interfaces (Linux); an empty list where they cannot be read."""
    if not sys.platform.startswith("linux"):
        return []
    found: list[Interface] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            address = _ioctl_ipv4(sock, _SIOCGIFADDR, name)
            if address is None:
                continue  # no IPv4 address
            flags = _ioctl_flags(sock, name)
            netmask = _ioctl_ipv4(sock, _SIOCGIFNETMASK, name) or "255.255.255.255"
            broadcast = None
            if flags & _IFF_BROADCAST:
                broadcast = _ioctl_ipv4(sock, _SIOCGIFBRDADDR, name)
            if not broadcast or broadcast == "0.0.0.0":
                network = ipaddress.IPv4Network(f"{address}/{netmask}", strict=False)
                broadcast = str(network.broadcast_address)
            found.append(
                Interface(
                    name,
                    address,
                    broadcast,
                    up=bool(flags & _IFF_UP),
                    loopback=bool(flags & _IFF_LOOPBACK),
                    point_to_point=bool(flags & _IFF_POINTOPOINT),
                    can_broadcast=bool(flags & _IFF_BROADCAST),
                )
            )
    return found


def choose_interface(wanted: str | None = None) -> Interface:
    """The interface a beacon binds to and broadcasts on (see the module's docstring).

    Raises ``ZMQError(ENODEV)`` when the named interface does not exist or no interface fits.
    """
    if wanted is None:
        wanted = os.environ.get("ZSYS_INTERFACE", "")
    if wanted == ANY:
        return Interface(ANY, "0.0.0.0", "255.255.255.255")
    interfaces = list_interfaces()
    if wanted:
        for iface in interfaces:
            if wanted in (iface.name, iface.address):
                return iface
        try:
            ipaddress.IPv4Address(wanted)
        except ValueError:
            names = ", ".join(i.name for i in interfaces) or "none found"
            raise ZMQError(
                Errno.ENODEV,
                f"no IPv4 interface {wanted!r} (interfaces: {names}; '*' means all)",
            ) from None
        raise ZMQError(Errno.ENODEV, f"no interface has the address {wanted}")
    for iface in interfaces:
        if iface.up and iface.can_broadcast and not (iface.loopback or iface.point_to_point):
            return iface
    raise ZMQError(
        Errno.ENODEV,
        "no broadcast-capable IPv4 interface is up: name one (interface='lo' on one host) "
        "or use '*'",
    )
