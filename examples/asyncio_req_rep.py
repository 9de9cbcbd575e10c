"""Request/reply on asyncio: the same sockets, with ``await``.

``purezmq.asyncio`` runs on your event loop with no extra thread. A cancelled receive never
loses a message, so ``asyncio.wait_for(sock.recv(), timeout)`` is safe to use.
"""

from __future__ import annotations

import asyncio

import purezmq
import purezmq.asyncio


async def serve(rep: purezmq.asyncio.Socket, requests: int) -> None:
    for _ in range(requests):
        question = await rep.recv_json()
        await rep.send_json({"answer": question["a"] + question["b"]})


async def main() -> None:
    ctx = purezmq.asyncio.Context()
    rep = ctx.socket(purezmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    req = ctx.socket(purezmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")

    server = asyncio.create_task(serve(rep, 3))
    for a in range(3):
        await req.send_json({"a": a, "b": 10})
        print(await req.recv_json())
    await server

    # A receive given up by a timeout takes no message with it: the next one gets it.
    pull = ctx.socket(purezmq.PULL)
    push = ctx.socket(purezmq.PUSH)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push.connect(f"tcp://127.0.0.1:{port}")
    try:
        await asyncio.wait_for(pull.recv(), 0.1)
    except asyncio.TimeoutError:
        print("nothing yet")
    await push.send(b"late but not lost")
    print(await pull.recv())
    for sock in (req, rep, pull, push):
        sock.close()
    ctx.term()


if __name__ == "__main__":
    asyncio.run(main())
