"""The blocking ``Context`` (``zmq.Context``): a factory of sockets over one ``ContextCore``.

A sync Context runs its engine's connections on one daemon I/O thread, started lazily by
``ContextCore.threaded()`` (DESIGN §3). Sockets' patterns run on the users' threads.

``term()`` follows libzmq: sockets blocked in a call are woken with ``ContextTerminated``
(ETERM), and ``term()`` returns once every socket is closed (after its LINGER). ``destroy()``
closes the sockets first. Attribute assignment of a *socket* option (``ctx.linger = 0``) sets a
default for sockets created afterwards; of a *context* option (``ctx.io_threads``) sets it on
the context — pyzmq's rules.

Exit (docs/lifecycle.md): a Context collected while open closes its collected sockets with their
LINGER and stops its I/O thread once they are flushed, without blocking the finalizer; at
interpreter exit an ``atexit`` hook closes the sockets no running thread can still use and waits
for the LINGER flushes of every Context, so a program that falls off its end without
``close()``/``term()`` still delivers what it sent.

Layer 4: imports layer 0, ``_sugar`` and ``_engine`` only.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import weakref
from typing import Any, ClassVar, TypeVar

from .._engine import ContextCore, before_exit_flush
from .._sugar import ContextOptionsMixin
from ..constants import ContextOption, Errno
from ..error import ZMQError
from .socket import Socket

_C = TypeVar("_C", bound="Context")

#: Every Context not collected yet, for the exit hook.
_contexts: weakref.WeakSet[Context] = weakref.WeakSet()


def _close_cores(orphans: list[Any]) -> None:
    """Close the cores of sockets collected while open (see ``Context._reap``)."""
    while orphans:
        core = orphans.pop()
        # A dead socket must not break the caller's operation.
        with contextlib.suppress(Exception):
            core.close()


def _close_at_exit() -> None:
    """Interpreter exit, before the engine waits for the LINGER flushes: close, with their
    LINGER, the sockets that no running thread can still use (the exiting thread's, those of
    threads that ended, collected ones). Sockets of daemon threads still running are left
    alone, as pyzmq leaves everything at exit."""
    me = threading.get_ident()
    running = {t.ident for t in threading.enumerate()} - {me}
    for ctx in list(_contexts):
        with contextlib.suppress(Exception):
            ctx._close_for_exit(running)


before_exit_flush(_close_at_exit)


class Context(ContextOptionsMixin):
    """Creates sockets; one per process is usually enough (``Context.instance()``).

    Args:
        io_threads: accepted for pyzmq compatibility; purezmq uses one I/O thread.
        shadow: another purezmq ``Context`` whose engine this one shares (pyzmq's
            ``Context(shadow=ctx)``); terminating a shadow does not terminate the original.
    """

    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()
    _socket_class: ClassVar[type[Any]] = Socket

    _core: Any
    _closed: bool
    _shadow: bool
    _sockets: weakref.WeakSet[Any]

    def __init__(self, io_threads: int | Context = 1, shadow: Context | int = 0) -> None:
        self._closed = True  # until fully built (``__del__`` may see a half-made object)
        if isinstance(io_threads, Context):
            shadow, io_threads = io_threads, 1
        if isinstance(shadow, Context):
            self._core = shadow._core
            self._sockopts = shadow._sockopts
            # One engine, one list of collected-while-open sockets, whoever reaps it.
            self._orphans: list[Any] = shadow._orphans
            self._shadow = True
        elif shadow:
            raise ZMQError(Errno.EINVAL, "purezmq can only shadow another purezmq Context")
        else:
            self._core = self._make_core()
            if isinstance(io_threads, int) and io_threads != 1:
                # Kept for get(IO_THREADS); purezmq runs one I/O thread whatever the value.
                self._core.set(ContextOption.IO_THREADS, io_threads)
            self._sockopts = {}
            #: Cores of sockets collected while open (list.append/pop are atomic: no lock).
            self._orphans = []
            self._shadow = False
        self._lock = threading.Lock()
        self._sockets = weakref.WeakSet()
        self._closed = False
        _contexts.add(self)

    def _make_core(self) -> Any:
        return ContextCore.threaded()

    @classmethod
    def instance(cls: type[_C], io_threads: int = 1) -> _C:
        """The process-wide Context (a new one after ``fork()`` or once it was terminated)."""
        inst = cls.__dict__.get("_instance")
        if inst is None or cls._instance_pid != os.getpid() or inst.closed:
            with cls._instance_lock:
                inst = cls.__dict__.get("_instance")
                if inst is None or cls._instance_pid != os.getpid() or inst.closed:
                    inst = cls(io_threads=io_threads)
                    cls._instance = inst
                    cls._instance_pid = os.getpid()
        assert isinstance(inst, cls)
        return inst

    @property
    def closed(self) -> bool:
        """True once ``term()`` (or ``destroy()``) was called."""
        return self._closed

    @classmethod
    def shadow(cls: type[_C], address: Any) -> _C:
        """pyzmq wraps a raw libzmq context pointer: use ``Context(shadow=ctx)`` instead."""
        if isinstance(address, Context):
            return cls(shadow=address)
        raise ZMQError(Errno.ENOTSUP, "purezmq cannot shadow a libzmq context address")

    @classmethod
    def shadow_pyczmq(cls: type[_C], ctx: Any) -> _C:
        raise ZMQError(Errno.ENOTSUP, "purezmq cannot shadow a pyczmq context")

    @property
    def underlying(self) -> int:
        """pyzmq exposes the libzmq context address; there is none here."""
        return id(self._core)

    def __repr__(self) -> str:
        cls = type(self)
        closed = " closed" if self._closed else ""
        n = len(self._open_sockets())
        return f"<{cls.__module__}.{cls.__name__}({n} sockets) at {id(self):#x}{closed}>"

    # ---- sockets ---------------------------------------------------------------------------

    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (``zmq.REQ``...), with this context's defaults."""
        if self._closed:
            raise ZMQError(Errno.ENOTSUP, "Context was terminated; cannot create sockets")
        cls = self._socket_class if socket_class is None else socket_class
        self._reap()
        sock = cls(self, socket_type, **kwargs)
        self._apply_sockopts(sock)
        return sock

    def _register(self, sock: Any) -> None:
        """Called by every socket's constructor (also ``Socket(ctx, type)`` used directly)."""
        # Sockets are created from any thread: guard the (weak) set. Closed sockets leave it
        # when collected; nothing removes them explicitly, so a finalizer never needs the lock.
        with self._lock:
            self._sockets.add(sock)

    def _open_sockets(self) -> list[Any]:
        with self._lock:
            return [s for s in self._sockets if not s.closed]

    def _reap(self) -> None:
        """Close the cores of sockets that were garbage-collected while open (see
        ``Socket.__del__``). Nobody else can reach them, so any thread may close them."""
        _close_cores(self._orphans)

    def _close_for_exit(self, running: set[int | None]) -> None:
        """At exit: close (with LINGER) the open sync sockets whose owner thread is not in
        ``running`` and that no call is blocked on, and the collected ones."""
        if self._closed:
            return
        self._reap()
        for sock in self._open_sockets():
            # Sync sockets only: an asyncio socket's loop is gone by now.
            if hasattr(sock, "_blocking") and not sock._blocking and sock._owner not in running:
                with contextlib.suppress(Exception):
                    sock.close()

    # ---- termination -----------------------------------------------------------------------

    def term(self) -> None:
        """Terminate: wake blocked calls with ETERM, wait until all sockets are closed.

        Unlike pyzmq, ``term()`` does not hang on sockets that the calling thread created and
        left open -- nobody else could close them while it blocks -- it closes them (with
        their LINGER). Sockets that other threads are using, or that are blocked in a call,
        are left to those threads, which get ``ContextTerminated``, as in libzmq.
        """
        if self._closed:
            return
        self._closed = True
        self._reap()
        if self._shadow:
            return
        # Terminate before closing those sockets: another thread polling one of them (a
        # device thread given sockets made here) then gets ETERM from the engine.
        self._core.begin_term()
        self._close_own_sockets()
        # Threads that got ETERM may return without closing their sockets: those are collected
        # while we wait, so keep reaping (pyzmq closes a collected socket, and returns).
        self._core.term(reap=self._reap)

    def _close_own_sockets(self) -> None:
        """Close the open sockets the calling thread created and is not blocked on. (A method
        of its own so that no local variable keeps a socket alive while ``term()`` waits.)"""
        me = threading.get_ident()
        for sock in self._open_sockets():
            if getattr(sock, "_owner", None) == me and not getattr(sock, "_blocking", False):
                sock.close()

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket of this context (with ``linger`` if given), then ``term()``.

        The engine terminates *before* it closes the sockets, so a thread (or coroutine)
        blocked on one of them wakes with ``ContextTerminated`` (ETERM), as after ``term()``
        -- not ENOTSOCK, which it would get if the sockets were closed here one by one.
        """
        if self._closed:
            return
        if self._shadow:
            # A shadow does not own the engine: close only its own sockets.
            self._reap()
            for sock in self._open_sockets():
                sock.close(linger)
            self._closed = True
            return
        self._closed = True
        self._reap()
        socks = self._open_sockets()
        self._core.destroy(linger)
        for sock in socks:
            # The engine sockets are closed now; mark the front-ends closed too (pyzmq:
            # ``sock.closed`` after ``destroy``), except where a call is still unwinding or
            # may be: a sync call blocked in the engine (``_blocking``) and asyncio sockets
            # (a woken coroutine re-checks ``closed`` and must see ETERM, not ENOTSOCK). Those
            # answer ETERM until their owner closes them.
            if hasattr(sock, "_blocking") and not sock._blocking:
                sock._closed = True
                close_signal = getattr(sock._signal, "close", None)
                if close_signal is not None:
                    close_signal()

    def __del__(self) -> None:
        # pyzmq destroys a collected Context. Its sockets are gone already (each holds a
        # reference to us) and wait in ``_orphans``. A finalizer must never block nor take a
        # lock (it may run on any thread, at any allocation): the I/O thread closes them with
        # their LINGER and stops once they are flushed (``ContextCore.retire``).
        try:
            if not self._closed and not self._shadow:
                self._closed = True
                core = self._core
                if core.runs_io_thread:
                    core.retire(functools.partial(_close_cores, self._orphans))
                else:
                    core.term(0)
        except Exception:
            pass

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(self, *exc: object) -> None:
        self.destroy()

    # ---- context options -------------------------------------------------------------------

    def set(self, option: int, optval: int) -> None:
        """Set a context option (``zmq_ctx_set``: IO_THREADS, MAX_SOCKETS, BLOCKY...)."""
        if not isinstance(optval, int):
            raise TypeError(f"expected int, got: {optval!r}")
        self._core.set(option, optval)

    def get(self, option: int) -> int:
        """Get a context option (``zmq_ctx_get``)."""
        return int(self._core.get(option))


__all__ = ["Context"]
