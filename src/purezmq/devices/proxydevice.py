"""``Proxy``, ``ThreadProxy``, ``ProcessProxy``: a device with a third, monitor socket that
receives a copy of every forwarded message (``zmq.proxy``'s capture socket)."""

from __future__ import annotations

from typing import Any

from ..constants import PUB
from ..sync import Socket
from .basedevice import Device, ProcessDevice, SocketPlan, ThreadDevice


class ProxyBase(Device):
    """Adds the monitor socket (``mon_type``, a PUB by default) and its ``*_mon`` methods."""

    def __init__(self, in_type: int, out_type: int, mon_type: int = PUB) -> None:
        super().__init__(in_type=in_type, out_type=out_type)
        self.mon_type = mon_type
        self._plans["mon"] = SocketPlan(mon_type)

    def bind_mon(self, addr: str) -> None:
        """Bind the monitor socket to ``addr`` when the device starts."""
        self._plans["mon"].binds.append(addr)

    def connect_mon(self, addr: str) -> None:
        """Connect the monitor socket to ``addr`` when the device starts."""
        self._plans["mon"].connects.append(addr)

    def setsockopt_mon(self, opt: int, value: Any) -> None:
        """Set option ``opt`` on the monitor socket when the device starts."""
        self._plans["mon"].sockopts.append((opt, value))

    def bind_mon_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """Pick a free port on ``addr`` now, bind the monitor socket to it later; return it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_mon(f"{addr}:{port}")
        return port

    def _setup_sockets(self) -> tuple[Socket, ...]:
        ins, outs = Device._setup_sockets(self)
        return ins, outs, self._open("mon")

    def run_device(self) -> None:
        from .._proxy import proxy

        ins, outs, mons = self._setup_sockets()
        proxy(ins, outs, mons)


class Proxy(ProxyBase):
    """A proxy whose monitor socket gets a copy of every message; runs in ``start()``'s
    thread. ``Proxy(in_type, out_type, mon_type=PUB)``."""


class ThreadProxy(ProxyBase, ThreadDevice):
    """A ``Proxy`` in a background thread."""


class ProcessProxy(ProxyBase, ProcessDevice):
    """A ``Proxy`` in a child process."""


__all__ = ["Proxy", "ThreadProxy", "ProcessProxy"]
