"""Dropping a connection at a pattern's request: why, and who is asked.

A pattern cannot close a connection itself (it sees pipes only): it lists the pipe with a
reason in ``Pattern.disconnects``, and the engine asks the connection feeding the pipe's other
end (``Pipe.connection``) to drop it (contracts.md, patterns section).
"""

from __future__ import annotations

from enum import Enum
from typing import Protocol


class DisconnectReason(Enum):
    """Why a pattern asks the engine to drop a connection."""

    #: ROUTER_HANDOVER: a new peer took over this pipe's routing id; close the old connection.
    HANDOVER = "handover"
    #: The peer broke the pattern's envelope rules (REQ reply without delimiter): close, and do
    #: not reconnect (libzmq ``req_session_t`` answers EFAULT, docs/protocol/patterns.md §3.2).
    PROTOCOL = "protocol"


class Disconnectable(Protocol):
    """A network connection feeding a pipe, as the socket side asks it to go away."""

    def disconnect_requested(self, reason: DisconnectReason) -> None:
        """Drop the connection (on the I/O loop); after ``PROTOCOL`` never reconnect."""


__all__ = ["DisconnectReason", "Disconnectable"]
