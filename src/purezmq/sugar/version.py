"""pyzmq's ``zmq.sugar.version``: the pyzmq API level and the libzmq protocol level.

``__version__`` here is the pyzmq release whose API purezmq implements (what
``zmq.__version__`` reports once installed as ``zmq``); purezmq's own version is
``purezmq.__version__``. See docs/dropin.md.
"""

from __future__ import annotations

import re

from .. import pyzmq_version, pyzmq_version_info, zmq_version, zmq_version_info

__version__: str = pyzmq_version()
__revision__: str = ""

_parts = re.match(r"(\d+)\.(\d+)\.(\d+)(.*)", __version__)
assert _parts is not None
VERSION_MAJOR = int(_parts.group(1))
VERSION_MINOR = int(_parts.group(2))
VERSION_PATCH = int(_parts.group(3))
VERSION_EXTRA = _parts.group(4).lstrip(".")
version_info: tuple[int, ...] = pyzmq_version_info()

__all__ = [
    "zmq_version",
    "zmq_version_info",
    "pyzmq_version",
    "pyzmq_version_info",
    "__version__",
    "__revision__",
]
