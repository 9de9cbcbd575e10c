"""The draft notification messages (libzmq 4.3.3+, spec patterns.md §8): ``HELLO_MSG``,
``DISCONNECT_MSG`` and ``HICCUP_MSG``.

- HELLO_MSG: sent to every new peer before anything else, by ROUTER, DEALER, CLIENT, SERVER and
  PEER (libzmq ``hello_msg_session_t`` over the network, ``send_hello_msg`` for inproc);
- DISCONNECT_MSG: delivered to the application when an *accepted* peer's connection is lost
  after its handshake (ROUTER, SERVER, PEER: it comes with that peer's routing id);
- HICCUP_MSG: delivered when a *connected* peer's connection is lost after its handshake
  (DEALER, CLIENT, PEER).

None of them changes the wire. Layer 3: options and socket types only.
"""

from __future__ import annotations

from typing import Any

from ..constants import SocketType

T = SocketType

_HELLO_SENDERS = frozenset({T.ROUTER, T.DEALER, T.CLIENT, T.SERVER, T.PEER})
_DISCONNECT_RECEIVERS = frozenset({T.ROUTER, T.SERVER, T.PEER})
_HICCUP_RECEIVERS = frozenset({T.DEALER, T.CLIENT, T.PEER})


def hello(socket_type: int, options: Any) -> bytes | None:
    """The HELLO_MSG this socket sends each new peer, or None."""
    msg = getattr(options, "hello_msg", None)
    return bytes(msg) if msg and socket_type in _HELLO_SENDERS else None


def connection_lost(socket_type: int, options: Any, *, connected: bool) -> bytes | None:
    """The message delivered locally when a handshaken connection is lost: HICCUP_MSG on the
    connecting side, DISCONNECT_MSG on the accepting side; None when there is none."""
    if connected:
        msg = getattr(options, "hiccup_msg", None)
        receivers = _HICCUP_RECEIVERS
    else:
        msg = getattr(options, "disconnect_msg", None)
        receivers = _DISCONNECT_RECEIVERS
    return bytes(msg) if msg and socket_type in receivers else None


__all__ = ["connection_lost", "hello"]
