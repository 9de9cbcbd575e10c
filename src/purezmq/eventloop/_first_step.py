"""Run an awaitable's first step now; finish it as a Task only if it really has to wait.

``ZMQStream`` is callback-driven: when a socket's ``EVENTS`` says a message can be taken, the
stream takes it *now*, inside the callback, as it does with a blocking socket. An asyncio
socket's ``recv_multipart(DONTWAIT)`` returns an awaitable (a coroutine, or a Future) that
completes without waiting in that case; ``first_step`` runs it up to its first wait and says
whether it is over. Should it wait after all, it continues as a Task from where it stopped
(``_continue`` forwards what it yields and what it is sent), so nothing it started is lost or
done twice.
"""

from __future__ import annotations

import asyncio
import types
from collections.abc import Awaitable, Coroutine, Generator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Step(Generic[T]):
    """What the first step of an awaitable came to: over (``result()``) or ``pending``."""

    __slots__ = ("_error", "_value", "pending")

    def __init__(
        self,
        value: T | None = None,
        error: BaseException | None = None,
        pending: asyncio.Future[T] | None = None,
    ) -> None:
        self._value = value
        self._error = error
        #: The Future that finishes the awaitable, when its first step did not.
        self.pending = pending

    def result(self) -> T:
        """The awaitable's value, or its exception raised (only when ``pending`` is None)."""
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]


def first_step(aw: Awaitable[T]) -> Step[T]:
    """Run ``aw`` until it first waits (a Future: look whether it is done)."""
    if isinstance(aw, asyncio.Future):
        if not aw.done():
            return Step(pending=aw)
        if aw.cancelled():
            return Step(error=asyncio.CancelledError())
        error = aw.exception()
        return Step(error=error) if error is not None else Step(aw.result())
    if not isinstance(aw, Coroutine):
        return Step(pending=asyncio.ensure_future(aw))
    try:
        yielded = aw.send(None)
    except StopIteration as stop:
        return Step(stop.value)
    except Exception as exc:  # the awaitable's own error (Again...), for the caller to raise
        return Step(error=exc)
    return Step(pending=asyncio.ensure_future(_continue(aw, yielded)))


@types.coroutine
def _continue(coro: Coroutine[Any, Any, T], yielded: Any) -> Generator[Any, Any, T]:
    """Drive ``coro`` on from a step that yielded ``yielded`` (the Task now owns it)."""
    while True:
        try:
            sent = yield yielded
        except BaseException as exc:  # cancellation and errors go into coro, as a Task's would
            try:
                yielded = coro.throw(exc)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
        else:
            try:
                yielded = coro.send(sent)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]


__all__ = ["Step", "first_step"]
