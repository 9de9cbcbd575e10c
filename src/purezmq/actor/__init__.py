"""Actors: a function in a thread (``Actor``) or a coroutine in a task (``AsyncActor``), joined
to the caller by a PAIR pipe over inproc, as czmq's ``zactor``.

The function gets the actor's end of the pipe first, then the arguments given to ``Actor``.
Its promises:

* it calls ``signal(pipe)`` (``await signal_async(pipe)``) once set up; ``Actor(...)``
  (``await AsyncActor.start(...)``) returns only then, or when the function ended first;
* it returns when it receives ``$TERM`` (``TERM``); ``close()`` sends ``$TERM`` and joins it;
* an exception it raises reaches the caller: the next receive on the actor, or ``close()``,
  raises it with the actor's traceback; once it returned, receives raise ``ActorEnded``.

See the cookbook page "Actors" (``docs/cookbook/actors.md``) for a ticker and a worker pool.
"""

from __future__ import annotations

from ._pipe import ActorEnded
from .signal import TERM, signal, signal_async, wait, wait_async
from .task import AsyncActor
from .threaded import Actor

__all__ = [
    "TERM",
    "Actor",
    "ActorEnded",
    "AsyncActor",
    "signal",
    "signal_async",
    "wait",
    "wait_async",
]
