"""``MonitoredQueue`` and its Thread/Process forms: a device running ``monitored_queue``."""

from __future__ import annotations

from ..constants import PUB
from .monitoredqueue import monitored_queue
from .proxydevice import ProcessProxy, Proxy, ProxyBase, ThreadProxy


class MonitoredQueueBase(ProxyBase):
    """Runs ``monitored_queue`` with the device's ``in_prefix``/``out_prefix``."""

    def __init__(
        self,
        in_type: int,
        out_type: int,
        mon_type: int = PUB,
        in_prefix: bytes = b"in",
        out_prefix: bytes = b"out",
    ) -> None:
        super().__init__(in_type=in_type, out_type=out_type, mon_type=mon_type)
        self._in_prefix = in_prefix
        self._out_prefix = out_prefix

    def run_device(self) -> None:
        ins, outs, mons = self._setup_sockets()
        monitored_queue(ins, outs, mons, self._in_prefix, self._out_prefix)


class MonitoredQueue(MonitoredQueueBase, Proxy):
    """``monitored_queue`` run in ``start()``'s thread; ROUTER on both sides is allowed.

    ``MonitoredQueue(in_type, out_type, mon_type=PUB, in_prefix=b"in", out_prefix=b"out")``.
    """


class ThreadMonitoredQueue(MonitoredQueueBase, ThreadProxy):
    """A ``MonitoredQueue`` in a background thread."""


class ProcessMonitoredQueue(MonitoredQueueBase, ProcessProxy):
    """A ``MonitoredQueue`` in a child process."""


__all__ = ["MonitoredQueue", "ThreadMonitoredQueue", "ProcessMonitoredQueue"]
