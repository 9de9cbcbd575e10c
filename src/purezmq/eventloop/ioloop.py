"""Deprecated: tornado's ``IOLoop`` under pyzmq's old names (``zmq.eventloop.ioloop``).

pyzmq ≥ 17 needs no special loop for tornado, and neither does purezmq: this module warns on
import (``DeprecationWarning``, as pyzmq's does) and re-exports ``tornado.ioloop``, with
``ZMQIOLoop`` an alias of ``IOLoop`` and ``install()`` a no-op that warns again.
"""

from __future__ import annotations

import warnings

from ._tornado import require_tornado

require_tornado()

_WARNING = (
    "zmq.eventloop.ioloop is deprecated in pyzmq 17. "
    "pyzmq now works with default tornado and asyncio eventloops."
)


def _deprecated() -> None:
    # stacklevel 3: the warning names the importer (or install()'s caller), not this module.
    warnings.warn(_WARNING, DeprecationWarning, stacklevel=3)


_deprecated()

from tornado.ioloop import *  # noqa: E402, F403
from tornado.ioloop import IOLoop  # noqa: E402

ZMQIOLoop = IOLoop


def install() -> None:
    """Deprecated, does nothing: tornado's default IOLoop already works with purezmq."""
    _deprecated()
