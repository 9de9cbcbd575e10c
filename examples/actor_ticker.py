"""An actor that ticks: a thread sends ``tick N`` on its pipe every interval until ``$TERM``.

The actor polls its pipe with the time left to the next tick as the timeout, so it answers
``$TERM`` at once instead of finishing a sleep. The caller reads a few ticks, then ``close()``
sends ``$TERM`` and joins the thread; the asyncio version does the same with a task.
"""

from __future__ import annotations

import asyncio
import time

import purezmq as zmq
import purezmq.asyncio as zasyncio
from purezmq.actor import TERM, Actor, AsyncActor, signal, signal_async


def ticker(pipe: zmq.Socket, interval: float) -> None:
    signal(pipe)  # set up: Actor(...) returns now
    n = 0
    next_tick = time.monotonic() + interval
    while True:
        left_ms = int(max(0.0, next_tick - time.monotonic()) * 1000)
        if pipe.poll(left_ms) and pipe.recv() == TERM:
            return
        if time.monotonic() >= next_tick:
            n += 1
            pipe.send_string(f"tick {n}")
            next_tick += interval


async def async_ticker(pipe: zasyncio.Socket, interval: float) -> None:
    await signal_async(pipe)
    n = 0
    while True:
        try:
            if await asyncio.wait_for(pipe.recv(), interval) == TERM:
                return
        except asyncio.TimeoutError:  # the builtin TimeoutError from 3.11 on
            n += 1
            await pipe.send_string(f"async tick {n}")


def main() -> None:
    with Actor(ticker, 0.01) as actor:
        for _ in range(3):
            print(actor.recv_string())
    print("ticker stopped:", not actor.alive)

    async def run() -> None:
        async with await AsyncActor.start(async_ticker, 0.01) as actor:
            for _ in range(3):
                print(await actor.recv_string())
        print("async ticker stopped:", not actor.alive)

    asyncio.run(run())


if __name__ == "__main__":
    main()
