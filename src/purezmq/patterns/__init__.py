"""Layer 1b, sans-IO routing: pipes, strategies, subscription tables, one pattern per type.

``PATTERNS[socket_type](options)`` builds the routing object of a socket
(``docs/contracts.md`` §Patterns). The draft thread-safe types are in ``threadsafe.py`` and
``radiodish.py``.
"""

from __future__ import annotations

from ..constants import SocketType
from .base import Pattern, PatternOptions, PatternStatistics
from .disconnects import Disconnectable, DisconnectReason
from .pair import Pair
from .pipe import Message, Pipe, compute_lwm, pipe_pair
from .pipeline import Pull, Push
from .pubsub import Pub, Sub, XPub, XSub
from .radiodish import Dish, Radio
from .reqrep import Dealer, Rep, Req, Router
from .stream import CLOSE_REQUEST, Stream
from .threadsafe import Channel, Client, Gather, Peer, Scatter, Server

PATTERNS: dict[SocketType, type[Pattern]] = {
    SocketType.PAIR: Pair,
    SocketType.PUB: Pub,
    SocketType.SUB: Sub,
    SocketType.REQ: Req,
    SocketType.REP: Rep,
    SocketType.DEALER: Dealer,
    SocketType.ROUTER: Router,
    SocketType.PULL: Pull,
    SocketType.PUSH: Push,
    SocketType.XPUB: XPub,
    SocketType.XSUB: XSub,
    SocketType.STREAM: Stream,
    SocketType.SERVER: Server,
    SocketType.CLIENT: Client,
    SocketType.RADIO: Radio,
    SocketType.DISH: Dish,
    SocketType.GATHER: Gather,
    SocketType.SCATTER: Scatter,
    SocketType.PEER: Peer,
    SocketType.CHANNEL: Channel,
}

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
