"""The seams of the network side: what peers, listeners and connecters need from the socket
core, and what a peer needs from the listener or connecter that made it (contracts.md,
"Network side as implemented")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from ..constants import Event, SocketType
from ..options import SocketOptions
from ..patterns.pipe import Pipe
from ..zmtp.bodies import BodyPool

if TYPE_CHECKING:
    from .flow import PipeFlow


class ZapHandler(Protocol):
    """The socket bound at ``inproc://zeromq.zap.01``, as a ZAP client talks to it."""

    def attach_foreign(self, pipe: Pipe) -> None:
        """Give the handler's pattern a pipe end whose other end the client keeps."""

    def release_foreign(self, pipe: Pipe) -> None:
        """The client is done with the pipe given to ``attach_foreign``."""


class CoreLike(Protocol):
    """What the network side needs from ``SocketCore``."""

    #: Messages a peer wrote straight from the owner's thread (statistics).
    direct_writes: int
    #: Accepted connections in their handshake, their peak, and those refused over
    #: MAX_HANDSHAKES (statistics; listener.py keeps them, on the I/O loop).
    handshaking: int
    handshaking_peak: int
    handshakes_refused: int

    @property
    def disconnect_called(self) -> bool:
        """``disconnect()`` was called under RECONNECT_STOP_AFTER_DISCONNECT."""

    @property
    def options(self) -> SocketOptions: ...

    @property
    def socket_type(self) -> SocketType: ...

    @property
    def owned_by_thread(self) -> bool:
        """A user thread owns the socket (the sync API), not an event loop."""

    @property
    def bodies(self) -> BodyPool:
        """Where our connections lend large received bodies from (``zmtp.bodies``)."""

    def call_soon(self, fn: Callable[..., object], *args: object) -> None:
        """Run ``fn(*args)`` on this socket's I/O loop, from any thread."""

    def run(self, fn: Callable[..., object], *args: object) -> object:
        """Run ``fn(*args)`` on the I/O loop and wait for its result (not from the loop's
        thread); ``ZMQError`` when the loop is gone."""

    def session_pipe(self, connecter: object) -> Pipe: ...

    def new_pipe(self) -> Pipe: ...

    def attach_pipe(self, engine_end: Pipe) -> None: ...

    def pipe_disconnected(self, engine_end: Pipe, reconnecting: bool) -> None: ...

    def drop_session(self, connecter: object) -> None:
        """A connecter stopped for good before any connection took its session pipe."""

    def emit(self, event: Event, value: int, endpoint: str) -> None: ...

    def linger_token(self) -> Callable[[], None] | None:
        """A LINGER flush starts (``term()`` waits for it): the once-only call that says it
        ended, or None when nobody waits for flushes."""

    def zap_handler(self) -> ZapHandler | None:
        """The socket bound at ``inproc://zeromq.zap.01`` in this socket's context, or None."""


class PeerOwner(Protocol):
    """The listener or connecter that made a peer."""

    @property
    def connects(self) -> bool:
        """True for a connecter (its lost connections produce HICCUP_MSG, not DISCONNECT_MSG)."""

    @property
    def connect_routing_id(self) -> bytes:
        """CONNECT_ROUTING_ID consumed by ``connect()`` for this peer, else ``b""``."""

    @property
    def linger_pipe(self) -> Pipe | None:
        """While the socket closes: the session pipe whose messages are still to be delivered
        within LINGER (the socket closed before the connection was up), else None."""

    def get_pipe(self, peer: PipeFlow) -> Pipe:
        """The engine end to use once the handshake succeeded."""

    def handshake_done(self, peer: PipeFlow) -> None:
        """The handshake succeeded (a connecter resets its back-off)."""

    def peer_ended(self, peer: PipeFlow, reconnect: bool) -> bool:
        """The connection is gone; returns whether a new connection will reuse the pipe."""


__all__ = ["CoreLike", "PeerOwner", "ZapHandler"]
