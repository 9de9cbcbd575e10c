"""ZMQStream over an asyncio socket: as pyzmq, it warns ``RuntimeWarning`` and works on a
blocking shadow of the socket, so callbacks get the same lists as with a blocking socket."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq.eventloop.zmqstream import ZMQStream

from .conftest import Collector, run


def _stream(sock: Any) -> ZMQStream:
    with pytest.warns(RuntimeWarning, match="blocking shadow"):
        return ZMQStream(sock)


def test_stream_of_an_asyncio_socket_warns_and_uses_a_blocking_shadow() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        sock = ctx.socket(purezmq.PUSH)
        with pytest.warns(RuntimeWarning) as warned:
            stream = ZMQStream(sock)
        assert len(warned) == 1 and warned[0].filename == __file__
        assert type(stream.socket) is purezmq.Socket
        assert stream.socket.underlying == sock.underlying
        stream.close(linger=0)
        assert sock.closed  # the shadow closes the socket it shadows, as in pyzmq
        ctx.destroy(0)

    run(main)


def test_stream_of_a_blocking_socket_does_not_warn() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        sock = ctx.socket(purezmq.PUSH)
        stream = ZMQStream(sock)  # warnings are errors in this suite
        assert stream.socket is sock
        stream.close(linger=0)
        ctx.term()

    run(main)


def test_stream_over_asyncio_sockets_echoes_multipart_messages() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        router = ctx.socket(purezmq.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer = ctx.socket(purezmq.DEALER)
        dealer.connect(f"tcp://127.0.0.1:{port}")
        server, client = _stream(router), _stream(dealer)
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
        stream = _stream(pub)
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
