"""The asyncio ``Socket`` (``zmq.asyncio.Socket``): the same surface as the sync socket, with
``send``/``recv`` (and their multipart/string/json/pyobj/serialized forms) and ``poll`` as
coroutines; ``bind``/``connect``/``close``/``setsockopt`` stay synchronous, as in pyzmq.

Everything runs on the caller's running loop, with no thread hop (DESIGN §3):

* ``await sock.recv()`` calls ``core.try_recv()`` first and returns at once, creating no Future,
  when a message is queued;
* only when the call really blocks: ``core.prepare_to_sleep()`` (False: work arrived, retry), then
  one waiter Future from the socket's ``LoopSignal``, resolved by ``wake()``; then retry;
* cancel safety: a message leaves the engine's queue only in ``try_recv``, which runs in the
  receiving coroutine itself, after its wait is over and with no ``await`` before the message is
  returned. A cancelled ``recv`` therefore never takes a message with it.

The socket binds to the loop it is first awaited on (so it may be created before the loop
runs, as with pyzmq); using it from two loops at once is an error, as in pyzmq.

Layer 4: imports layer 0, the front-ends' base (``_base``) and ``_engine`` only.
"""

from __future__ import annotations

import asyncio
import pickle
import weakref
from collections.abc import Callable, Sequence
from time import monotonic
from typing import Any, Literal, overload

from .._base.frame import Frame, MessageTracker
from .._base.serialize import (
    coerce_message,
    decode_json,
    decode_pyobj,
    decode_string,
    encode_json,
    encode_pyobj,
    encode_serialized,
    encode_string,
)
from .._base.socket import DONTWAIT, DROPPING_TYPES, POLLIN, SocketBase
from .._engine import SocketCore
from .._engine.signal import FdSignal, LoopSignal
from ..constants import Errno
from ..error import Again, ZMQError

#: Returned for ``track=True``: purezmq never shares a buffer, so it is always done.
_TRACKER = MessageTracker()


class _LateLoopSignal:
    """The owner signal of an asyncio socket created while no loop was running.

    It binds to the loop that first awaits the socket. Before any coroutine waited there is
    nobody to wake, so ``wake()`` is a no-op until ``bind()``; ``bind()`` runs synchronously
    before ``prepare_to_sleep()``, which keeps the lost-wake-up argument of ``LoopSignal``
    intact. (Such a socket's connections run on the Context's I/O thread; a socket created
    inside a running loop gets a plain ``LoopSignal`` and runs everything on that loop.)
    """

    __slots__ = ("_fd", "_inner")

    def __init__(self) -> None:
        self._inner: LoopSignal | None = None
        #: Only for ``fileno()`` (getsockopt(FD)), created on first use.
        self._fd: FdSignal | None = None

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
            self._inner = inner
        return inner


def _bound(signal: LoopSignal | _LateLoopSignal) -> LoopSignal:
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
            sock._owe_turn = True

    return owe_a_turn


class Socket(SocketBase):
    """A ZeroMQ socket for asyncio code; create it with ``purezmq.asyncio.Context.socket``."""

    _signal: LoopSignal | _LateLoopSignal

    def __init__(
        self,
        context: Any = None,
        socket_type: int = 0,
        *,
        shadow: Any = 0,
        copy_threshold: int | None = None,
        **kwargs: Any,
    ) -> None:
        if shadow:
            raise ZMQError(Errno.ENOTSUP, "purezmq sockets cannot shadow a libzmq socket")
        if context is None:
            from . import Context

            context = Context.instance()
        if context.closed:
            raise ZMQError(Errno.ENOTSUP, "Context was terminated; cannot create sockets")
        # Created inside a running loop (the usual case): the socket and its connections live
        # on that loop. Otherwise bind on first await (see _LateLoopSignal).
        loop = asyncio._get_running_loop()
        self._signal = LoopSignal(loop) if loop is not None else _LateLoopSignal()
        core = SocketCore(context._core, socket_type, self._signal)
        self._init_state(core, context, int(socket_type))
        # PUB-like sockets never block: they drop at HWM. On this API the engine shares the
        # caller's loop, so a publishing loop that never awaits anything real would starve the
        # connections and drop nearly everything. After a send during which a subscriber's
        # queue filled up (``Pattern.on_filled``), the next send first gives the loop one turn
        # (before taking its message: cancel-safe). Only then: a subscriber that stays full
        # (gone quiet) does not cost every later send a turn.
        self._owe_turn = False
        if int(socket_type) in DROPPING_TYPES:
            core.pattern.on_filled = _owe_a_turn(weakref.ref(self))
        if copy_threshold is not None:
            self.copy_threshold = copy_threshold

    @classmethod
    def from_socket(cls, socket: Any, io_loop: Any = None) -> Socket:
        """pyzmq's ``from_socket`` shadows a sync socket; purezmq sockets cannot be shared
        between the two APIs (the pattern runs on one owner), so this is refused."""
        raise ZMQError(
            Errno.ENOTSUP,
            "purezmq cannot wrap a sync socket; create the socket from an asyncio Context "
            "(purezmq.asyncio.Context(sync_ctx) shares the sync context's engine)",
        )

    # ---- lifecycle -------------------------------------------------------------------------

    def close(self, linger: int | None = None) -> None:
        """Close the socket; coroutines blocked on it raise ``ZMQError(ENOTSOCK)``."""
        if self._closed:
            return
        self._closed = True
        try:
            self._core.close(linger)
        finally:
            # Let blocked coroutines notice the socket is gone.
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

    # ---- waiting ---------------------------------------------------------------------------

    async def _sleep(self, deadline: float | None, what: str) -> None:
        """Declare the owner asleep and wait for a wake-up (or the deadline: Again)."""
        signal = _bound(self._signal)
        if deadline is None:
            if self._core.prepare_to_sleep():
                await signal.wait()
        else:
            remaining = deadline - monotonic()
            if remaining <= 0:
                raise Again()  # libzmq's plain strerror, as pyzmq
            if self._core.prepare_to_sleep():
                await signal.wait(remaining)
        self._check_closed()

    async def _send_whole(self, msg: list[bytes], flags: int) -> None:
        self._check_closed()
        core = self._core
        try:
            if not core.try_send(msg):
                if flags & DONTWAIT:
                    raise Again()
                timeout = core.options.sndtimeo
                deadline = None if timeout < 0 else monotonic() + timeout / 1000.0
                while not core.try_send(msg):
                    await self._sleep(deadline, "send")
        except ZMQError as exc:
            self._send_failed(exc)
            raise
        self._sent()

    async def _recv_slow(self, flags: int) -> list[bytes]:
        """Block until a message arrives; cancel-safe (see the module docstring)."""
        if flags & DONTWAIT:
            raise Again()
        core = self._core
        timeout = core.options.rcvtimeo
        if timeout < 0:
            return await self._recv_blocking()
        deadline = monotonic() + timeout / 1000.0
        while True:
            await self._sleep(deadline, "recv")
            # No await between taking the message and returning it: a cancellation can only
            # land while waiting, when nothing was taken yet.
            msg = core.try_recv()
            if msg is not None:
                return msg  # type: ignore[no-any-return]

    async def _recv_blocking(self) -> list[bytes]:
        """``_recv_slow`` without a timeout or flags (``recv`` has its own copy inline)."""
        core = self._core
        while True:
            fut = self._waiter()
            if fut is not None:
                try:
                    await fut
                except BaseException:
                    self._signal.forget(fut)
                    raise
            if self._closed:
                self._check_closed()
            msg = core.try_recv()
            if msg is not None:
                return msg  # type: ignore[no-any-return]

    def _waiter(self) -> asyncio.Future[None] | None:
        """Declare the owner asleep: a waiter Future to await, or None when work arrived
        meanwhile (then retry at once). Checks the socket is used from its own loop."""
        signal = self._signal
        if type(signal) is not LoopSignal:
            signal = _bound(signal)
        return signal.sleep(self._core.prepare_to_sleep)

    # ---- send ------------------------------------------------------------------------------

    async def send(
        self,
        data: Any,
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        routing_id: int | None = None,
        group: str | None = None,
    ) -> MessageTracker | None:
        """Send one frame; with ``SNDMORE`` more frames of the same message follow."""
        if self._owe_turn:
            await self._give_turn()
        # Fast path first (one bytes frame, no flags, queue not full): no await at all.
        if (
            not flags
            and type(data) is bytes
            and not self._send_parts
            and not self._closed
            and routing_id is None
            and group is None
            and self._core.try_send([data])
        ):
            return _TRACKER if track else None
        self._check_closed()
        if routing_id is not None or group is not None:
            raise ZMQError(Errno.ENOTSUP, "routing_id/group need the draft API (not implemented)")
        msg = self._add_send_frame(data, flags)
        if msg is not None:
            await self._send_whole(msg, flags)
        return _TRACKER if track else None

    async def _give_turn(self) -> None:
        self._owe_turn = False
        await asyncio.sleep(0)

    async def send_multipart(
        self,
        msg_parts: Sequence[Any],
        flags: int = 0,
        copy: bool = True,
        track: bool = False,
        **kwargs: Any,
    ) -> MessageTracker | None:
        """Send a whole multipart message (one hand-off to the engine)."""
        msg = coerce_message(msg_parts)
        if self._owe_turn:
            await self._give_turn()
        # Fast path: a whole message, no flags, queue not full -- one pattern call.
        if not flags and not self._send_parts and not self._closed and self._core.try_send(msg):
            return _TRACKER if track else None
        self._check_closed()
        parts = self._prefix_message(msg, flags)
        if parts is not None:
            await self._send_whole(parts, flags)
        return _TRACKER if track else None

    async def send_string(
        self, u: str, flags: int = 0, copy: bool = True, encoding: str = "utf-8", **kwargs: Any
    ) -> MessageTracker | None:
        return await self.send(encode_string(u, encoding), flags, copy=copy, **kwargs)

    send_unicode = send_string

    async def send_json(self, obj: Any, flags: int = 0, **kwargs: Any) -> MessageTracker | None:
        send_kwargs = {k: kwargs.pop(k) for k in ("routing_id", "group") if k in kwargs}
        return await self.send(encode_json(obj, **kwargs), flags, **send_kwargs)

    async def send_pyobj(
        self, obj: Any, flags: int = 0, protocol: int = -1, **kwargs: Any
    ) -> MessageTracker | None:
        proto = pickle.DEFAULT_PROTOCOL if protocol == -1 else protocol
        return await self.send(encode_pyobj(obj, proto), flags, **kwargs)

    async def send_serialized(
        self,
        msg: Any,
        serialize: Callable[[Any], Sequence[Any]],
        flags: int = 0,
        copy: bool = True,
        **kwargs: Any,
    ) -> MessageTracker | None:
        return await self.send_multipart(
            encode_serialized(msg, serialize), flags, copy=copy, **kwargs
        )

    # ---- recv ------------------------------------------------------------------------------

    @overload
    async def recv(self, flags: int = ..., *, track: bool = ...) -> bytes: ...
    @overload
    async def recv(self, flags: int = ..., *, copy: Literal[True], track: bool = ...) -> bytes: ...
    @overload
    async def recv(self, flags: int = ..., *, copy: Literal[False], track: bool = ...) -> Frame: ...
    @overload
    async def recv(
        self, flags: int = ..., copy: bool = ..., track: bool = ...
    ) -> bytes | Frame: ...

    async def recv(self, flags: int = 0, copy: bool = True, track: bool = False) -> bytes | Frame:
        """Receive one frame: ``bytes``, or a ``Frame`` when ``copy=False``."""
        parts = self._recv_parts
        if parts:
            frame = parts.popleft()
        else:
            if self._closed:
                self._check_closed()
            core = self._core
            msg = core.try_recv()
            if msg is None:
                if flags or core.options.rcvtimeo >= 0:
                    msg = await self._recv_slow(flags)
                else:
                    # _recv_blocking inline: no coroutine frame of its own, because a
                    # request/reply round trip blocks in every recv. Cancel-safe: a message
                    # leaves the queue only in try_recv, with no await before it is returned.
                    signal = self._signal
                    if type(signal) is not LoopSignal:
                        signal = _bound(signal)
                    while msg is None:
                        fut = signal.sleep(core.prepare_to_sleep)
                        if fut is not None:
                            try:
                                await fut
                            except BaseException:
                                signal.forget(fut)
                                raise
                        if self._closed:
                            self._check_closed()
                        msg = core.try_recv()
            if len(msg) > 1:
                parts.extend(msg[1:])
            frame = msg[0]
        if type(frame) is not bytes:
            frame = self._bodies.own(frame)
        if copy:
            return frame
        return Frame._received(frame, bool(parts), self._message_properties())

    @overload
    async def recv_multipart(self, flags: int = ..., *, track: bool = ...) -> list[bytes]: ...
    @overload
    async def recv_multipart(
        self, flags: int = ..., *, copy: Literal[True], track: bool = ...
    ) -> list[bytes]: ...
    @overload
    async def recv_multipart(
        self, flags: int = ..., *, copy: Literal[False], track: bool = ...
    ) -> list[Frame]: ...
    @overload
    async def recv_multipart(
        self, flags: int = ..., copy: bool = ..., track: bool = ...
    ) -> list[bytes] | list[Frame]: ...

    async def recv_multipart(
        self, flags: int = 0, copy: bool = True, track: bool = False
    ) -> list[bytes] | list[Frame]:
        """Receive a whole message as a list of frames."""
        msg = self._take_rest()
        if msg is None:
            if self._closed:
                self._check_closed()
            core = self._core
            msg = core.try_recv()
            if msg is None:
                if flags or core.options.rcvtimeo >= 0:
                    msg = await self._recv_slow(flags)
                else:
                    msg = await self._recv_blocking()
        if self._bodies.lent:
            self._bodies.own_all(msg)
        if copy:
            return msg
        props = self._message_properties()
        last = len(msg) - 1
        return [Frame._received(f, i < last, props) for i, f in enumerate(msg)]

    async def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        return decode_string(await self.recv(flags), encoding)

    recv_unicode = recv_string

    async def recv_json(self, flags: int = 0, **kwargs: Any) -> Any:
        return decode_json(await self.recv(flags), **kwargs)

    async def recv_pyobj(self, flags: int = 0) -> Any:
        return decode_pyobj(await self.recv(flags))

    async def recv_serialized(
        self, deserialize: Callable[[list[Any]], Any], flags: int = 0, copy: bool = True
    ) -> Any:
        return deserialize(await self.recv_multipart(flags, copy=copy))

    async def recv_into(self, buffer: Any, /, *, nbytes: int = 0, flags: int = 0) -> int:
        """Receive one frame into ``buffer``; returns the frame's full size."""
        if nbytes < 0:
            raise ValueError(f"nbytes={nbytes!r} must be non-negative")
        view = memoryview(buffer).cast("B")
        if view.readonly:
            raise TypeError("recv_into needs a writable buffer")
        limit = len(view) if nbytes == 0 else min(nbytes, len(view))
        frame = await self.recv(flags)
        n = min(limit, len(frame))
        view[:n] = frame[:n]
        return len(frame)

    # ---- poll ------------------------------------------------------------------------------

    async def poll(self, timeout: int | None = None, flags: int = POLLIN) -> int:
        """Wait up to ``timeout`` ms (None or -1: forever) for ``flags``; the ready events."""
        self._check_closed()
        forever = timeout is None or timeout < 0
        deadline = None if forever else monotonic() + timeout / 1000.0  # type: ignore[operator]
        core = self._core
        while True:
            ready = self._events() & flags
            if ready:
                return ready
            signal = _bound(self._signal)
            if deadline is None:
                if core.prepare_to_sleep():
                    await signal.wait()
            else:
                remaining = deadline - monotonic()
                if remaining <= 0:
                    return 0
                if core.prepare_to_sleep():
                    await signal.wait(remaining)
            self._check_closed()

    # ---- monitor ---------------------------------------------------------------------------

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Socket:
        sock = super().get_monitor_socket(events, addr)
        assert isinstance(sock, Socket)
        return sock


__all__ = ["Socket"]
