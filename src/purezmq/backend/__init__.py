"""pyzmq's ``zmq.backend``: the names pyzmq's compiled backend exposes, from purezmq.

pyzmq picks a Cython or CFFI binding to libzmq here; purezmq has one implementation, the pure
Python one, so these are the very objects of the top-level package (``zmq.backend.Context is
zmq.Context``). pyzmq's binding modules themselves (``zmq.backend.cython``,
``zmq.backend.cffi``) raise ImportError: there is no libzmq to bind to.
"""

from __future__ import annotations

import sys

from .. import (
    PYZMQ_DRAFT_API,
    Context,
    Frame,
    Message,
    Socket,
    curve_keypair,
    curve_public,
    has,
    proxy,
    proxy_steerable,
    strerror,
    zmq_errno,
    zmq_poll,
    zmq_version_info,
)
from ..devices.monitoredqueue import monitored_queue

#: libzmq's limit on an ipc path (``sizeof(sockaddr_un.sun_path) - 1``): 107 on Linux, 103
#: on the BSDs and macOS (their ``sun_path`` is 104 bytes). purezmq's ipc transport binds
#: the same kernel structure.
IPC_PATH_MAX_LEN: int = 107 if sys.platform.startswith("linux") else 103

#: The names pyzmq's ``zmq.backend.select.public_api`` lists, in its order.
public_api = [
    "Context",
    "Socket",
    "Frame",
    "Message",
    "proxy",
    "proxy_steerable",
    "zmq_poll",
    "strerror",
    "zmq_errno",
    "has",
    "curve_keypair",
    "curve_public",
    "zmq_version_info",
    "IPC_PATH_MAX_LEN",
    "PYZMQ_DRAFT_API",
]

__all__ = [
    "Context",
    "Socket",
    "Frame",
    "Message",
    "proxy",
    "proxy_steerable",
    "zmq_poll",
    "strerror",
    "zmq_errno",
    "has",
    "curve_keypair",
    "curve_public",
    "zmq_version_info",
    "IPC_PATH_MAX_LEN",
    "PYZMQ_DRAFT_API",
    "monitored_queue",
]
