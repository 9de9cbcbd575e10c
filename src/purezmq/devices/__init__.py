"""Devices run in the background (pyzmq's ``zmq.devices``): proxies that create their own
sockets in the thread or process that runs them.

=====================  ===============================  ====================================
in the caller          in a thread                      in a child process
=====================  ===============================  ====================================
``Device``             ``ThreadDevice``                 ``ProcessDevice``
``Proxy``              ``ThreadProxy``                  ``ProcessProxy``
``ProxySteerable``     ``ThreadProxySteerable``         ``ProcessProxySteerable``
``MonitoredQueue``     ``ThreadMonitoredQueue``         ``ProcessMonitoredQueue``
=====================  ===============================  ====================================

Also ``monitored_queue``, the function behind ``MonitoredQueue``.
"""

from __future__ import annotations

from .. import proxy as proxy  # pyzmq's zmq.devices has these two names too
from ..constants import DeviceType as DeviceType
from . import basedevice as basedevice
from . import monitoredqueue as monitoredqueue
from . import monitoredqueuedevice as monitoredqueuedevice
from . import proxydevice as proxydevice
from . import proxysteerabledevice as proxysteerabledevice
from .basedevice import Device, ProcessDevice, ThreadDevice
from .monitoredqueue import monitored_queue
from .monitoredqueuedevice import MonitoredQueue, ProcessMonitoredQueue, ThreadMonitoredQueue
from .proxydevice import ProcessProxy, Proxy, ThreadProxy
from .proxysteerabledevice import ProcessProxySteerable, ProxySteerable, ThreadProxySteerable

__all__ = [
    "Device",
    "ThreadDevice",
    "ProcessDevice",
    "Proxy",
    "ThreadProxy",
    "ProcessProxy",
    "ProxySteerable",
    "ThreadProxySteerable",
    "ProcessProxySteerable",
    "monitored_queue",
    "MonitoredQueue",
    "ThreadMonitoredQueue",
    "ProcessMonitoredQueue",
]
