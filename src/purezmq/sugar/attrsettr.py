"""pyzmq's ``zmq.sugar.attrsettr``: ``AttributeSetter``, the mixin that maps ``sock.linger``
to ``sock.get(LINGER)``/``set``.

It is the base purezmq's Socket and Context already share; found through their MRO so this
module does not depend on where the front-end keeps it.
"""

from __future__ import annotations

from ..sync import Socket


def _find_attribute_setter() -> type:
    for cls in Socket.__mro__:
        if cls.__name__ == "AttributeSetter":
            return cls
    raise ImportError("purezmq.Socket has no AttributeSetter base")


AttributeSetter: type = _find_attribute_setter()

__all__ = ["AttributeSetter"]
