"""The peer of one ws:// or wss:// connection: a ``Peer`` whose Connection speaks ZWS 2.0.

Owns the choice of wire for WebSocket endpoints (docs/architecture.md §8): the engine's
``Peer`` drives a ``zmtp.zws.ZwsConnection`` exactly as it drives a ZMTP ``Connection``; only
the bytes differ. TLS (wss) is the asyncio transport's, so this peer is never a ``ThreadPeer``
(whose owner thread writes to the raw socket: that would bypass the TLS layer).

Thread affinity: as ``Peer``.
"""

from __future__ import annotations

from functools import partial

from ..endpoint import WsEndpoint
from ..zmtp.zws import ZwsConnection
from .network_side import CoreLike, PeerOwner
from .peer import Peer


def new_ws_peer(
    core: CoreLike, endpoint: str, owner: PeerOwner, ws: WsEndpoint, *, client: bool
) -> Peer:
    """A peer for one WebSocket connection; ``client`` = we sent the upgrade request."""
    # libzmq's upgrade request carries the host without the port (RFC 45 leaves it open).
    host = f"[{ws.host}]" if ":" in ws.host else ws.host
    wire = partial(ZwsConnection, client=client, host=host, path=ws.path)
    return Peer(core, endpoint, owner, connection_type=wire)


__all__ = ["new_ws_peer"]
