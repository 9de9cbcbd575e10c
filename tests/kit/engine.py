"""Helpers for driving ``SocketCore``s directly, the way the front-ends do (docs/contracts.md)."""

from __future__ import annotations

import asyncio
import time

from purezmq._engine import ContextCore, LoopSignal, SocketCore, ThreadSignal
from purezmq.error import Again

#: Bounded wait for anything that should happen "soon"; tests never sleep to let things settle.
TIMEOUT = 5.0


def sync_socket(ctx: ContextCore, socket_type: int) -> SocketCore:
    return SocketCore(ctx, socket_type, ThreadSignal())


def _sig(core: SocketCore) -> ThreadSignal:
    sig = core.signal
    assert isinstance(sig, ThreadSignal)
    return sig


def recv(core: SocketCore, timeout: float = TIMEOUT) -> list[bytes]:
    """Blocking receive with the prepare_to_sleep/wait protocol (sync front-end loop); the
    message as a list, as the front-ends hand it out (one-frame messages may be 1-tuples in
    the engine, docs/contracts.md "Pipes")."""
    deadline = time.monotonic() + timeout
    while True:
        msg = core.try_recv()
        if msg is not None:
            return list(msg)
        if core.prepare_to_sleep():
            left = deadline - time.monotonic()
            if left <= 0 or not _sig(core).wait(left):
                msg = core.try_recv()
                if msg is not None:
                    return list(msg)
                raise Again()


def send(core: SocketCore, msg: list[bytes], timeout: float = TIMEOUT) -> None:
    """Blocking send with the prepare_to_sleep/wait protocol."""
    deadline = time.monotonic() + timeout
    while not core.try_send(msg):
        if core.prepare_to_sleep():
            left = deadline - time.monotonic()
            if left <= 0 or not _sig(core).wait(left):
                if core.try_send(msg):
                    return
                raise Again()


async def arecv(core: SocketCore, timeout: float = TIMEOUT) -> list[bytes]:
    """The asyncio front-end's receive loop."""
    sig = core.signal
    assert isinstance(sig, LoopSignal)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        msg = core.try_recv()
        if msg is not None:
            return msg
        if core.prepare_to_sleep():
            left = deadline - loop.time()
            if left <= 0 or not await sig.wait(left):
                raise Again()


async def asend(core: SocketCore, msg: list[bytes], timeout: float = TIMEOUT) -> None:
    sig = core.signal
    assert isinstance(sig, LoopSignal)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not core.try_send(msg):
        if core.prepare_to_sleep():
            left = deadline - loop.time()
            if left <= 0 or not await sig.wait(left):
                raise Again()
