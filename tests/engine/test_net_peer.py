"""Peer + zmtp.Connection + listener/connecter against real libzmq (pyzmq) over tcp and ipc.

Every wait is bounded and waits on a condition (a monitor event, a pipe message), never a sleep.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import socket
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio

from purezmq._engine import connecter, listener
from purezmq._engine.peer import Peer
from purezmq.constants import Event, ProtocolErrorCode, SocketType
from purezmq.zmtp import Connection, NullMechanism

from .test_net_helpers import TIMEOUT, StubCore

E = Event


#: Which event loop ``run`` uses; the autouse fixture runs every test on both.
LOOP = ["asyncio"]


@pytest.fixture(autouse=True, params=["asyncio", "uvloop"])
def loop_kind(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "uvloop":
        pytest.importorskip("uvloop")
    LOOP[0] = request.param
    yield request.param
    LOOP[0] = "asyncio"


def run(main: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        await asyncio.wait_for(main(), 30)

    if LOOP[0] == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
        try:
            loop.run_until_complete(bounded())
        finally:
            loop.close()
        return
    asyncio.run(bounded())


def zctx() -> zmq.asyncio.Context:
    return zmq.asyncio.Context()


async def zrecv(sock: zmq.asyncio.Socket) -> list[bytes]:
    return await asyncio.wait_for(sock.recv_multipart(), TIMEOUT)


def ipc_path() -> str:
    return str(Path(tempfile.mkdtemp(prefix="pzn")) / "s")


# -- connect side ------------------------------------------------------------------------------


def test_connect_tcp_handshake_and_multipart_both_ways() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.DEALER)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.DEALER, routing_id=b"me")
        ep = f"tcp://127.0.0.1:{port}"
        c = connecter.connect(core, ep)
        assert c.endpoint == ep
        await core.event(E.HANDSHAKE_SUCCEEDED)
        names = [n for n, _ in core.named_events()]
        assert names[:3] == ["CONNECT_DELAYED", "CONNECTED", "HANDSHAKE_SUCCEEDED"]
        assert core.events[0][1] == errno.EINPROGRESS
        assert all(endpoint == ep for _, _, endpoint in core.events)
        pipe = await core.pipe()
        assert pipe.metadata["Socket-Type"] == b"DEALER"
        assert pipe.metadata["Peer-Address"] == b"127.0.0.1"
        assert pipe.peer_type == SocketType.DEALER
        pipe.write([b"hello", b"", b"world"])
        assert await zrecv(z) == [b"hello", b"", b"world"]
        await z.send_multipart([b"a", b"b", b"c"])
        assert await core.recv(pipe) == [b"a", b"b", b"c"]
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_one_mebibyte_both_ways_over_ipc() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PAIR)
        z.linger = 0
        path = ipc_path()
        z.bind(f"ipc://{path}")
        core = StubCore(SocketType.PAIR)
        c = connecter.connect(core, f"ipc://{path}")
        pipe = await core.pipe()
        big = bytes(range(256)) * 4096
        pipe.write([big, b"tail"])
        assert await zrecv(z) == [big, b"tail"]
        await z.send_multipart([b"head", big])
        assert await core.recv(pipe) == [b"head", big]
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_connect_refused_is_retried_with_interval() -> None:
    async def main() -> None:
        probe = StubCore(SocketType.PUSH)
        lst = listener.bind(probe, "tcp://127.0.0.1:*")
        ep = lst.endpoint
        lst.close(0)
        await probe.event(E.CLOSED)
        core = StubCore(SocketType.PUSH, reconnect_ivl=20)
        c = connecter.connect(core, ep)
        await core.event(E.CONNECT_RETRIED, 2)
        ivls = [v for e, v, _ in core.events if e == E.CONNECT_RETRIED]
        assert all(20 <= v < 40 for v in ivls)
        assert core.count(E.CONNECT_DELAYED) >= 1
        assert core.count(E.CONNECTED) == 0
        c.close(0)
        await core.closed(c)

    run(main)


def test_reconnect_keeps_session_pipe_and_queued_messages() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        ep = f"tcp://127.0.0.1:{port}"
        core = StubCore(SocketType.PUSH, reconnect_ivl=20)
        c = connecter.connect(core, ep)
        pipe = await core.pipe()
        pipe.write([b"one"])
        assert await zrecv(z) == [b"one"]
        z.close(0)
        await core.event(E.DISCONNECTED)
        await core.event(E.CONNECT_RETRIED)
        assert core.disconnected and core.disconnected[-1][1] is True  # reconnecting
        pipe.write([b"two"])  # queued while disconnected
        z2 = ctx.socket(zmq.PULL)
        z2.linger = 0
        z2.bind(ep)
        await core.event(E.HANDSHAKE_SUCCEEDED, 2)
        assert await zrecv(z2) == [b"two"]
        assert core.attached == [pipe]  # same pipe, not a new one
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_linger_flushes_queued_messages() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.PUSH)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        pipe = await core.pipe()
        for i in range(500):
            pipe.write([b"%d" % i, b"x" * 1000])
        c.close(1000)
        for i in range(500):
            assert (await zrecv(z))[0] == b"%d" % i
        await core.until(lambda: core.disconnected)
        assert core.disconnected[-1][1] is False
        assert core.count(E.DISCONNECTED) == 0  # our own close is not a disconnection
        ctx.destroy(0)

    run(main)


# -- accept side -------------------------------------------------------------------------------


def test_bind_ipc_accepts_pyzmq_and_events() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PULL)
        path = ipc_path()
        lst = listener.bind(core, f"ipc://{path}")
        assert lst.endpoint == f"ipc://{path}"
        assert core.events[0] == (E.LISTENING, lst.fd, lst.endpoint)
        z = ctx.socket(zmq.PUSH)
        z.linger = 0
        z.connect(lst.endpoint)
        await z.send_multipart([b"x", b"y"])
        pipe = await core.pipe()
        assert await core.recv(pipe) == [b"x", b"y"]
        assert core.count(E.ACCEPTED) == 1
        assert pipe.metadata["Peer-Address"].startswith(b"localhost:")
        z.close(0)
        await core.event(E.DISCONNECTED)
        await core.until(lambda: core.disconnected)
        assert core.disconnected[-1][1] is False
        lst.close(0)
        await core.closed(lst)
        await core.event(E.CLOSED)
        assert not Path(path).exists()
        ctx.destroy(0)

    run(main)


def test_inbound_backpressure_pauses_and_resumes() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PULL, rcvhwm=10)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = ctx.socket(zmq.PUSH)
        z.linger = 0
        z.sndhwm = 100000
        z.connect(lst.endpoint)
        n = 3000
        for i in range(n):
            await z.send(b"%06d" % i + b"." * 200)
        pipe = await core.pipe()
        (peer,) = lst.peers
        assert isinstance(peer, Peer)
        await core.until(lambda: peer._read_paused)
        assert pipe.read_pending() == 10
        for i in range(n):
            msg = await core.recv(pipe)
            assert msg[0][:6] == b"%06d" % i
        assert not peer._read_paused
        lst.close(0)
        await core.closed(lst)
        ctx.destroy(0)

    run(main)


def test_outbound_backpressure_reaches_the_pipe() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PUSH, sndhwm=10, sndbuf=4096)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        z.rcvhwm = 1
        z.rcvbuf = 4096
        z.connect(lst.endpoint)
        pipe = await core.pipe()
        big = b"z" * 100_000
        written = 0

        def fill() -> bool:
            nonlocal written
            while pipe.write([big]):
                written += 1
            return True

        # Keep writing until the pipe stays full: the transport paused, so the peer stopped
        # draining it.
        (peer,) = lst.peers
        assert isinstance(peer, Peer)
        await core.until(lambda: fill() and peer._write_paused)
        await core.until(lambda: not fill() or pipe.write_pending() == 10)
        assert pipe.write_pending() == 10
        for _ in range(written):
            assert await zrecv(z) == [big]
        lst.close(0)
        await core.closed(lst)
        ctx.destroy(0)

    run(main)


def test_garbage_peer_dropped_while_other_connection_flows() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PULL)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = ctx.socket(zmq.PUSH)
        z.linger = 0
        z.connect(lst.endpoint)
        await z.send(b"before")
        pipe = await core.pipe()
        assert await core.recv(pipe) == [b"before"]
        host, port = lst.endpoint.removeprefix("tcp://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"\xff" + bytes(8) + b"\x7f" + b"\x03\x01" + b"BOGUS".ljust(20, b"\0"))
        writer.write(bytes(32))
        await core.event(E.HANDSHAKE_FAILED_PROTOCOL)
        await core.event(E.DISCONNECTED)
        assert await asyncio.wait_for(reader.read(), TIMEOUT) is not None  # closed by us
        writer.close()
        await writer.wait_closed()
        await z.send(b"after")
        assert await core.recv(pipe) == [b"after"]
        lst.close(0)
        await core.closed(lst)
        ctx.destroy(0)

    run(main)


def test_http_garbage_is_a_protocol_failure() -> None:
    async def main() -> None:
        core = StubCore(SocketType.PULL)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        host, port = lst.endpoint.removeprefix("tcp://").rsplit(":", 1)
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" + bytes(64))
        await core.event(E.DISCONNECTED)
        assert core.count(E.HANDSHAKE_FAILED_PROTOCOL) == 1
        writer.close()
        await writer.wait_closed()
        lst.close(0)
        await core.closed(lst)

    run(main)


def test_handshake_stall_hits_handshake_ivl() -> None:
    async def main() -> None:
        core = StubCore(SocketType.PULL, handshake_ivl=100)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        host, port = lst.endpoint.removeprefix("tcp://").rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"\xff")  # a greeting that never completes
        value = await core.event(E.HANDSHAKE_FAILED_NO_DETAIL)
        assert value == errno.ETIMEDOUT
        await core.event(E.DISCONNECTED)
        assert await asyncio.wait_for(reader.read(), TIMEOUT) is not None
        writer.close()
        await writer.wait_closed()
        lst.close(0)
        await core.closed(lst)

    run(main)


async def _fake_server(
    on_ready: Callable[[asyncio.StreamWriter], None] | None = None,
    *,
    junk: bytes | None = None,
    socket_type: int = SocketType.PULL,
) -> tuple[asyncio.Server, str, list[asyncio.StreamWriter]]:
    """A server that does the NULL handshake with our Connection then goes silent, or that
    answers ``junk`` instead of a greeting."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            await serve(reader, writer)
        finally:
            writer.close()
            await writer.wait_closed()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if junk is not None:
            writer.write(junk)
            await writer.drain()
            await reader.read()
            return
        conn = Connection(socket_type, NullMechanism())
        conn.start(0.0)
        writer.writelines(conn.data_to_send())
        while not conn.ready:
            data = await reader.read(65536)
            if not data:
                return
            conn.receive_data(data, 0.0)
            writer.writelines(conn.data_to_send())
        if on_ready is not None:
            on_ready(writer)
        await reader.read()  # stall: never answer PINGs

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"tcp://127.0.0.1:{port}", writers


def test_dead_peer_detected_by_heartbeat_timeout_then_reconnect() -> None:
    async def main() -> None:
        server, ep, _ = await _fake_server()
        core = StubCore(
            SocketType.PUSH, heartbeat_ivl=30, heartbeat_timeout=100, reconnect_ivl=20
        )
        c = connecter.connect(core, ep)
        await core.event(E.HANDSHAKE_SUCCEEDED)
        await core.event(E.DISCONNECTED)
        await core.event(E.CONNECT_RETRIED)
        await core.event(E.HANDSHAKE_SUCCEEDED, 2)  # a timeout is retried
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)


def test_heartbeats_keep_a_live_peer_connected() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.PUSH, heartbeat_ivl=30, heartbeat_timeout=300)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        pipe = await core.pipe()
        peer = c.peer
        assert isinstance(peer, Peer)
        # Many heartbeat periods pass while libzmq answers every PING: no disconnection.
        with pytest.raises(TimeoutError):
            await core.until(lambda: core.count(E.DISCONNECTED), timeout=0.5)
        assert c.peer is peer
        pipe.write([b"still here"])
        assert await zrecv(z) == [b"still here"]
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_protocol_error_on_connect_side_is_not_retried() -> None:
    async def main() -> None:
        junk = b"\xff" + bytes(8) + b"\x7f\x03\x01" + b"BOGUS".ljust(20, b"\0") + bytes(32)
        server, ep, _ = await _fake_server(junk=junk)
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, ep)
        code = await core.event(E.HANDSHAKE_FAILED_PROTOCOL)
        assert code == ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH or code >= 0x10000000
        await core.event(E.DISCONNECTED)
        assert c.stopped
        assert core.count(E.CONNECT_RETRIED) == 0
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)


def test_socket_type_mismatch_is_not_retried() -> None:
    async def main() -> None:
        server, ep, _ = await _fake_server(socket_type=SocketType.PUB)
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, ep)
        await core.event(E.DISCONNECTED)
        assert core.count(E.HANDSHAKE_FAILED_PROTOCOL) == 1
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)


def test_reconnect_ivl_minus_one_never_reconnects() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.PUSH, reconnect_ivl=-1)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        await core.pipe()
        z.close(0)
        await core.event(E.DISCONNECTED)
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        assert core.disconnected[-1][1] is False
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_accepted_router_dealer_identity_metadata() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.ROUTER)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = ctx.socket(zmq.DEALER)
        z.linger = 0
        z.routing_id = b"dealer-1"
        z.connect(lst.endpoint)
        pipe = await core.pipe()
        assert pipe.metadata["Identity"] == b"dealer-1"
        assert pipe.routing_id == b""  # the pattern picks the id (contracts.md)
        lst.close(0)
        await core.closed(lst)
        ctx.destroy(0)

    run(main)


def test_connect_routing_id_is_consumed_by_connect() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.ROUTER)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.ROUTER, connect_routing_id=b"peer-A")
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        assert core.options.connect_routing_id == b""
        pipe = await core.pipe()
        assert pipe.routing_id == b"peer-A"
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def _use(*_: Any) -> None:
    pass


def test_socket_side_closing_its_end_ends_the_connection() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        port = z.bind_to_random_port("tcp://127.0.0.1")
        core = StubCore(SocketType.PUSH)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        pipe = await core.pipe()
        pipe.write([b"last words"])
        pipe.close()  # what SocketCore does on disconnect / refused attach
        assert await zrecv(z) == [b"last words"]
        await core.until(lambda: core.disconnected)
        assert core.disconnected[-1][1] is False
        assert core.count(E.DISCONNECTED) == 0 and core.count(E.CONNECT_RETRIED) == 0
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_source_address_is_used() -> None:
    async def main() -> None:
        server = StubCore(SocketType.PULL)
        lst = listener.bind(server, "tcp://127.0.0.1:*")
        port = lst.endpoint.rsplit(":", 1)[1]
        core = StubCore(SocketType.PUSH)
        c = connecter.connect(core, f"tcp://127.0.0.2:0;127.0.0.1:{port}")
        pipe = await server.pipe()
        assert pipe.metadata["Peer-Address"] == b"127.0.0.2"
        c.close(0)
        await core.closed(c)
        lst.close(0)
        await server.closed(lst)

    run(main)


def test_ipv6_connect_to_pyzmq() -> None:
    async def main() -> None:
        ctx = zctx()
        z = ctx.socket(zmq.PULL)
        z.linger = 0
        z.ipv6 = True
        port = z.bind_to_random_port("tcp://[::1]")
        core = StubCore(SocketType.PUSH, ipv6=1)
        c = connecter.connect(core, f"tcp://[::1]:{port}")
        pipe = await core.pipe()
        assert pipe.metadata["Peer-Address"] == b"::1"
        pipe.write([b"v6"])
        assert await zrecv(z) == [b"v6"]
        c.close(0)
        await core.closed(c)
        ctx.destroy(0)

    run(main)


def test_ipv6_literal_without_ipv6_option_keeps_retrying() -> None:
    async def main() -> None:
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, "tcp://[::1]:5")
        await core.event(E.CONNECT_RETRIED, 2)  # libzmq accepts the connect, every try fails
        assert core.count(E.CONNECTED) == 0
        c.close(0)
        await core.closed(c)

    run(main)


def test_handshake_timeout_on_connect_side_is_retried() -> None:
    async def main() -> None:
        server = await asyncio.start_server(_silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        core = StubCore(SocketType.PUSH, handshake_ivl=50, reconnect_ivl=10)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        assert await core.event(E.HANDSHAKE_FAILED_NO_DETAIL) == errno.ETIMEDOUT
        await core.event(E.CONNECT_RETRIED)
        await core.event(E.CONNECTED, 2)
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)


async def _silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()


def test_tcp_accept_filter_drops_other_addresses() -> None:
    async def main() -> None:
        core = StubCore(SocketType.PULL, tcp_accept_filter=(b"127.0.0.2/32",))
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        port = lst.endpoint.rsplit(":", 1)[1]
        refused = StubCore(SocketType.PUSH, reconnect_ivl=-1)
        c1 = connecter.connect(refused, f"tcp://127.0.0.1:{port}")
        assert await core.event(E.ACCEPT_FAILED) == errno.ECONNABORTED
        allowed = StubCore(SocketType.PUSH)
        c2 = connecter.connect(allowed, f"tcp://127.0.0.2:0;127.0.0.1:{port}")
        pipe = await core.pipe()
        assert pipe.metadata["Peer-Address"] == b"127.0.0.2"
        for conn, stub in ((c1, refused), (c2, allowed)):
            conn.close(0)
            await stub.closed(conn)
        lst.close(0)
        await core.closed(lst)

    run(main)


def test_connect_timeout_bounds_a_stuck_connect() -> None:
    async def main() -> None:
        # A listener whose accept queue is full: the kernel drops further SYNs, so a connect
        # stays in progress until CONNECT_TIMEOUT cuts it.
        full = socket.socket()
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        fillers = []
        for _ in range(2):
            f = socket.socket()
            f.setblocking(False)
            f.connect_ex(("127.0.0.1", port))
            fillers.append(f)
        core = StubCore(SocketType.PUSH, connect_timeout=100, reconnect_ivl=10)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        await core.event(E.CONNECT_RETRIED)
        if core.count(E.CONNECTED):
            pytest.skip("this kernel accepted the connection despite the full backlog")
        assert core.count(E.CONNECT_DELAYED) >= 1
        c.close(0)
        await core.closed(c)
        for f in fillers:
            f.close()
        full.close()

    run(main)


def test_reconnect_stop_conn_refused() -> None:
    async def main() -> None:
        probe = StubCore(SocketType.PUSH)
        lst = listener.bind(probe, "tcp://127.0.0.1:*")
        ep = lst.endpoint
        lst.close(0)
        await probe.event(E.CLOSED)
        core = StubCore(SocketType.PUSH, reconnect_ivl=10, reconnect_stop=1)
        c = connecter.connect(core, ep)
        await core.until(lambda: c.stopped)
        assert core.count(E.CONNECT_RETRIED) == 0
        c.close(0)

    run(main)


def test_reconnect_stop_handshake_failed() -> None:
    async def main() -> None:
        server = await asyncio.start_server(_silent, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        core = StubCore(SocketType.PUSH, handshake_ivl=50, reconnect_ivl=10, reconnect_stop=2)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        await core.event(E.DISCONNECTED)
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        c.close(0)
        await core.closed(c)
        server.close()
        await server.wait_closed()

    run(main)


class _UvloopOrderTransport:
    """Just enough of a transport to replay uvloop's order of calls: reading starts only
    after ``connection_made`` returns, so ``pause_reading`` inside it changes nothing."""

    def __init__(self) -> None:
        self.aborted = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def pause_reading(self) -> None:
        pass

    def abort(self) -> None:
        self.aborted = True

    def is_closing(self) -> bool:
        return self.aborted

    def get_write_buffer_size(self) -> int:
        return 0


class _Owner:
    def get_pipe(self, peer: Any) -> Any:
        raise AssertionError("a closed peer never takes a pipe")

    def handshake_done(self, peer: Any) -> None:
        raise AssertionError("no handshake for a closed peer")

    def peer_ended(self, peer: Any, reconnect: bool) -> bool:
        return False


def test_input_after_closing_before_the_transport_existed_is_ignored() -> None:
    """The socket closed while the connection was still being made: the transport is aborted
    from connection_made, and the greeting libzmq sends at once must not reach a Connection
    that never started (uvloop delivered it and logged LocalProtocolError)."""

    async def main() -> None:
        core = StubCore(SocketType.PULL)
        peer = Peer(core, "tcp://127.0.0.1:1", _Owner())
        peer.close(0)
        transport = _UvloopOrderTransport()
        peer.connection_made(transport)  # type: ignore[arg-type]
        greeting = Connection(SocketType.PUSH, NullMechanism())
        greeting.start(0.0)
        data = b"".join(greeting.data_to_send())
        view = peer.get_buffer(-1)
        view[: len(data)] = data
        peer.buffer_updated(len(data))  # raised LocalProtocolError before the fix
        await asyncio.sleep(0)  # abort_after_made's turn
        assert transport.aborted
        assert core.attached == [] and core.events == []

    run(main)
