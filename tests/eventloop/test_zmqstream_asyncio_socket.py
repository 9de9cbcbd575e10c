"""ZMQStream over an asyncio socket (pyzmq casts it back to a blocking socket; purezmq drives
the asyncio socket's own calls): callbacks get the same lists as with a blocking socket."""

from __future__ import annotations

import asyncio

import purezmq
import purezmq.asyncio as azmq
from purezmq.eventloop._first_step import first_step
from purezmq.eventloop.zmqstream import ZMQStream

from .conftest import Collector, run


def test_stream_over_asyncio_sockets_echoes_multipart_messages() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        router = ctx.socket(purezmq.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer = ctx.socket(purezmq.DEALER)
        dealer.connect(f"tcp://127.0.0.1:{port}")
        server, client = ZMQStream(router), ZMQStream(dealer)
        server.on_recv_stream(lambda stream, msg: stream.send_multipart(msg))
        replies, sent = Collector(), Collector()
        client.on_recv(replies)
        client.on_send(sent)
        requests = [[b"req", b"%d" % i] for i in range(50)]
        for msg in requests:
            client.send_multipart(msg)
        assert await replies.wait(50) == requests
        assert [m for m, _status in sent.items] == requests
        server.close(linger=0)
        client.close(linger=0)
        ctx.destroy(0)

    run(main)


def test_stream_over_an_asyncio_pub_keeps_the_order_of_sends() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pub = ctx.socket(purezmq.PUB)
        pub.sndhwm = 5  # a subscriber's queue fills up: the asyncio PUB then yields a turn
        sub = ctx.socket(purezmq.SUB)
        sub.rcvhwm = 5
        sub.subscribe(b"")
        pub.bind("inproc://stream-aio-pub")
        sub.connect("inproc://stream-aio-pub")
        stream = ZMQStream(pub)
        sent = Collector()
        stream.on_send(sent)
        for i in range(40):
            stream.send(b"%d" % i)
        items = await sent.wait(40)
        assert [m for m, _status in items] == [[b"%d" % i] for i in range(40)]
        stream.close(linger=0)
        sub.close()
        ctx.destroy(0)

    run(main)


def test_first_step_finishes_a_coroutine_that_does_not_wait_at_once() -> None:
    async def quick() -> int:
        return 7

    async def waits(fut: asyncio.Future[int]) -> int:
        await asyncio.sleep(0)
        return await fut + 1

    async def main() -> None:
        assert first_step(quick()).result() == 7
        fut: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        step = first_step(waits(fut))
        assert step.pending is not None
        await asyncio.sleep(0)
        fut.set_result(1)
        assert await step.pending == 2

    run(main)
