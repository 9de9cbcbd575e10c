"""``ContextBase``: what every front-end's ``Context`` shares -- a factory of sockets over one
engine ``ContextCore``, with pyzmq's option attributes and life cycle.

A front-end's Context says only which engine it runs on (``_make_core``: the blocking API's
I/O thread, or the caller's event loop) and which socket class it makes (``_socket_class``).

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

Layer 4 base: imports layer 0 and ``_engine`` only, never a front-end.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import warnings
import weakref
from types import GenericAlias
from typing import Any, ClassVar, TypeVar

from .._engine import before_exit_flush
from ..constants import ContextOption, Errno, SocketOption
from ..error import ZMQError
from .attributes import AttributeSetter, install_option_attributes
from .handles import HandleRegistry
from .naming import repr_name
from .socket import SocketBase

_C = TypeVar("_C", bound="ContextBase")

#: Every Context not collected yet, for the exit hook.
_contexts: weakref.WeakSet[ContextBase] = weakref.WeakSet()


def _close_cores(orphans: list[Any]) -> None:
    """Close the cores of sockets collected while open (see ``ContextBase._reap``)."""
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
_CONTEXT_OPTION_NAMES = frozenset(ContextOption.__members__)
_SOCKET_OPTION_NAMES = frozenset(SocketOption.__members__)


class ContextOptionsMixin(AttributeSetter):
    """pyzmq's Context attributes: context options go to the core, socket options become
    defaults applied to every socket the Context creates afterwards (``ctx.linger = 0``)."""

    _attr_owner: ClassVar[str] = "Context"
    _sockopts: dict[int, Any]

    @property
    def sockopts(self) -> dict[int, Any]:
        return self._sockopts

    def setsockopt(self, opt: int, value: Any) -> None:
        """Set a default socket option for sockets created from now on."""
        self._sockopts[opt] = value

    def getsockopt(self, opt: int) -> Any:
        return self._sockopts[opt]

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        if name in _CONTEXT_OPTION_NAMES:
            self.set(opt, value)
        else:
            self._sockopts[opt] = value

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        if name in _CONTEXT_OPTION_NAMES:
            return self.get(opt)
        if opt not in self._sockopts:
            raise AttributeError(name)
        return self._sockopts[opt]

    def __delattr__(self, key: str) -> None:
        """``del ctx.linger`` drops that default socket option (pyzmq)."""
        if key in self.__dict__:
            object.__delattr__(self, key)
            return
        upper = key.upper()
        if upper not in _SOCKET_OPTION_NAMES:
            raise AttributeError(f"No such socket option: {upper!r}")
        opt = int(SocketOption[upper])
        if opt not in self._sockopts:
            raise AttributeError(upper)
        del self._sockopts[opt]

    def set(self, option: int, optval: int) -> None:
        raise NotImplementedError

    def get(self, option: int) -> int:
        raise NotImplementedError

    def _apply_sockopts(self, sock: SocketBase) -> None:
        for opt, value in self._sockopts.items():
            try:  # noqa: SIM105 (a plain try costs nothing when nothing is raised)
                sock.setsockopt(opt, value)
            except ZMQError:
                # pyzmq ignores defaults that do not apply to this socket type.
                pass


install_option_attributes(ContextOptionsMixin)

#: Every Context that owns its engine, by ``underlying`` handle (``Context.shadow``).
CONTEXT_HANDLES: HandleRegistry[ContextBase] = HandleRegistry(first=0xC7_0000_0001)


class ContextBase(ContextOptionsMixin):
    """Creates sockets; one per process is usually enough (``Context.instance()``).

    Args:
        io_threads: accepted for pyzmq compatibility; purezmq uses one I/O thread. A Context
            here (``Context(other)``) means ``shadow=other``.
        shadow: another purezmq ``Context`` or its ``underlying`` handle, whose engine this one
            shares (pyzmq's ``Context(shadow=...)``). A shadow has its own default socket
            options; terminating it does not terminate the original.
    """

    _instance: ClassVar[Any] = None
    _instance_pid: ClassVar[int | None] = None
    _instance_lock: ClassVar[threading.Lock] = threading.Lock()
    #: The socket class ``socket()`` makes; each front-end sets its own.
    _socket_class: ClassVar[type[Any]]
    #: ``Context[Socket]`` in annotations evaluated at run time (pyzmq's Context is generic).
    __class_getitem__: ClassVar[Any] = classmethod(GenericAlias)
    #: What a shadow was made from (a Context, or a handle), kept as pyzmq does.
    _shadow_obj: Any = None
    #: The ``underlying`` handle (the owner's, for a shadow).
    _handle: int

    _core: Any
    _closed: bool
    #: True for a Context over another one's engine (it does not own the engine).
    _shadow: bool = False
    _sockets: weakref.WeakSet[Any]

    def __init__(self, io_threads: int | ContextBase = 1, shadow: ContextBase | int = 0) -> None:
        self._closed = True  # until fully built (``__del__`` may see a half-made object)
        if isinstance(io_threads, ContextBase):
            shadow, io_threads = io_threads, 1
        if shadow:
            other = self._shadow_target(shadow)
            self._core = other._core
            self._handle = other._handle
            self._sockopts = {}
            # One engine, one list of collected-while-open sockets, whoever reaps it.
            self._orphans: list[Any] = other._orphans
            self._shadow = True
            self._shadow_obj = shadow
        else:
            self._core = self._make_core()
            if isinstance(io_threads, int) and io_threads != 1:
                # Kept for get(IO_THREADS); purezmq runs one I/O thread whatever the value.
                self._core.set(ContextOption.IO_THREADS, io_threads)
            self._sockopts = {}
            #: Cores of sockets collected while open (list.append/pop are atomic: no lock).
            self._orphans = []
            self._shadow = False
            self._handle = CONTEXT_HANDLES.register(self)
        self._lock = threading.Lock()
        self._sockets = weakref.WeakSet()
        self._closed = False
        _contexts.add(self)

    def _make_core(self) -> Any:
        """The engine this Context runs on (each front-end says which)."""
        raise NotImplementedError

    @classmethod
    def instance(cls: type[_C], io_threads: int = 1) -> _C:
        """The process-wide Context (a new one after ``fork()`` or once it was terminated).

        As in pyzmq, a subclass that does not set ``_instance = None`` itself shares its
        parent's instance while that one is alive.
        """
        inst = cls._instance
        if inst is None or cls._instance_pid != os.getpid() or inst.closed:
            with cls._instance_lock:
                inst = cls._instance
                if inst is None or cls._instance_pid != os.getpid() or inst.closed:
                    inst = cls(io_threads=io_threads)
                    cls._instance = inst
                    cls._instance_pid = os.getpid()
        return inst  # type: ignore[no-any-return]

    @property
    def closed(self) -> bool:
        """True once ``term()`` (or ``destroy()``) was called."""
        return self._closed

    @staticmethod
    def _shadow_target(shadow: Any) -> ContextBase:
        """The live Context that ``shadow`` (a purezmq Context or its ``underlying``) names."""
        if isinstance(shadow, ContextBase):
            return shadow
        handle = getattr(shadow, "underlying", shadow)
        owner = None
        if isinstance(handle, int) and not isinstance(handle, bool):
            owner = CONTEXT_HANDLES.resolve(handle)
        if owner is None or owner.closed:
            # libzmq answers EFAULT for a pointer that is not a live context.
            raise ZMQError(
                Errno.EFAULT,
                f"no live purezmq Context has the handle {handle!r} (shadow takes a purezmq "
                "Context or its ``underlying``; a libzmq context cannot be shadowed)",
            )
        return owner

    @classmethod
    def shadow(cls: type[_C], address: Any) -> _C:
        """A Context over the same engine as ``address`` (a purezmq Context, or its
        ``underlying`` handle), like pyzmq's ``Context.shadow``."""
        return cls(shadow=address)

    def __copy__(self: _C, memo: Any = None) -> _C:
        """Copying a Context makes a shadow of it (pyzmq)."""
        return type(self).shadow(self.underlying)

    __deepcopy__ = __copy__

    @classmethod
    def shadow_pyczmq(cls: type[_C], ctx: Any) -> _C:
        raise ZMQError(Errno.ENOTSUP, "purezmq cannot shadow a pyczmq context")

    @property
    def underlying(self) -> int:
        """The handle of the engine: ``Context.shadow(ctx.underlying)`` makes a second
        Context over it, as pyzmq does with the libzmq context's address."""
        return self._handle

    def __repr__(self) -> str:
        closed = " closed" if self._closed else ""
        n = len(self._open_sockets())
        sockets = "" if n == 0 else f"{n} socket" if n == 1 else f"{n} sockets"
        return f"<{repr_name(type(self))}({sockets}) at {id(self):#x}{closed}>"

    # ---- sockets ---------------------------------------------------------------------------

    def socket(self, socket_type: int, socket_class: Any = None, **kwargs: Any) -> Any:
        """A new socket of ``socket_type`` (``zmq.REQ``...), with this context's defaults."""
        if self._closed:
            raise ZMQError(Errno.ENOTSUP, "Context was terminated; cannot create sockets")
        if self._shadow and self._core.closed:
            # libzmq's answer for a context pointer whose context is gone (pyzmq's shadows).
            raise ZMQError(Errno.EFAULT, "the Context this one shadows was terminated")
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

        Unlike pyzmq, ``term()`` does not hang on sockets that the calling thread uses and
        left open -- nobody else could close them while it blocks -- it closes them (with
        their LINGER). A socket's user is the thread that created it, or the last thread that
        waited on it (in a blocking call or a poll): sockets handed to other threads, and those
        blocked in a call, are left to those threads, which get ``ContextTerminated``, as in
        libzmq.
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
        # while we wait, or (still referenced) left to nobody, so keep reaping both (pyzmq
        # closes a collected socket, and returns).
        self._core.term(reap=self._reap_abandoned)

    def _reap_abandoned(self) -> None:
        """While ``term()`` waits: close the collected sockets, and the sync sockets whose user
        thread has ended (nobody is left to close them; see ``_close_for_exit``)."""
        self._reap()
        alive = {t.ident for t in threading.enumerate()}
        for sock in self._open_sockets():
            if hasattr(sock, "_blocking") and not sock._blocking and sock._owner not in alive:
                with contextlib.suppress(Exception):
                    sock.close()

    def _close_own_sockets(self) -> None:
        """Close the open sockets the calling thread uses and is not blocked on. (A method of
        its own so that no local variable keeps a socket alive while ``term()`` waits.)"""
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
        if not self._closed and self._open_sockets():
            # pyzmq's warning: leaving ``with Context()`` closes sockets the program forgot.
            warnings.warn(
                "Destroying context with unclosed socket", ResourceWarning, stacklevel=2
            )
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


__all__ = ["ContextBase", "ContextOptionsMixin"]
