"""ZMQStream delivers received messages to its on_recv callback, and stops when told."""

from __future__ import annotations

import asyncio

import pytest

import purezmq
from purezmq.eventloop.zmqstream import ZMQStream

from .conftest import Collector, inproc_pair, run

zmq = pytest.importorskip("zmq")


@pytest.mark.interop
def test_on_recv_gets_multipart_messages_from_libzmq_over_tcp() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        pull = ctx.socket(purezmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        stream = ZMQStream(pull)
        got = Collector()
        stream.on_recv(got)
        pz_ctx = zmq.Context()
        push = pz_ctx.socket(zmq.PUSH)
        push.linger = 1000
        push.connect(f"tcp://127.0.0.1:{port}")
        sent = [[b"head", b"%d" % i, b"x" * i * 1000] for i in range(20)]
        for msg in sent:
            push.send_multipart(msg)
        assert await got.wait(20) == sent
        push.close()
        pz_ctx.term()
        stream.close(linger=0)
        ctx.term()

    run(main)


def test_on_recv_gets_multipart_messages_from_purezmq_over_inproc() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "stream-recv")
        stream = ZMQStream(b)
        got = Collector()
        stream.on_recv(got)
        for i in range(200):
            a.send_multipart([b"part1", b"%d" % i])
        items = await got.wait(200)
        assert items == [[b"part1", b"%d" % i] for i in range(200)]
        a.close()
        stream.close()
        ctx.term()

    run(main)


def test_on_recv_without_copy_hands_out_frames() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "stream-frames")
        stream = ZMQStream(b)
        got = Collector()
        stream.on_recv(got, copy=False)
        a.send_multipart([b"x", b"y"])
        (msg,) = await got.wait(1)
        assert [type(f) for f in msg] == [purezmq.Frame, purezmq.Frame]
        assert [f.bytes for f in msg] == [b"x", b"y"]
        a.close()
        stream.close()
        ctx.term()

    run(main)


def test_on_recv_stream_passes_the_stream_first() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "stream-recv-stream")
        stream = ZMQStream(b)
        got = Collector()
        stream.on_recv_stream(got)
        a.send(b"hello")
        assert await got.wait(1) == [(stream, [b"hello"])]
        a.close()
        stream.close()
        ctx.term()

    run(main)


def test_stop_on_recv_stops_delivery_and_leaves_messages_queued() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "stream-stop")
        stream = ZMQStream(b)
        got: list[list[bytes]] = []

        def first_only(msg: list[bytes]) -> None:
            got.append(msg)
            stream.stop_on_recv()

        stream.on_recv(first_only)
        assert stream.receiving()
        for i in range(5):
            a.send(b"%d" % i)
        # A ping that is answered only after the loop had every chance to deliver more.
        ping = ctx.socket(purezmq.PAIR)
        pong = ctx.socket(purezmq.PAIR)
        ping.bind("inproc://stream-stop-ping")
        pong.connect("inproc://stream-stop-ping")
        ping_stream = ZMQStream(ping)
        pinged = Collector()
        ping_stream.on_recv(pinged)
        for _ in range(20):
            pong.send(b"tick")
            await pinged.wait(len(pinged.items) + 1)
        assert got == [[b"0"]]
        assert not stream.receiving()
        # The other messages are still in the socket.
        assert [b.recv(purezmq.DONTWAIT) for _ in range(4)] == [b"1", b"2", b"3", b"4"]
        for s in (a, pong):
            s.close()
        stream.close()
        ping_stream.close()
        ctx.term()

    run(main)


def test_a_coroutine_callback_runs_as_a_task() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "stream-coro")
        stream = ZMQStream(b)
        done: asyncio.Future[list[bytes]] = asyncio.get_running_loop().create_future()

        async def callback(msg: list[bytes]) -> None:
            await asyncio.sleep(0)
            done.set_result(msg)

        stream.on_recv(callback)
        a.send(b"async")
        assert await done == [b"async"]
        a.close()
        stream.close()
        ctx.term()

    run(main)
