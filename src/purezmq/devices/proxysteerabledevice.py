"""``ProxySteerable`` and its Thread/Process forms: a ``Proxy`` with a control socket that
takes libzmq's commands PAUSE, RESUME, TERMINATE and STATISTICS (``zmq.proxy_steerable``)."""

from __future__ import annotations

from typing import Any

from ..constants import PUB
from ..sync import Socket
from .basedevice import SocketPlan
from .proxydevice import ProcessProxy, Proxy, ProxyBase, ThreadProxy


class ProxySteerableBase(ProxyBase):
    """Adds the control socket (``ctrl_type``) and its ``*_ctrl`` methods.

    ``TERMINATE`` on it ends the device cleanly (``done`` becomes true, the sockets close).
    """

    def __init__(
        self,
        in_type: int,
        out_type: int,
        mon_type: int = PUB,
        ctrl_type: int | None = None,
    ) -> None:
        if ctrl_type is None:
            raise TypeError("ctrl_type must be specified (the control socket's type)")
        super().__init__(in_type=in_type, out_type=out_type, mon_type=mon_type)
        self.ctrl_type = ctrl_type
        self._plans["ctrl"] = SocketPlan(ctrl_type)

    def bind_ctrl(self, addr: str) -> None:
        """Bind the control socket to ``addr`` when the device starts."""
        self._plans["ctrl"].binds.append(addr)

    def connect_ctrl(self, addr: str) -> None:
        """Connect the control socket to ``addr`` when the device starts."""
        self._plans["ctrl"].connects.append(addr)

    def setsockopt_ctrl(self, opt: int, value: Any) -> None:
        """Set option ``opt`` on the control socket when the device starts."""
        self._plans["ctrl"].sockopts.append((opt, value))

    def bind_ctrl_to_random_port(self, addr: str, *args: Any, **kwargs: Any) -> int:
        """Pick a free port on ``addr`` now, bind the control socket to it later; return it."""
        port = self._reserve_random_port(addr, *args, **kwargs)
        self.bind_ctrl(f"{addr}:{port}")
        return port

    def _setup_sockets(self) -> tuple[Socket, ...]:
        return (*super()._setup_sockets(), self._open("ctrl"))

    def run_device(self) -> None:
        from .._proxy import proxy_steerable

        ins, outs, mons, ctrls = self._setup_sockets()
        proxy_steerable(ins, outs, mons, ctrls)


class ProxySteerable(ProxySteerableBase, Proxy):
    """A steerable proxy run in ``start()``'s thread.

    ``ProxySteerable(in_type, out_type, mon_type=PUB, ctrl_type=...)``.
    """


class ThreadProxySteerable(ProxySteerableBase, ThreadProxy):
    """A ``ProxySteerable`` in a background thread."""


class ProcessProxySteerable(ProxySteerableBase, ProcessProxy):
    """A ``ProxySteerable`` in a child process."""


__all__ = ["ProxySteerable", "ThreadProxySteerable", "ProcessProxySteerable"]
