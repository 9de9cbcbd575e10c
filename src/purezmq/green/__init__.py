"""gevent-cooperative purezmq (pyzmq's ``zmq.green``): ``import purezmq.green as zmq``.

Everything ``purezmq`` exports is here (constants, errors, ``Frame``, ``proxy``...), with
``Context``, ``Socket``, ``Poller``, ``select`` and ``zmq_poll`` replaced by versions whose
blocking calls block only the calling greenlet: they wait for the socket's wake-up fd through
gevent's hub (libzmq's FD contract), and re-check after every wake-up. ``device``/``proxy``
given green sockets are green too. Unlike pyzmq's green sockets, RCVTIMEO and SNDTIMEO are
honoured (``Again`` after the timeout), and ``Context.term()`` lets the greenlets that own
sockets run (and close them) while it waits.

Needs gevent: ``pip install 'purezmq[gevent]'``.
"""

from __future__ import annotations

try:
    import gevent as _gevent  # noqa: F401
except ImportError as _exc:  # pragma: no cover - the test extra installs gevent
    raise ImportError("purezmq.green needs gevent: pip install 'purezmq[gevent]'") from _exc

from .. import (
    COPY_THRESHOLD,
    DRAFT_API,
    PYZMQ_DRAFT_API,
    Again,
    ContextTerminated,
    Frame,
    InterruptedSystemCall,
    Message,
    MessageTracker,
    NotDone,
    SyncContext,
    SyncSocket,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    __version__,
    constants,
    curve_keypair,
    curve_public,
    device,
    get_includes,
    get_library_dirs,
    has,
    install_as_zmq,
    proxy,
    proxy_steerable,
    pyzmq_version,
    pyzmq_version_info,
    strerror,
    version_info,
    zmq_errno,
    zmq_version,
    zmq_version_info,
)
from ..constants import *  # noqa: F403
from .context import Context
from .poll import Poller, select, zmq_poll
from .socket import Socket

__all__ = [
    "__version__",
    "version_info",
    "constants",
    "Context",
    "Socket",
    "Poller",
    "Frame",
    "Message",
    "MessageTracker",
    "select",
    "has",
    "zmq_version",
    "zmq_version_info",
    "pyzmq_version",
    "pyzmq_version_info",
    "get_includes",
    "COPY_THRESHOLD",
    "DRAFT_API",
    "PYZMQ_DRAFT_API",
    "SyncContext",
    "SyncSocket",
    "zmq_errno",
    "zmq_poll",
    "curve_keypair",
    "curve_public",
    "get_library_dirs",
    "proxy",
    "proxy_steerable",
    "device",
    "install_as_zmq",
    "Again",
    "ContextTerminated",
    "InterruptedSystemCall",
    "NotDone",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "strerror",
    *constants.__all__,
]
