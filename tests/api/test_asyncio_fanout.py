"""asyncio PUB fairness to its own loop (structural, no timing): the engine shares the caller's
loop, so the send that fills a subscriber's queue gives the loop one turn (its Future completes
one turn later) before the next message; sends that fill nothing never yield."""

from __future__ import annotations

import asyncio

import purezmq
import purezmq.asyncio as azmq


def test_pub_yields_once_when_a_queue_fills_and_never_otherwise() -> None:
    async def main() -> tuple[list[int], int]:
        ctx = azmq.Context()
        pub = ctx.socket(purezmq.PUB)
        sub = ctx.socket(purezmq.SUB)
        for sock in (pub, sub):
            sock.setsockopt(purezmq.SNDHWM, 2)
            sock.setsockopt(purezmq.RCVHWM, 2)
        sub.setsockopt(purezmq.SUBSCRIBE, b"")
        pub.bind("inproc://fanout-turn")
        sub.connect("inproc://fanout-turn")
        turns = 0

        def tick() -> None:
            nonlocal turns
            turns += 1

        seen = []
        for _ in range(12):
            asyncio.get_running_loop().call_soon(tick)
            before = turns
            await pub.send(b"m")
            seen.append(turns - before)
            await asyncio.sleep(0)  # let the pending tick run whatever happened
        received = 0
        while True:
            try:
                await sub.recv(purezmq.NOBLOCK)
            except purezmq.Again:
                break
            received += 1
        pub.close(0)
        sub.close(0)
        ctx.term()
        return seen, received

    seen, received = asyncio.run(main())
    assert received >= 2
    # The first send fits under HWM: no turn given. The send that filled the subscriber's
    # queue gives exactly one turn; the subscriber never reads, so its queue stays full, and
    # the sends that drop after that give none.
    assert seen[0] == 0
    assert seen.count(1) == 1 and sum(seen) == 1
    assert seen[-1] == 0


def test_push_never_gives_a_turn() -> None:
    async def main() -> list[int]:
        ctx = azmq.Context()
        push = ctx.socket(purezmq.PUSH)
        pull = ctx.socket(purezmq.PULL)
        push.bind("inproc://push-turn")
        pull.connect("inproc://push-turn")
        turns = 0

        def tick() -> None:
            nonlocal turns
            turns += 1

        seen = []
        for _ in range(20):
            asyncio.get_running_loop().call_soon(tick)
            before = turns
            await push.send(b"m")
            seen.append(turns - before)
            await asyncio.sleep(0)
        push.close(0)
        pull.close(0)
        ctx.term()
        return seen

    assert asyncio.run(main()) == [0] * 20
