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
    raise ModuleNotFoundError(
        "purezmq.green needs gevent: pip install 'purezmq[gevent]'", name="gevent"
    ) from _exc

from .. import *  # noqa: F403 - every name purezmq exports, as pyzmq's green does
from .. import _FINISHED_TRACKER as _FINISHED_TRACKER
from .. import __all__ as _purezmq_all
from ..constants import *  # noqa: F403
from .context import Context as Context

# The function, bound after its submodule loaded: the package attribute ``device`` is the
# function, as in pyzmq's ``zmq.green``.
from .device import device as device
from .poll import Poller as Poller
from .poll import select as select
from .poll import zmq_poll as zmq_poll
from .socket import Socket as Socket

#: The same public names as ``purezmq``'s, the green classes among them (and, as pyzmq's
#: ``zmq.__all__`` has it, the done tracker).
__all__ = [*_purezmq_all, "_FINISHED_TRACKER"]
