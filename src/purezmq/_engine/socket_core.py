"""``SocketCore``: one socket's engine state — options, routing pattern, pipes, endpoints.

Owns, for one socket: its ``SocketOptions``, its pattern (``purezmq.patterns.PATTERNS``), the
set of pipes attached to the pattern, the *mailbox* through which other threads hand it work,
its endpoints (inproc bindings/connections, the network side's listeners/connecters) and its
monitor sinks. Contract: ``docs/contracts.md`` §"Engine ↔ front-ends" and §"Inside the engine".

Thread affinity (as in libzmq, docs/architecture.md §3): the pattern runs on the thread (or loop)
that owns the socket — the user's thread for the sync API, the loop for asyncio. Every public method
runs there, except the ones marked *any thread* (``_post*``, the pipe callbacks, ``emit``,
``terminate``) and the network-side hooks marked *I/O loop* (``new_pipe``, ``session_pipe``,
``attach_pipe``, ``pipe_disconnected``). Those never touch the pattern: they append a command
to the mailbox (one ``deque.append``) and wake the owner only if it declared itself asleep.

Lost-wake-up argument for the mailbox (libzmq's ypipe rule): a poster *appends
the command, then reads ``_asleep``*; the owner in ``prepare_to_sleep`` *sets ``_asleep``, then
re-reads the mailbox*. Under the GIL one of the two sees the other's write: either the poster
sees ``_asleep`` and wakes the signal, or the owner sees the command and does not sleep. Two
posters may both wake it (spurious, harmless: the owner re-checks). A stale ``_asleep`` left by
a timed-out wait also only causes a spurious wake-up.

Hot path: ``try_send``/``try_recv`` cost one ``dead`` check, one mailbox truthiness check and
the pattern call. Pipe activations are posted only on transitions (pipe.py), never per message.
"""

from __future__ import annotations

import threading
from _thread import get_ident as _get_ident
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from time import sleep as _sleep
from typing import TYPE_CHECKING, Any, Protocol

from ..constants import Errno, Event, PollEvent, ReconnectStop, SocketOption, SocketType
from ..error import ContextTerminated, ZMQError
from ..patterns.base import Pattern, PatternStatistics
from ..patterns.pipe import BACKLOG_STEP, Message, Pipe, pipe_pair
from ..patterns.radiodish import Dish
from ..patterns.threadsafe import Peer as PeerPattern
from ..zmtp.bodies import BodyPool
from ..zmtp.zap import ZAP_ENDPOINT
from . import linger
from . import wakeup as _wakeup
from .signal import LoopSignal, OwnerSignal, ThreadSignal

if TYPE_CHECKING:
    import asyncio

    from .context import ContextCore
    from .pgm_session import PgmSession
    from .udp_session import UdpSession

class Command(IntEnum):
    """What a mailbox entry ``(command, pipe, arg)`` asks of the owner thread."""

    #: The pipe became readable (arg unused).
    READ = 0
    #: The pipe drained to LWM (arg unused).
    WRITE = 1
    #: Attach the pipe to the pattern (arg: the inproc peer's SocketCore, or None).
    ATTACH = 2
    #: The other end closed: detach (queued inbound stays readable, patterns.md §1.3).
    TERM = 3
    #: A connect-side pipe got a new connection (SUB resends its subscriptions).
    HICCUP = 4
    #: The inproc peer of an already attached pipe became known (arg: its SocketCore).
    PEER = 5


# The mailbox carries the plain ints: comparing exact ints is the interpreter's fast path.
_READ = int(Command.READ)
_WRITE = int(Command.WRITE)
_ATTACH = int(Command.ATTACH)
_TERM = int(Command.TERM)
_HICCUP = int(Command.HICCUP)
_PEER = int(Command.PEER)

#: Messages a thread-owned socket may queue ahead of a pipe's reader before each further
#: ``BACKLOG_STEP`` of them lets the reader's thread run (``Pipe.set_backlog``).
_BACKLOG_MARK = 4 * BACKLOG_STEP


#: Types that drop at SNDHWM instead of blocking (libzmq's mute action for PUB, XPUB, RADIO).
_DROPPING = frozenset({SocketType.PUB, SocketType.XPUB, SocketType.RADIO})


def _dropping_mark(hwm: int) -> int:
    """Where a thread-owned dropping socket lets a pipe's reader run: at three quarters of
    SNDHWM, before the queue fills and messages are dropped only because the reader's thread
    (the I/O thread, which drains the subscribers' queues) had no turn at the GIL. A publisher
    to four subscribers over tcp at SNDHWM 1000 delivered 15-89 % of its messages when it
    yielded once a queue was full (``Pattern.on_filled``), 90-100 % yielding at 3/4, for about
    the same CPU per message delivered (bench/README.md, "the send path")."""
    return max(1, hwm * 3 // 4) if hwm else _BACKLOG_MARK


def _let_the_reader_run() -> None:
    """A thread that sends without ever blocking (PUSH or PUB under a large SNDHWM) holds the
    GIL for whole switch intervals; the I/O thread that drains its pipes gets the GIL back
    only every 5 ms and its queues grow without bound. ``sleep(0)`` releases the GIL, so the
    thread waiting for it (the I/O thread, an inproc reader) takes its turn now."""
    _sleep(0)


def _refuse(msg: Message) -> bool:
    """``SocketCore.route`` once the core is dead (closed, terminated, forked): nothing is
    routed, and the front-end's full path raises the error ``dead`` names."""
    return False


class EndpointHandle(Protocol):
    """What ``bind()``/``connect()`` keep per endpoint: a listener, a connecter, an inproc
    binding or connection, a udp session."""

    #: LAST_ENDPOINT: the endpoint as resolved (a wildcard port made real).
    endpoint: str

    def close(self, linger: int | None = None) -> None:
        """Stop serving the endpoint; LINGER for what is queued to it (ms, None: the socket's)."""


class Liveness(IntEnum):
    """``SocketCore.dead``: alive (0, so that ``if core.dead`` is the hot path's one check), or
    why the socket may no longer be used."""

    ALIVE = 0
    CLOSED = 1
    #: Its context was terminated: calls raise ETERM.
    TERMINATED = 2
    #: Used in a child after ``fork()``: calls raise EFAULT.
    FORKED = 3
    #: Closed by ``ContextCore.term()`` itself: later calls still say ETERM.
    CLOSED_BY_TERM = 4


_ALIVE = Liveness.ALIVE
_CLOSED = Liveness.CLOSED
_TERMINATED = Liveness.TERMINATED
_FORKED = Liveness.FORKED
_CLOSED_BY_TERM = Liveness.CLOSED_BY_TERM

# Types whose pattern needs the peer's routing id when a pipe is attached: their connect-side
# pipe is attached when the peer becomes known, not at connect time.
_NEEDS_PEER_ID = frozenset({SocketType.ROUTER})

# Read-only routing state answered by the pattern rather than the options object.
_PATTERN_STATE = frozenset({SocketOption.TOPICS_COUNT})

_CONFLATE_TYPES = frozenset(
    {SocketType.DEALER, SocketType.PULL, SocketType.PUSH, SocketType.PUB, SocketType.SUB}
)


@dataclass(frozen=True, slots=True)
class SocketStatistics:
    """A socket's counters at one moment (``SocketCore.statistics()``)."""

    #: Wake-ups this socket sent its owner.
    wakeups_sent: int
    #: Wake-ups its owner's signal received (several sockets may share one).
    signal_wakes: int
    #: Mailbox commands (attach, detach, activations) the owner ran.
    commands_processed: int
    #: Messages a connection wrote from the owner's thread (owner_writes.py).
    direct_writes: int
    #: Runs of messages taken from the pattern at once (``try_recv_batch``).
    recv_batches: int
    #: Mailbox commands waiting.
    mailbox_depth: int
    #: Pipes attached to the pattern.
    pipes: int
    #: Messages waiting in the pipes for the application.
    inbound_queued: int
    #: Messages waiting in the pipes for the peers.
    outbound_queued: int
    #: The routing pattern's own counters.
    pattern: PatternStatistics
    #: udp (DISH): datagrams it could not read, dropped (docs/transports.md).
    udp_datagrams_dropped: int
    #: udp (RADIO): messages too large for one datagram, dropped.
    udp_messages_dropped: int
    #: pgm/epgm: packets that failed their checks, dropped.
    pgm_datagrams_dropped: int
    #: pgm/epgm (SUB): data lost for good, gone from the sender's window (docs/transports.md).
    pgm_data_lost: int
    #: Accepted connections in their handshake now (greeting, mechanism, ZAP).
    handshaking: int = 0
    #: The most accepted connections that were in their handshake at once.
    handshaking_peak: int = 0
    #: Accepted connections closed at once because MAX_HANDSHAKES were handshaking (a flood).
    handshakes_refused: int = 0


class SocketCore:
    """The engine side of one socket; see the module docstring for threading rules."""

    __slots__ = (
        "__weakref__",
        "_activate_reader",
        "_asleep",
        "_bound",
        "_connected",
        "_ctl_lock",
        "_monitors",
        "_pgm_sessions",
        "_pipes",
        "_session_seen",
        "_sessions",
        "_udp_sessions",
        "bodies",
        "commands_processed",
        "ctx",
        "dead",
        "direct_writes",
        "disconnect_called",
        "frame_tuples",
        "handshakes_refused",
        "handshaking",
        "handshaking_peak",
        "last_endpoint",
        "mailbox",
        "options",
        "pattern",
        "plain_run",
        "recv_batches",
        "recv_runs",
        "route",
        "signal",
        "socket_type",
        "wakeups_sent",
    )

    def __init__(self, ctx: ContextCore, socket_type: int, signal: OwnerSignal) -> None:
        try:
            stype = SocketType(socket_type)
        except ValueError:
            raise ZMQError(Errno.EINVAL, f"unknown socket type {socket_type!r}") from None
        from ..options import SocketOptions
        from ..patterns import PATTERNS

        pattern_class = PATTERNS.get(stype)
        if pattern_class is None:
            raise ZMQError(Errno.EINVAL, f"socket type {stype.name} is not implemented")
        self.ctx = ctx
        self.socket_type = stype
        self.signal = signal
        self.options = SocketOptions(stype)
        self.pattern: Pattern = pattern_class(self.options)
        #: ``pattern.send``, or the shorter path to the same routing the pattern names
        #: (``Pattern.sender``): what a front-end's fast path calls, with ``mailbox`` empty
        #: checked first, as ``try_send`` does. A dead core's routes nothing (``_refuse``, set
        #: with ``dead``): the front-end's full path then raises, so the fast path needs no
        #: ``dead`` check of its own.
        self.route: Callable[[Message], bool] = self.pattern.sender()
        #: ``route`` takes a one-frame message as a 1-tuple (``Pattern.one_frame_tuples``).
        self.frame_tuples = self.pattern.one_frame_tuples
        #: ``pattern.read_activated``, or the shorter path to it (``Pattern.read_activator``).
        self._activate_reader: Callable[[Pipe], None] = self.pattern.read_activator()
        #: Receive buffers of large bodies, lent by this socket's connections to the front-end,
        #: which makes the application's ``bytes`` and gives them back (``zmtp.bodies``).
        self.bodies = BodyPool()
        #: Commands other threads posted for the owner (``process_commands``). Public so that
        #: a front-end's fast path can see that none waits before calling the pattern itself.
        self.mailbox: deque[tuple[int, Pipe, Any]] = deque()
        self._asleep = False
        #: Nonzero once closed, terminated (ETERM) or forked: calls then fail. Public so that a
        #: front-end can check it before handing out messages it already took; only the core
        #: sets it.
        self.dead: Liveness = _ALIVE
        #: Pipes (our ends) attached to the pattern → the inproc peer's core, or None.
        self._pipes: dict[Pipe, SocketCore | None] = {}
        #: endpoint string → objects with ``endpoint`` and ``close(linger)``: bound (listeners,
        #: inproc bindings) and connected (connecters, inproc connections). An object may be
        #: listed under several spellings (as given, canonical, resolved).
        self._bound: dict[str, list[EndpointHandle]] = {}
        #: disconnect() was called under RECONNECT_STOP_AFTER_DISCONNECT (connecter.py).
        self.disconnect_called = False
        self._connected: dict[str, list[EndpointHandle]] = {}
        #: Connecter → engine end of its session pipe (IMMEDIATE=0), kept across reconnects.
        self._sessions: dict[Any, Pipe] = {}
        #: Engine ends of session pipes that have had a connection (the next one is a hiccup).
        self._session_seen: set[Pipe] = set()
        # Serialises connect() with the network side's session_pipe() (control plane only).
        self._ctl_lock = threading.RLock()
        self._monitors: list[Any] = []
        self.last_endpoint = ""
        self.wakeups_sent = 0
        #: Messages this socket's peers wrote from the owner thread (``Peer._write_from_owner``).
        self.direct_writes = 0
        #: Accepted connections in their handshake now, the most there were at once, and those
        #: closed at once because MAX_HANDSHAKES were (listener.py; I/O loop only).
        self.handshaking = 0
        self.handshaking_peak = 0
        self.handshakes_refused = 0
        #: Every udp:// session this socket made: their drop counters add up in statistics().
        self._udp_sessions: list[UdpSession] = []
        self._pgm_sessions: list[PgmSession] = []
        self.commands_processed = 0
        #: Runs of messages handed out by ``try_recv_batch`` (statistics).
        self.recv_batches = 0
        #: Whether the pattern hands out runs (``try_recv_batch`` can return more than one
        #: message); otherwise a front-end that would batch calls ``try_recv``, one call less.
        self.recv_runs = type(self.pattern).recv_batch is not Pattern.recv_batch
        #: True while the run of messages a front-end took ahead (its
        #: ``_recv_ready``) holds one-frame ``bytes`` messages only and the socket is alive:
        #: a ``recv()`` may then hand out the next one without looking at it or at ``dead``.
        #: Here, not on the public socket, because shadows of one socket share that run and
        #: this core. Set through ``mark_plain_run``; cleared wherever ``dead`` is set.
        self.plain_run = False
        if isinstance(signal, LoopSignal):
            # Create the loop's Wakeup on the owner loop now: add_reader is not thread-safe,
            # and the first cross-thread wake() must find it ready.
            signal.bind_wakeup()
        ctx.add_socket(self)

    # ------------------------------------------------------------------ any thread: mailbox

    def _post(self, op: int, pipe: Pipe, arg: Any = None) -> None:
        """Queue a command for the owner and wake it if it sleeps (any thread)."""
        self.mailbox.append((op, pipe, arg))
        # Append first, then read ``_asleep`` (see the module docstring).
        if self._asleep:
            self._asleep = False
            self.wakeups_sent += 1
            self.signal.wake()

    def _on_read_activated(self, pipe: Pipe) -> None:
        """Pipe callback (the writer's thread): our end got a message while we slept on it."""
        signal = self.signal
        if (
            not self.mailbox
            and type(signal) is LoopSignal
            and self._pipes.get(pipe, self) is None
            and (
                tid_loop._thread_id == _get_ident()  # runs_here(), a call less
                if (tid_loop := signal.tid_loop) is not None
                else signal.runs_here()
            )
        ):
            # The asyncio owner runs on this very loop, nothing is queued ahead, and the pipe
            # is a network session's (its writer, the Peer, never runs inside a pattern call):
            # activate now instead of through the mailbox, a command less per message.
            self._activate_reader(pipe)
            pattern = self.pattern
            if pipe.peer_closed:
                self._on_term(pipe)
            if pattern.disconnects:
                self._take_disconnects()
            if self._asleep:
                self._asleep = False
                self.wakeups_sent += 1
                signal.wake_on_loop()
            return
        # ``_post`` inlined: once per incoming message of a request/reply turn.
        self.mailbox.append((_READ, pipe, None))
        if self._asleep:
            self._asleep = False
            self.wakeups_sent += 1
            self.signal.wake()

    def _on_read_activated_elsewhere(self, pipe: Pipe) -> None:
        """``_on_read_activated`` for a socket whose owner is no loop (a thread: the sync
        API), whose first branch can never apply: once per incoming message of a turn."""
        self.mailbox.append((_READ, pipe, None))
        if self._asleep:
            self._asleep = False
            self.wakeups_sent += 1
            self.signal.wake()

    def _on_write_activated(self, pipe: Pipe) -> None:
        """Pipe callback (the reader's thread): our outbound queue drained to LWM."""
        self._post(_WRITE, pipe)

    def _own(self, pipe: Pipe) -> None:
        """Route ``pipe``'s activations into this socket's mailbox."""
        if type(self.signal) is LoopSignal:
            pipe.on_read_activated = self._on_read_activated
        else:
            pipe.on_read_activated = self._on_read_activated_elsewhere
        pipe.on_write_activated = self._on_write_activated
        if type(self.signal) is ThreadSignal:
            mark = _BACKLOG_MARK
            if self.socket_type in _DROPPING:
                mark = _dropping_mark(int(self.options.sndhwm))
            pipe.set_backlog(mark, _let_the_reader_run)

    def post_attach(self, pipe: Pipe, peer: SocketCore | None) -> None:
        """Hand a pipe end to this socket's pattern (any thread)."""
        self._own(pipe)
        self._post(_ATTACH, pipe, peer)
        # ``close()`` sets ``dead`` and then empties the mailbox once. Posting first and then
        # reading ``dead`` means that a pipe posted too late for that final pass is closed
        # here, so its other end sees ``peer_closed`` instead of waiting forever.
        if self.dead in (_CLOSED, _CLOSED_BY_TERM):
            self._close_end(pipe, peer)

    def post_term(self, pipe: Pipe) -> None:
        """The other end of ``pipe`` (our end) was closed (any thread)."""
        self._post(_TERM, pipe)

    def set_inproc_peer(self, pipe: Pipe, peer: SocketCore) -> None:
        """An already attached inproc pipe's peer is now known (any thread)."""
        self._post(_PEER, pipe, peer)

    @property
    def owned_by_thread(self) -> bool:
        """A user thread owns this socket (the sync API), not an event loop."""
        return isinstance(self.signal, ThreadSignal)

    def linger_token(self) -> Callable[[], None]:
        """Network side: a LINGER flush of this socket starts (``term()`` waits for it);
        returns the once-only call that says it ended."""
        signal = self.signal
        owner_loop = signal.loop if isinstance(signal, LoopSignal) else None
        return linger.linger_token(self.ctx, owner_loop)

    def zap_handler(self) -> SocketCore | None:
        """The socket bound at ``inproc://zeromq.zap.01`` in this context, or None (any
        thread; the network side's ZAP client sends its requests there)."""
        return self.ctx.inproc.lookup(ZAP_ENDPOINT.removeprefix("inproc://"))

    def attach_foreign(self, pipe: Pipe) -> None:
        """Hand this socket's pattern a pipe end whose other end no socket owns (any thread).

        The network side's ZAP client talks to the handler socket this way: it keeps the other
        end itself and must call ``release_foreign(pipe)`` when done with it.
        """
        self.post_attach(pipe, None)

    def release_foreign(self, pipe: Pipe) -> None:
        """The owner of the other end of ``pipe`` (given to ``attach_foreign``) is done with it
        and has closed its end (any thread): the pattern detaches it; what it already
        received stays readable."""
        self.post_term(pipe)

    def terminate(self) -> None:
        """``ContextCore.term()`` (any thread): every later call raises ETERM; wake the owner."""
        if self.dead == _ALIVE:
            self.dead = _TERMINATED
        self.route = _refuse
        self.plain_run = False  # after ``dead``: see ``mark_plain_run``
        self._asleep = False
        self.signal.wake()

    def _forked(self) -> None:
        """In a forked child (no locks, no wake-ups: the parent's threads do not exist here)."""
        if not self.closed:
            self.dead = _FORKED
        self.route = _refuse
        self.plain_run = False
        self._ctl_lock = threading.RLock()

    # ------------------------------------------------------------------ owner thread

    @property
    def closed_by_owner(self) -> bool:
        """Closed by ``close()`` (not by the end of its Context, nor by a fork)."""
        return self.dead == _CLOSED

    def _raise_dead(self) -> None:
        dead = self.dead
        if dead in (_TERMINATED, _CLOSED_BY_TERM):
            raise ContextTerminated()
        if dead == _CLOSED:
            raise ZMQError(Errno.ENOTSOCK, "Socket operation on a closed socket")
        raise self.ctx.fork_error()

    def process_commands(self) -> None:
        """Run what other threads posted: attach/detach pipes, pipe activations."""
        mailbox = self.mailbox
        if not mailbox:
            return
        pattern = self.pattern
        pipes = self._pipes
        popleft = mailbox.popleft
        n = 0
        while mailbox:
            op, pipe, arg = popleft()
            n += 1
            if op == _READ:
                if pipe in pipes:
                    self._activate_reader(pipe)
                    # ``Pipe.close`` also activates a sleeping reader: detach then (what was
                    # queued stays readable through the pattern).
                    if pipe.peer_closed:
                        self._on_term(pipe)
            elif op == _WRITE:
                if pipe in pipes:
                    pattern.write_activated(pipe)
            elif op == _ATTACH:
                self._attach(pipe, arg)
            elif op == _TERM:
                self._on_term(pipe)
            elif op == _HICCUP:
                if pipe in pipes:
                    pattern.hiccup(pipe)
            elif op == _PEER and pipe in pipes:
                pipes[pipe] = arg
                if pipe.peer_closed:
                    self._on_term(pipe)
        self.commands_processed += n
        if pattern.disconnects:
            self._take_disconnects()

    def try_send(self, msg: Message) -> bool:
        """Route one whole message; False = would block (mute). Never blocks."""
        if self.dead:
            self._raise_dead()
        if self.mailbox:
            self.process_commands()
        return self.pattern.send(msg)

    def try_recv(self) -> Message | None:
        """The next whole message, or None = would block. Never blocks."""
        if self.dead:
            self._raise_dead()
        if self.mailbox:
            self.process_commands()
        pattern = self.pattern
        msg: Message | None = pattern.recv()
        if pattern.disconnects:
            self._take_disconnects()
        return msg

    def wait_recv(self, wait: Callable[[float | None], object]) -> Message:
        """The next whole message, waiting for it with no deadline (owner thread): the
        front-end's blocking loop -- ``prepare_to_sleep``, ``wait(None)``, ``try_recv`` -- in
        one call, for the blocking receive of a request/reply turn. Raises as ``try_recv``;
        ``wait`` may raise (Ctrl-C), leaving nothing taken."""
        mailbox = self.mailbox
        pattern = self.pattern
        while True:
            # ``prepare_to_sleep`` inline (one call less per blocking receive).
            if not self.dead:
                self._asleep = True
                if mailbox:
                    self._asleep = False
                else:
                    wait(None)
            if self.dead:
                self._raise_dead()
            if mailbox:
                self.process_commands()
            msg: Message | None = pattern.recv()
            if pattern.disconnects:
                self._take_disconnects()
            if msg is not None:
                return msg

    def try_recv_batch(self, limit: int) -> list[Message]:
        """Up to ``limit`` whole messages, oldest first, as ``try_recv`` would return them one
        by one (an empty list = would block). Never blocks. For a front-end that keeps the
        batch and hands it out message by message: one engine call for a run of messages."""
        if self.dead:
            self._raise_dead()
        if self.mailbox:
            self.process_commands()
        pattern = self.pattern
        batch: list[Message] = pattern.recv_batch(limit)
        if batch:
            self.recv_batches += 1
        if pattern.disconnects:
            self._take_disconnects()
        return batch

    def mark_plain_run(self, plain: bool) -> None:
        """The front-end took a run of messages ahead: ``plain`` when each is one ``bytes``
        frame (owner thread; see ``plain_run``)."""
        self.plain_run = plain
        # ``dead`` is re-read after the write, and every thread that sets ``dead`` clears the
        # flag after that: whichever of the two comes second leaves it False (the GIL orders
        # the four accesses), so the flag never outlives a live socket.
        if plain and self.dead:
            self.plain_run = False

    def unread(self, batch: list[Message]) -> bool:
        """Give back messages of ``try_recv_batch`` not handed out, oldest first (owner
        thread); False when the pattern does not take them (``Pattern.unread``)."""
        taken: bool = self.pattern.unread(batch)
        return taken

    def last_metadata(self) -> Mapping[str, bytes] | None:
        """Peer metadata of the pipe the last received message came from, or None (owner
        thread; for ``Frame.get`` / ``zmq_msg_gets``)."""
        pipe = self.pattern.last_pipe()
        return (pipe.metadata or None) if pipe is not None else None

    def prepare_to_sleep(self) -> bool:
        """Declare the owner asleep; False if work arrived meanwhile (then retry, do not sleep).

        After True, the owner waits for ``signal.wake()`` (or its timeout) and retries.
        """
        if self.dead:
            return False  # the retry raises the reason
        self._asleep = True
        # Set ``_asleep`` first, then re-read the mailbox (see the module docstring).
        if self.mailbox:
            self._asleep = False
            return False
        return True

    def events(self) -> int:
        """POLLIN/POLLOUT as ``getsockopt(EVENTS)`` reports them."""
        if self.dead:
            self._raise_dead()
        signal = self.signal
        if signal.has_fd:
            # ZMQ_FD contract: drain the fd, then stay "asleep" so that any later command
            # makes it readable again; then compute the state (so nothing is missed between).
            signal.clear()
            self._asleep = True
        if self.mailbox:
            self.process_commands()
        pattern = self.pattern
        ev = 0
        if pattern.can_recv():
            ev |= PollEvent.POLLIN
        if pattern.can_send():
            ev |= PollEvent.POLLOUT
        if pattern.disconnects:
            self._take_disconnects()
        return ev

    # -- options ------------------------------------------------------------------------------

    def setsockopt(self, option: int, value: Any) -> None:
        if self.dead:
            self._raise_dead()
        if self.mailbox:
            self.process_commands()
        if option in (
            SocketOption.TYPE,
            SocketOption.EVENTS,
            SocketOption.FD,
            SocketOption.LAST_ENDPOINT,
            SocketOption.RCVMORE,
        ):
            raise ZMQError(Errno.EINVAL, f"{SocketOption(option).name} is read-only")
        if self.pattern.setsockopt(option, value):
            return
        # HWM changes apply to pipes created afterwards (new connections).
        self.options.set(option, value)

    def getsockopt(self, option: int) -> Any:
        if self.dead:
            self._raise_dead()
        if option == SocketOption.EVENTS:
            return self.events()
        if self.mailbox:
            self.process_commands()
        if option == SocketOption.TYPE:
            return int(self.socket_type)
        if option == SocketOption.LAST_ENDPOINT:
            return self.last_endpoint.encode()
        if option == SocketOption.FD:
            return self.signal.fileno()
        if option == SocketOption.RCVMORE:
            return 0  # the front-end answers RCVMORE; the core only sees whole messages
        if option in _PATTERN_STATE:
            value = self.pattern.getsockopt(option)
            if value is not None:
                return value
        return self.options.get(option)

    # -- endpoints ----------------------------------------------------------------------------

    def _check_alive(self) -> None:
        if self.dead:
            self._raise_dead()
        if self.mailbox:
            self.process_commands()

    @staticmethod
    def _add_endpoint(
        table: dict[str, list[EndpointHandle]], names: tuple[str, ...], obj: EndpointHandle
    ) -> None:
        for name in dict.fromkeys(names):
            table.setdefault(name, []).append(obj)

    def bind(self, endpoint: str) -> str:
        """Bind; raises at once (EADDRINUSE, EINVAL, EPROTONOSUPPORT); returns LAST_ENDPOINT."""
        self._check_alive()
        from ..endpoint import parse

        parsed = parse(endpoint, for_bind=True)
        obj: EndpointHandle
        if parsed.scheme == "inproc":
            obj = self.ctx.inproc.bind(self, parsed.name)  # type: ignore[union-attr]
        elif parsed.scheme == "udp":
            from . import udp_session  # datagram side; imported on first use

            obj = session = udp_session.bind(self, endpoint)
            self._udp_sessions.append(session)
        elif parsed.scheme in ("pgm", "epgm"):
            from . import pgm_session  # multicast side; bind and connect both join the group

            obj = pgm_session_ = pgm_session.open(self, endpoint)
            self._pgm_sessions.append(pgm_session_)
        else:
            from . import listener  # network side; imported on first use

            obj = listener.bind(self, endpoint)
        resolved = str(obj.endpoint)
        self._add_endpoint(self._bound, (resolved, endpoint, str(parsed)), obj)
        self.last_endpoint = resolved
        return resolved

    def connect(self, endpoint: str) -> None:
        """Connect (queued until the peer exists); raises at once for a malformed endpoint."""
        self._check_alive()
        from ..endpoint import parse

        parsed = parse(endpoint, for_bind=False)
        obj: EndpointHandle
        if parsed.scheme == "inproc":
            obj = self.ctx.inproc.connect(self, parsed.name)  # type: ignore[union-attr]
        elif parsed.scheme == "udp":
            from . import udp_session  # datagram side; imported on first use

            obj = session = udp_session.connect(self, endpoint)
            self._udp_sessions.append(session)
        elif parsed.scheme in ("pgm", "epgm"):
            from . import pgm_session  # multicast side; bind and connect both join the group

            obj = pgm_session_ = pgm_session.open(self, endpoint)
            self._pgm_sessions.append(pgm_session_)
        else:
            from . import connecter  # network side; imported on first use

            with self._ctl_lock:
                engine_end = None
                # STREAM has no session pipe: each TCP connection is a peer of its own (a new
                # routing id and an [id, b""] notification when it is made; libzmq's
                # stream_engine attaches a new pipe per connection), so its pipes come from
                # session_pipe() per connection, as with IMMEDIATE=1.
                if not self.options.immediate and self.socket_type != SocketType.STREAM:
                    # The pipe exists from connect() on, so sends queue before the connection
                    # (docs/protocol/patterns.md §1.1); it survives reconnects. A ROUTER can attach
                    # it only under a known id: CONNECT_ROUTING_ID (read before the connecter
                    # consumes it), else at the first handshake.
                    engine_end = self._make_pipe()
                    rid = self.options.connect_routing_id
                    if rid:
                        engine_end.peer.routing_id = rid
                    if self.socket_type not in _NEEDS_PEER_ID or rid:
                        self.attach_local(engine_end.peer, None)
                try:
                    obj = connecter.connect(self, endpoint)
                except BaseException:
                    # Refused before any connection (a bad WSS_TRUST_PEM, a missing extra): the
                    # pipe made above must not stay attached and swallow messages.
                    if engine_end is not None:
                        self.pipe_disconnected(engine_end, reconnecting=False)
                    raise
                if engine_end is not None:
                    self._sessions[obj] = engine_end
        self._add_endpoint(self._connected, (endpoint, str(parsed)), obj)
        self.last_endpoint = obj.endpoint

    def connect_peer(self, endpoint: str) -> int:
        """PEER: connect and return the routing id of the new peer (``zmq_connect_peer``).

        The connect side's pipe is attached at ``connect()`` (IMMEDIATE=0), so its routing id
        exists at once; with IMMEDIATE=1 there is no pipe yet and libzmq answers EFAULT.
        """
        self._check_alive()
        if self.socket_type is not SocketType.PEER:
            raise ZMQError(Errno.ENOTSUP, "connect_peer() is for PEER sockets")
        if self.options.immediate:
            raise ZMQError(Errno.EFAULT, "connect_peer() cannot work with IMMEDIATE=1")
        pattern = self.pattern
        assert isinstance(pattern, PeerPattern)  # the PEER socket type's pattern
        before = pattern.last_attached_id
        self.connect(endpoint)
        rid = int(pattern.last_attached_id)
        if rid == before:
            raise ZMQError(Errno.EFAULT, f"connect_peer({endpoint!r}): no peer pipe was made")
        return rid

    def join(self, group: bytes) -> None:
        """DISH: join ``group`` (its RADIO peers are told by the pattern)."""
        self._dish("join").join(group)

    def leave(self, group: bytes) -> None:
        """DISH: leave ``group``."""
        self._dish("leave").leave(group)

    def _dish(self, what: str) -> Dish:
        self._check_alive()
        pattern = self.pattern
        if not isinstance(pattern, Dish):
            raise ZMQError(Errno.ENOTSUP, f"{what}() is for DISH sockets")
        return pattern

    def _remove_endpoint(
        self, table: dict[str, list[EndpointHandle]], endpoint: str, what: str
    ) -> None:
        self._check_alive()
        objs = table.pop(endpoint, None)
        if not objs:
            raise ZMQError(Errno.ENOENT, f"{what} {endpoint!r}: this socket has no such endpoint")
        # The same object may be listed under its other spellings (resolved, canonical).
        for name in [k for k, v in table.items() if any(o in objs for o in v)]:
            kept = [o for o in table[name] if o not in objs]
            if kept:
                table[name] = kept
            else:
                del table[name]
        linger = int(self.options.linger)
        for obj in objs:
            obj.close(linger)

    def unbind(self, endpoint: str) -> None:
        """Stop listening on ``endpoint`` (ENOENT if it was not bound here)."""
        self._remove_endpoint(self._bound, endpoint, "unbind")

    def disconnect(self, endpoint: str) -> None:
        """Drop the connection to ``endpoint`` (ENOENT if it was not connected here).

        The session pipe leaves the pattern now, on the owner thread, as libzmq terminates it
        in ``zmq_disconnect``: a send right after (say, after connecting again to the same
        endpoint) must not pick the old connection, whose replies could never come back. What
        was queued on it before still goes out within LINGER (the connecter's close).
        """
        with self._ctl_lock:
            sessions = [self._sessions.get(obj) for obj in self._connected.get(endpoint, ())]
        self._remove_endpoint(self._connected, endpoint, "disconnect")
        if int(getattr(self.options, "reconnect_stop", 0) or 0) & ReconnectStop.AFTER_DISCONNECT:
            # RECONNECT_STOP_AFTER_DISCONNECT: from now on a refused connect is not retried.
            self.disconnect_called = True
        for engine_end in sessions:
            if engine_end is not None and engine_end.peer in self._pipes:
                del self._pipes[engine_end.peer]
                self.pattern.detach(engine_end.peer)

    # -- pipes (owner thread) -----------------------------------------------------------------

    def attach_local(self, pipe: Pipe, peer: SocketCore | None) -> None:
        """Attach our end now (we are on the owner thread)."""
        self._own(pipe)
        self._attach(pipe, peer)
        if self.signal.has_fd:
            # A new pipe's reader starts awake: its first messages post no activation until a
            # read finds it empty. libzmq's connect() leaves a command in the socket's mailbox,
            # so the ZMQ_FD turns readable and the poller re-reads EVENTS, which puts the new
            # pipe's reader to sleep; do the same, or an FD-driven reader (an event loop that
            # reads only after the fd fires) never hears of those messages.
            self._asleep = False
            self.signal.wake()

    def _attach(self, pipe: Pipe, peer: SocketCore | None) -> None:
        if self.dead or pipe in self._pipes:
            if self.dead:
                self._close_end(pipe, peer)
            return
        if not self.pattern.attach(pipe):
            # Refused (PAIR already has its peer): close that connection (libzmq pair_t).
            self._close_end(pipe, peer)
            return
        self._pipes[pipe] = peer
        if pipe.peer_closed:
            # The peer went away before we got here: keep what it sent readable, detach.
            self._on_term(pipe)
        if self.pattern.disconnects:
            self._take_disconnects()

    def _on_term(self, pipe: Pipe) -> None:
        """The other end closed (``_TERM``): detach; what it already sent stays readable."""
        if pipe in self._pipes:
            del self._pipes[pipe]
            self.pattern.detach(pipe)
        pipe.close()
        # Nobody will read what we queued for the peer: free it.
        pipe.drop_outbound()

    def _close_end(self, pipe: Pipe, peer: SocketCore | None) -> None:
        """Close our end from our side: our inbound is discarded (docs/protocol/patterns.md
        §1.3)."""
        pipe.drop_inbound()
        pipe.close()
        if peer is not None:
            peer.post_term(pipe.peer)

    def close_pipe(self, pipe: Pipe) -> None:
        """Disconnect one pipe from our side (disconnect/close/pattern request)."""
        if pipe in self._pipes:
            peer = self._pipes.pop(pipe)
            self.pattern.detach(pipe)
        else:
            peer = None
        self._close_end(pipe, peer)

    def _take_disconnects(self) -> None:
        """Pipes the pattern asked to drop (ROUTER_HANDOVER, protocol errors)."""
        for pipe, reason in self.pattern.take_disconnects():
            connection = pipe.peer.connection
            self.close_pipe(pipe)
            if connection is not None:
                # Network side: close that connection (after PROTOCOL, do not reconnect).
                self.call_soon(connection.disconnect_requested, reason)

    # ------------------------------------------------------------------ network side hooks

    def _make_pipe(self) -> Pipe:
        """A pipe pair for a network peer; returns the engine's end (any thread)."""
        opts = self.options
        conflate = bool(opts.conflate) and self.socket_type in _CONFLATE_TYPES
        s_end, e_end = pipe_pair(
            opts.sndhwm, opts.rcvhwm, conflate_ab=conflate, conflate_ba=conflate
        )
        s_end.session = True
        self._own(s_end)
        return e_end

    def attached_pipe(self) -> Pipe:
        """Owner thread: a pipe whose socket end is attached now and takes every message (a
        udp:// session: libzmq's ``subscribe_to_all``); returns the engine's end."""
        engine_end = self._make_pipe()
        engine_end.peer.subscribe_all = True
        self.attach_local(engine_end.peer, None)
        return engine_end

    def new_pipe(self) -> Pipe:
        """I/O loop: a fresh pipe for an accepted connection; returns the engine's end."""
        return self._make_pipe()

    def session_pipe(self, connecter: Any) -> Pipe:
        """I/O loop: the pipe of a connecter's connection; returns the engine's end.

        With IMMEDIATE=0 this is the pipe created at ``connect()``, the same after every
        reconnect; with IMMEDIATE=1 a new one per connection.
        """
        with self._ctl_lock:
            end = self._sessions.get(connecter)
        return end if end is not None else self._make_pipe()

    def attach_pipe(self, engine_end: Pipe) -> None:
        """I/O loop: the handshake is done; attach the socket's end to the pattern.

        The network side sets ``metadata``, ``peer_type`` and ``routing_id`` on either end; they
        are copied to the socket's end here, before the pattern sees it.
        """
        s_end = engine_end.peer
        if engine_end.metadata and not s_end.metadata:
            s_end.metadata = engine_end.metadata
        if engine_end.peer_type >= 0 and s_end.peer_type < 0:
            s_end.peer_type = engine_end.peer_type
        if engine_end.routing_id and not s_end.routing_id:
            s_end.routing_id = engine_end.routing_id
        with self._ctl_lock:
            is_session = engine_end in self._sessions.values()
        if not is_session:
            self.post_attach(s_end, None)
        elif engine_end in self._session_seen:
            self._post(_HICCUP, s_end)
        else:
            self._session_seen.add(engine_end)
            if self.socket_type in _NEEDS_PEER_ID:
                self.post_attach(s_end, None)

    def pipe_disconnected(self, engine_end: Pipe, reconnecting: bool) -> None:
        """I/O loop: a connection is gone. A session pipe waiting for a reconnect is kept."""
        with self._ctl_lock:
            is_session = engine_end in self._sessions.values()
            if is_session and not reconnecting:
                for key in [k for k, v in self._sessions.items() if v is engine_end]:
                    del self._sessions[key]
        if is_session and reconnecting:
            return
        self._session_seen.discard(engine_end)
        engine_end.close()
        self._post(_TERM, engine_end.peer)

    def drop_session(self, connecter: object) -> None:
        """I/O loop: ``connecter`` stopped for good before a connection took its session pipe
        (a protocol error in the handshake). The pipe goes, with what was queued in it, so the
        pattern stops routing to it (libzmq ``session_base::engine_error`` terminates the
        session on a protocol error)."""
        with self._ctl_lock:
            end = self._sessions.get(connecter)
        if end is not None:
            self.pipe_disconnected(end, reconnecting=False)

    def emit(self, event: Event, value: int, endpoint: str) -> None:
        """Monitor event (any thread): handed to every monitor sink of this socket."""
        for sink in tuple(self._monitors):
            sink.emit(event, value, endpoint)

    def monitor(self, address: str | None, events: int = Event.ALL) -> None:
        """Start (or, with None, stop) the monitor; libzmq keeps one monitor per socket."""
        if self.dead:
            self._raise_dead()
        for sink in self._monitors:
            sink.close()
        self._monitors = []
        if address is not None:
            from . import monitor as _monitor  # network side

            self._monitors = [_monitor.start(self, address, events)]

    # ------------------------------------------------------------------ the I/O loop

    def _io_wakeup(self) -> _wakeup.Wakeup:
        signal = self.signal
        if isinstance(signal, LoopSignal):
            return signal.get_wakeup()
        return self.ctx.thread_wakeup()

    @property
    def io_loop(self) -> asyncio.AbstractEventLoop:
        """The loop the network side runs this socket's connections on."""
        return self._io_wakeup().loop

    def call_soon(self, fn: Any, *args: Any) -> None:
        """Run ``fn(*args)`` on this socket's I/O loop (any thread; coalesced kick)."""
        self._io_wakeup().call_soon(fn, *args)

    def run(self, fn: Any, *args: Any) -> Any:
        """Run ``fn(*args)`` on the I/O loop and return its result (control plane)."""
        return self.ctx.run_on(self._io_wakeup(), fn, *args)

    # ------------------------------------------------------------------ closing

    @property
    def closed(self) -> bool:
        return self.dead == _CLOSED or self.dead == _CLOSED_BY_TERM

    def close_for_term(self, linger: int | None = None) -> None:
        """``term()``/``destroy()`` close a socket whose owner cannot: a thread blocked on it
        (or a later call) gets ETERM, not ENOTSOCK."""
        self._close(linger, _CLOSED_BY_TERM)

    def close(self, linger: int | None = None) -> None:
        """Close (owner thread; also allowed after ETERM). Idempotent.

        Inproc: what we sent stays readable by the peer; what we did not read is dropped.
        Network: listeners/connecters get ``close(linger)`` and flush their pipes for up to
        LINGER ms (the ContextCore waits for them in ``term()``). Once the Context is
        terminating, later calls raise ETERM rather than ENOTSOCK (another thread may be
        blocked on this socket: it must learn that the Context ended).
        """
        self._close(linger, _CLOSED_BY_TERM if self.ctx.closed else _CLOSED)

    def _close(self, linger: int | None, final: Liveness) -> None:
        if self.dead == _CLOSED or self.dead == _CLOSED_BY_TERM:
            return
        if linger is None:
            linger = int(self.options.linger)
        forked = self.dead == _FORKED
        # Set first: a thread woken below (or racing with us) sees the final reason.
        self.dead = final
        self.route = _refuse
        self.plain_run = False
        if forked:
            return
        ctx = self.ctx
        ctx.inproc.forget_socket(self)
        # Pipes handed to us but not attached yet: close them too.
        mailbox = self.mailbox
        while mailbox:
            op, pipe, arg = mailbox.popleft()
            if op == _ATTACH and pipe not in self._pipes:
                self._close_end(pipe, arg)
            elif op == _PEER and pipe in self._pipes:
                self._pipes[pipe] = arg
        seen: set[int] = set()
        for table in (self._bound, self._connected):
            for objs in list(table.values()):
                for obj in objs:
                    if id(obj) not in seen:
                        seen.add(id(obj))
                        obj.close(linger)
            table.clear()
        if linger != 0:
            queued = [p for p in self._pipes if p.session and p.write_pending()]
            if queued:
                ctx.note_flushing(queued, linger)
        for pipe in list(self._pipes):
            self.close_pipe(pipe)
        with self._ctl_lock:
            for engine_end in self._sessions.values():
                if not engine_end.peer_closed:
                    self._close_end(engine_end.peer, None)
            self._sessions.clear()
        for sink in self._monitors:
            sink.close()
        self._monitors = []
        # Another thread blocked on this socket re-checks and gets ENOTSOCK.
        self._asleep = False
        self.signal.wake()
        ctx.remove_socket(self)

    def statistics(self) -> SocketStatistics:
        """Counters for tests and tuning."""
        udp = self._udp_sessions
        return SocketStatistics(
            wakeups_sent=self.wakeups_sent,
            signal_wakes=self.signal.wakes,
            commands_processed=self.commands_processed,
            direct_writes=self.direct_writes,
            recv_batches=self.recv_batches,
            mailbox_depth=len(self.mailbox),
            pipes=len(self._pipes),
            inbound_queued=sum(p.read_pending() for p in self._pipes),
            outbound_queued=sum(p.write_pending() for p in self._pipes),
            pattern=self.pattern.statistics(),
            udp_datagrams_dropped=sum(o.datagrams_dropped for o in udp),
            udp_messages_dropped=sum(o.messages_dropped for o in udp),
            pgm_datagrams_dropped=sum(o.datagrams_dropped for o in self._pgm_sessions),
            pgm_data_lost=sum(o.pgm_data_lost for o in self._pgm_sessions),
            handshaking=self.handshaking,
            handshaking_peak=self.handshaking_peak,
            handshakes_refused=self.handshakes_refused,
        )

    def __repr__(self) -> str:
        state = self.dead.name.lower()
        return f"<SocketCore {self.socket_type.name} {state} pipes={len(self._pipes)}>"


__all__ = ["Liveness", "SocketCore", "SocketStatistics"]
