"""``purezmq.asyncio.Socket(sync_socket)`` / ``Socket.from_socket``: an asyncio view of a sync
socket, as pyzmq's (Jupyter's kernel wraps its sockets so): the same socket, Futures to wait."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq import ZMQError

from .conftest import inproc_pair


def test_a_view_of_a_sync_socket_is_the_same_socket(run: Any) -> None:
    ctx = purezmq.Context()
    a, b = inproc_pair(ctx)

    async def main() -> None:
        view = azmq.Socket(b)
        assert isinstance(view, azmq.Socket)
        assert isinstance(azmq.Socket.from_socket(b), azmq.Socket)
        pending = view.recv()
        assert not pending.done()
        a.send(b"hello")
        assert await asyncio.wait_for(pending, 5) == b"hello"
        # One socket: a multipart message may be read partly through either object.
        a.send_multipart([b"1", b"2"])
        assert await asyncio.wait_for(view.recv(), 5) == b"1"
        assert b.rcvmore and view.rcvmore
        assert b.recv() == b"2"
        await view.send(b"back")
        assert a.recv() == b"back"
        view.linger = 0
        assert b.linger == 0
        assert await view.poll(10) == 0
        view.close()
        assert b.closed and view.closed

    try:
        run(main)
    finally:
        a.close(linger=0)
        ctx.destroy(0)


def test_view_receives_in_order_and_cancelled_ones_take_nothing(run: Any) -> None:
    ctx = purezmq.Context()
    a, b = inproc_pair(ctx)

    async def main() -> None:
        view = azmq.Socket.from_socket(b)
        first, dropped, second = view.recv(), view.recv(), view.recv_multipart()
        assert dropped.cancel()
        a.send(b"1")
        a.send_multipart([b"2", b"x"])
        a.send(b"3")
        assert await asyncio.wait_for(first, 5) == b"1"
        assert await asyncio.wait_for(second, 5) == [b"2", b"x"]
        assert await asyncio.wait_for(view.recv(), 5) == b"3"
        pending = view.recv()
        view.close()
        with pytest.raises(ZMQError):
            await pending

    try:
        run(main)
    finally:
        a.close(linger=0)
        ctx.destroy(0)


def test_view_of_a_sync_socket_talking_to_libzmq_over_tcp(run: Any) -> None:
    zmq = pytest.importorskip("zmq")
    zctx = zmq.Context()
    peer = zctx.socket(zmq.DEALER)
    peer.linger = 0
    port = peer.bind_to_random_port("tcp://127.0.0.1")
    ctx = purezmq.Context()
    sync_sock = ctx.socket(purezmq.DEALER)
    sync_sock.linger = 0
    sync_sock.connect(f"tcp://127.0.0.1:{port}")

    async def main() -> None:
        view = azmq.Socket(sync_sock)
        replies = [view.recv_multipart() for _ in range(20)]
        for i in range(20):
            await view.send_multipart([b"q", b"%d" % i])
        loop = asyncio.get_running_loop()

        def echo() -> None:
            for _ in range(20):
                peer.send_multipart(peer.recv_multipart())

        await loop.run_in_executor(None, echo)
        got = await asyncio.wait_for(asyncio.gather(*replies), 5)
        assert got == [[b"q", b"%d" % i] for i in range(20)]
        poller = azmq.Poller()
        poller.register(view, purezmq.POLLIN)
        waiting = poller.poll(5000)
        await loop.run_in_executor(None, peer.send, b"ping")
        assert await asyncio.wait_for(waiting, 5) == [(view, purezmq.POLLIN)]
        assert await view.recv() == b"ping"

    try:
        run(main)
    finally:
        sync_sock.close()
        ctx.destroy(0)
        peer.close()
        zctx.term()


def test_a_libzmq_address_cannot_be_shadowed() -> None:
    with pytest.raises(ZMQError):
        azmq.Socket(shadow=12345)
