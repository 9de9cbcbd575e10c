"""What both actor front-ends share: the PAIR pipe's endpoint and what a received message means."""

from __future__ import annotations

import itertools
import os

from .signal import ENDED, FAILED, signal_status

_serial = itertools.count()


class ActorEnded(Exception):
    """The actor's function returned: nothing more will come from its pipe."""


def pipe_endpoint() -> str:
    """A fresh inproc endpoint for one actor's pipe (unique in the process)."""
    return f"inproc://purezmq.actor-{os.getpid()}-{next(_serial)}"


def check_message(frames: list[bytes], failure: BaseException | None) -> BaseException | None:
    """The exception to raise for a message the caller received from the actor, or None when
    the message is the actor's own to hand over.

    The runner's ``FAILED`` signal raises the function's exception (set before the signal is
    sent); ``ENDED`` raises ``ActorEnded``.
    """
    status = signal_status(frames)
    if status == FAILED and failure is not None:
        return failure
    if status == ENDED:
        return ActorEnded("the actor's function returned")
    return None


class FailureReport:
    """The actor's exception, raised in the caller once: by the receive that meets the
    runner's ``FAILED`` signal, or by ``check()`` once the actor is gone."""

    _failure: BaseException | None = None
    _failure_raised = False

    @property
    def alive(self) -> bool:
        raise NotImplementedError

    def _failure_of(self, status: int | None) -> BaseException | None:
        if status != FAILED or self._failure is None:
            return None
        self._failure_raised = True
        return self._failure

    def check(self) -> None:
        """Raise the actor's exception now if it failed (once)."""
        if self._failure is not None and not self._failure_raised and not self.alive:
            self._failure_raised = True
            raise self._failure

    def _checked(self, frames: list[bytes]) -> list[bytes]:
        problem = check_message(frames, self._failure)
        if problem is None:
            return frames
        if problem is self._failure:
            self._failure_raised = True
        raise problem
