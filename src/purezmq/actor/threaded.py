"""``Actor``: a function run in a thread, joined to the caller by a PAIR pipe (czmq's zactor).

``Actor(fn, *args, **kwargs)`` creates the pipe over inproc, starts a thread that calls
``fn(pipe, *args, **kwargs)`` and returns once the actor called ``signal(pipe)`` (it is set up)
or the function ended, whichever comes first. The caller talks to the actor with the actor's
``send*``/``recv*`` (or registers ``actor.socket`` in a Poller). ``close()`` sends ``$TERM``,
on which the function must return, and joins the thread.

An exception raised by the function is not lost with its thread: it is raised, with the
actor's traceback, by the caller's next ``recv*`` on the actor (the runner wakes it with a
``FAILED`` signal) or by ``close()``. When the function returns on its own, the next ``recv*``
raises ``ActorEnded`` rather than waiting forever.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any

from .. import sync
from ..constants import Flag, SocketType
from ..error import ZMQError
from ._pipe import ActorEnded, FailureReport, pipe_endpoint
from .signal import ENDED, FAILED, READY, TERM, signal_frame, signal_status

__all__ = ["Actor", "ActorEnded"]


class Actor(FailureReport):
    """A function running in its own thread, reached through a PAIR pipe."""

    def __init__(
        self,
        fn: Callable[..., object],
        *args: Any,
        context: sync.Context | None = None,
        **kwargs: Any,
    ) -> None:
        ctx = context if context is not None else sync.Context.instance()
        endpoint = pipe_endpoint()
        self._pipe: sync.Socket = ctx.socket(SocketType.PAIR)
        self._pipe.bind(endpoint)
        actor_pipe: sync.Socket = ctx.socket(SocketType.PAIR)
        actor_pipe.connect(endpoint)
        self._failure: BaseException | None = None
        self._failure_raised = False
        self._closed = False
        self._ended_early = False  # returned before signalling READY
        self._thread = threading.Thread(
            target=self._run,
            args=(fn, actor_pipe, args, kwargs),
            name=f"actor:{getattr(fn, '__name__', 'fn')}",
            daemon=True,
        )
        self._thread.start()
        # Wait for READY (or the end of the function): the actor has bound what it binds.
        frames = self._pipe.recv_multipart()
        status = signal_status(frames)
        if status == READY:
            return
        self._thread.join()
        self._pipe.close(linger=0)
        self._closed = True
        failure = self._failure_of(status)
        if failure is not None:
            raise failure
        self._ended_early = status == ENDED
        if status != ENDED:
            raise ZMQError(
                msg="the actor sent a message before signal(pipe): an actor signals READY first"
            )

    def _run(
        self,
        fn: Callable[..., object],
        pipe: sync.Socket,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        status = ENDED
        try:
            fn(pipe, *args, **kwargs)
        except BaseException as exc:  # handed to the caller, not swallowed
            self._failure = exc
            status = FAILED
        try:
            if not pipe.closed:
                # A queued frame outlives its sender's close (inproc), so the caller still
                # reads this after the thread is gone.
                pipe.send(signal_frame(status))
                pipe.close()
        except ZMQError:
            pass  # the caller's side (or the context) is already closed

    # -- the caller's side of the pipe ---------------------------------------------------

    @property
    def socket(self) -> sync.Socket:
        """The caller's end of the pipe (PAIR), e.g. to register in a Poller. Messages read
        from it directly are not checked for the actor's failure: call ``check()`` too."""
        return self._pipe

    @property
    def alive(self) -> bool:
        """Whether the actor's thread is still running."""
        return self._thread.is_alive()

    def send(self, data: bytes, flags: int = 0) -> None:
        self._pipe.send(data, flags)

    def send_multipart(self, frames: list[bytes], flags: int = 0) -> None:
        self._pipe.send_multipart(frames, flags)

    def send_string(self, text: str, flags: int = 0) -> None:
        self._pipe.send_string(text, flags)

    def recv_multipart(self, flags: int = 0) -> list[bytes]:
        """The actor's next message; raises its exception if it failed, ``ActorEnded`` if its
        function returned."""
        if self._ended_early:
            raise ActorEnded("the actor's function returned before signalling ready")
        return self._checked(self._pipe.recv_multipart(flags))

    def recv(self, flags: int = 0) -> bytes:
        frames = self.recv_multipart(flags)
        if len(frames) != 1:
            raise ZMQError(msg=f"the actor sent {len(frames)} frames: use recv_multipart()")
        return frames[0]

    def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        return self.recv(flags).decode(encoding)

    def poll(self, timeout: int | None = None) -> bool:
        """Whether a message from the actor is ready within ``timeout`` ms."""
        return bool(self._pipe.poll(timeout))

    # -- ending ---------------------------------------------------------------------------

    def close(self, timeout: float | None = None) -> None:
        """Ask the actor to stop (``$TERM``), join its thread, close the pipe.

        Raises the actor's exception if it failed and no receive raised it yet, and
        ``TimeoutError`` if the thread is still running after ``timeout`` seconds (the pipe
        stays open then: call ``close`` again).
        """
        if self._closed:
            self.check()
            return
        if self._thread.is_alive():
            # Its queue may be full or it may be gone already: joining tells.
            with contextlib.suppress(ZMQError):
                self._pipe.send(TERM, flags=Flag.DONTWAIT)
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"the actor did not return within {timeout} s of $TERM")
        self._pipe.close(linger=0)
        self._closed = True
        self.check()

    def __enter__(self) -> Actor:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self.alive else "ended")
        return f"<Actor {self._thread.name} {state}>"
