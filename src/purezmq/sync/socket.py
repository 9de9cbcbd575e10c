"""The blocking ``Socket`` (``zmq.Socket``): a thin proxy over the engine's ``SocketCore``.

The socket's routing pattern runs right here, on the user's thread (contracts.md, "Engine ↔
front-ends"): ``send``/``recv`` call ``core.try_send``/``core.try_recv`` directly; only the
connections run on the Context's I/O thread. Blocking is the ypipe protocol:

1. try the operation;
2. ``core.prepare_to_sleep()`` declares this thread asleep — False means work arrived since
   step 1, so retry instead of sleeping (this is what makes a lost wake-up impossible);
3. wait on this socket's ``ThreadSignal`` for at most the remaining RCVTIMEO/SNDTIMEO, retry.

The wait is a lock acquisition with a timeout, which the main thread's SIGINT handler
interrupts: Ctrl-C raises ``KeyboardInterrupt`` out of a blocked ``recv``, and since nothing was
taken from the queue the socket stays usable. A terminated Context wakes every sleeper; the
retry then raises ``ContextTerminated`` (ETERM).

Layer 4: imports layer 0, the front-ends' base (``_base``) and ``_engine`` only.
"""

from __future__ import annotations

import asyncio
import contextlib
import select as _select
import threading
from abc import ABCMeta
from collections.abc import Callable, Iterator, Sequence
from time import monotonic
from time import sleep as _sleep
from typing import TYPE_CHECKING, Any, Literal, overload

from .._base.frame import (
    FINISHED_TRACKER,
    Frame,
    MessageTracker,
    send_tracker,
    track_message,
    track_send,
)
from .._base.serialize import (
    coerce_message,
    decode_json,
    decode_pyobj,
    encode_json,
    encode_pyobj,
    encode_serialized,
    encode_string,
    writable_view,
)
from .._base.socket import DONTWAIT, DROPPING_TYPES, POLLIN, THREAD_SAFE_TYPES, SocketBase
from .._engine import SocketCore
from .._engine.signal import ThreadSignal
from .._typing import Received
from ..constants import Errno, SocketOption
from ..error import Again, ZMQError

_set_attr = object.__setattr__
_get_ident = threading.get_ident
_SUBSCRIPTION_OPTIONS = frozenset({int(SocketOption.SUBSCRIBE), int(SocketOption.UNSUBSCRIBE)})
#: Most messages one ``recv`` takes from the engine at once (``Socket._next_message``): enough
#: to make the engine call's cost per message small, few enough to stay close to RCVHWM (a
#: run is never more than the pipe holds). libzmq's ypipe prefetches in chunks of 256
#: messages too (``message_pipe_granularity``).
_RECV_BATCH = 256

if TYPE_CHECKING:
    from .context import Context


class _FdWait:
    """How a blocking view of another front-end's socket waits: on that socket's ZMQ_FD.

    On the thread that runs the socket's event loop, a call that would block raises ``Again``
    instead: waiting there would stop the loop, and with it the socket's connections. Such a
    view suits calls that do not block (a send below HWM, a receive of a message already
    there), which is what programs use pyzmq's blocking shadows of asyncio sockets for.
    """

    __slots__ = ("_clear", "_fd", "_loop")

    def __init__(
        self, fd: int, clear: Callable[[], object], loop: asyncio.AbstractEventLoop | None
    ) -> None:
        self._fd = fd
        self._clear = clear
        self._loop = loop

    def fileno(self) -> int:
        return self._fd

    def wait(self, timeout: float | None = None) -> bool:
        if self._loop is not None and asyncio._get_running_loop() is self._loop:
            # Blocking here would stop the very loop that must make progress: say "would
            # block" instead of hanging.
            raise Again()
        ready, _, _ = _select.select([self._fd], [], [], timeout)
        if ready:
            self._clear()  # drained, then the caller re-checks (the ZMQ_FD contract)
        return bool(ready)


class _Calls:
    """Who is inside a call of one blocking socket, and whether it waits (``Socket._inside``,
    ``_blocking``, ``_owner``). Plain slots: setting one is a store, where setting an
    attribute of the socket goes through its option-attribute ``__setattr__`` (or costs an
    ``object.__setattr__`` call), and a blocking receive sets them four times."""

    __slots__ = ("blocking", "inside", "owner")

    def __init__(self, owner: int) -> None:
        self.blocking = False
        self.inside: tuple[int, str] | None = None
        self.owner = owner


def _give_the_gil_away() -> None:
    """``sleep(0)`` releases the GIL: a thread waiting for it (the I/O thread) takes its turn."""
    _sleep(0)


class Socket(SocketBase, metaclass=ABCMeta):
    """A ZeroMQ socket for blocking code; create it with ``Context.socket(type)``.

    Not thread-safe (like libzmq's): use one socket from one thread at a time.

    An ``abc.ABCMeta`` class, so that other front-ends' sockets can be registered as virtual
    subclasses: in pyzmq ``isinstance(asyncio_socket, zmq.Socket)`` is True, and programs
    check it (``purezmq.asyncio`` registers its ``Socket``; it inherits nothing from here).
    """

    _repr_cls = "Socket"

    _signal: ThreadSignal | _FdWait
    _calls: _Calls
    _exclusive_waits = True
    #: ``_wait`` is this class's own (no front-end waits its own way): a blocking receive
    #: then hands ``signal.wait`` to the core. Set per subclass, where ``_wait`` may change.
    _waits_on_signal = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._waits_on_signal = cls._wait is Socket._wait

    @property
    def _blocking(self) -> bool:
        """True while a call of this socket waits (``Context.term`` leaves such sockets to
        their waiting thread, which gets ETERM)."""
        return self._calls.blocking

    @_blocking.setter
    def _blocking(self, value: bool) -> None:
        self._calls.blocking = value

    @property
    def _owner(self) -> int:
        """The thread that uses the socket: the one that created it, then the last one that
        waited on it (a socket may be handed to another thread, as libzmq allows with a
        memory barrier)."""
        return self._calls.owner

    @_owner.setter
    def _owner(self, value: int) -> None:
        self._calls.owner = value

    @property
    def _inside(self) -> tuple[int, str] | None:
        """(thread, call) while a blocking send/recv waits or a control call (bind, connect,
        setsockopt, close...) runs; another thread that blocks or makes a control call
        meanwhile raises EFAULT (``thread_check``). Not checked where ``_exclusive_waits`` is
        False (the thread-safe draft types, green sockets)."""
        return self._calls.inside

    @_inside.setter
    def _inside(self, value: tuple[int, str] | None) -> None:
        self._calls.inside = value

    def __new__(cls, ctx_or_socket: Any = None, socket_type: int = 0, **kwargs: Any) -> Socket:
        # The draft types are thread-safe (libzmq): their calls take a lock (threadsafe.py).
        if cls is Socket and int(socket_type) in THREAD_SAFE_TYPES:
            from .threadsafe import ThreadSafeSocket

            cls = ThreadSafeSocket
        return super().__new__(cls)

    def __init__(
        self,
        ctx_or_socket: Context | SocketBase | None = None,
        socket_type: int = 0,
        *,
        shadow: Any = 0,
        copy_threshold: int | None = None,
    ) -> None:
        """``Socket(ctx, type)``; or a shadow: ``Socket(other_socket)``,
        ``Socket(shadow=other_socket_or_its_underlying)`` (see ``shadow``)."""
        if isinstance(ctx_or_socket, SocketBase):
            shadow, ctx_or_socket = ctx_or_socket, None
        if shadow:
            self._init_blocking_shadow(shadow)
            if copy_threshold is not None:
                self.copy_threshold = copy_threshold
            return
        if ctx_or_socket is None:
            from .context import Context

            ctx_or_socket = Context.instance()
        context = ctx_or_socket
        if context.closed:
            raise ZMQError(Errno.ENOTSUP, "Context was terminated; cannot create sockets")
        self._signal = ThreadSignal()
        _set_attr(self, "_calls", _Calls(threading.get_ident()))
        core = SocketCore(context._core, socket_type, self._signal)
        self._init_state(core, context, int(socket_type))
        # PUB-like sockets never block: they drop at HWM. Their queues are drained by the I/O
        # thread, which needs the GIL; a publishing loop that never blocks would hold it for
        # whole switch intervals (5 ms) while the subscribers' queues overflow (a sync PUB to
        # four subscribers delivered 13-22 % of its messages). So the send during which a
        # subscriber's queue fills up releases the GIL once (``Pattern.on_filled``).
        if int(socket_type) in DROPPING_TYPES:
            core.pattern.on_filled = _give_the_gil_away
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold

    def _init_blocking_shadow(self, shadow: Any) -> None:
        other = self._shadow_target(shadow)
        signal: Any = other._signal
        # The engine wakes one owner signal per socket. A blocking view of a socket of another
        # front-end (jupyter_client sends through ``zmq.Socket.shadow(asyncio_sock.underlying)``)
        # waits on that socket's ZMQ_FD instead, which every wake-up makes readable.
        if isinstance(signal, ThreadSignal):
            self._signal = signal
        else:
            self._signal = _FdWait(other.fileno(), signal.clear, getattr(signal, "loop", None))
        _set_attr(self, "_calls", _Calls(threading.get_ident()))
        self._init_shadow(other)
        self._shadow_obj = shadow

    # ---- options ---------------------------------------------------------------------------

    def set(self, option: int, optval: Any) -> None:
        """Set a socket option (``zmq_setsockopt``).

        A subscription change gives the I/O thread a turn (it releases the GIL once): the
        thread that carries it to the publishers needs the GIL, which this thread would
        otherwise keep for up to a switch interval (5 ms) of the code that follows. libzmq's
        I/O thread runs alongside the caller; so a message published right after subscribing
        finds the subscription there about as often as with libzmq (a publish 5 ms later, it
        would not).
        """
        with self._control_call("setsockopt"):
            super().set(option, optval)
        if option in _SUBSCRIPTION_OPTIONS:
            _give_the_gil_away()

    setsockopt = set

    # ---- endpoints: control calls no other thread may overlap (``thread_check``) ----------

    def bind(self, addr: str | bytes) -> Any:
        with self._control_call("bind"):
            return super().bind(addr)

    def connect(self, addr: str | bytes) -> Any:
        with self._control_call("connect"):
            return super().connect(addr)

    def unbind(self, addr: str | bytes) -> None:
        with self._control_call("unbind"):
            super().unbind(addr)

    def disconnect(self, addr: str | bytes) -> None:
        with self._control_call("disconnect"):
            super().disconnect(addr)

    def bind_to_random_port(
        self,
        addr: str,
        min_port: int = 49152,
        max_port: int = 65536,
        max_tries: int = 100,
    ) -> int:
        with self._control_call("bind_to_random_port"):
            return super().bind_to_random_port(addr, min_port, max_port, max_tries)

    # ---- lifecycle -------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Close the socket. Pending outgoing messages are kept for ``linger`` ms (or LINGER)."""
        if self._closed:
            return
        # Not under a call of another thread: it would run on in a closed socket (a socket
        # is closed by its user, or by another thread once its user is done with it).
        outer = self._enter_call("close")
        self._closed = True
        self._recv_ready.clear()
        try:
            self._core.close(linger)
        finally:
            self._calls.inside = outer
            close_signal = getattr(self._signal, "close", None)
            if close_signal is not None:
                close_signal()

    def __enter__(self) -> Socket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        # pyzmq closes a garbage-collected socket. A finalizer may run at any allocation, on
        # any thread, even while this thread holds a Context or engine lock, so it must not
        # take locks: it hands the core to the Context, which closes it at its next safe
        # point (``socket()``, ``term()``, ``destroy()``).
        try:
            # A shadow does not own the socket: collecting it leaves the socket open (pyzmq).
            if not self._closed and not self._shadow:
                self._closed = True
                self._context._orphans.append(self._core)
        except Exception:
            pass

    def _signal_fileno(self) -> int:
        return int(self._signal.fileno())

    # ---- waiting ---------------------------------------------------------------------------

    def _deadline(self, timeout_ms: int) -> float | None:
        return None if timeout_ms < 0 else monotonic() + timeout_ms / 1000.0

    def _wait(self, timeout: float | None) -> None:
        """Step 3: park until the signal is woken or ``timeout`` seconds pass (None: no limit).

        The one step a front-end that waits another way overrides (``purezmq.green`` waits
        through gevent's hub on the signal's fd); steps 1-2 and the retry stay as they are.
        """
        self._signal.wait(timeout)

    def _sleep(self, deadline: float | None, what: str) -> None:
        """Steps 2-3 of the protocol; raises Again once ``deadline`` has passed."""
        if deadline is None:
            if self._core.prepare_to_sleep():
                self._wait(None)
            return
        remaining = deadline - monotonic()
        if remaining <= 0:
            raise Again()  # libzmq's plain strerror, as pyzmq
        if self._core.prepare_to_sleep():
            self._wait(remaining)

    def _send_whole(self, msg: list[bytes], flags: int) -> None:
        """Hand one whole message to the core, blocking per SNDTIMEO unless DONTWAIT."""
        self._check_closed()
        core = self._core
        try:
            if not core.try_send(msg):
                if flags & DONTWAIT:
                    raise Again()
                deadline = self._deadline(core.options.sndtimeo)
                self._enter_wait("send")
                calls = self._calls
                calls.blocking = True
                try:
                    while not core.try_send(msg):
                        self._sleep(deadline, "send")
                finally:
                    calls.blocking = False
                    calls.inside = None
        except ZMQError as exc:
            self._send_failed(exc)
            raise
        self._sent()

    def _next_message(self, flags: int) -> Received:
        """The next whole message from the engine (``_recv_ready`` is empty).

        Takes up to ``_RECV_BATCH`` queued messages in one engine call and keeps the rest in
        ``_recv_ready``: a loop of ``recv`` calls then costs one engine call per batch, not one
        per message. The batch is what the pipe already holds (never more than RCVHWM), taken
        in the order single receives would give (``Pattern.recv_batch``); like libzmq's
        prefetching ypipe, taking it makes room in the pipe for more.
        """
        if not self._closed:
            core = self._core
            if not core.recv_runs:
                # The pattern hands out one message at a time (REQ, REP, ROUTER...): no run to
                # take, one call less.
                one: Received | None = core.try_recv()
                if one is not None:
                    return one
                return self._recv_whole(flags, True)
            batch: list[Received] = core.try_recv_batch(_RECV_BATCH)
            if batch:
                if len(batch) == 1:
                    return batch[0]
                # ``recv``'s fast path hands the run out unexamined when every message is one
                # frame (each has at least one: the sum of lengths is the count) of ``bytes``
                # (no body lent, no tracked payload: ``BodyPool.lent``). The first message
                # counts too: frames of it left in ``_recv_parts`` must go out first.
                plain = not self._bodies.lent and sum(map(len, batch)) == len(batch)
                batch.reverse()
                msg = batch.pop()
                # In place: a shadow of this socket shares the list.
                self._recv_ready[:] = batch
                core.mark_plain_run(plain)
                return msg
        return self._recv_whole(flags, tried=not self._closed)

    def _recv_whole(self, flags: int, tried: bool = False) -> Received:
        """Take one whole message from the core, blocking per RCVTIMEO unless DONTWAIT.

        ``tried``: the caller's own ``try_recv`` just found nothing (skip a second attempt).
        """
        if self._closed:
            self._check_closed()
        core = self._core
        if not tried:
            msg = core.try_recv()
            if msg is not None:
                return msg  # type: ignore[no-any-return]
        if flags & DONTWAIT:
            raise Again()
        timeout_ms = core.options.rcvtimeo
        # ``_enter_wait("recv")`` inline: once per blocking receive of a request/reply turn.
        me = _get_ident()
        calls = self._calls
        inside = calls.inside
        if inside is not None and inside[0] != me and self._exclusive_waits:
            from .thread_check import concurrent_use_error

            raise concurrent_use_error(self, "recv", inside)
        calls.inside = (me, "recv")
        calls.owner = me
        calls.blocking = True
        try:
            if timeout_ms < 0:
                # No deadline (the blocking receive of a request/reply turn): the core runs
                # steps 1-3 in one call, waiting on the signal itself unless a front-end waits
                # its own way.
                wait = self._signal.wait if self._waits_on_signal else self._wait
                return core.wait_recv(wait)  # type: ignore[no-any-return]
            deadline = monotonic() + timeout_ms / 1000.0
            while True:
                self._sleep(deadline, "recv")
                msg = core.try_recv()
                if msg is not None:
                    return msg  # type: ignore[no-any-return]
        finally:
            calls.blocking = False
            calls.inside = None

    def _enter_call(self, what: str) -> tuple[int, str] | None:
        """Thread ``what`` starts in: EFAULT if another thread is inside a blocking send/recv
        or a control call of this socket; returns what to restore when ``what`` ends (a
        call of the same thread it is nested in). O(1): two attribute reads, one write."""
        me = _get_ident()
        calls = self._calls
        inside = calls.inside
        if inside is not None and inside[0] != me and self._exclusive_waits:
            from .thread_check import concurrent_use_error

            raise concurrent_use_error(self, what, inside)
        calls.inside = (me, what)
        return inside

    @contextlib.contextmanager
    def _control_call(self, what: str) -> Iterator[None]:
        """A control call ``what`` that no other thread's call may overlap (``_enter_call``)."""
        outer = self._enter_call(what)
        try:
            yield
        finally:
            self._calls.inside = outer

    def _enter_wait(self, what: str) -> None:
        """A blocking send/recv (``what``) starts waiting: ``_enter_call``'s check (the caller
        clears ``_inside`` when the call ends). The thread that waits on a socket is its user
        now (it may have been handed over by the thread that created it): ``Context.term``
        leaves the socket to that thread."""
        me = _get_ident()
        calls = self._calls
        inside = calls.inside
        if inside is not None and inside[0] != me and self._exclusive_waits:
            from .thread_check import concurrent_use_error

            raise concurrent_use_error(self, what, inside)
        calls.inside = (me, what)
        calls.owner = me

    # ---- send ------------------------------------------------------------------------------

    def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None:
        """Send one frame; with ``SNDMORE`` more frames of the same message follow.

        Frames sent with SNDMORE are held here and the whole message is handed to the engine
        with the final frame, so a partial message is never visible to a peer.
        """
        # Fast path first (one bytes frame, no flags, queue not full): ``core.try_send``
        # inline, one routing call (``core.route``). A closed socket's core is dead and its
        # ``route`` refuses everything: the full path says why.
        core = self._core
        if (
            type(data) is bytes
            and not flags
            and not track
            and routing_id is None
            and group is None
            and not self._send_parts
            and not core.mailbox
            and core.route((data,) if core.frame_tuples else [data])
        ):
            return None if copy else send_tracker(data, copy, track, self.copy_threshold)
        self._check_closed()
        if routing_id is not None or group is not None:
            raise ZMQError(Errno.ENOTSUP, "routing_id/group are for SERVER/PEER/RADIO sockets")
        data, tracker = track_send(data, copy, track, self.copy_threshold)
        msg = self._add_send_frame(data, flags)
        if msg is not None:
            self._send_whole(msg, flags)
        return tracker

    def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send a whole multipart message: one hand-off to the engine, not one per frame."""
        msg = coerce_message(msg_parts)
        tracker = None
        if (
            track
            or not copy
            or type(msg_parts) is not list
            or not msg_parts
            or type(msg_parts[-1]) is not bytes
        ):
            tracker = track_message(msg_parts, msg, copy, track, self.copy_threshold)
        # Fast path: a whole message, no flags, queue not full -- one pattern call
        # (``core.try_send`` inline, as in ``send``).
        core = self._core
        if not flags and not self._send_parts and not core.mailbox and core.route(msg):
            return tracker
        self._check_closed()
        parts = self._prefix_message(msg, flags)
        if parts is not None:
            self._send_whole(parts, flags)
        return tracker

    def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> MessageTracker | None:
        """Send a ``str`` encoded with ``encoding``."""
        return self.send(encode_string(u, encoding), flags, copy=copy, **kwargs)

    send_unicode = send_string

    def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> MessageTracker | None:
        """Send ``obj`` as utf-8 JSON; keyword arguments go to ``json.dumps``."""
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group") if k in kwargs}
        return self.send(encode_json(obj, **kwargs), flags, **send_kwargs)

    def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = -1, **kwargs: Any
    ) -> MessageTracker | None:
        """Send ``obj`` pickled (never unpickle untrusted input)."""
        import pickle

        proto = pickle.DEFAULT_PROTOCOL if protocol == -1 else protocol
        return self.send(encode_pyobj(obj, proto), flags, **kwargs)

    def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Sequence[Any]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send ``serialize(msg)`` (a list of frames) as one multipart message."""
        return self.send_multipart(encode_serialized(msg, serialize), flags, copy=copy, **kwargs)

    # ---- recv ------------------------------------------------------------------------------

    @overload
    def recv(self, flags: int = ..., *, track: bool = ...) -> bytes: ...
    @overload
    def recv(self, flags: int = ..., *, copy: Literal[True], track: bool = ...) -> bytes: ...
    @overload
    def recv(self, flags: int = ..., *, copy: Literal[False], track: bool = ...) -> Frame: ...
    @overload
    def recv(self, flags: int = ..., copy: bool = ..., track: bool = ...) -> bytes | Frame: ...

    def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> bytes | Frame:
        """Receive one frame: ``bytes``, or a ``Frame`` when ``copy=False``.

        Frames of a multipart message come one call at a time; ``sock.rcvmore`` tells whether
        more follow.
        """
        # The common case first: a one-frame message of a run taken earlier, the socket alive
        # (``plain_run``), no frame of an earlier message left, bytes wanted. No flag matters
        # then: nothing blocks.
        ready = self._recv_ready
        if ready and copy and self._core.plain_run and not self._recv_parts:
            return ready.pop()[0]
        return self._recv_frame(flags, copy, track)

    def _recv_frame(self, flags: int, copy: bool, track: bool) -> bytes | Frame:
        """``recv`` in full: frames of a multipart message, ``Frame``s, lent bodies, a new
        run from the engine, blocking."""
        parts = self._recv_parts
        if parts:
            frame = parts.popleft()
        else:
            ready = self._recv_ready
            core = self._core
            # A terminated context fails every call, taken messages or not (zmq_ctx_term).
            if ready and not core.dead:
                msg = ready.pop()
            elif core.recv_runs or self._closed:
                msg = self._next_message(flags)
            else:
                # ``_next_message`` for a pattern that hands out one message at a time (REQ,
                # REP, ROUTER...), inline: the blocking receive of a request/reply turn. (A
                # message has at least one frame: never false.)
                msg = core.try_recv() or self._recv_whole(flags, True)
            if len(msg) > 1:
                parts.extend(msg[1:])
            frame = msg[0]
        if type(frame) is not bytes:
            frame = self._bodies.own(frame)
        if copy:
            return frame
        received = Frame._received(frame, bool(parts), self._message_properties())
        if track:
            received.tracker = FINISHED_TRACKER
        return received

    @overload
    def recv_multipart(self, flags: int = ..., *, track: bool = ...) -> list[bytes]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., *, copy: Literal[True], track: bool = ...
    ) -> list[bytes]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., *, copy: Literal[False], track: bool = ...
    ) -> list[Frame]: ...
    @overload
    def recv_multipart(
        self, flags: int = ..., copy: bool = ..., track: bool = ...
    ) -> list[bytes] | list[Frame]: ...

    def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> list[bytes] | list[Frame]:
        """Receive a whole message as a list of frames (the rest of it, after ``recv``)."""
        # ``recv``'s fast path, for the whole message.
        ready = self._recv_ready
        if ready and copy and self._core.plain_run and not self._recv_parts:
            msg = ready.pop()
            # A one-frame message may be a 1-tuple (docs/contracts.md, "Pipes").
            return list(msg) if isinstance(msg, tuple) else msg
        return self._recv_message(flags, copy, track)

    def _recv_message(self, flags: int, copy: bool, track: bool) -> list[bytes] | list[Frame]:
        """``recv_multipart`` in full (the rest of a message, ``Frame``s, lent bodies, a new
        run from the engine, blocking)."""
        msg: Received | None = self._take_rest()
        if msg is None:
            ready = self._recv_ready
            msg = ready.pop() if ready and not self._core.dead else self._next_message(flags)
        if isinstance(msg, tuple):
            msg = list(msg)  # a one-frame message as a 1-tuple (docs/contracts.md, "Pipes")
        if self._bodies.lent:
            self._bodies.own_all(msg)
        if copy:
            return msg
        props = self._message_properties()
        last = len(msg) - 1
        frames = [Frame._received(f, i < last, props) for i, f in enumerate(msg)]
        if track:
            for received in frames:
                received.tracker = FINISHED_TRACKER
        return frames

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        # ``decode_string`` inline (a call less per message): ``recv`` returns ``bytes`` here.
        return self.recv(flags).decode(encoding)

    recv_unicode = recv_string

    def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        return decode_json(self.recv(flags), **kwargs)

    def recv_pyobj(self, flags: int = 0) -> Any:
        return decode_pyobj(self.recv(flags))

    def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> Any:
        return deserialize(self.recv_multipart(flags, copy=copy))

    def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """Receive one frame into ``buffer``; returns the frame's full size (it is truncated
        to ``nbytes``, or the buffer's size, when larger)."""
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes!r} must be non-negative")
        view = writable_view(buffer)
        if nbytes > len(view):
            raise ValueError(f"nbytes={nbytes} is larger than the buffer ({len(view)} bytes)")
        limit = len(view) if nbytes == 0 else nbytes
        frame = self.recv(flags)
        n = min(limit, len(frame))
        view[:n] = frame[:n]
        return len(frame)

    # ---- poll ------------------------------------------------------------------------------

    def poll(self, timeout: int | None = None, flags: int = POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or -1: forever) for ``flags`` (POLLIN/POLLOUT).

        Returns the events that are ready (0 on timeout).
        """
        self._check_closed()
        if timeout is None:
            timeout = -1
        deadline = self._deadline(int(timeout))
        core = self._core
        calls = self._calls
        calls.blocking = True
        try:
            return self._poll_loop(core, deadline, flags)
        finally:
            calls.blocking = False

    def _poll_loop(self, core: Any, deadline: float | None, flags: int) -> int:
        self._calls.owner = _get_ident()
        while True:
            ready = self._events() & flags
            if ready:
                return ready
            if deadline is None:
                if core.prepare_to_sleep():
                    self._wait(None)
                continue
            remaining = deadline - monotonic()
            if remaining <= 0:
                return 0
            if core.prepare_to_sleep():
                self._wait(remaining)

    # ---- monitor ---------------------------------------------------------------------------

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        sock = super().get_monitor_socket(events, addr)
        assert isinstance(sock, Socket)
        return sock


__all__ = ["Socket"]
