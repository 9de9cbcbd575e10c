"""One-frame messages a tcp connection reads in a run travel through the engine as 1-tuples
(docs/contracts.md, "Pipes"); every receive call of both APIs hands them out as pyzmq does:
``recv`` the bytes, ``recv_multipart`` a list (of ``bytes``, or of ``Frame``s with
``copy=False``), in order, whichever way the call is served. A raw peer writes the run in one
``sendall`` after the handshake, so that it arrives in one read."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import purezmq
import purezmq.asyncio as azmq
from purezmq.zmtp import commands
from purezmq.zmtp.codec import FLAG_COMMAND, encode_frame
from purezmq.zmtp.greeting import GREETING_SIZE, encode_greeting

N = 64
WAIT_S = 5.0


def _bodies() -> list[bytes]:
    return [b"%016d" % i for i in range(N)]


class _RawPush:
    """A PUSH peer scripted byte by byte: greeting and READY, then whole frames."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
        ready = encode_frame(commands.ready({"Socket-Type": b"PUSH"}), FLAG_COMMAND)
        self.sock.sendall(encode_greeting(b"NULL") + ready)

    def handshake(self) -> None:
        """Read the socket's greeting and READY, then send ``hello`` (received first)."""
        self._read(GREETING_SIZE)
        flags, size = self._read(2)
        assert flags == FLAG_COMMAND
        self._read(size)
        self.sock.sendall(encode_frame(b"hello"))

    def send_run(self) -> None:
        self.sock.sendall(b"".join(encode_frame(body) for body in _bodies()))

    def _read(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            assert chunk, "the socket closed the connection"
            data += chunk
        return data


def test_sync_receives_of_a_run_hand_out_bytes_lists_and_frames() -> None:
    ctx = purezmq.Context()
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = int(WAIT_S * 1000)
    peer = _RawPush(pull.bind_to_random_port("tcp://127.0.0.1"))
    try:
        peer.handshake()
        assert pull.recv() == b"hello"
        peer.send_run()
        got: list[Any] = []
        for i in range(N):
            kind = i % 4
            if kind == 0:
                got.append(pull.recv())
            elif kind == 1:
                msg = pull.recv_multipart()
                assert type(msg) is list
                got.append(msg)
            elif kind == 2:
                frames = pull.recv_multipart(copy=False)
                assert type(frames) is list and len(frames) == 1
                assert isinstance(frames[0], purezmq.Frame) and not frames[0].more
                got.append([frames[0].bytes])
            else:
                frame = pull.recv(copy=False)
                assert not frame.more
                got.append(frame.bytes)
        bodies = _bodies()
        assert got == [[body] if i % 4 in (1, 2) else body for i, body in enumerate(bodies)]
        assert all(type(x) is bytes for x in got if not isinstance(x, list))
    finally:
        peer.sock.close()
        pull.close()
        ctx.term()


def test_sync_recv_multipart_of_every_message_of_a_run() -> None:
    ctx = purezmq.Context()
    pull = ctx.socket(purezmq.PULL)
    pull.linger = 0
    pull.rcvtimeo = int(WAIT_S * 1000)
    peer = _RawPush(pull.bind_to_random_port("tcp://127.0.0.1"))
    try:
        peer.handshake()
        assert pull.recv_multipart() == [b"hello"]
        peer.send_run()
        got = [pull.recv_multipart() for _ in range(N)]
        assert all(type(msg) is list for msg in got)
        assert got == [[body] for body in _bodies()]
    finally:
        peer.sock.close()
        pull.close()
        ctx.term()


def test_asyncio_receives_of_a_run_hand_out_lists_pending_or_ready(run: Any) -> None:
    async def main() -> None:
        ctx = azmq.Context()
        pull = ctx.socket(purezmq.PULL)
        pull.linger = 0
        peer = _RawPush(pull.bind_to_random_port("tcp://127.0.0.1"))
        try:
            # The engine runs on this loop: the raw peer's blocking reads go to a thread.
            await asyncio.to_thread(peer.handshake)
            assert await asyncio.wait_for(pull.recv(), WAIT_S) == b"hello"
            # Waiting before the run arrives: the first messages are served to pending calls.
            first = pull.recv_multipart()
            second = pull.recv_multipart(copy=False)
            await asyncio.to_thread(peer.send_run)
            got = [await asyncio.wait_for(first, WAIT_S)]
            assert type(got[0]) is list
            frames = await asyncio.wait_for(second, WAIT_S)
            assert type(frames) is list and isinstance(frames[0], purezmq.Frame)
            got.append([frames[0].bytes])
            # The rest, taken ahead: ready receives of every kind.
            for i in range(2, N):
                if i % 3 == 0:
                    got.append([await asyncio.wait_for(pull.recv(), WAIT_S)])
                elif i % 3 == 1:
                    msg = await asyncio.wait_for(pull.recv_multipart(), WAIT_S)
                    assert type(msg) is list
                    got.append(msg)
                else:
                    frames = await asyncio.wait_for(pull.recv_multipart(copy=False), WAIT_S)
                    assert type(frames) is list
                    got.append([frames[0].bytes])
            assert got == [[body] for body in _bodies()]
        finally:
            peer.sock.close()
            pull.close()
            ctx.term()

    run(main)
