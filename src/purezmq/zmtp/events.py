"""The rare things a ``Connection`` reports besides messages.

Owns the event vocabulary between ``zmtp.Connection`` and the engine (docs/architecture.md §2).
Messages are plain lists on the hot path; everything here happens at most a few times per connection
(heartbeats aside), so these are small frozen dataclasses the engine matches on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from ..constants import SocketType
from ..error import ProtocolError


class Event:
    """Base of every connection event."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class HandshakeSucceeded(Event):
    """Greeting and security handshake done; messages may flow (monitor HANDSHAKE_SUCCEEDED).

    ``peer_metadata`` holds the peer's properties as it spelled them, plus ``User-Id`` and any
    ZAP metadata when our ZAP handler supplied them.
    """

    peer_metadata: dict[str, bytes] = field(hash=False)
    #: The peer's ``Socket-Type`` (None when the peer sent none; libzmq accepts that).
    peer_socket_type: SocketType | None
    #: The peer's ``Identity`` property (None when absent; ``b""`` means "assign one").
    peer_identity: bytes | None
    #: The minor version the peer announced (0 = ZMTP 3.0: legacy subscription form).
    peer_minor: int


@dataclass(frozen=True, slots=True)
class ProtocolFailure(Event):
    """The connection broke the protocol (monitor HANDSHAKE_FAILED_PROTOCOL with ``error.code``
    during the handshake). ``error.fault`` says whose fault: ``"peer"`` or ``"local"``.
    libzmq does not reconnect after a protocol error (docs/protocol/zmtp.md §11)."""

    error: ProtocolError
    during_handshake: bool


@dataclass(frozen=True, slots=True)
class HandshakeFailedAuth(Event):
    """Authentication failed (monitor HANDSHAKE_FAILED_AUTH, value ``status``).

    ``by_peer`` is True when the peer sent ERROR with a 3xx/4xx/5xx reason (do not reconnect,
    RFC 27), False when our own ZAP handler refused the peer (we sent ERROR unless 300).
    """

    status: int
    by_peer: bool


@dataclass(frozen=True, slots=True)
class HandshakeTimeout(Event):
    """HANDSHAKE_IVL expired before the handshake finished (a timeout: the connecting side
    reconnects, docs/protocol/zmtp.md §11)."""


class HeartbeatExpiry(Enum):
    """Which heartbeat timer expired (docs/protocol/zmtp.md §9)."""

    #: HEARTBEAT_TIMEOUT after our PING.
    TIMEOUT = "timeout"
    #: The TTL the peer asked for in its PING.
    TTL = "ttl"


@dataclass(frozen=True, slots=True)
class HeartbeatTimeout(Event):
    """Nothing arrived from the peer in time (``reason`` says which timer). Treated like a
    lost connection: the connecting side reconnects."""

    reason: HeartbeatExpiry


@dataclass(frozen=True, slots=True)
class PeerClosed(Event):
    """The transport reached EOF (``receive_eof``)."""

    during_handshake: bool


@dataclass(frozen=True, slots=True)
class ZapRequest(Event):
    """The mechanism needs the ZAP handler's verdict before going on (zap.md §2).

    The engine adds version, request id, domain, address and its routing id, sends the request
    to ``inproc://zeromq.zap.01``, and answers with ``Connection.zap_reply(...)``. While waiting
    the connection stalls its handshake; the handshake timer keeps running.
    """

    mechanism: bytes
    credentials: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class GroupJoined(Event):
    """A DISH peer sent JOIN (RFC 48); RADIO patterns track groups per peer."""

    group: bytes


@dataclass(frozen=True, slots=True)
class GroupLeft(Event):
    """A DISH peer sent LEAVE."""

    group: bytes


__all__ = [
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
]
