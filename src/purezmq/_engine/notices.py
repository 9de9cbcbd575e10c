"""The draft notification messages (libzmq 4.3.3+, docs/protocol/patterns.md §8): ``HELLO_MSG``,
``DISCONNECT_MSG`` and ``HICCUP_MSG``.

- HELLO_MSG: sent to every new peer before anything else, by ROUTER, DEALER, CLIENT, SERVER and
  PEER (libzmq ``hello_msg_session_t`` over the network, ``send_hello_msg`` for inproc);
- DISCONNECT_MSG: delivered to the application when an *accepted* peer's connection is lost
  after its handshake (ROUTER, SERVER, PEER: it comes with that peer's routing id);
- HICCUP_MSG: delivered when a *connected* peer's connection is lost after its handshake
  (DEALER, CLIENT, PEER);
- ROUTER_NOTIFY: a ROUTER delivers an empty message from a peer when its handshake completes
  (NOTIFY_CONNECT) and when its connection is lost (NOTIFY_DISCONNECT), so the application
  sees ``[routing_id, b""]`` (libzmq ``stream_engine_base``, before DISCONNECT_MSG).

None of them changes the wire. Layer 3: options and socket types only.
"""

from __future__ import annotations

from ..constants import RouterNotify, SocketType
from ..options import SocketOptions

T = SocketType

_HELLO_SENDERS = frozenset({T.ROUTER, T.DEALER, T.CLIENT, T.SERVER, T.PEER})
_DISCONNECT_RECEIVERS = frozenset({T.ROUTER, T.SERVER, T.PEER})
_HICCUP_RECEIVERS = frozenset({T.DEALER, T.CLIENT, T.PEER})


def hello(socket_type: int, options: SocketOptions) -> bytes | None:
    """The HELLO_MSG this socket sends each new peer, or None."""
    msg = options.hello_msg
    return bytes(msg) if msg and socket_type in _HELLO_SENDERS else None


def connected(socket_type: int, options: SocketOptions) -> list[bytes]:
    """What the application gets when a connection's handshake completes (ROUTER_NOTIFY)."""
    if socket_type == T.ROUTER and options.router_notify & RouterNotify.CONNECT:
        return [b""]
    return []


def connection_lost(socket_type: int, options: SocketOptions, *, connected: bool) -> list[bytes]:
    """The messages delivered locally when a handshaken connection is lost, in libzmq's
    order: ROUTER_NOTIFY's empty message, then DISCONNECT_MSG (accepting side) or HICCUP_MSG
    (connecting side)."""
    out: list[bytes] = []
    notify = options.router_notify
    if socket_type == T.ROUTER and notify & RouterNotify.DISCONNECT:
        out.append(b"")
    if connected:
        msg = options.hiccup_msg
        receivers = _HICCUP_RECEIVERS
    else:
        msg = options.disconnect_msg
        receivers = _DISCONNECT_RECEIVERS
    if msg and socket_type in receivers:
        out.append(bytes(msg))
    return out


__all__ = ["connected", "connection_lost", "hello"]
