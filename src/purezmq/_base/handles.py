"""``underlying`` handles: the int that ``Socket.shadow(h)`` / ``Context.shadow(h)`` resolve.

pyzmq's ``underlying`` is the address of the libzmq object, and ``Socket.shadow(address)``
wraps that same object in a second Python object. purezmq has no C object to point at, so a
handle is an int drawn from a counter when a socket or context is created (never reused, so a
stale handle never names a newer object), mapped to the public object that owns the engine
socket/context. The map holds its objects weakly: a handle resolves while its owner lives, as
a libzmq address is valid while the owner has not closed (or, collected, destroyed) it.

Front-ends use ``register`` when they create an owner and ``resolve`` to build a shadow over
its engine object (docs/contracts.md, "Shadows and underlying handles").

Layer 4 base: imports the standard library only.
"""

from __future__ import annotations

import itertools
import threading
import weakref
from typing import Generic, TypeVar

_T = TypeVar("_T")


class HandleRegistry(Generic[_T]):
    """Live owners by handle; thread-safe (objects are created on any thread)."""

    def __init__(self, first: int) -> None:
        """``first``: the first handle; far from small ints (a socket type or an errno passed
        by mistake is not taken for a handle), and apart for each kind of object."""
        self._owners: weakref.WeakValueDictionary[int, _T] = weakref.WeakValueDictionary()
        self._lock = threading.Lock()
        self._next = itertools.count(first)

    def register(self, owner: _T) -> int:
        """A new handle for ``owner``."""
        with self._lock:
            handle = next(self._next)
            self._owners[handle] = owner
        return handle

    def resolve(self, handle: int) -> _T | None:
        """The owner of ``handle``, or None once it was collected (or never existed)."""
        with self._lock:
            return self._owners.get(handle)


__all__ = ["HandleRegistry"]
