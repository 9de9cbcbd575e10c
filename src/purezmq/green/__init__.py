"""gevent-cooperative purezmq (pyzmq's ``zmq.green``): ``import purezmq.green as zmq``.

Everything ``purezmq`` exports is here (constants, errors, ``Frame``, ``proxy``...), with
``Context``, ``Socket``, ``Poller``, ``select`` and ``zmq_poll`` replaced by versions whose
blocking calls block only the calling greenlet: they wait for the socket's wake-up fd through
gevent's hub (libzmq's FD contract), and re-check after every wake-up. ``device``/``proxy``
given green sockets are green too. Unlike pyzmq's green sockets, RCVTIMEO and SNDTIMEO are
honoured (``Again`` after the timeout).

Needs gevent: ``pip install 'purezmq[gevent]'``.
"""

from __future__ import annotations

try:
    import gevent as _gevent  # noqa: F401
except ImportError as _exc:  # pragma: no cover - the test extra installs gevent
    raise ImportError(
        "purezmq.green needs gevent: pip install 'purezmq[gevent]'"
    ) from _exc

from .. import *  # noqa: F403
from .. import __all__ as _purezmq_all
from .context import Context
from .poll import Poller, select, zmq_poll
from .socket import Socket

__all__ = list(_purezmq_all)
