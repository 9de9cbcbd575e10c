"""``purezmq.eventloop.future``: sockets whose calls return Futures, awaited from tornado
coroutines (native ``async def`` and ``@gen.coroutine`` generators)."""

from __future__ import annotations

import asyncio
from collections.abc import Generator
from typing import Any

import pytest

import purezmq
from purezmq.eventloop import future

from .conftest import inproc_pair, run

gen = pytest.importorskip("tornado.gen")
from tornado.concurrent import Future  # noqa: E402
from tornado.ioloop import IOLoop  # noqa: E402


def test_future_sockets_return_tornado_futures_awaited_by_a_coroutine() -> None:
    async def main() -> None:
        ctx = future.Context()
        a = ctx.socket(purezmq.PAIR)
        b = ctx.socket(purezmq.PAIR)
        assert isinstance(a, future.Socket)
        a.bind("inproc://future-pair")
        b.connect("inproc://future-pair")
        recv = b.recv_multipart()
        assert isinstance(recv, Future)
        sent = a.send_multipart([b"x", b"y"])
        assert isinstance(sent, Future)
        await sent
        assert await recv == [b"x", b"y"]
        await a.send_json({"k": 1})
        assert await b.recv_json() == {"k": 1}
        poller = future.Poller()
        poller.register(b, purezmq.POLLIN)
        polled = poller.poll(1000)
        assert isinstance(polled, Future)
        await a.send(b"z")
        assert await polled == [(b, purezmq.POLLIN)]
        assert await b.recv() == b"z"
        ctx.destroy(0)

    run(main)


def test_gen_coroutine_yields_socket_futures_over_tcp() -> None:
    @gen.coroutine  # type: ignore[untyped-decorator]
    def exchange(req: Any, rep: Any) -> Generator[Any, Any, list[bytes]]:
        yield req.send_multipart([b"hello", b"world"])
        msg = yield rep.recv_multipart()
        yield rep.send_multipart(msg[::-1])
        reply = yield req.recv_multipart()
        return reply  # type: ignore[no-any-return]

    async def main() -> None:
        ctx = future.Context()
        rep = ctx.socket(purezmq.REP)
        port = rep.bind_to_random_port("tcp://127.0.0.1")
        req = ctx.socket(purezmq.REQ)
        req.connect(f"tcp://127.0.0.1:{port}")
        assert await exchange(req, rep) == [b"world", b"hello"]
        ctx.destroy(0)

    run(main)


def test_cancelling_a_receive_future_loses_no_message() -> None:
    async def main() -> None:
        ctx = future.Context()
        a, b = inproc_pair(ctx, "future-cancel")
        pending = b.recv()
        await asyncio.sleep(0)  # the receive is now waiting
        assert pending.cancel()
        await a.send(b"kept")
        assert await b.recv() == b"kept"
        ctx.destroy(0)

    run(main)


def test_io_loop_argument_is_deprecated_and_ignored() -> None:
    async def main() -> None:
        with pytest.warns(DeprecationWarning, match="io_loop"):
            ctx = future.Context(io_loop=IOLoop.current())
        assert isinstance(ctx.socket(purezmq.PAIR), future.Socket)
        ctx.destroy(0)

    run(main)


def test_get_loop_attaches_the_socket_so_closing_the_ioloop_with_all_fds_closes_it() -> None:
    loop = IOLoop()
    ctx = future.Context()
    sock = ctx.socket(purezmq.PUB)
    try:

        async def attach() -> Any:
            return sock._get_loop()

        assert loop.run_sync(attach) is loop
        loop.close(all_fds=True)
        assert sock.closed
    finally:
        ctx.destroy(0)


def test_closing_an_attached_socket_detaches_it_from_the_ioloop() -> None:
    async def main() -> None:
        ctx = future.Context()
        sock = ctx.socket(purezmq.PUB)
        io_loop = sock._get_loop()
        assert io_loop is IOLoop.current()
        assert sock._get_loop() is io_loop  # attached once
        fd = sock.fileno()
        assert fd in io_loop.handlers
        sock.close()
        assert fd not in io_loop.handlers
        # A new socket may reuse nothing of it: attaching another one works.
        other = ctx.socket(purezmq.PUB)
        assert other._get_loop() is io_loop
        other.close()
        ctx.destroy(0)

    run(main)


def test_poller_get_loop_is_the_current_ioloop() -> None:
    async def main() -> None:
        assert future.Poller()._get_loop() is IOLoop.current()

    run(main)
