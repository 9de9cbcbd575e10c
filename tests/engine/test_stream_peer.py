"""STREAM sockets over raw TCP (spec patterns.md §3.6): the pipe carries one-frame messages,
``[b""]`` written by the pattern closes the connection after what precedes it."""

from __future__ import annotations

import asyncio

from purezmq._engine import connecter, listener
from purezmq.constants import Event, SocketType

from ..kit.network_side import TIMEOUT, StubCore, run


def test_accepted_raw_connection_round_trip_and_close_request() -> None:
    async def main() -> None:
        core = StubCore(SocketType.STREAM)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        host, port = lst.endpoint.removeprefix("tcp://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        pipe = await core.pipe()  # attached at once: no handshake
        assert pipe.metadata["Peer-Address"] == b"127.0.0.1"
        writer.write(b"GET / HTTP/1.0\r\n\r\n")
        got = b""
        while got != b"GET / HTTP/1.0\r\n\r\n":
            got += (await core.recv(pipe))[0]
        pipe.write([b"HTTP/1.0 200 OK\r\n\r\n"])
        pipe.write([b"body"])
        pipe.write([b""])  # close request
        data = await asyncio.wait_for(reader.read(), TIMEOUT)  # until EOF
        assert data == b"HTTP/1.0 200 OK\r\n\r\nbody"
        await core.until(lambda: core.disconnected)
        assert core.count(Event.DISCONNECTED) == 0  # we closed it on request
        writer.close()
        await writer.wait_closed()
        lst.close(0)
        await core.closed(lst)

    run(main)


def test_peer_closing_is_a_disconnection() -> None:
    async def main() -> None:
        core = StubCore(SocketType.STREAM)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        host, port = lst.endpoint.removeprefix("tcp://").rsplit(":", 1)
        _reader, writer = await asyncio.open_connection(host, int(port))
        await core.pipe()
        writer.close()
        await writer.wait_closed()
        await core.event(Event.DISCONNECTED)
        await core.until(lambda: core.disconnected)
        assert core.disconnected[-1][1] is False
        lst.close(0)
        await core.closed(lst)

    run(main)


def test_connect_to_raw_server() -> None:
    async def main() -> None:
        received: list[bytes] = []
        done = asyncio.Event()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            writer.write(b"hello from server")
            received.append(await reader.readexactly(4))
            done.set()
            writer.close()
            await writer.wait_closed()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        core = StubCore(SocketType.STREAM)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        await core.event(Event.CONNECTED)
        pipe = await core.pipe()
        got = b""
        while got != b"hello from server":
            got += (await core.recv(pipe))[0]
        pipe.write([b"ping"])
        await asyncio.wait_for(done.wait(), TIMEOUT)
        assert received == [b"ping"]
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)
