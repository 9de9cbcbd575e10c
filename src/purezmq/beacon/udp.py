"""The beacon's UDP socket and what it lets through: czmq zbeacon's wire behaviour.

* One IPv4 UDP socket per beacon with SO_BROADCAST, SO_REUSEADDR and (where it exists)
  SO_REUSEPORT, so that several beacons on one host share the port and each gets every
  broadcast. On Linux it binds to the interface's broadcast address (only broadcasts reach
  it, as in czmq), to INADDR_ANY for ``"*"`` and elsewhere.
* A beacon is one datagram to the interface's broadcast address and the port, at most
  ``MAX_PAYLOAD`` (255) bytes, sent at once on ``publish`` and then every interval.
* Nothing is delivered until ``subscribe(prefix)``; then every datagram that starts with the
  prefix (the empty prefix: all), except the beacon's own: a datagram equal to what it
  publishes (UDP echoes broadcasts to their sender; czmq compares the payload, so peers must
  publish distinct payloads, e.g. with a UUID in them).
"""

from __future__ import annotations

import socket
import sys

from ..constants import Errno
from ..error import ZMQError
from .interfaces import ANY, Interface

#: czmq's UDP_FRAME_MAX: the largest beacon payload (and filter).
MAX_PAYLOAD = 255
#: A datagram read is this large: anything longer than a beacon is cut and then filtered.
_READ_SIZE = 4096


def open_udp(iface: Interface, port: int) -> socket.socket:
    """The bound, non-blocking UDP socket of a beacon on ``iface``.

    Raises ``ZMQError`` (the OS errno) when the port cannot be bound.
    """
    if not 0 < port < 65536:
        raise ZMQError(Errno.EINVAL, f"a beacon port is 1..65535, not {port}")
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    try:
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if hasattr(socket, "SO_REUSEPORT"):
            udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if iface.name == ANY or not sys.platform.startswith("linux"):
            host = "0.0.0.0"
        else:
            host = iface.broadcast
        udp.bind((host, port))
        udp.setblocking(False)
    except OSError as exc:
        udp.close()
        raise ZMQError(
            exc.errno or Errno.EINVAL, f"cannot bind the beacon's UDP port {port}: {exc}"
        ) from exc
    return udp


def check_payload(data: bytes, what: str) -> bytes:
    data = bytes(data)
    if len(data) > MAX_PAYLOAD:
        raise ZMQError(
            Errno.EINVAL, f"a beacon {what} is at most {MAX_PAYLOAD} bytes, not {len(data)}"
        )
    return data


def check_interval(interval: float) -> float:
    if not interval > 0:
        raise ZMQError(
            Errno.EINVAL, f"a beacon interval is a positive number of seconds, not {interval}"
        )
    return float(interval)


class Filter:
    """What a beacon publishes and lets through (see the module's docstring)."""

    __slots__ = ("ignore_own", "prefix", "transmit")

    def __init__(self, ignore_own: bool = True) -> None:
        self.transmit: bytes | None = None
        self.prefix: bytes | None = None
        self.ignore_own = ignore_own

    def accepts(self, payload: bytes) -> bool:
        if self.prefix is None or not payload.startswith(self.prefix):
            return False
        return not (self.ignore_own and payload == self.transmit)


def read_beacons(udp: socket.socket, keep: Filter) -> list[tuple[str, bytes]]:
    """Every datagram waiting on ``udp`` that ``keep`` accepts: (sender's IPv4 address, payload)."""
    got: list[tuple[str, bytes]] = []
    while True:
        try:
            payload, (host, _port) = udp.recvfrom(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return got
        except OSError:
            return got  # e.g. ICMP errors reported on the socket: not beacons
        if keep.accepts(payload):
            got.append((host, payload))
