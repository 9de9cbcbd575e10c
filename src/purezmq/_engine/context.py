"""``ContextCore``: one Context's engine state — I/O loop, inproc registry, sockets, term().

Owns: the I/O loop the sync API's connections run on (one daemon thread running its own asyncio
event loop, started lazily on first need — docs/architecture.md §3), the inproc registry,
the set of live ``SocketCore``s, context options, ``term()``/``destroy()`` and the fork guard.

Thread affinity: every method may be called from any thread. ``call_soon`` is the data-plane
hand-off to the I/O loop (a ``wakeup.Wakeup``: coalesced, no allocation beyond the deque
entry); ``run`` is control plane (one ``concurrent.futures.Future`` per call, run inline when
already on the loop). Socket bookkeeping uses one ``threading.Condition``, only on socket
creation/close and in ``term()``.

asyncio sockets (``signal.LoopSignal``) run their connections on their owner loop, not on the
thread: ``SocketCore.io_loop`` picks the loop per socket, so one Context may hold sync and
asyncio sockets at once (docs/architecture.md §3). ``ContextCore.on_loop(loop)`` only sets the loop
that ``ctx.call_soon``/``ctx.run`` use by default.

fork(): a child process gets the parent's memory but not its threads. ``os.register_at_fork``
marks every live ContextCore as forked in the child (without taking any lock: a parent thread
may have held it at fork time); after that every socket call in the child raises
``ZMQError(EFAULT, "Context was created in another process…")`` instead of waiting for an I/O
thread that does not exist, and ``close()``/``term()`` become no-ops so cleanup code runs.
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import os
import sys
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic
from typing import TYPE_CHECKING, Any

from ..constants import Errno
from ..error import ContextTerminated, ZMQError
from ..options import ContextOptions
from . import wakeup as _wakeup
from .inproc import InprocRegistry
from .signal import LoopSignal
from .wakeup import WakeupStatistics

if TYPE_CHECKING:
    from .socket_core import SocketCore

_get_running_loop = asyncio._get_running_loop

#: ``run()`` re-checks that the I/O thread is alive this often (seconds) while it waits.
_RUN_SLICE = 0.5

#: How long ``term()`` waits for the I/O thread to stop after everything is closed.
_JOIN_TIMEOUT = 5.0

#: At interpreter exit, an infinite LINGER (-1) is waited for only while the flushes make
#: progress: the wait ends once no queued message has moved for this long (seconds), or for
#: the longest finite LINGER of the sockets flushing, if longer (docs/lifecycle.md).
EXIT_STALL = 2.0

#: How often the exit wait re-measures the flushes' progress (seconds).
_EXIT_SLICE = 0.05

#: How often the I/O loop of a retired Context checks whether it may stop (seconds).
_RETIRE_SLICE = 0.1

#: While ``term()`` waits for sockets to be closed, it runs its ``reap`` callback this often
#: (seconds): a socket collected meanwhile is queued by a finalizer, which may take no lock
#: and so cannot wake the waiter itself.
_REAP_SLICE = 0.05

_live: weakref.WeakSet[ContextCore] = weakref.WeakSet()

#: Front-end calls that close what they can before the exit flush (``before_exit_flush``).
_before_exit_flush: list[Callable[[], None]] = []


def before_exit_flush(fn: Callable[[], None]) -> None:
    """Have ``fn`` run at interpreter exit just before the LINGER flushes are awaited (a
    front-end closes there the sockets that no running thread can use any more)."""
    _before_exit_flush.append(fn)


def _at_exit() -> None:
    for fn in _before_exit_flush:
        with contextlib.suppress(Exception):
            fn()
    ContextCore.flush_at_exit()


def _register_at_exit() -> None:
    """(Re-)register the exit flush, so that it runs before every ``atexit`` handler that
    existed when an I/O thread started (handlers run last-registered first): in particular
    ``weakref.finalize``'s, which closes the I/O loop's wake-up fd."""
    atexit.unregister(_at_exit)
    atexit.register(_at_exit)


def io_loop_factory() -> Callable[[], asyncio.AbstractEventLoop]:
    """The event loop the I/O thread of a sync Context runs: uvloop when installed (the
    ``speed`` extra), else asyncio's default.

    uvloop's loop iteration is C where asyncio's is Python; every sync request/reply turn
    crosses it on both sides, so the sync API's latency drops by about a quarter (performance
    issue, ``purezmq bench --test lat``). ``PUREZMQ_IO_LOOP=asyncio`` keeps the stdlib loop
    (to rule uvloop out when chasing a problem).
    """
    if os.environ.get("PUREZMQ_IO_LOOP", "").lower() != "asyncio":
        try:
            import uvloop
        except ImportError:
            pass
        else:
            factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
            return factory
    return asyncio.new_event_loop


def _after_fork_in_child() -> None:
    for ctx in list(_live):
        ctx._mark_forked()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _run_into(fut: concurrent.futures.Future[Any], fn: Callable[..., Any], args: Any) -> None:
    """On the loop: run ``fn`` and publish the outcome to the waiting thread."""
    if not fut.set_running_or_notify_cancel():
        return
    try:
        fut.set_result(fn(*args))
    except BaseException as exc:
        fut.set_exception(exc)


@dataclass(frozen=True, slots=True)
class ContextStatistics:
    """A context's counters at one moment (``ContextCore.statistics()``)."""

    #: Open sockets.
    sockets: int
    #: LINGER flushes still running.
    lingering: int
    #: The I/O thread's wake-up counters, or None while no I/O thread was needed.
    io: WakeupStatistics | None


class ContextCore:
    """The engine side of one Context."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
    ) -> None:
        self._pid = os.getpid()
        self._forked = False
        self._loop = loop
        self._loop_factory = loop_factory
        self._cond = threading.Condition(threading.Lock())
        self._thread: threading.Thread | None = None
        self._thread_wakeup_obj: _wakeup.Wakeup | None = None
        #: The I/O thread, kept after ``_stop_thread`` so ``run`` can tell it is gone.
        self._io_thread_obj: threading.Thread | None = None
        self._io_stopping = False
        self._sockets: dict[SocketCore, None] = {}
        self._lingering = 0
        self._terminated = False
        #: Session pipes that closed sockets left with messages to flush (their LINGER): the
        #: exit wait measures progress on them (``note_flushing``).
        self._flushing: list[Any] = []
        #: The longest finite LINGER of those flushes (seconds).
        self._flush_patience = 0.0
        #: Set by ``retire``: the front-end is gone; its orphaned sockets are closed by this.
        self._retire_reap: Callable[[], None] | None = None
        #: Context options (``purezmq.options.ContextOptions``: libzmq defaults, validation).
        self.options = ContextOptions()
        #: The inproc:// names of this Context (``inproc.py``).
        self.inproc = InprocRegistry()
        _live.add(self)

    @classmethod
    def threaded(
        cls, loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None
    ) -> ContextCore:
        """A Context for the sync API: its I/O thread starts on first need."""
        return cls(loop_factory=loop_factory)

    @classmethod
    def on_loop(cls, loop: asyncio.AbstractEventLoop | None = None) -> ContextCore:
        """A Context for the asyncio API: ``ctx.call_soon``/``run`` default to ``loop`` (or the
        running loop at the time of the call when None); no thread is started for it."""
        core = cls(loop=loop)
        core._on_loop = True
        return core

    _on_loop = False

    # -------------------------------------------------------------------- fork guard

    def _mark_forked(self) -> None:
        """Child side of fork(): no lock may be taken here (see the module docstring)."""
        self._forked = True
        self._cond = threading.Condition(threading.Lock())
        self._thread = None
        self._io_thread_obj = None
        self._thread_wakeup_obj = None
        self.inproc.reset_after_fork()
        for sock in list(self._sockets):
            sock._forked()

    def fork_error(self) -> ZMQError:
        return ZMQError(
            Errno.EFAULT,
            f"Context was created in another process (pid {self._pid}); "
            "create a new Context after fork()",
        )

    def _check(self) -> None:
        if self._forked:
            raise self.fork_error()
        if self._terminated:
            raise ContextTerminated()

    # -------------------------------------------------------------------- the I/O loop

    def thread_wakeup(self) -> _wakeup.Wakeup:
        """The I/O thread's Wakeup, starting the thread on first use."""
        w = self._thread_wakeup_obj
        if w is not None:
            return w
        if self._forked:
            raise self.fork_error()
        with self._cond:
            if self._thread_wakeup_obj is None:
                if self._terminated:
                    raise ContextTerminated()
                self._start_thread()
            w = self._thread_wakeup_obj
        assert w is not None
        return w

    def _start_thread(self) -> None:
        if sys.platform == "emscripten":
            # Pyodide runs one thread: the blocking API has no I/O thread to run connections.
            raise ZMQError(
                Errno.ENOTSUP,
                "the blocking API's network I/O runs on a thread, and Pyodide has none: "
                "use purezmq.asyncio (its sockets connect to ws:// on Pyodide's event loop)",
            )
        ready = threading.Event()
        box: list[_wakeup.Wakeup] = []
        factory = self._loop_factory

        def main() -> None:
            loop = (factory or io_loop_factory())()
            asyncio.set_event_loop(loop)
            box.append(_wakeup.for_loop(loop))
            ready.set()
            try:
                loop.run_forever()
            finally:
                try:
                    tasks = asyncio.all_tasks(loop)
                    for task in tasks:
                        task.cancel()
                    if tasks:
                        # Let them run their cleanup (a connect attempt closes its socket).
                        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    box[0].close()
                    asyncio.set_event_loop(None)
                    loop.close()

        thread = threading.Thread(target=main, name="purezmq-io", daemon=True)
        thread.start()
        ready.wait()
        _register_at_exit()
        self._thread = thread
        self._io_thread_obj = thread
        self._thread_wakeup_obj = box[0]

    def _default_wakeup(self) -> _wakeup.Wakeup:
        if self._on_loop:
            loop = self._loop
            if loop is None:
                loop = _get_running_loop()
                if loop is None:
                    raise ZMQError(
                        Errno.EINVAL, "an asyncio Context needs a running event loop here"
                    )
            return _wakeup.for_loop(loop)
        return self.thread_wakeup()

    @property
    def io_loop(self) -> asyncio.AbstractEventLoop:
        """The default I/O loop (the thread's loop; for ``on_loop`` the given/running loop)."""
        return self._default_wakeup().loop

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the I/O loop, soon (any thread; cheap coalesced kick)."""
        self._default_wakeup().call_soon(fn, *args)

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """Run ``fn(*args)`` on the I/O loop and return its result (control plane)."""
        return self.run_on(self._default_wakeup(), fn, *args)

    def run_on(self, w: _wakeup.Wakeup, fn: Callable[..., Any], *args: Any) -> Any:
        if self._forked:
            raise self.fork_error()
        if _get_running_loop() is w.loop:
            return fn(*args)
        if w.closed or (w is self._thread_wakeup_obj and self._io_stopping):
            raise ContextTerminated()
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        w.call_soon(_run_into, fut, fn, args)
        if w is not self._thread_wakeup_obj:
            return fut.result()
        # The I/O thread may stop between the check above and the hand-off (term() in another
        # thread): wait in slices and give up with ETERM once it is gone, instead of hanging.
        while True:
            try:
                return fut.result(_RUN_SLICE)
            except concurrent.futures.TimeoutError:
                thread = self._io_thread_obj
                if thread is None or not thread.is_alive():
                    raise ContextTerminated() from None

    # -------------------------------------------------------------------- options

    def get(self, option: int) -> int | bytes:
        """``zmq_ctx_get``."""
        return self.options.get(option)

    def set(self, option: int, value: Any) -> None:
        """``zmq_ctx_set`` (MAX_SOCKETS applies to sockets created afterwards)."""
        if self._forked:
            raise self.fork_error()
        self.options.set(option, value)

    # -------------------------------------------------------------------- sockets

    def add_socket(self, sock: SocketCore) -> None:
        with self._cond:
            self._check()
            if len(self._sockets) >= self.options.max_sockets:
                raise ZMQError(
                    Errno.EMFILE,
                    f"too many sockets: this Context allows MAX_SOCKETS={self.options.max_sockets}",
                )
            self._sockets[sock] = None

    def remove_socket(self, sock: SocketCore) -> None:
        with self._cond:
            self._sockets.pop(sock, None)
            self._cond.notify_all()

    @property
    def sockets(self) -> list[SocketCore]:
        with self._cond:
            return list(self._sockets)

    @property
    def closed(self) -> bool:
        return self._terminated

    @property
    def runs_io_thread(self) -> bool:
        """True for a sync Context's engine (``threaded``), False for ``on_loop``."""
        return not self._on_loop

    def linger_begin(self) -> None:
        """Network side: a closed socket's pipe is flushing (``term()`` waits for it)."""
        with self._cond:
            self._lingering += 1

    def linger_end(self) -> None:
        """Network side: that flush finished or its LINGER expired."""
        with self._cond:
            self._lingering -= 1
            self._cond.notify_all()

    def note_flushing(self, pipes: list[Any], linger: int) -> None:
        """A socket closes with ``linger`` ms (not 0) and ``pipes`` (our ends of its network
        sessions) still hold messages: remember them, so that the exit wait can tell a flush
        that moves from one that is stuck (owner thread, at close)."""
        if linger > 0:
            self._flush_patience = max(self._flush_patience, linger / 1000.0)
        # Drop the drained ones: this list must not grow with every socket ever closed.
        self._flushing = [p for p in self._flushing if p.write_pending()] + pipes

    def flush_progress(self) -> tuple[int, int]:
        """What changes while flushes move: (flushes running, messages still queued)."""
        return self._lingering, sum(p.write_pending() for p in self._flushing)

    # -------------------------------------------------------------------- exit

    def retire(self, reap: Callable[[], None]) -> None:
        """The front-end Context was garbage-collected while not terminated (pyzmq destroys
        it then). For a finalizer: takes no lock and never blocks. No new socket may be made;
        the I/O loop runs ``reap`` (which closes the sockets that were collected while open,
        each with its LINGER) and stops once no socket is left and no LINGER flush runs, so
        pending messages still go out, as they would with ``destroy()``."""
        self._terminated = True
        self._retire_reap = reap
        w = self._thread_wakeup_obj
        if w is not None and not self._forked and not self._io_stopping:
            w.call_soon(self._retire_on_loop)

    def _retire_on_loop(self) -> None:
        # Every time: a shadow's sockets collected later land in the same orphan list.
        reap = self._retire_reap
        if reap is not None:
            # A broken socket must not keep the I/O thread alive.
            with contextlib.suppress(Exception):
                reap()
        if self._io_stopping:
            return
        if not self._sockets and self._lingering <= 0:
            self._stop_thread()
            return
        # Sockets of a shadow Context, or flushes still running: look again later.
        self._default_wakeup().loop.call_later(_RETIRE_SLICE, self._retire_on_loop)

    @staticmethod
    def flush_at_exit(stall: float = EXIT_STALL) -> None:
        """Interpreter exit (atexit, after the front-ends closed what they could): wait for the
        LINGER flushes of every Context whose I/O thread runs, then stop those threads.

        The I/O thread is a daemon, which would die mid-flush at exit; waiting here keeps
        LINGER's promise, as libzmq's ``term()`` does. An infinite LINGER is waited for only
        while the flushes make progress: a peer that is gone must not hang the exit (pyzmq
        never waits at exit). See docs/lifecycle.md.
        """
        cores = [c for c in list(_live) if c._thread is not None and not c._forked]
        if not cores:
            return
        for core in cores:
            # A Context collected just before: its I/O loop may not have closed its sockets
            # yet (``retire``), and their flushes must be counted before we look.
            reap = core._retire_reap
            if reap is not None:
                with contextlib.suppress(Exception):
                    reap()
        patience = max([stall] + [c._flush_patience for c in cores])
        last: list[tuple[int, int]] = []
        last_change = monotonic()
        while True:
            flushing = [c for c in cores if c._lingering > 0]
            if not flushing:
                break
            progress = [c.flush_progress() for c in flushing]
            now = monotonic()
            if progress != last:
                last, last_change = progress, now
            elif now - last_change >= patience:
                break  # stuck: nothing moved for a while
            with flushing[0]._cond:
                flushing[0]._cond.wait(_EXIT_SLICE)  # linger_end notifies
        for core in cores:
            core._stop_thread()

    # -------------------------------------------------------------------- termination

    def begin_term(self) -> None:
        """The first half of ``term()``, without waiting: from now on every call on this
        Context's sockets raises ETERM (sockets closed afterwards too), and blocked owners are
        woken. Lets a front-end close sockets during its own ``term()`` so that another thread
        still using one of them learns that the Context ended (ETERM), not ENOTSOCK."""
        if self._forked:
            return
        with self._cond:
            self._terminated = True
            socks = list(self._sockets)
        for sock in socks:
            sock.terminate()

    def term(self, timeout: float | None = None, reap: Callable[[], None] | None = None) -> bool:
        """libzmq ``zmq_ctx_term``: blocked calls raise ETERM, wait for every socket to be
        closed and for LINGER flushes, then stop the I/O thread. True when done; False if
        ``timeout`` (seconds) expired first. Idempotent.

        ``reap`` (a front-end's "close the sockets that were garbage-collected while open") runs
        before the wait and every ``_REAP_SLICE`` during it: a thread that got ETERM and
        returned without closing its socket drops the last reference to it while we wait.

        Sockets owned by the calling thread's running event loop cannot be closed by their
        owners while we block, so they are closed here instead of hanging (docs/architecture.md §4).
        """
        if self._forked:
            return True
        self.begin_term()
        with self._cond:
            socks = list(self._sockets)
        running = _get_running_loop()
        if running is not None:
            for sock in socks:
                signal = sock.signal
                if isinstance(signal, LoopSignal) and signal.loop is running:
                    sock.close_for_term()
        del socks  # holds no socket while we wait for them to be closed (and collected)
        # Sockets first (their owners close them), then LINGER flushes — which run on the
        # I/O loop, so they cannot be awaited from a thread that is running a loop.
        done = self._wait_sockets_closed(timeout, reap)
        if done and running is None and self.options.blocky:
            with self._cond:
                done = self._cond.wait_for(lambda: self._lingering <= 0, timeout)
        if done:
            self._stop_thread()
        return done

    def _wait_sockets_closed(self, timeout: float | None, reap: Callable[[], None] | None) -> bool:
        """Until no socket is left (True) or ``timeout`` seconds passed (False)."""
        if reap is None:
            with self._cond:
                return self._cond.wait_for(lambda: not self._sockets, timeout)
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            reap()  # outside the lock: closing a socket takes it
            wait = _REAP_SLICE if deadline is None else min(_REAP_SLICE, deadline - monotonic())
            with self._cond:
                if self._cond.wait_for(lambda: not self._sockets, max(wait, 0.0)):
                    return True
            if deadline is not None and monotonic() >= deadline:
                return False

    def destroy(self, linger: int | None = None) -> None:
        """Close every socket (with ``linger`` if given), then ``term()``."""
        if self._forked:
            return
        # Terminate first, then close: a thread blocked on one of these sockets wakes with
        # ETERM (as after term()), never ENOTSOCK.
        with self._cond:
            self._terminated = True
            socks = list(self._sockets)
        for sock in socks:
            sock.terminate()
        for sock in socks:
            sock.close_for_term(linger)
        self.term()

    def _stop_thread(self) -> None:
        with self._cond:
            thread, w = self._thread, self._thread_wakeup_obj
            self._thread = None
            self._io_stopping = True
        if thread is None or w is None:
            return
        loop = w.loop
        w.call_soon(loop.stop)
        if threading.current_thread() is not thread:
            thread.join(_JOIN_TIMEOUT)

    def statistics(self) -> ContextStatistics:
        w = self._thread_wakeup_obj
        return ContextStatistics(
            sockets=len(self._sockets),
            lingering=self._lingering,
            io=None if w is None else w.statistics(),
        )


__all__ = ["ContextCore", "ContextStatistics", "before_exit_flush"]
