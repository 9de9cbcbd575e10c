"""ZMQStream's close, idle behaviour and a request/reply exchange between two streams."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq.eventloop.zmqstream import ZMQStream

from .conftest import Collector, run

zmq = pytest.importorskip("zmq")


class CountingStream(ZMQStream):
    """Counts how often the loop calls the stream's handler (fd wake-ups and re-checks)."""

    handled = 0

    def _handle_events(self, fd: Any = None, events: int = 0) -> None:
        self.handled += 1
        super()._handle_events(fd, events)


def test_close_runs_the_close_callback_and_closes_the_socket() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        sock = ctx.socket(purezmq.PAIR)
        stream = ZMQStream(sock)
        closed = Collector()
        stream.set_close_callback(lambda: closed("closed"))
        assert not stream.closed()
        stream.close(linger=0)
        assert closed.items == ["closed"]
        assert sock.closed
        assert stream.closed()
        assert stream.socket is None
        stream.close()  # a second close does nothing
        assert closed.items == ["closed"]
        with pytest.raises(OSError):
            stream.on_recv(lambda msg: None)
        with pytest.raises(OSError):
            stream.send(b"x")
        ctx.term()

    run(main)


def test_a_socket_closed_behind_the_streams_back_closes_the_stream() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        sock = ctx.socket(purezmq.PAIR)
        stream = ZMQStream(sock)
        closed = Collector()
        stream.set_close_callback(lambda: closed("closed"))
        sock.close()
        with pytest.warns(UserWarning, match="after closing socket"):
            assert stream.closed()
        assert closed.items == ["closed"]
        ctx.term()

    run(main)


def test_the_loop_notices_a_socket_closed_behind_the_streams_back() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        sock = ctx.socket(purezmq.PAIR)
        stream = CountingStream(sock)
        stream.on_recv(lambda msg: None)
        closed = Collector()
        stream.set_close_callback(lambda: closed("closed"))
        with pytest.warns(UserWarning, match="after closing socket"):
            sock.close()  # the socket's FD turns readable for good (libzmq's ZMQ_FD)
            assert await closed.wait(1) == ["closed"]
        assert stream.socket is None
        handled = stream.handled
        for _ in range(100):
            await asyncio.sleep(0)  # loop turns: the readable fd is no longer watched
        assert stream.handled == handled
        ctx.term()

    run(main)


@pytest.mark.parametrize("api", ["sync", "asyncio"])
def test_an_idle_stream_does_not_busy_loop(api: str) -> None:
    async def main() -> None:
        ctx = purezmq.Context() if api == "sync" else purezmq.asyncio.Context()
        a = ctx.socket(purezmq.DEALER)
        b = ctx.socket(purezmq.DEALER)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        # A stream shadows an asyncio socket with a blocking one, and warns (as pyzmq).
        with pytest.warns(RuntimeWarning) if api == "asyncio" else contextlib.nullcontext():
            sa, sb = CountingStream(a), CountingStream(b)
        got_a, got_b = Collector(), Collector()
        sa.on_recv(got_a)
        sb.on_recv(got_b)
        # Both directions carry a message first: connections are up, sockets can send.
        sb.send(b"ping")
        assert await got_a.wait(1) == [[b"ping"]]
        sa.send(b"pong")
        assert await got_b.wait(1) == [[b"pong"]]
        before = sa.handled + sb.handled
        window_over = asyncio.Event()
        # The window is timed by the loop itself (IOLoop.call_later), not by sleeping.
        sa.io_loop.call_later(0.3, window_over.set)
        await window_over.wait()
        idle_calls = sa.handled + sb.handled - before
        # Busy-looping would call the handlers on every turn; a quiet fd not at all.
        assert idle_calls <= 2, idle_calls
        # The streams still work after the quiet spell.
        sb.send(b"again")
        assert await got_a.wait(2) == [[b"ping"], [b"again"]]
        sa.close(linger=0)
        sb.close(linger=0)
        ctx.term()

    run(main)


def _echo(stream: ZMQStream, msg: list[bytes]) -> None:
    stream.send_multipart(msg)


def test_router_dealer_echo_through_two_streams() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        router = ctx.socket(purezmq.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer = ctx.socket(purezmq.DEALER)
        dealer.connect(f"tcp://127.0.0.1:{port}")
        server, client = ZMQStream(router), ZMQStream(dealer)
        server.on_recv_stream(_echo)
        replies = Collector()
        client.on_recv(replies)
        requests = [[b"req", b"%d" % i] for i in range(100)]
        for msg in requests:
            client.send_multipart(msg)
        assert await replies.wait(100) == requests
        server.close(linger=0)
        client.close(linger=0)
        ctx.term()

    run(main)


@pytest.mark.interop
def test_router_stream_echoes_for_a_libzmq_dealer() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        router = ctx.socket(purezmq.ROUTER)
        port = router.bind_to_random_port("tcp://127.0.0.1")
        server = ZMQStream(router)
        server.on_recv_stream(_echo)
        pz_ctx = zmq.Context()
        dealer = pz_ctx.socket(zmq.DEALER)
        dealer.rcvtimeo = 5000
        dealer.linger = 0
        dealer.connect(f"tcp://127.0.0.1:{port}")
        loop = asyncio.get_running_loop()

        def exchange() -> list[list[bytes]]:
            out = []
            for i in range(20):
                dealer.send_multipart([b"q", b"%d" % i])
                out.append(dealer.recv_multipart())
            return out

        replies = await loop.run_in_executor(None, exchange)
        assert replies == [[b"q", b"%d" % i] for i in range(20)]
        dealer.close()
        pz_ctx.term()
        server.close(linger=0)
        ctx.term()

    run(main)


def test_closing_the_ioloop_with_all_fds_closes_the_streams_socket() -> None:
    from tornado.ioloop import IOLoop

    io_loop = IOLoop(make_current=False)
    ctx = purezmq.Context()
    sock = ctx.socket(purezmq.PAIR)
    ZMQStream(sock, io_loop)
    # tornado closes what was registered: the socket, through its close() (Jupyter does this).
    io_loop.close(all_fds=True)
    assert sock.closed
    ctx.term()


def test_a_terminated_context_stops_the_stream_and_close_lets_term_finish() -> None:
    from tornado.log import gen_log

    async def main() -> None:
        ctx = purezmq.Context()
        sock = ctx.socket(purezmq.PULL)
        sock.bind("inproc://stream-term")
        stream = CountingStream(sock)
        stream.on_recv(lambda msg: None)
        loop = asyncio.get_running_loop()
        saw_eterm = asyncio.Event()

        class Watch(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "terminating context" in record.getMessage():
                    loop.call_soon_threadsafe(saw_eterm.set)

        watch = Watch()
        gen_log.addHandler(watch)
        try:
            terminated = loop.run_in_executor(None, ctx.term)
            # term() wakes the socket: the stream reads ETERM from EVENTS, stops watching.
            await asyncio.wait_for(saw_eterm.wait(), 5)
        finally:
            gen_log.removeHandler(watch)
        handled = stream.handled
        for _ in range(100):
            await asyncio.sleep(0)  # loop turns, not time: a readable fd would run each turn
        assert stream.handled == handled
        assert not terminated.done()  # term() waits for the socket to be closed
        closed = Collector()
        stream.set_close_callback(lambda: closed("closed"))
        stream.close()
        await asyncio.wait_for(terminated, 5)
        assert closed.items == ["closed"]

    run(main)
