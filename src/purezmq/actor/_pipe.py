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
