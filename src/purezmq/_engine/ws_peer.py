"""The peer of one ws:// or wss:// connection: a ``Peer`` whose Connection speaks ZWS 2.0.

Owns the choice of wire for WebSocket endpoints (docs/architecture.md §8): the engine's
``Peer`` drives a ``zmtp.zws.ZwsConnection`` exactly as it drives a ZMTP ``Connection``; only
the bytes differ. TLS (wss) is the asyncio transport's, so this peer is never a ``ThreadPeer``
(whose owner thread writes to the raw socket: that would bypass the TLS layer).

Under Pyodide the WebSocket is JavaScript's, which moves whole messages: ``MessagePeer`` drives
a ``zmtp.zws_messages.ZwsMessageConnection`` over ``transports.js_websocket`` (docs/pyodide.md).

Thread affinity: as ``Peer``.
"""

from __future__ import annotations

import asyncio
from functools import partial

from ..endpoint import WsEndpoint
from ..zmtp.mechanisms.null import NullMechanism
from ..zmtp.zws_messages import ZwsMessageConnection, subprotocols
from .peer import CoreLike, Peer, PeerOwner


def new_ws_peer(
    core: CoreLike, endpoint: str, owner: PeerOwner, ws: WsEndpoint, *, client: bool
) -> Peer:
    """A peer for one WebSocket connection; ``client`` = we sent the upgrade request."""
    from ..zmtp.zws import ZwsConnection  # the ``ws`` extra (wsproto)

    # libzmq's upgrade request carries the host without the port (RFC 45 leaves it open).
    host = f"[{ws.host}]" if ":" in ws.host else ws.host
    wire = partial(ZwsConnection, client=client, host=host, path=ws.path)
    return Peer(core, endpoint, owner, connection_type=wire)


class MessagePeer(Peer):
    """A ``Peer`` over a transport of whole WebSocket messages (``js_websocket``): each
    message received goes to ``message_received``, each chunk written is one message.

    The transport is made once the WebSocket is open, so the subprotocol is known when
    ``connection_made`` runs: it stands in for the greeting exchange at once.
    """

    __slots__ = ()

    def offer(self) -> list[str]:
        """The subprotocols to offer when opening the WebSocket (the mechanism's)."""
        conn = self.connection
        if isinstance(conn, ZwsMessageConnection):
            return conn.offer()
        return subprotocols(NullMechanism())  # a broken peer: connection_made aborts it

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        conn = self.connection
        if isinstance(conn, ZwsMessageConnection) and not conn.closed:
            conn.ws_opened(str(transport.get_extra_info("subprotocol") or ""))
            self._after_io()

    def message_received(self, data: bytes) -> None:
        """One whole binary message from the transport."""
        self._inline_ok = True
        conn = self.connection
        if isinstance(conn, ZwsMessageConnection):
            conn.receive_message(data, self._clock())
        self._after_io()

    def _write_data(self, data: list[bytes | memoryview]) -> None:
        # Never joined: each chunk of a ZwsMessageConnection is one WebSocket message.
        transport = self._transport
        if transport is None:
            return
        for chunk in data:
            transport.write(chunk)


def new_message_ws_peer(core: CoreLike, endpoint: str, owner: PeerOwner) -> MessagePeer:
    """A peer for one WebSocket whose messages a JavaScript WebSocket carries."""
    return MessagePeer(core, endpoint, owner, connection_type=ZwsMessageConnection)


__all__ = ["MessagePeer", "new_message_ws_peer", "new_ws_peer"]
