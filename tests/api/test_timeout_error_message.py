"""A SNDTIMEO/RCVTIMEO expiry raises ``Again`` whose text is libzmq's plain strerror, as
pyzmq's is: programs print it, and some compare it."""

from __future__ import annotations

import asyncio
import os

import pytest

import purezmq
import purezmq.asyncio

zmq = pytest.importorskip("zmq")

PLAIN = os.strerror(purezmq.EAGAIN)


def pyzmq_text(option: int, call: str) -> str:
    ctx = zmq.Context()
    try:
        sock = ctx.socket(zmq.DEALER)
        sock.setsockopt(option, 1)
        sock.setsockopt(zmq.LINGER, 0)
        with pytest.raises(zmq.Again) as info:
            getattr(sock, call)(b"x") if call == "send" else getattr(sock, call)()
        sock.close()
        return str(info.value)
    finally:
        ctx.term()


@pytest.mark.parametrize(("option", "call"), [("RCVTIMEO", "recv"), ("SNDTIMEO", "send")])
def test_sync_timeout_reads_as_plain_strerror(option: str, call: str) -> None:
    expected = pyzmq_text(getattr(zmq, option), call)
    assert expected == PLAIN
    with purezmq.Context() as ctx, ctx.socket(purezmq.DEALER) as sock:
        sock.setsockopt(getattr(purezmq, option), 1)
        sock.linger = 0
        with pytest.raises(purezmq.Again) as info:
            # A DEALER with no peer: recv has nothing, send has no pipe to take it.
            sock.send(b"x") if call == "send" else sock.recv()
    assert str(info.value) == expected
    assert info.value.errno == purezmq.EAGAIN
    assert info.value.strerror == expected


@pytest.mark.parametrize(("option", "call"), [("RCVTIMEO", "recv"), ("SNDTIMEO", "send")])
def test_asyncio_timeout_reads_as_plain_strerror(option: str, call: str) -> None:
    async def main() -> str:
        ctx = purezmq.asyncio.Context()
        sock = ctx.socket(purezmq.DEALER)
        sock.setsockopt(getattr(purezmq, option), 1)
        sock.linger = 0
        try:
            with pytest.raises(purezmq.Again) as info:
                await (sock.send(b"x") if call == "send" else sock.recv())
            return str(info.value)
        finally:
            sock.close()
            ctx.term()

    assert asyncio.run(asyncio.wait_for(main(), 10)) == PLAIN
