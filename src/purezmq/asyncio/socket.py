"""The asyncio ``Socket`` (``zmq.asyncio.Socket``): the same surface as the sync socket, with
``send``/``recv`` (and their multipart/string/json/pyobj/serialized forms, ``recv_into``) and
``poll`` returning ``asyncio.Future`` objects, as pyzmq's do; ``bind``/``connect``/``close``/
``setsockopt`` stay synchronous.

Everything runs on the caller's running loop, with no thread hop (docs/architecture.md):

* when the engine already has a message (or room for one), ``recv()``/``send()`` return a Future
  that is already done: awaiting it does not yield to the loop. Receives take up to
  ``_RECV_BATCH`` queued messages from the engine at once, as the sync API does, and keep the
  rest in the socket for the next calls;
* otherwise the call queues a pending Future and declares the owner asleep
  (``core.prepare_to_sleep()``); the core's wake-up runs ``_dispatch`` on the owner loop
  (``LoopSignal.on_wake``), which hands messages to the pending receives and queued messages
  to the engine, oldest Future first: several pending receives (or sends) of one socket are
  served in the order they were created, as pyzmq's queue of Futures is;
* cancel safety: a message leaves the engine (or the socket's batch) only in ``_dispatch``,
  which takes it for the oldest pending receive that is not done and sets that Future's result
  in the same step, with nothing in between. A cancelled (or timed-out) receive is done, so it
  is skipped and never takes a message: ``wait_for(sock.recv(), t)`` timing out loses nothing.
  A Task cancelled after its waiting receive was served but before it ran again (as
  ``asyncio.timeout()`` does when the message and the deadline come in one loop turn) never
  reads the Future, which then gives the message back (``ReceiveFuture``).

Errors are set on the Future: ``Again`` (``NOBLOCK``, ``RCVTIMEO``/``SNDTIMEO``), ENOTSOCK
(called on a closed socket, or pending when it closes: pyzmq cancels those instead), ETERM.

``_dispatch`` may run inside another socket's pattern call (an inproc peer on the same loop
writes, and the pipe's activation wakes this socket). It never re-enters this socket's own
pattern: every call of this front-end that reaches the core while Futures are pending runs
with ``_busy`` set, and a wake-up meanwhile only sets ``_redo``, served when the call ends. A
call made while nothing is pending needs no flag: the core wakes its owner only after
``prepare_to_sleep()``, which is called only while something is pending (a stale wake-up finds
nothing to serve and touches no pattern).

The socket binds to the loop it is created (or first used) on, as pyzmq's; using it from
another loop is an error.

Layer 4: imports layer 0, the front-ends' base (``_base``) and ``_engine`` only.
"""

from __future__ import annotations

import asyncio
import pickle
import sys
import weakref
from _thread import get_ident as _get_ident
from collections import deque
from collections.abc import Callable, Generator, Sequence
from functools import partial
from typing import Any, Literal, overload

from .._base.frame import Frame, MessageTracker, track_message, track_send
from .._base.serialize import (
    coerce_message,
    decode_json,
    decode_pyobj,
    decode_string,
    encode_json,
    encode_pyobj,
    encode_serialized,
    encode_string,
    writable_view,
)
from .._base.socket import DONTWAIT, DROPPING_TYPES, POLLIN, THREAD_SAFE_TYPES, SocketBase
from .._engine import SocketCore
from .._engine.signal import FdSignal, LoopSignal
from .._typing import Received
from ..constants import Errno
from ..error import Again, ZMQError

_Future = asyncio.Future
_get_running_loop = asyncio._get_running_loop
_set_attr = object.__setattr__

#: Most messages one receive takes from the engine at once (the rest wait in the socket): the
#: blocking API's figure, and libzmq's ypipe prefetch granularity. A run is never more than
#: the pipe holds, so RCVHWM still bounds it.
_RECV_BATCH = 256

# What a pending receive takes: one frame (``recv``) or the whole rest of a message.
_FRAME = 0
WHOLE_MESSAGE = 1


class _LateLoopSignal:
    """The owner signal of an asyncio socket created while no loop was running.

    It binds to the loop that first uses the socket. Before that nobody waits, so ``wake()``
    is a no-op until ``bind()``; ``bind()`` runs synchronously before ``prepare_to_sleep()``,
    which keeps the lost-wake-up argument of ``LoopSignal`` intact. (Such a socket's
    connections run on the Context's I/O thread; a socket created inside a running loop gets a
    plain ``LoopSignal`` and runs everything on that loop.)
    """

    __slots__ = ("_fd", "_inner", "on_wake")

    def __init__(self) -> None:
        self._inner: LoopSignal | None = None
        #: Only for ``fileno()`` (getsockopt(FD)), created on first use.
        self._fd: FdSignal | None = None
        self.on_wake: Callable[[], None] | None = None

    @property
    def wakes(self) -> int:
        """How many times the bound loop's signal was woken (statistics)."""
        return 0 if self._inner is None else self._inner.wakes

    def wake(self) -> None:
        fd = self._fd
        if fd is not None:
            fd.wake()
        inner = self._inner
        if inner is not None:
            inner.wake()

    @property
    def has_fd(self) -> bool:
        return self._fd is not None

    def fileno(self) -> int:
        if self._fd is None:
            self._fd = FdSignal()
        return self._fd.fileno()

    def clear(self) -> None:
        if self._fd is not None:
            self._fd.clear()

    def forget(self, fut: asyncio.Future[None]) -> None:
        if self._inner is not None:
            self._inner.forget(fut)

    def bind(self) -> LoopSignal:
        loop = asyncio.get_running_loop()
        inner = self._inner
        if inner is None or inner.loop is not loop:
            inner = LoopSignal(loop)
            inner.bind_wakeup()
            inner.on_wake = self.on_wake
            self._inner = inner
        return inner


def bound_signal(signal: LoopSignal | _LateLoopSignal) -> LoopSignal:
    """The LoopSignal to wait on, checking the socket is used from its own loop."""
    if isinstance(signal, LoopSignal):
        # runs_here() first: it spares the getpid() system call of get_running_loop().
        if not signal.runs_here() and asyncio.get_running_loop() is not signal.loop:
            raise ZMQError(Errno.EINVAL, "this asyncio socket belongs to another event loop")
        return signal
    return signal.bind()


def _owe_a_turn(ref: weakref.ref[Socket]) -> Callable[[], None]:
    """The ``Pattern.on_filled`` hook of a PUB-like socket: its next send gives the loop a
    turn. (Through a weak reference: the pattern must not keep its socket alive.)"""

    def owe_a_turn() -> None:
        sock = ref()
        if sock is not None:
            _set_attr(sock, "_owe_turn", True)

    return owe_a_turn


def _dispatcher(ref: weakref.ref[Socket]) -> Callable[[], None]:
    """The signal's ``on_wake``: serve the socket's pending Futures. (A weak reference: the
    core holds the signal, and must not keep the front-end alive.)"""

    def on_wake() -> None:
        sock = ref()
        if sock is not None and (sock._recv_q or sock._send_q):
            sock._dispatch()

    return on_wake


def _not_bound() -> bool:
    """``_on_own_loop`` of a socket created outside any loop: its receives take the general
    path, which binds it to the running loop."""
    return False


class ReceiveFuture(asyncio.Future[Any]):
    """The Future of a receive that waits for its message, which ``_dispatch`` sets on it.

    ``asyncio.timeout()`` (and so ``asyncio.wait_for`` from Python 3.12) may cancel the Task
    awaiting this Future after the message was set on it but before the Task resumed to read
    it: the Task is then resumed with the cancellation instead. A plain Future would take the
    message with it; this one gives it back to its socket, first in line, when the
    cancellation reaches its ``await`` (docs/contracts.md, "Cancel safety").
    """

    __slots__ = ("_kind", "_message", "_socket")

    # asyncio's Task finds these on a Future that is not exactly ``asyncio.Future`` by name
    # (``result`` by a C string, which skips the type's attribute cache): found here, the
    # lookup ends at the first class of the MRO.
    result = asyncio.Future.result
    get_loop = asyncio.Future.get_loop
    add_done_callback = asyncio.Future.add_done_callback

    _socket: Socket
    _kind: int
    _message: Any

    def __await__(self) -> Generator[Any, None, Any]:
        if not self.done():
            self._asyncio_future_blocking = True
            try:
                yield self
            except BaseException:
                # Resumed by a cancellation (or closed) while holding a message it never
                # handed out: a result is only ever set by ``_dispatch``, with the slots.
                if self.done() and not self.cancelled() and self.exception() is None:
                    self._socket._give_back(self._kind, self._message)
                raise
        return self.result()

    __iter__ = __await__


def _future_factory(
    loop: asyncio.AbstractEventLoop, cls: type[asyncio.Future[Any]] = _Future
) -> Callable[[], asyncio.Future[Any]]:
    """What makes the Futures (of ``cls``) of a socket on ``loop`` while that loop runs here.

    Up to CPython 3.11 a Future that finds its loop itself asks ``get_event_loop()``, whose
    fork check is a ``getpid()`` system call: passing the loop costs less, even with the
    keyword dict. From 3.12 the running loop is read from the thread state, and the Future
    without arguments is the cheaper one.
    """
    if sys.version_info >= (3, 12):
        return cls
    return partial(cls, loop=loop)


def _expire(fut: asyncio.Future[Any], what: str) -> None:
    """RCVTIMEO/SNDTIMEO passed before the Future was served."""
    if not fut.done():
        fut.set_exception(Again())  # libzmq's plain strerror, as pyzmq


# A pending receive is a list (built and read on every blocking receive: cheaper than an
# object): [Future, what it takes (_FRAME/WHOLE_MESSAGE), copy, post-processing or None, timer
# or None].
_FUT = 0
_KIND = 1
_COPY = 2
_POST = 3
_TIMER = 4


class _PendingSend:
    """A whole message waiting for room in the engine (HWM), with its Future."""

    __slots__ = ("fut", "msg", "result", "timer")

    def __init__(
        self,
        fut: asyncio.Future[Any],
        msg: list[bytes],
        result: MessageTracker | None,
        timer: asyncio.TimerHandle | None,
    ) -> None:
        self.fut = fut
        self.msg = msg
        self.result = result
        self.timer = timer


class _Flags:
    """The dispatcher's re-entrancy flags (slots: set on every guarded call)."""

    __slots__ = ("busy", "redo")

    def __init__(self) -> None:
        #: A call of this front-end is inside the core: a wake-up must not dispatch now.
        self.busy = False
        #: A wake-up came while busy: dispatch when the call ends.
        self.redo = False


class Socket(SocketBase):
    """A ZeroMQ socket for asyncio code; create it with ``purezmq.asyncio.Context.socket``."""

    _repr_cls = "asyncio.Socket"

    _signal: LoopSignal | _LateLoopSignal
    _loop: asyncio.AbstractEventLoop | None
    #: Whether the socket's loop is running (``recv()``'s fast path): its ``is_running``, or
    #: for a socket created outside any loop a function that always answers False. With one
    #: loop per thread, "running" means "the running loop of its thread": a call made while
    #: another loop runs on this thread finds it False and takes the checked path. (A call from
    #: another thread while it runs is not caught here: asyncio sockets, like asyncio's own
    #: objects, belong to their loop's thread; asking ``_get_running_loop()`` instead would
    #: cost a ``getpid()`` system call per message on CPython 3.11.)
    _on_own_loop: Callable[[], bool]
    #: The socket's loop when it is one of asyncio's own (``BaseEventLoop``), else None. Such
    #: a loop runs exactly while its ``_thread_id`` is set (its ``is_running()`` reads that,
    #: in a Python method): ``recv()``'s fast path reads the attribute instead of calling
    #: ``_on_own_loop``, a Python call less per message (a subclass that runs without setting
    #: it only takes the general path, which asks ``_on_own_loop``). Other loops (uvloop)
    #: answer ``is_running()`` in C.
    _tid_loop: Any = None
    #: Makes a Future of the socket's loop, called only while ``_on_own_loop()`` is true
    #: (``_future_factory``).
    _new_future: Callable[[], asyncio.Future[Any]]
    #: The same for the Future of a receive that waits (``ReceiveFuture``).
    _new_receiving: Callable[[], asyncio.Future[Any]]
    _recv_q: deque[list[Any]]
    _send_q: deque[_PendingSend]
    #: Pending Futures of ``poll()``, cancelled when the socket closes.
    _polls: set[asyncio.Future[int]]
    _flags: _Flags
    _owe_turn: bool
    _done_none: asyncio.Future[None] | None

    #: The socket's owner signal is a LoopSignal of its own (a shadow of a sync socket has
    #: the sync socket's): pollers wait on it directly.
    _loop_owned = True

    def __new__(cls, context: Any = None, *args: Any, **kwargs: Any) -> Socket:
        # ``Socket(sync_socket)`` is pyzmq's asyncio view of a sync socket.
        if cls is Socket and isinstance(context, SocketBase) and not isinstance(context, Socket):
            from .shadow import ShadowSocket

            return super().__new__(ShadowSocket)
        # The draft types carry a routing id or a group on single-frame messages (draft.py).
        socket_type = args[0] if args else kwargs.get("socket_type", 0)
        if cls is Socket and isinstance(socket_type, int) and socket_type in THREAD_SAFE_TYPES:
            from .draft import DraftSocket

            return super().__new__(DraftSocket)
        return super().__new__(cls)

    def __init__(
        self,
        context: Any = None,
        socket_type: int = 0,
        *,
        shadow: Any = 0,
        copy_threshold: int | None = None,
        **kwargs: Any,
    ) -> None:
        if shadow or isinstance(context, SocketBase):
            raise ZMQError(
                Errno.ENOTSUP,
                "purezmq sockets cannot shadow a libzmq socket address; pass the purezmq sync "
                "socket itself: purezmq.asyncio.Socket(sync_socket)",
            )
        if context is None:
            from . import Context

            context = Context.instance()
        if context.closed:
            raise ZMQError(Errno.ENOTSUP, "Context was terminated; cannot create sockets")
        # Created inside a running loop (the usual case): the socket and its connections live
        # on that loop. Otherwise bind on first use (see _LateLoopSignal).
        loop = asyncio._get_running_loop()
        self._loop = loop
        self._on_own_loop = loop.is_running if loop is not None else _not_bound
        self._tid_loop = loop if isinstance(loop, asyncio.BaseEventLoop) else None
        self._new_future = _future_factory(loop) if loop is not None else _Future
        self._new_receiving = (
            _future_factory(loop, ReceiveFuture) if loop is not None else ReceiveFuture
        )
        self._recv_q = deque()
        self._send_q = deque()
        self._polls = set()
        self._flags = _Flags()
        self._done_none = None
        signal: LoopSignal | _LateLoopSignal = (
            LoopSignal(loop) if loop is not None else _LateLoopSignal()
        )
        signal.on_wake = _dispatcher(weakref.ref(self))
        self._signal = signal
        core = SocketCore(context._core, socket_type, signal)
        self._init_state(core, context, int(socket_type))
        # PUB-like sockets never block: they drop at HWM. On this API the engine shares the
        # caller's loop, so a publishing loop that never awaits anything real would starve the
        # connections and drop nearly everything. The send during which a subscriber's queue
        # filled up (``Pattern.on_filled``) returns a Future that completes one loop turn
        # later: awaiting it gives the connections their turn before the next message. Only
        # then: a subscriber that stays full (gone quiet) does not cost every later send a turn.
        self._owe_turn = False
        if int(socket_type) in DROPPING_TYPES:
            core.pattern.on_filled = _owe_a_turn(weakref.ref(self))
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold

    @classmethod
    def from_socket(cls, socket: Any, io_loop: Any = None) -> Socket:
        """An asyncio view of the sync socket ``socket`` (pyzmq's ``from_socket``): the same
        socket, whose waiting calls return Futures; use it on the loop's thread (see
        ``purezmq.asyncio.shadow``). ``io_loop`` is ignored, as in pyzmq."""
        from .shadow import ShadowSocket

        return ShadowSocket(socket)

    # ---- lifecycle -------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Close the socket; its pending Futures (receives, sends, polls) are cancelled, as
        pyzmq's are; calls made afterwards fail with ``ZMQError(ENOTSOCK)``."""
        if self._closed:
            return
        self._closed = True
        self._recv_ready = []
        try:
            self._core.close(linger)
        finally:
            self._fail_all(None)
            polls = self._polls
            while polls:
                polls.pop().cancel()
            # Let pending polls of Pollers notice the socket is gone.
            self._signal.wake()

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> Socket:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # pyzmq closes a garbage-collected socket. A finalizer may run at any allocation, on
        # any thread, even while this thread holds a Context or engine lock, so it must not
        # take locks: it hands the core to the Context, which closes it at its next safe
        # point (``socket()``, ``term()``, ``destroy()``).
        try:
            if not self._closed:
                self._closed = True
                self._context._orphans.append(self._core)
        except Exception:
            pass

    def _signal_fileno(self) -> int:
        # ZMQ_FD for aiozmq/tornado-style integrations: readable when EVENTS may have changed.
        return self._signal.fileno()

    # ---- Futures ---------------------------------------------------------------------------

    def _bind_loop(self) -> asyncio.AbstractEventLoop:
        """The running loop of a socket created outside any loop. Such a socket may be used
        from one loop after another (each closed before the next runs, as pyzmq allows), so
        it keeps no loop of its own (``_loop`` stays None) and caches no done Future."""
        return bound_signal(self._signal).loop

    def _get_loop(self) -> asyncio.AbstractEventLoop:
        """The event loop this socket's Futures belong to (pyzmq's ``_get_loop``): the loop it
        was created on or, for a socket created outside any loop, the running loop, which it
        binds to now. ``RuntimeError`` when it has none and no loop runs."""
        return self._loop or self._bind_loop()

    def _done(self, result: Any) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = _Future(loop=self._loop or self._bind_loop())
        fut.set_result(result)
        return fut

    def _sent_future(self) -> asyncio.Future[None]:
        """The Future of a send that is done, with result None: one per socket, reused. A
        done Future has no state left to change (``cancel()`` is False, callbacks are
        scheduled at once), so sharing it is indistinguishable from a fresh one but for
        identity, and spares a send the Future's construction."""
        fut = self._done_none
        if fut is None:
            loop = self._loop
            if loop is None:
                return self._done(None)  # a late-bound socket: see _bind_loop
            fut = _Future(loop=loop)
            fut.set_result(None)
            _set_attr(self, "_done_none", fut)
        return fut

    def _failed(self, exc: BaseException) -> asyncio.Future[Any]:
        fut: asyncio.Future[Any] = _Future(loop=self._loop or self._bind_loop())
        fut.set_exception(exc)
        return fut

    def _fail_all(self, exc: ZMQError | None) -> None:
        """Fail every pending Future with ``exc`` (the context ended), or cancel them all
        (``None``: the socket was closed)."""
        recvs = self._recv_q
        while recvs:
            req = recvs.popleft()
            if req[_TIMER] is not None:
                req[_TIMER].cancel()
            if not req[_FUT].done():
                if exc is None:
                    req[_FUT].cancel()
                else:
                    req[_FUT].set_exception(exc)
        sends = self._send_q
        while sends:
            pending = sends.popleft()
            if pending.timer is not None:
                pending.timer.cancel()
            if not pending.fut.done():
                if exc is None:
                    pending.fut.cancel()
                else:
                    pending.fut.set_exception(exc)

    def _sleep_or_dispatch(self) -> None:
        """A Future was queued: declare the owner asleep, or serve at once when work arrived
        meanwhile (``prepare_to_sleep()`` False). Checks the socket's loop."""
        signal = self._signal
        if type(signal) is not LoopSignal:
            signal = bound_signal(signal)  # a late socket binds to its loop here
        if not signal.may_sleep(self._core.prepare_to_sleep):
            self._dispatch()

    def _dispatch(self) -> None:
        """Serve the pending Futures, oldest first, until none is left or the engine has
        nothing more for them; then declare the owner asleep (owner loop). The receives are
        served inline: a request/reply exchange comes here for every reply."""
        flags = self._flags
        if flags.busy:
            flags.redo = True
            return
        flags.busy = True
        try:
            queue = self._recv_q
            parts = self._recv_parts
            while True:
                flags.redo = False
                while queue:
                    req = queue[0]
                    fut = req[_FUT]
                    if fut.done():  # cancelled or timed out: it takes nothing
                        queue.popleft()
                        continue
                    value: Any
                    if parts:
                        if req[_KIND] == _FRAME:
                            value = parts.popleft()
                        else:
                            value = list(parts)
                            parts.clear()
                    else:
                        if self._closed:
                            self._fail_all(None)
                            break
                        ready = self._recv_ready
                        core = self._core
                        msg: Received | None
                        try:
                            if ready and not core.dead:
                                msg = ready.pop()
                            elif core.recv_runs:
                                msg = self._take_run()
                            else:
                                msg = core.try_recv()
                        except ZMQError as exc:
                            self._fail_all(exc)
                            break
                        if msg is None:
                            break
                        if req[_KIND] == _FRAME:
                            if len(msg) > 1:
                                parts.extend(msg[1:])
                            value = msg[0]
                        else:
                            value = msg
                    queue.popleft()
                    if req[_TIMER] is not None:
                        req[_TIMER].cancel()
                    kind = req[_KIND]
                    if kind == _FRAME:
                        if type(value) is not bytes:
                            value = self._bodies.own(value)
                    else:
                        if type(value) is tuple:
                            value = list(value)  # a one-frame message of a run: a 1-tuple
                        if self._bodies.lent:
                            self._bodies.own_all(value)
                    # What ``ReceiveFuture`` gives back if its Task never reads it.
                    fut._socket = self
                    fut._kind = kind
                    fut._message = value
                    if req[_COPY] and req[_POST] is None:
                        fut.set_result(value)  # the usual case: bytes, or a list of them
                        continue
                    try:
                        value = self._present(req, value)
                    except Exception as exc:  # a decoder's error: the message is used
                        fut.set_exception(exc)
                    else:
                        fut.set_result(value)
                if self._send_q:
                    self._serve_sends()
                if (
                    not (queue or self._send_q) or self._core.prepare_to_sleep()
                ) and not flags.redo:
                    return
        finally:
            flags.busy = False

    def _guarded_redo(self) -> None:
        """End of a guarded call: serve a wake-up that came meanwhile."""
        flags = self._flags
        flags.busy = False
        if flags.redo:
            self._dispatch()

    def _take_run(self) -> Received | None:
        """A message from a new run of the engine's (``_recv_ready`` is empty): the rest of
        the run waits in the socket for the next receives. None: nothing yet."""
        core = self._core
        batch: list[Received] = core.try_recv_batch(_RECV_BATCH)
        if not batch:
            return None
        if len(batch) == 1:
            return batch[0]
        # ``recv``'s fast path hands the run out unexamined when every message is one frame
        # (each has at least one: the sum of lengths is the count) of ``bytes`` (no body
        # lent); the first message counts too, as its other frames would go out first.
        plain = not self._bodies.lent and sum(map(len, batch)) == len(batch)
        batch.reverse()
        msg = batch.pop()
        # In place: a shadow of this socket shares the list (``SocketBase._init_shadow``).
        self._recv_ready[:] = batch
        core.mark_plain_run(plain)
        return msg

    def _next_message(self) -> Received | None:
        """The next whole message: from the run taken earlier, else from the engine. None:
        nothing yet. Raises the engine's errors (ETERM...)."""
        ready = self._recv_ready
        core = self._core
        if ready and not core.dead:
            return ready.pop()
        if core.recv_runs:
            return self._take_run()
        return core.try_recv()  # type: ignore[no-any-return]

    def _present(self, req: list[Any], value: Any) -> Any:
        """What a receive hands out for a frame (``_FRAME``) or a message (``WHOLE_MESSAGE``)
        of ``bytes``: ``Frame`` objects for ``copy=False``, then its post-processing."""
        if not req[_COPY]:
            if req[_KIND] == _FRAME:
                value = Frame._received(value, bool(self._recv_parts), self._message_properties())
            else:
                props = self._message_properties()
                last = len(value) - 1
                value = [Frame._received(f, i < last, props) for i, f in enumerate(value)]
        post = req[_POST]
        return value if post is None else post(value)

    def _give_back(self, kind: int, message: Any) -> None:
        """Put back a frame or message that a cancelled Task never read (``ReceiveFuture``):
        the next receive takes it first. On a closed socket it is dropped with the rest."""
        if self._closed:
            return
        if kind == _FRAME:
            # Before the rest of its message, if any: ``RCVMORE`` reads as it did.
            self._recv_parts.appendleft(message)
        else:
            # On top of the run taken ahead (its next message), which may now hold a
            # multipart message: recv()'s one-frame fast path is off until the next run.
            self._recv_ready.append(message)
            self._core.mark_plain_run(False)

    def _serve_sends(self) -> None:
        queue = self._send_q
        core = self._core
        while queue:
            req = queue[0]
            fut = req.fut
            if fut.done():
                queue.popleft()
                continue
            try:
                if self._closed:
                    self._check_closed()
                if not core.try_send(req.msg):
                    return
            except ZMQError as exc:
                self._fail_all(exc)
                return
            queue.popleft()
            if req.timer is not None:
                req.timer.cancel()
            fut.set_result(req.result)

    @staticmethod
    def _purge_recvs(queue: deque[list[Any]]) -> None:
        """Drop done (cancelled, timed-out) receives at the head of ``queue``."""
        while queue and queue[0][_FUT].done():
            queue.popleft()

    @staticmethod
    def _purge_sends(queue: deque[_PendingSend]) -> None:
        """Drop done (cancelled, timed-out) sends at the head of ``queue``."""
        while queue and queue[0].fut.done():
            queue.popleft()

    # ---- send ------------------------------------------------------------------------------

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> asyncio.Future[MessageTracker | None]:
        """Send one frame; with ``SNDMORE`` more frames of the same message follow. Returns a
        Future, done at once unless the message waits for room (HWM)."""
        # Fast path first (one bytes frame, no flags, nothing pending, queue not full), straight
        # into the pattern's routing (``core.route``): with no command queued for the core and
        # the core alive, that is what ``core.try_send`` does, one call less per message.
        core = self._core
        # ``route`` is an attribute holding a bound method: read as one, it is one specialised
        # attribute load; ``core.route(...)`` would look it up as a method on every call.
        route = core.route
        if (
            type(data) is bytes
            and not (flags or track or self._send_parts or self._recv_q or self._send_q)
            and copy
            and routing_id is None
            and group is None
            and not (self._closed or core.mailbox)
            and route((data,) if core.frame_tuples else [data])
        ):
            if self._owe_turn:
                return self._after_a_turn(None)
            return self._done_none or self._sent_future()  # type: ignore[return-value]
        if self._closed:
            return self._failed(ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket"))
        if routing_id is not None or group is not None:
            raise ZMQError(Errno.ENOTSUP, "routing_id/group are for SERVER/PEER/RADIO sockets")
        try:
            data, result = track_send(data, copy, track, self.copy_threshold)
        except ValueError as exc:  # an untracked Frame with track=True: on the Future (pyzmq)
            return self._failed(exc)
        msg = self._add_send_frame(data, flags)
        if msg is None:
            return self._done(result)
        return self._send_message(msg, flags, result)

    def _send_message(
        self, msg: list[bytes], flags: int, result: MessageTracker | None
    ) -> asyncio.Future[Any]:
        """Hand a whole message to the engine, or queue it behind earlier pending sends."""
        queue = self._send_q
        if queue:
            self._purge_sends(queue)
        core = self._core
        if not queue:
            self._flags.busy = True
            try:
                sent = core.try_send(msg)
            except ZMQError as exc:
                self._send_failed(exc)
                return self._failed(exc)
            finally:
                self._guarded_redo()
            if sent:
                self._sent()
                if self._owe_turn:
                    return self._after_a_turn(result)
                return self._sent_future() if result is None else self._done(result)
        if flags & DONTWAIT:
            again = Again()
            self._send_failed(again)
            return self._failed(again)
        self._sent()  # the message now waits in the queue, not in _send_parts
        loop = self._loop or self._bind_loop()
        fut: asyncio.Future[Any] = _Future(loop=loop)
        timeout = core.options.sndtimeo
        timer = None if timeout < 0 else loop.call_later(timeout / 1000.0, _expire, fut, "send")
        queue.append(_PendingSend(fut, msg, result, timer))
        self._sleep_or_dispatch()
        return fut

    def _after_a_turn(self, result: MessageTracker | None) -> asyncio.Future[Any]:
        """A send that filled a subscriber's queue (PUB): it is done, but its Future completes
        one loop turn later, so awaiting it lets the connections drain before the next one."""
        _set_attr(self, "_owe_turn", False)
        fut: asyncio.Future[Any] = _Future(loop=self._loop or self._bind_loop())
        fut.get_loop().call_soon(_settle, fut, result)
        return fut

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker | None]:
        """Send a whole multipart message (one hand-off to the engine); returns a Future."""
        msg = coerce_message(msg_parts)
        # Fast path: a whole message, no flags, nothing pending, queue not full; straight into
        # the pattern as in send().
        core = self._core
        route = core.route  # as in send()
        if (
            not (flags or track or self._send_parts or self._recv_q or self._send_q)
            and copy
            and not (self._closed or core.mailbox)
            and route(msg)
        ):
            if self._owe_turn:
                return self._after_a_turn(None)
            return self._done_none or self._sent_future()  # type: ignore[return-value]
        if self._closed:
            return self._failed(ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket"))
        try:
            result = track_message(msg_parts, msg, copy, track, self.copy_threshold)
        except ValueError as exc:
            return self._failed(exc)
        parts = self._prefix_message(msg, flags)
        if parts is None:
            return self._done(result)
        return self._send_message(parts, flags, result)

    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> asyncio.Future[MessageTracker | None]:
        return self.send(encode_string(u, encoding), flags, copy=copy, **kwargs)

    send_unicode = send_string

    def send_json(
        self, obj: Any, flags: int = 0, **kwargs: Any
    ) -> asyncio.Future[MessageTracker | None]:
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group") if k in kwargs}
        return self.send(encode_json(obj, **kwargs), flags, **send_kwargs)

    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = -1, **kwargs: Any
    ) -> asyncio.Future[MessageTracker | None]:
        proto = pickle.DEFAULT_PROTOCOL if protocol == -1 else protocol
        return self.send(encode_pyobj(obj, proto), flags, **kwargs)

    def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Sequence[Any]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> asyncio.Future[MessageTracker | None]:
        return self.send_multipart(encode_serialized(msg, serialize), flags, copy=copy, **kwargs)

    # ---- recv ------------------------------------------------------------------------------

    @overload
    def recv(self, flags: int = ..., *, track: bool = ...) -> asyncio.Future[bytes]: ...
    @overload
    def recv(
        self, flags: int = ..., *, copy: Literal[True], track: bool = ...
    ) -> asyncio.Future[bytes]: ...
    @overload
    def recv(
        self, flags: int = ..., *, copy: Literal[False], track: bool = ...
    ) -> asyncio.Future[Frame]: ...
    @overload
    def recv(
        self, flags: int = ..., copy: bool = ..., track: bool = ...
    ) -> asyncio.Future[bytes | Frame]: ...

    def recv(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Receive one frame: a Future of ``bytes``, or of a ``Frame`` when ``copy=False``."""
        ready = self._recv_ready
        if (
            ready
            and copy
            and self._core.plain_run
            and not (self._recv_parts or self._recv_q)
            and (
                tid_loop._thread_id is not None  # is_running(), without its Python call
                if (tid_loop := self._tid_loop) is not None
                else self._on_own_loop()
            )
        ):
            # The usual case, first and with the fewest steps: the run taken earlier holds
            # one-frame ``bytes`` messages only and the socket is alive (``plain_run``),
            # nothing received before is pending, and the socket's loop runs. It makes no
            # engine call, so pending sends do not matter here (see the module docstring).
            done: asyncio.Future[Any] = self._new_future()
            done.set_result(ready.pop()[0])
            return done
        if not self._recv_q and not self._send_q:
            # Nothing pending, the frame may be here (no pattern re-entry possible: see the
            # module docstring).
            loop = self._loop
            # The socket's loop running here spares asking for the running loop (a getpid()
            # system call on CPython 3.11).
            running = (
                loop
                if (
                    tid_loop._thread_id is not None  # as above
                    if (tid_loop := self._tid_loop) is not None
                    else self._on_own_loop()
                )
                else _get_running_loop()
            )
            if running is not loop and running is not None and loop is not None:
                # Another loop's call: the general path refuses it (EINVAL) before it takes
                # anything, so the message stays for the socket's own loop.
                return self._recv(_FRAME, flags, copy, None)
            parts = self._recv_parts
            frame: Any
            msg: Received | None
            if parts:
                frame = parts.popleft()
            else:
                ready = self._recv_ready
                core = self._core
                if ready and not core.dead:
                    msg = ready.pop()
                elif self._closed:
                    return self._failed(ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket"))
                elif (
                    (gate := core.pattern.recv_gate) is not None
                    and not gate.active
                    and not (core.mailbox or core.dead)
                ):
                    # The pattern proves the engine has nothing yet (a REQ's receive right
                    # after its request): wait without asking it.
                    return self._recv_pending(_FRAME, flags, copy, None)
                else:
                    try:
                        msg = self._take_run() if core.recv_runs else core.try_recv()
                    except ZMQError as exc:
                        return self._failed(exc)
                    if msg is None:
                        return self._recv_pending(_FRAME, flags, copy, None)
                if len(msg) > 1:
                    parts.extend(msg[1:])
                frame = msg[0]
            if type(frame) is not bytes:
                frame = self._bodies.own(frame)
            if not copy:
                frame = Frame._received(frame, bool(parts), self._message_properties())
            fut: asyncio.Future[Any] = (
                self._new_future()  # on the socket's loop: the usual case
                if loop is not None and running is loop
                else _Future(loop=loop or self._bind_loop())
            )
            fut.set_result(frame)
            return fut
        return self._recv(_FRAME, flags, copy, None)

    def _recv(
        self, kind: int, flags: int, copy: bool, post: Callable[[Any], Any] | None
    ) -> asyncio.Future[Any]:
        """Any receive: served at once when nothing is pending before it and a message is
        here, else queued (or ``Again`` with NOBLOCK)."""
        queue = self._recv_q
        if queue:
            self._purge_recvs(queue)
        if self._closed:
            return self._failed(ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket"))
        if queue:
            if flags & DONTWAIT:
                return self._failed(Again())
            return self._recv_pending(kind, flags, copy, post)
        loop = self._loop or self._bind_loop()
        bound_signal(self._signal)  # the loop check
        # On the socket's loop (the usual case) without asking for the running loop.
        fut = self._new_receiving() if self._on_own_loop() else ReceiveFuture(loop=loop)
        req = [fut, kind, copy, post, None]
        queue.append(req)
        self._dispatch()  # serves it at once when a message is here, else sleeps
        if fut.done():
            return fut
        if flags & DONTWAIT:
            queue.remove(req)
            fut.set_exception(Again())
            return fut
        timeout = self._core.options.rcvtimeo
        if timeout >= 0:
            req[_TIMER] = loop.call_later(timeout / 1000.0, _expire, fut, "recv")
        return fut

    def _recv_pending(
        self, kind: int, flags: int, copy: bool, post: Callable[[Any], Any] | None
    ) -> asyncio.Future[Any]:
        """Queue a receive that must wait (or fail it with ``Again`` under NOBLOCK). A
        request/reply exchange comes here once per message: ``_sleep_or_dispatch`` inline."""
        loop = self._loop or self._bind_loop()
        fut = (
            self._new_receiving()
            if (
                tid_loop._thread_id is not None  # as in recv()
                if (tid_loop := self._tid_loop) is not None
                else self._on_own_loop()
            )
            else ReceiveFuture(loop=loop)
        )
        if flags & DONTWAIT:
            fut.set_exception(Again())
            return fut
        core = self._core
        timeout = core.options.rcvtimeo
        timer = None if timeout < 0 else loop.call_later(timeout / 1000.0, _expire, fut, "recv")
        self._recv_q.append([fut, kind, copy, post, timer])
        signal = self._signal
        if (
            type(signal) is LoopSignal
            and (tid_loop := signal.tid_loop) is not None
            and tid_loop._thread_id == _get_ident()
        ):
            # ``may_sleep``'s loop check passed here: a call less per waiting receive.
            asleep = core.prepare_to_sleep()
        else:
            if type(signal) is not LoopSignal:
                signal = bound_signal(signal)  # a late socket binds to its loop here
            asleep = signal.may_sleep(core.prepare_to_sleep)
        if not asleep:
            self._dispatch()
        return fut

    @overload
    def recv_multipart(
        self, flags: int = ..., *, track: bool = ...
    ) -> asyncio.Future[list[bytes]]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., *, copy: Literal[True], track: bool = ...
    ) -> asyncio.Future[list[bytes]]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., *, copy: Literal[False], track: bool = ...
    ) -> asyncio.Future[list[Frame]]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., copy: bool = ..., track: bool = ...
    ) -> asyncio.Future[list[bytes] | list[Frame]]: ...

    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> asyncio.Future[Any]:
        """Receive a whole message (the rest of it, after ``recv``): a Future of its frames."""
        ready = self._recv_ready
        if (
            ready
            and copy
            and self._core.plain_run
            and not (self._recv_parts or self._recv_q)
            and (
                tid_loop._thread_id is not None  # as in recv()
                if (tid_loop := self._tid_loop) is not None
                else self._on_own_loop()
            )
        ):
            # recv()'s fast path, for the whole message: one frame, which a run may carry as a
            # 1-tuple (docs/contracts.md, "Pipes"), handed out as the list pyzmq returns.
            done: asyncio.Future[Any] = self._new_future()
            done.set_result([ready.pop()[0]])
            return done
        loop = self._loop
        running = loop if self._on_own_loop() else _get_running_loop()
        if (
            not self._recv_q
            and not self._send_q
            and not self._recv_parts
            and not self._closed
            # Another loop's call takes the general path, which refuses it (EINVAL) before
            # taking anything.
            and (running is loop or running is None or loop is None)
        ):
            try:
                msg = self._next_message()
            except ZMQError as exc:
                return self._failed(exc)
            if msg is None:
                return self._recv_pending(WHOLE_MESSAGE, flags, copy, None)
            if isinstance(msg, tuple):
                msg = list(msg)  # a one-frame message as a 1-tuple (contracts.md, "Pipes")
            if self._bodies.lent:
                self._bodies.own_all(msg)
            fut: asyncio.Future[Any] = (
                self._new_future()  # on the socket's loop: see recv()
                if loop is not None and running is loop
                else _Future(loop=loop or self._bind_loop())
            )
            if copy:
                fut.set_result(msg)
            else:
                props = self._message_properties()
                last = len(msg) - 1
                fut.set_result([Frame._received(f, i < last, props) for i, f in enumerate(msg)])
            return fut
        return self._recv(WHOLE_MESSAGE, flags, copy, None)

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> asyncio.Future[str]:
        return self._recv_decoded(flags, lambda b: decode_string(b, encoding))

    recv_unicode = recv_string

    def recv_json(self, flags: int = 0, **kwargs: Any) -> asyncio.Future[Any]:
        return self._recv_decoded(flags, lambda b: decode_json(b, **kwargs))

    def recv_pyobj(self, flags: int = 0) -> asyncio.Future[Any]:
        return self._recv_decoded(flags, decode_pyobj)

    def _recv_decoded(self, flags: int, decode: Callable[[bytes], Any]) -> asyncio.Future[Any]:
        """One frame through ``decode``: ``recv()``'s fast path when it applies, else the
        general path. As there, a decoder's error is set on the Future and the message is
        used."""
        ready = self._recv_ready
        if (
            ready
            and self._core.plain_run
            and not (self._recv_parts or self._recv_q)
            and (
                tid_loop._thread_id is not None  # as in recv()
                if (tid_loop := self._tid_loop) is not None
                else self._on_own_loop()
            )
        ):
            fut: asyncio.Future[Any] = self._new_future()
            body = ready.pop()[0]
            try:
                value = decode(body)
            except Exception as exc:
                fut.set_exception(exc)
            else:
                fut.set_result(value)
            return fut
        return self._recv(_FRAME, flags, True, decode)

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> asyncio.Future[Any]:
        return self._recv(WHOLE_MESSAGE, flags, copy, deserialize)

    def recv_into(
        self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0
    ) -> asyncio.Future[int]:
        """Receive one frame into ``buffer``: a Future of the frame's full size (it is
        truncated to ``nbytes``, or the buffer's size, when larger)."""
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes!r} must be non-negative")
        view = writable_view(buffer)
        if nbytes > len(view):
            raise ValueError(f"nbytes={nbytes} is larger than the buffer ({len(view)} bytes)")
        limit = len(view) if nbytes == 0 else nbytes

        def copy_into(frame: bytes) -> int:
            n = min(limit, len(frame))
            view[:n] = frame[:n]
            return len(frame)

        return self._recv(_FRAME, flags, True, copy_into)

    # ---- poll ------------------------------------------------------------------------------

    def poll(self, timeout: int | None = None, flags: int = POLLIN) -> asyncio.Future[int]:
        """A Future of the events in ``flags`` that are ready within ``timeout`` ms (None or
        -1: no limit; 0 on timeout)."""
        self._check_closed()
        from .poll import Poller

        poller = Poller()
        poller.register(self, flags)
        polled = poller.poll(timeout)
        if polled.done() and not polled.cancelled() and polled.exception() is None:
            return self._done(dict(polled.result()).get(self, 0))
        loop = self._loop or self._bind_loop()
        fut: asyncio.Future[int] = _Future(loop=loop)

        def unwrap(done: asyncio.Future[list[tuple[Any, int]]]) -> None:
            if fut.done():
                return
            if done.cancelled():
                fut.cancel()
            elif done.exception() is not None:
                fut.set_exception(done.exception())  # type: ignore[arg-type]
            else:
                fut.set_result(dict(done.result()).get(self, 0))

        def cancel_poll(_: asyncio.Future[int]) -> None:
            if not polled.done():
                polled.cancel()

        polled.add_done_callback(unwrap)
        fut.add_done_callback(cancel_poll)
        # Cancelled if the socket closes first (pyzmq's rule for a pending poll).
        polls = self._polls
        polls.add(fut)
        fut.add_done_callback(polls.discard)
        return fut

    @property
    def _send_futures(self) -> list[asyncio.Future[Any]]:
        """The Futures of the sends still waiting for room, oldest first (pyzmq's name)."""
        return [pending.fut for pending in self._send_q if not pending.fut.done()]

    @property
    def _recv_futures(self) -> list[asyncio.Future[Any]]:
        """The Futures of the receives and polls still pending on this socket, oldest receive
        first (pyzmq's name for its queue of them; programs and pyzmq's tests read it to check
        that cancelled calls leave nothing behind)."""
        pending = [req[_FUT] for req in self._recv_q if not req[_FUT].done()]
        pending.extend(fut for fut in self._polls if not fut.done())
        return pending

    def _events_now(self) -> int:
        """``_events()`` under the re-entrancy guard."""
        self._flags.busy = True
        try:
            return self._events()
        finally:
            self._guarded_redo()

    # ---- monitor ---------------------------------------------------------------------------

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        sock = super().get_monitor_socket(events, addr)
        assert isinstance(sock, Socket)
        return sock


def _settle(fut: asyncio.Future[Any], result: Any) -> None:
    if not fut.done():
        fut.set_result(result)


__all__ = ["Socket"]
