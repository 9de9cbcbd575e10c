"""The ``Pattern`` base class: what every socket type's routing object looks like to the engine.

A pattern owns the *routing* of one socket (which pipe a sent message goes to, which pipe the
next received message comes from, what envelopes are added or stripped) and nothing else: no
I/O, no clock, no threads. It runs on the thread that owns the socket; the engine calls it
(``docs/contracts.md`` §Patterns). Keeping routing sans-IO lets every socket type be tested with
in-memory pipes only, the way libzmq separates ``socket_base_t`` subclasses from sessions.

Activation rule (libzmq ``ypipe``): a pipe that answered ``read() -> None`` is *inactive for
reading* until ``read_activated(pipe)``; a pipe whose ``write`` returned False is *inactive for
writing* until ``write_activated(pipe)``. The strategies in ``strategies.py`` keep those sets.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Protocol

from ..constants import Errno, SocketType
from ..error import ZMQError
from .disconnects import DisconnectReason
from .pipe import Message, Pipe

if TYPE_CHECKING:
    from .strategies import FairQueue


@dataclass(frozen=True, slots=True)
class PatternStatistics:
    """A pattern's counters at one moment (``Pattern.statistics()``)."""

    #: Messages handed to pipes.
    messages_out: int
    #: Messages delivered to the application.
    messages_in: int
    #: Messages dropped (a full queue that drops, a multipart message on a single-frame type,
    #: a SUB message no subscription matches…).
    messages_dropped: int


class PatternOptions(Protocol):
    """The socket options a pattern reads (``purezmq.options.SocketOptions`` satisfies this).

    Read-only properties so that both plain attributes and properties match. Patterns read
    options at the moment they act, so a ``setsockopt`` made after connecting takes effect.
    """

    @property
    def routing_id(self) -> bytes: ...
    @property
    def router_mandatory(self) -> int: ...
    @property
    def router_handover(self) -> int: ...
    @property
    def probe_router(self) -> int: ...
    @property
    def req_relaxed(self) -> int: ...
    @property
    def req_correlate(self) -> int: ...
    @property
    def xpub_verbose(self) -> int: ...
    @property
    def xpub_verboser(self) -> int: ...
    @property
    def xpub_manual(self) -> int: ...
    @property
    def xpub_manual_last_value(self) -> int: ...
    @property
    def xpub_nodrop(self) -> int: ...
    @property
    def xpub_welcome_msg(self) -> bytes | None: ...
    @property
    def invert_matching(self) -> int: ...
    @property
    def only_first_subscribe(self) -> int: ...
    @property
    def xsub_verbose_unsubscribe(self) -> int: ...
    @property
    def stream_notify(self) -> int: ...


class Pattern:
    """Base of every socket type's routing; see ``docs/contracts.md`` §Patterns.

    Subclasses override what their type supports. The defaults describe a socket that can do
    nothing: ``send``/``recv`` raise ENOTSUP (docs/protocol/patterns.md §1.4).
    """

    __slots__ = (
        "_rng",
        "disconnects",
        "on_filled",
        "options",
        "recv_gate",
        "stats_dropped",
        "stats_filled",
        "stats_in",
        "stats_out",
    )

    socket_type: ClassVar[SocketType]
    #: ``sender()`` takes a one-frame message as the 1-tuple ``(frame,)`` as well as a list
    #: (it queues it as given or builds a new list from it), so a front-end may send one
    #: frame as a tuple: the cyclic GC stops tracking a tuple of ``bytes`` at its first look,
    #: where it traverses a list for as long as the pipe holds it (docs/contracts.md, "Pipes").
    one_frame_tuples: ClassVar[bool] = False

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        self.options = options
        # Random starting points (ROUTER ids, REQ_CORRELATE ids) come from an injectable source
        # so tests are deterministic; libzmq seeds its own from the OS.
        self._rng = rng if rng is not None else random.Random()
        #: Pipes the engine must disconnect, with a ``DisconnectReason``. The engine drains
        #: this list after ``attach`` and after ``recv``/``can_recv``/``read_activated``.
        self.disconnects: list[tuple[Pipe, DisconnectReason]] = []
        self.stats_in = 0
        self.stats_out = 0
        self.stats_dropped = 0
        #: How many times a peer's queue filled up and the pattern began dropping for it (PUB,
        #: XPUB); each time, ``on_filled`` is called (from within ``send``) if set. A front-end
        #: whose owner never blocks on such a socket hooks it to give the engine a turn: the
        #: messages of a publishing loop that outruns the engine are lost anyway, and the
        #: engine's turn is what drains the queues. Drops while a queue stays full do not count.
        self.stats_filled = 0
        self.on_filled: Callable[[], None] | None = None
        #: A fair queue whose ``active`` count, while it is 0, proves that ``recv()`` returns
        #: None and changes nothing (every inbound pipe sleeps as reader, so a message that
        #: arrives activates it first); None when the pattern gives no such proof. A
        #: front-end waiting for a reply may skip that empty ``recv()`` (REQ after a send).
        self.recv_gate: FairQueue | None = None

    # -- pipes -------------------------------------------------------------------------------

    def attach(self, pipe: Pipe) -> bool:
        """A peer's pipe appeared. False = refused: the engine closes that connection."""
        raise NotImplementedError

    def detach(self, pipe: Pipe) -> None:
        """The pipe is gone for sending. Messages it already delivered stay readable."""
        raise NotImplementedError

    def read_activated(self, pipe: Pipe) -> None:
        """``pipe`` has messages again after reading empty."""

    def read_activator(self) -> Callable[[Pipe], None]:
        """What does ``read_activated``'s work, for the engine to bind once: the method
        itself, or the shorter path a pattern names (its fair queue's ``activated``)."""
        return self.read_activated

    def write_activated(self, pipe: Pipe) -> None:
        """``pipe`` drained to its low-water mark after a refused write."""

    def hiccup(self, pipe: Pipe) -> None:
        """A connect-side pipe got a new connection after a reconnect."""

    def last_pipe(self) -> Pipe | None:
        """The pipe the last received message came from, or None (its peer's metadata is
        what ``Frame.get`` answers)."""
        return None

    def take_disconnects(self) -> list[tuple[Pipe, DisconnectReason]]:
        """Return and clear the pipes the engine must disconnect."""
        out = self.disconnects
        self.disconnects = []
        return out

    # -- messages ----------------------------------------------------------------------------

    def send(self, msg: Message) -> bool:
        """Route one whole message. False = mute: the caller blocks or raises Again."""
        raise ZMQError(
            Errno.ENOTSUP, f"{self.socket_type.name} sockets cannot send, they only receive"
        )

    def sender(self) -> Callable[[Message], bool]:
        """What routes a sent message exactly as ``send`` does, for the engine to bind once:
        ``send`` itself, or a shorter path to the same work (PUSH: its load balancer's)."""
        return self.send

    def recv(self) -> Message | None:
        """The next whole message for the application, or None when there is none yet."""
        raise ZMQError(
            Errno.ENOTSUP, f"{self.socket_type.name} sockets cannot receive, they only send"
        )

    def recv_batch(self, limit: int) -> list[Message]:
        """Up to ``limit`` whole messages, oldest first, exactly as that many ``recv`` calls
        would return them (an empty list: none yet). Patterns that only fair-queue take a run
        from one pipe at once; the others (state machines, envelopes) give one at a time."""
        msg = self.recv()
        return [] if msg is None else [msg]

    def unread(self, messages: list[Message]) -> bool:
        """Take back messages handed out by ``recv_batch`` but not delivered (oldest first),
        for the receives that reach them to decide on them again: a front-end that holds a
        batch gives it back when the options that filter receiving change (SUB's
        subscriptions). False: this pattern does not filter, the caller keeps them."""
        return False

    def can_send(self) -> bool:
        """Whether ``send`` would not be mute now (POLLOUT)."""
        return False

    def can_recv(self) -> bool:
        """Whether ``recv`` would return a message now (POLLIN)."""
        return False

    # -- options -----------------------------------------------------------------------------

    def setsockopt(self, option: int, value: int | bytes) -> bool:
        """Act on an option that has an action; True when handled here."""
        return False

    def getsockopt(self, option: int) -> int | bytes | None:
        """Read-only routing state (TOPICS_COUNT); None when not ours."""
        return None

    def statistics(self) -> PatternStatistics:
        """Counters: messages handed to pipes, delivered to the application, dropped."""
        return PatternStatistics(self.stats_out, self.stats_in, self.stats_dropped)

    # -- helpers for subclasses -------------------------------------------------------------

    def _efsm(self, what: str) -> ZMQError:
        return ZMQError(Errno.EFSM, f"{self.socket_type.name} socket: {what}")


def peer_identity(pipe: Pipe) -> bytes:
    """The peer's ``Identity`` property, or b"" (names compared case-insensitively,
    docs/protocol/README.md interop note 8)."""
    meta = pipe.metadata
    value = meta.get("Identity")
    if value is None:
        for key, val in meta.items():
            if key.lower() == "identity":
                return bytes(val)
        return b""
    return bytes(value)


class RoutingIds:
    """libzmq's generated routing ids: ``0x00`` + uint32 big-endian counter from a random start.

    Spec patterns.md §3.5 rule 3 (``00 6b 8b 45 67`` then ``… 68`` [verified]).
    """

    __slots__ = ("_next",)

    def __init__(self, rng: random.Random) -> None:
        self._next = rng.getrandbits(32)

    def generate(self) -> bytes:
        value = self._next
        self._next = (value + 1) & 0xFFFFFFFF
        return b"\x00" + value.to_bytes(4, "big")


__all__ = [
    "Pattern",
    "PatternOptions",
    "PatternStatistics",
    "RoutingIds",
    "peer_identity",
]
