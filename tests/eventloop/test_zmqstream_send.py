"""ZMQStream sends queued messages from the loop and reports each one to its send callback;
``flush`` handles what is ready at once."""

from __future__ import annotations

import json
import pickle

import pytest

import purezmq
from purezmq.eventloop.zmqstream import ZMQStream

from .conftest import Collector, inproc_pair, run


def test_on_send_gets_each_message_sent() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "send-cb")
        stream = ZMQStream(a)
        sent = Collector()
        stream.on_send(sent)
        stream.send_multipart([b"a", b"b"])
        stream.send(b"c")
        assert stream.sending()
        assert await sent.wait(2) == [([b"a", b"b"], None), ([b"c"], None)]
        assert not stream.sending()
        assert b.recv_multipart() == [b"a", b"b"]
        assert b.recv_multipart() == [b"c"]
        stream.close()
        b.close()
        ctx.term()

    run(main)


def test_send_with_a_callback_calls_it_and_keeps_it_as_the_send_callback() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "send-with-cb")
        stream = ZMQStream(a)
        sent = Collector()
        stream.send(b"first", callback=sent)
        stream.send(b"second")  # pyzmq: the callback given to send stays the send callback
        assert await sent.wait(2) == [([b"first"], None), ([b"second"], None)]
        stream.on_send_stream(sent)
        stream.send(b"third")
        items = await sent.wait(3)
        assert items[2] == (stream, [b"third"], None)
        assert [b.recv() for _ in range(3)] == [b"first", b"second", b"third"]
        stream.close()
        b.close()
        ctx.term()

    run(main)


def test_send_string_json_pyobj_encode_like_the_socket() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "send-codecs")
        stream = ZMQStream(a)
        sent = Collector()
        stream.on_send(sent)
        stream.send_string("héllo")
        stream.send_json({"k": [1, 2]})
        stream.send_pyobj({"x": (1, 2)})
        await sent.wait(3)
        assert b.recv_string() == "héllo"
        assert json.loads(b.recv()) == {"k": [1, 2]}
        assert pickle.loads(b.recv()) == {"x": (1, 2)}
        with pytest.raises(TypeError):
            stream.send_string(b"bytes")  # type: ignore[arg-type]
        stream.close()
        b.close()
        ctx.term()

    run(main)


def test_a_failed_send_reports_the_error_as_the_status() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        router = ctx.socket(purezmq.ROUTER)
        router.router_mandatory = 1
        router.bind("inproc://send-error")
        dealer = ctx.socket(purezmq.DEALER)
        dealer.connect("inproc://send-error")
        # With ROUTER_MANDATORY, a ROUTER can send (POLLOUT) once it has a peer (libzmq).
        assert router.poll(5000, purezmq.POLLOUT)
        stream = ZMQStream(router)
        sent = Collector()
        stream.send_multipart([b"nobody", b"hi"], callback=sent)
        ((msg, status),) = await sent.wait(1)
        assert msg == [b"nobody", b"hi"]
        assert isinstance(status, purezmq.ZMQError)
        assert status.errno == purezmq.EHOSTUNREACH
        dealer.close()
        stream.close()
        ctx.term()

    run(main)


def test_flush_sends_and_receives_what_is_ready_now_and_counts_it() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "flush")
        sa, sb = ZMQStream(a), ZMQStream(b)
        sent, got = Collector(), Collector()
        sa.on_send(sent)
        sb.on_recv(got)
        for i in range(5):
            sa.send(b"%d" % i)
        # Flushing sends everything at once, before the loop runs, callbacks included.
        assert sa.flush(purezmq.POLLOUT) == 5
        assert len(sent.items) == 5
        assert not sa.sending()
        # Receiving side: POLLOUT only does nothing, a limit stops early, the rest follows.
        assert sb.flush(purezmq.POLLOUT) == 0
        assert sb.flush(purezmq.POLLIN, limit=2) == 2
        assert got.items == [[b"0"], [b"1"]]
        assert sb.flush() == 3
        assert got.items == [[b"%d" % i] for i in range(5)]
        assert sb.flush() == 0
        sa.close()
        sb.close()
        ctx.term()

    run(main)


def test_flush_without_a_recv_callback_drops_incoming_messages() -> None:
    async def main() -> None:
        ctx = purezmq.Context()
        a, b = inproc_pair(ctx, "flush-drop")
        sb = ZMQStream(b)
        for i in range(3):
            a.send(b"%d" % i)
        assert b.poll(5000)
        assert sb.flush(purezmq.POLLIN) == 3
        assert b.poll(0) == 0
        a.send(b"after")
        got = Collector()
        sb.on_recv(got)
        assert await got.wait(1) == [[b"after"]]
        a.close()
        sb.close()
        ctx.term()

    run(main)


def test_a_callback_that_cannot_be_called_is_refused_as_pyzmq_refuses_it() -> None:
    import purezmq
    from purezmq.eventloop.zmqstream import ZMQStream

    ctx = purezmq.Context()
    sock = ctx.socket(purezmq.PULL)
    stream = ZMQStream(sock)
    for refused in (AssertionError, TypeError):  # pyzmq asserts; both kinds of code work
        with pytest.raises(refused):
            stream.on_recv(1)  # type: ignore[arg-type]
        with pytest.raises(refused):
            stream.on_send(1)  # type: ignore[arg-type]
    stream.close()
    ctx.term()
