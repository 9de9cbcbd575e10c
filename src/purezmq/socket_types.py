"""Socket types as data: ZMTP names, legal peers, capabilities.

Layer 0. The compatibility table is libzmq's ``mechanism.cpp: check_socket_type``
(docs/protocol/zmtp.md §10); RFC 37 asks each side to validate the peer's ``Socket-Type``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import SocketType

T = SocketType


@dataclass(frozen=True, slots=True)
class SocketTypeInfo:
    """What one socket type is allowed to do."""

    type: SocketType
    #: The ``Socket-Type`` metadata value sent in READY/INITIATE (RFC 37 §Socket types).
    zmtp_name: str
    #: Socket types this one accepts as ZMTP peers.
    peers: frozenset[SocketType]
    can_send: bool
    can_recv: bool
    #: Draft types are thread-safe and single-frame only (RFC 41/48/49/51/52).
    draft: bool = False
    #: Sends an ``Identity`` property in its READY (libzmq: REQ, DEALER and ROUTER only).
    sends_identity: bool = False

    @property
    def thread_safe(self) -> bool:
        return self.draft


def _info(
    t: SocketType,
    peers: tuple[SocketType, ...],
    send: bool,
    recv: bool,
    *,
    draft: bool = False,
    identity: bool = False,
) -> SocketTypeInfo:
    return SocketTypeInfo(t, t.name, frozenset(peers), send, recv, draft, identity)


SOCKET_TYPES: dict[SocketType, SocketTypeInfo] = {
    info.type: info
    for info in (
        _info(T.PAIR, (T.PAIR,), True, True),
        _info(T.PUB, (T.SUB, T.XSUB), True, False),
        _info(T.SUB, (T.PUB, T.XPUB), False, True),
        _info(T.REQ, (T.REP, T.ROUTER), True, True, identity=True),
        _info(T.REP, (T.REQ, T.DEALER), True, True),
        _info(T.DEALER, (T.REP, T.DEALER, T.ROUTER), True, True, identity=True),
        _info(T.ROUTER, (T.REQ, T.DEALER, T.ROUTER), True, True, identity=True),
        _info(T.PULL, (T.PUSH,), False, True),
        _info(T.PUSH, (T.PULL,), True, False),
        _info(T.XPUB, (T.SUB, T.XSUB), True, True),
        _info(T.XSUB, (T.PUB, T.XPUB), True, True),
        _info(T.STREAM, (), True, True),
        _info(T.SERVER, (T.CLIENT,), True, True, draft=True),
        _info(T.CLIENT, (T.SERVER,), True, True, draft=True),
        _info(T.RADIO, (T.DISH,), True, False, draft=True),
        _info(T.DISH, (T.RADIO,), False, True, draft=True),
        _info(T.GATHER, (T.SCATTER,), False, True, draft=True),
        _info(T.SCATTER, (T.GATHER,), True, False, draft=True),
        _info(T.DGRAM, (T.DGRAM,), True, True, draft=True),
        _info(T.PEER, (T.PEER,), True, True, draft=True),
        _info(T.CHANNEL, (T.CHANNEL,), True, True, draft=True),
    )
}

_BY_NAME: dict[str, SocketType] = {info.zmtp_name: t for t, info in SOCKET_TYPES.items()}


def info(socket_type: int) -> SocketTypeInfo:
    """The ``SocketTypeInfo`` of a socket type number; ``KeyError`` if there is none."""
    return SOCKET_TYPES[SocketType(socket_type)]


def from_zmtp_name(name: str | bytes) -> SocketType | None:
    """The socket type a ``Socket-Type`` value names (compared case-insensitively), or None."""
    if isinstance(name, bytes):
        try:
            name = name.decode("ascii")
        except UnicodeDecodeError:
            return None
    return _BY_NAME.get(name.upper())


def compatible(local: int, peer: int) -> bool:
    """Whether a socket of type ``local`` accepts a ZMTP peer of type ``peer``."""
    return SocketType(peer) in SOCKET_TYPES[SocketType(local)].peers


__all__ = ["SocketTypeInfo", "SOCKET_TYPES", "info", "from_zmtp_name", "compatible"]
