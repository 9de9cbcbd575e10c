"""purezmq: ZeroMQ in pure Python, with pyzmq's API and libzmq's wire protocol."""

from __future__ import annotations

from . import constants
from .constants import *  # noqa: F403
from .error import (
    Again,
    ContextTerminated,
    InterruptedSystemCall,
    NotDone,
    ZMQBaseError,
    ZMQBindError,
    ZMQError,
    ZMQVersionError,
    strerror,
)

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "constants",
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
