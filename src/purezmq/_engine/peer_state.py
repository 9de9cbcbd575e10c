"""The life cycle of one connection on the network side (``Peer``, ``StreamPeer``).

One value instead of a flag per stage, so that every check reads as the stage it means and
every transition is a single assignment::

    CONNECTING -> HANDSHAKING -> RUNNING -> CLOSED
         \\             \\            \\
          +-------------+------------+--> CLOSING -> CLOSED

CLOSING is the socket side ending the connection (``close()``, its end of the pipe closed, a
STREAM close request): what is queued is sent within LINGER and no DISCONNECTED event is
emitted. A connection that fails (EOF, reset, protocol error) goes to CLOSED from any stage.
"""

from __future__ import annotations

from enum import Enum


class PeerState(Enum):
    #: Made, waiting for its transport (``connection_made``).
    CONNECTING = "connecting"
    #: The transport is up; the ZMTP handshake runs (a STREAM peer skips this stage).
    HANDSHAKING = "handshaking"
    #: The handshake succeeded and the pipe is attached: messages flow both ways.
    RUNNING = "running"
    #: The socket side ends it: flush what is queued, then close.
    CLOSING = "closing"
    #: The transport is gone and the pipe handed back.
    CLOSED = "closed"


__all__ = ["PeerState"]
