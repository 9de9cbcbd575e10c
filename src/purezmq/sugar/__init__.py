"""pyzmq's ``zmq.sugar``: the Python layer over the core objects, here purezmq's sync API.

Programs reach into it (``zmq.sugar.socket.Socket``, ``zmq.sugar.context.Context``...); each
submodule re-exports purezmq's public classes under pyzmq's module names, so
``zmq.sugar.socket.Socket is zmq.Socket``.
"""

from __future__ import annotations

from .. import error
from .._proxy import device
from ..error import *  # noqa: F403
from . import attrsettr as attrsettr
from . import context, frame, poll, socket, tracker, version
from . import stopwatch as stopwatch
from .context import *  # noqa: F403
from .frame import *  # noqa: F403
from .poll import *  # noqa: F403
from .socket import *  # noqa: F403
from .stopwatch import Stopwatch as Stopwatch
from .tracker import *  # noqa: F403
from .tracker import _FINISHED_TRACKER  # noqa: F401  (in pyzmq's __all__)
from .version import *  # noqa: F403

__all__ = ["device"]
for _module in (context, error, frame, poll, socket, tracker, version):
    __all__.extend(_module.__all__)
__all__.append("Stopwatch")
