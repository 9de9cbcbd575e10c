"""Layer 1b, sans-IO routing: pipes, strategies, subscription tables, one pattern per type.

``PATTERNS[socket_type](options)`` builds the routing object of a socket
(``docs/contracts.md`` §Patterns). The draft thread-safe types are in ``threadsafe.py`` and
``radiodish.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from .._lazy import lazy_names
from ..constants import SocketType
from .base import Pattern, PatternOptions, PatternStatistics
from .disconnects import Disconnectable, DisconnectReason
from .pipe import Message, Pipe, compute_lwm, pipe_pair

if TYPE_CHECKING:
    from .pair import Pair
    from .pipeline import Pull, Push
    from .pubsub import Pub, Sub, XPub, XSub
    from .radiodish import Dish, Radio
    from .reqrep import Dealer, Rep, Req, Router
    from .stream import CLOSE_REQUEST, Stream
    from .threadsafe import Channel, Client, Gather, Peer, Scatter, Server

#: The module of each pattern class. A module is imported when a socket of one of
#: its types is first made, or when the name is first read here (PEP 562): a program that
#: makes REQ and REP sockets never loads the publish-subscribe tries or the draft types.
_LOCATIONS: dict[str, str] = {
    "Pair": "pair",
    "Pull": "pipeline",
    "Push": "pipeline",
    "Pub": "pubsub",
    "Sub": "pubsub",
    "XPub": "pubsub",
    "XSub": "pubsub",
    "Dish": "radiodish",
    "Radio": "radiodish",
    "Dealer": "reqrep",
    "Rep": "reqrep",
    "Req": "reqrep",
    "Router": "reqrep",
    "CLOSE_REQUEST": "stream",
    "Stream": "stream",
    "Channel": "threadsafe",
    "Client": "threadsafe",
    "Gather": "threadsafe",
    "Peer": "threadsafe",
    "Scatter": "threadsafe",
    "Server": "threadsafe",
}

_CLASS_NAMES: dict[SocketType, str] = {
    SocketType.PAIR: "Pair",
    SocketType.PUB: "Pub",
    SocketType.SUB: "Sub",
    SocketType.REQ: "Req",
    SocketType.REP: "Rep",
    SocketType.DEALER: "Dealer",
    SocketType.ROUTER: "Router",
    SocketType.PULL: "Pull",
    SocketType.PUSH: "Push",
    SocketType.XPUB: "XPub",
    SocketType.XSUB: "XSub",
    SocketType.STREAM: "Stream",
    SocketType.SERVER: "Server",
    SocketType.CLIENT: "Client",
    SocketType.RADIO: "Radio",
    SocketType.DISH: "Dish",
    SocketType.GATHER: "Gather",
    SocketType.SCATTER: "Scatter",
    SocketType.PEER: "Peer",
    SocketType.CHANNEL: "Channel",
}


__getattr__, __dir__ = lazy_names(__name__, _LOCATIONS, globals())


class _PatternTable(Mapping[SocketType, type[Pattern]]):
    """Socket type → pattern class, importing the class's module on first lookup (once per
    socket made, never per message)."""

    def __getitem__(self, socket_type: SocketType) -> type[Pattern]:
        name = _CLASS_NAMES[socket_type]
        cls: type[Pattern] = globals().get(name) or __getattr__(name)
        return cls

    def __iter__(self) -> Iterator[SocketType]:
        return iter(_CLASS_NAMES)

    def __len__(self) -> int:
        return len(_CLASS_NAMES)


PATTERNS: Mapping[SocketType, type[Pattern]] = _PatternTable()

__all__ = [
    "CLOSE_REQUEST",
    "Channel",
    "Client",
    "Dish",
    "Gather",
    "Peer",
    "Radio",
    "Scatter",
    "Server",
    "DisconnectReason",
    "Disconnectable",
    "PATTERNS",
    "Dealer",
    "Message",
    "Pair",
    "Pattern",
    "PatternOptions",
    "PatternStatistics",
    "Pipe",
    "Pub",
    "Pull",
    "Push",
    "Rep",
    "Req",
    "Router",
    "Stream",
    "Sub",
    "XPub",
    "XSub",
    "compute_lwm",
    "pipe_pair",
]
