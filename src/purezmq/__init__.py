"""purezmq: ZeroMQ in pure Python, with pyzmq's API and libzmq's wire protocol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import constants
from . import utils as utils
from ._base.versions import (
    has,
    pyzmq_version,
    pyzmq_version_info,
    zmq_version,
    zmq_version_info,
)
from .constants import *  # noqa: F403
from .error import (
    Again,
    ContextTerminated,
    DraftFDWarning,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)

if TYPE_CHECKING:
    from . import backend as backend
    from . import sugar as sugar
    from ._curve_keys import curve_keypair, curve_public
    from ._proxy import device, proxy, proxy_steerable
    from .compat import install_as_zmq
    from .sugar.stopwatch import Stopwatch
    from .sync import (
        Context,
        Frame,
        Message,
        MessageTracker,
        Poller,
        Socket,
        select,
        zmq_poll,
    )
    from .sync import Context as SyncContext
    from .sync import Socket as SyncSocket

# The sync API (and the CURVE key helpers) are imported on first use (PEP 562), so that
# ``import purezmq.constants`` and the sans-IO layers never pull the engine or PyNaCl in;
# ``purezmq.Context`` is ``purezmq.sync.Context``. name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    **{
        name: ("sync", name)
        for name in (
            "Context",
            "Frame",
            "Message",
            "MessageTracker",
            "Poller",
            "Socket",
            "select",
            "zmq_poll",
        )
    },
    "SyncContext": ("sync", "Context"),
    "SyncSocket": ("sync", "Socket"),
    "curve_keypair": ("_curve_keys", "curve_keypair"),
    "curve_public": ("_curve_keys", "curve_public"),
    "install_as_zmq": ("compat", "install_as_zmq"),
    "proxy": ("_proxy", "proxy"),
    "device": ("_proxy", "device"),
    "proxy_steerable": ("_proxy", "proxy_steerable"),
    "Stopwatch": ("sugar.stopwatch", "Stopwatch"),
    "_FINISHED_TRACKER": ("sugar.tracker", "_FINISHED_TRACKER"),
}

#: Submodules that ``import zmq`` makes reachable as attributes in pyzmq, imported here on
#: first use: ``zmq.backend.has(...)``, ``zmq.sugar.socket.Socket``.
_LAZY_SUBMODULES = frozenset({"backend", "sugar"})


def __getattr__(name: str) -> Any:
    import importlib

    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    target = _LAZY.get(name)
    if target is None:
        raise AttributeError(f"module 'purezmq' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{target[0]}"), target[1])
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY, *_LAZY_SUBMODULES})


#: purezmq's own version. Installed as ``zmq`` (``install_as_zmq``), ``zmq.__version__`` reports
#: the pyzmq API level instead (``pyzmq_version()``): see docs/dropin.md.
__version__ = "0.2.0"
#: pyzmq's VCS revision suffix of ``pyzmq_version()``; purezmq has none.
__revision__ = ""
#: pyzmq's default threshold for zero-copy sends; purezmq always hands over immutable bytes.
COPY_THRESHOLD = 65536
#: The draft API (RADIO/DISH, SERVER/CLIENT, routing_id/group on send) is not implemented.
DRAFT_API = False
PYZMQ_DRAFT_API = False


def zmq_errno() -> int:
    """libzmq's thread-local errno; purezmq reports errors as exceptions only, so always 0."""
    return 0


#: purezmq's own version as a tuple (``zmq_version_info()`` is the libzmq version we match).
version_info = tuple(int(part) for part in __version__.split("."))


def get_includes() -> list[str]:
    """pyzmq returns C header directories; there are none in pure Python."""
    return []


def get_library_dirs() -> list[str]:
    """pyzmq returns C library directories; there are none in pure Python."""
    return []


__all__ = [
    "__version__",
    "__revision__",
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
    "Stopwatch",
    "Again",
    "ContextTerminated",
    "DraftFDWarning",
    "InterruptedSystemCall",
    "NotDone",
    "ZMQBaseError",
    "ZMQBindError",
    "ZMQError",
    "ZMQVersionError",
    "strerror",
    *constants.__all__,
]
