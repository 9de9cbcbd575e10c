"""Beacons: LAN discovery by UDP broadcast, with czmq zbeacon's wire behaviour.

``Beacon`` (blocking API, an actor thread) and ``AsyncBeacon`` (asyncio) publish a payload of
at most 255 bytes to the interface's broadcast address at an interval, deliver the beacons of
others that start with a subscribed prefix as ``(address, payload)``, and ignore their own.
``udp.py`` holds the wire rules, ``interfaces.py`` the choice of interface (``ZSYS_INTERFACE``),
``command.py`` the ``purezmq beacon`` command.
"""

from __future__ import annotations

from .aio import AsyncBeacon
from .interfaces import Interface, choose_interface, list_interfaces
from .sync import Beacon
from .udp import MAX_PAYLOAD

__all__ = [
    "MAX_PAYLOAD",
    "AsyncBeacon",
    "Beacon",
    "Interface",
    "choose_interface",
    "list_interfaces",
]
