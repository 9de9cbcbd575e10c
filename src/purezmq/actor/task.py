"""``AsyncActor``: a coroutine function run as an asyncio task, joined to the caller by a PAIR
pipe: ``Actor``'s promises (``threaded.py``) on the running loop.

``actor = await AsyncActor.start(fn, *args, **kwargs)`` creates the pipe, starts a task that
awaits ``fn(pipe, *args, **kwargs)`` with an asyncio PAIR socket, and returns once the actor
awaited ``signal_async(pipe)`` or the function ended. ``await actor.close()`` sends ``$TERM``
and awaits the task; the function's exception is raised by the next ``await actor.recv*()`` or
by ``close()``, with its traceback; ``ActorEnded`` when it returned on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

from .. import asyncio as zasyncio
from ..constants import Flag, SocketType
from ..error import ZMQError
from ._pipe import ActorEnded, FailureReport, pipe_endpoint
from .signal import ENDED, FAILED, READY, TERM, signal_frame, signal_status

__all__ = ["ActorEnded", "AsyncActor"]


class AsyncActor(FailureReport):
    """A coroutine function running as a task, reached through a PAIR pipe."""

    def __init__(self, pipe: zasyncio.Socket) -> None:
        # Use ``await AsyncActor.start(...)``: the task is created there.
        self._pipe = pipe
        self._failure: BaseException | None = None
        self._failure_raised = False
        self._closed = False
        self._ended_early = False  # returned before signalling READY
        self._task: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls,
        fn: Callable[..., Awaitable[object]],
        *args: Any,
        context: zasyncio.Context | None = None,
        **kwargs: Any,
    ) -> AsyncActor:
        ctx = context if context is not None else zasyncio.Context.instance()
        endpoint = pipe_endpoint()
        pipe = ctx.socket(SocketType.PAIR)
        pipe.bind(endpoint)
        actor_pipe = ctx.socket(SocketType.PAIR)
        actor_pipe.connect(endpoint)
        self = cls(pipe)
        name = f"actor:{getattr(fn, '__name__', 'fn')}"
        self._task = asyncio.get_running_loop().create_task(
            self._run(fn, actor_pipe, args, kwargs), name=name
        )
        frames = await pipe.recv_multipart()
        status = signal_status(frames)
        if status == READY:
            return self
        await asyncio.wait([self._task])
        pipe.close(linger=0)
        self._closed = True
        failure = self._failure_of(status)
        if failure is not None:
            raise failure
        self._ended_early = status == ENDED
        if status != ENDED:
            raise ZMQError(
                msg="the actor sent a message before signal_async(pipe): an actor signals "
                "READY first"
            )
        return self

    async def _run(
        self,
        fn: Callable[..., Awaitable[object]],
        pipe: zasyncio.Socket,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> None:
        status = ENDED
        try:
            await fn(pipe, *args, **kwargs)
        except asyncio.CancelledError:
            pipe.close(linger=0)
            raise
        except BaseException as exc:  # handed to the caller, not swallowed
            self._failure = exc
            status = FAILED
        try:
            if not pipe.closed:
                await pipe.send(signal_frame(status))
                pipe.close()
        except ZMQError:
            pass  # the caller's side (or the context) is already closed

    @property
    def socket(self) -> zasyncio.Socket:
        """The caller's end of the pipe (asyncio PAIR). Messages read from it directly are not
        checked for the actor's failure: call ``check()`` too."""
        return self._pipe

    @property
    def alive(self) -> bool:
        """Whether the actor's task is still running."""
        return self._task is not None and not self._task.done()

    async def send(self, data: bytes, flags: int = 0) -> None:
        await self._pipe.send(data, flags)

    async def send_multipart(self, frames: list[bytes], flags: int = 0) -> None:
        await self._pipe.send_multipart(frames, flags)

    async def send_string(self, text: str, flags: int = 0) -> None:
        await self._pipe.send_string(text, flags)

    async def recv_multipart(self, flags: int = 0) -> list[bytes]:
        """The actor's next message; raises its exception if it failed, ``ActorEnded`` if its
        function returned."""
        if self._ended_early:
            raise ActorEnded("the actor's function returned before signalling ready")
        return self._checked(await self._pipe.recv_multipart(flags))

    async def recv(self, flags: int = 0) -> bytes:
        frames = await self.recv_multipart(flags)
        if len(frames) != 1:
            raise ZMQError(msg=f"the actor sent {len(frames)} frames: use recv_multipart()")
        return frames[0]

    async def recv_string(self, flags: int = 0, encoding: str = "utf-8") -> str:
        return (await self.recv(flags)).decode(encoding)

    async def poll(self, timeout: int | None = None) -> bool:
        """Whether a message from the actor is ready within ``timeout`` ms."""
        return bool(await self._pipe.poll(timeout))

    async def close(self, timeout: float | None = None) -> None:
        """Ask the actor to stop (``$TERM``), await its task, close the pipe.

        Raises the actor's exception if it failed and no receive raised it yet. After
        ``timeout`` seconds the task is cancelled and ``TimeoutError`` raised.
        """
        if self._closed:
            self.check()
            return
        task = self._task
        assert task is not None
        if not task.done():
            # Its queue may be full or it may be gone already: awaiting tells.
            with contextlib.suppress(ZMQError):
                await self._pipe.send(TERM, flags=Flag.DONTWAIT)
        done, _ = await asyncio.wait([task], timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.wait([task])
            self._pipe.close(linger=0)
            self._closed = True
            raise TimeoutError(f"the actor did not return within {timeout} s of $TERM")
        self._pipe.close(linger=0)
        self._closed = True
        self.check()

    async def __aenter__(self) -> AsyncActor:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def __repr__(self) -> str:
        state = "closed" if self._closed else ("running" if self.alive else "ended")
        name = self._task.get_name() if self._task is not None else "?"
        return f"<AsyncActor {name} {state}>"
