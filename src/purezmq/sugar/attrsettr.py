"""pyzmq's ``zmq.sugar.attrsettr``: ``AttributeSetter``, the mixin that maps ``sock.linger``
to ``sock.get(LINGER)``/``set``.

It is the base purezmq's Socket and Context share; it is looked up through their MRO on first
use, so this module does not depend on where the front-end keeps the class.
"""

from __future__ import annotations

from typing import Any

#: Declared for type checkers; bound by ``__getattr__`` on first access.
AttributeSetter: type


def _find_attribute_setter() -> type:
    from ..sync import Socket

    for cls in Socket.__mro__:
        if cls.__name__ == "AttributeSetter":
            return cls
    raise AttributeError("purezmq.Socket has no AttributeSetter base class")


def __getattr__(name: str) -> Any:
    if name == "AttributeSetter":
        value = _find_attribute_setter()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["AttributeSetter"]
