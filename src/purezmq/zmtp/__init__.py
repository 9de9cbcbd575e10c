"""Layer 1a: the sans-IO ZMTP 3.x wire protocol.

Owns everything between bytes on a stream and whole messages for one peer: the greeting
(``greeting``), framing (``codec``), commands (``commands``), metadata (``metadata``), security
mechanisms (``mechanisms``) and the per-peer state machine with its timers (``connection``).
It imports only layer 0 and the standard library, and never touches sockets, threads or the
clock (docs/architecture.md §1).
"""

from __future__ import annotations

from .codec import FrameDecoder, FrameEncoder
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
    "encode_metadata",
    "decode_metadata",
    "get_property",
]
