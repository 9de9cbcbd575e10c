"""Layer 1a: the sans-IO ZMTP 3.x wire protocol.

Owns everything between bytes on a stream and whole messages for one peer: the greeting
(``greeting``), framing (``codec``), commands (``commands``), metadata (``metadata``), security
mechanisms (``mechanisms``) and the per-peer state machine with its timers (``connection``).
It imports only layer 0 and the standard library, and never touches sockets, threads or the
clock (docs/architecture.md §1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

if TYPE_CHECKING:
    from .codec import FrameDecoder, FrameEncoder, Received
    from .connection import Connection, ConnectionOptions, ConnectionState
    from .events import (
        Event,
        GroupJoined,
        GroupLeft,
        HandshakeFailedAuth,
        HandshakeSucceeded,
        HandshakeTimeout,
        HeartbeatExpiry,
        HeartbeatTimeout,
        PeerClosed,
        ProtocolFailure,
        ZapRequest,
    )
    from .greeting import Greeting, GreetingParser, encode_greeting
    from .mechanisms import Mechanism, MechanismStatus, NullMechanism
    from .metadata import decode_metadata, encode_metadata, get_property

#: Where each name lives. The submodules load on first use (PEP 562), so that a Context whose
#: sockets only use inproc:// never loads the codec or the connection state machine, and
#: ``from purezmq.zmtp.bodies import ...`` does not pull in the rest of the package.
_LOCATIONS: dict[str, str] = {
    "FrameDecoder": "codec",
    "FrameEncoder": "codec",
    "Received": "codec",
    "Connection": "connection",
    "ConnectionOptions": "connection",
    "ConnectionState": "connection",
    "Event": "events",
    "GroupJoined": "events",
    "GroupLeft": "events",
    "HandshakeFailedAuth": "events",
    "HandshakeSucceeded": "events",
    "HandshakeTimeout": "events",
    "HeartbeatExpiry": "events",
    "HeartbeatTimeout": "events",
    "PeerClosed": "events",
    "ProtocolFailure": "events",
    "ZapRequest": "events",
    "Greeting": "greeting",
    "GreetingParser": "greeting",
    "encode_greeting": "greeting",
    "Mechanism": "mechanisms",
    "MechanismStatus": "mechanisms",
    "NullMechanism": "mechanisms",
    "decode_metadata": "metadata",
    "encode_metadata": "metadata",
    "get_property": "metadata",
}


__getattr__, __dir__ = lazy_names(__name__, _LOCATIONS, globals())


__all__ = [
    "Connection",
    "ConnectionOptions",
    "ConnectionState",
    "Event",
    "HandshakeSucceeded",
    "ProtocolFailure",
    "HandshakeFailedAuth",
    "HandshakeTimeout",
    "HeartbeatExpiry",
    "HeartbeatTimeout",
    "PeerClosed",
    "ZapRequest",
    "GroupJoined",
    "GroupLeft",
    "Mechanism",
    "MechanismStatus",
    "NullMechanism",
    "Greeting",
    "GreetingParser",
    "encode_greeting",
    "FrameEncoder",
    "FrameDecoder",
    "Received",
    "encode_metadata",
    "decode_metadata",
    "get_property",
]
