"""Peer + zmtp.Connection + listener/connecter against real libzmq (pyzmq) over tcp and ipc.

Every wait is bounded and waits on a condition (a monitor event, a pipe message), never a sleep.
"""

from __future__ import annotations

import asyncio
import errno
import tempfile
from pathlib import Path
from typing import Any

import pytest
import zmq
import zmq.asyncio

from purezmq._engine import connecter, listener
from purezmq._engine.peer import Peer
from purezmq._engine.peer_state import PeerState
from purezmq.constants import Event, SocketType
from purezmq.zmtp import Connection, NullMechanism

from ..kit.network_side import (
    TIMEOUT,
    StubCore,
    null_handshake_server,
    run,
    zbind,
    zctx,
    zrecv,
    zsocket,
)

E = Event


pytestmark = pytest.mark.usefixtures("loop_kind")


def ipc_path() -> str:
    return str(Path(tempfile.mkdtemp(prefix="pzn")) / "s")


# -- connect side ------------------------------------------------------------------------------


def test_connect_tcp_handshake_and_multipart_both_ways() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.DEALER)
        core = StubCore(SocketType.DEALER, routing_id=b"me")
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
        await core.shut(c)
        ctx.destroy(0)

    run(main)


def test_one_mebibyte_both_ways_over_ipc() -> None:
    async def main() -> None:
        ctx = zctx()
        z = zsocket(ctx, zmq.PAIR)
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
        await core.shut(c)
        ctx.destroy(0)

    run(main)


def test_linger_flushes_queued_messages() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
        core = StubCore(SocketType.PUSH)
        c = connecter.connect(core, ep)
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


def test_life_cycle_is_one_state_from_connecting_to_closed() -> None:
    """A peer starts CONNECTING, is RUNNING once its pipe is attached, and goes CLOSING →
    CLOSED when the socket closes it (no DISCONNECTED event for a close we asked for)."""

    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
        core = StubCore(SocketType.PUSH)
        assert Peer(core, "tcp://127.0.0.1:1", _Owner()).state is PeerState.CONNECTING
        c = connecter.connect(core, ep)
        pipe = await core.pipe()
        peer = c.peer
        assert peer is not None
        states = [peer.state]
        pipe.write([b"last"])
        peer.close(1000)
        states.append(peer.state)
        assert await zrecv(z) == [b"last"]
        await core.until(lambda: peer.done)
        states.append(peer.state)
        assert states == [PeerState.RUNNING, PeerState.CLOSING, PeerState.CLOSED]
        assert core.count(E.DISCONNECTED) == 0
        await core.shut(c)
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
        z = zsocket(ctx, zmq.PUSH)
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
        await core.shut(lst)
        await core.event(E.CLOSED)
        assert not Path(path).exists()
        ctx.destroy(0)

    run(main)


def test_inbound_backpressure_pauses_and_resumes() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PULL, rcvhwm=10)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = zsocket(ctx, zmq.PUSH, sndhwm=100000)
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
        await core.shut(lst)
        ctx.destroy(0)

    run(main)


def test_outbound_backpressure_reaches_the_pipe() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PUSH, sndhwm=10, sndbuf=4096)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = zsocket(ctx, zmq.PULL, rcvhwm=1, rcvbuf=4096)
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
        await core.shut(lst)
        ctx.destroy(0)

    run(main)


def test_garbage_peer_dropped_while_other_connection_flows() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.PULL)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = zsocket(ctx, zmq.PUSH)
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
        await core.shut(lst)
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
        await core.shut(lst)

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
        await core.shut(lst)

    run(main)


def test_dead_peer_detected_by_heartbeat_timeout_then_reconnect() -> None:
    async def main() -> None:
        server, ep, _ = await null_handshake_server()
        core = StubCore(SocketType.PUSH, heartbeat_ivl=30, heartbeat_timeout=100, reconnect_ivl=20)
        c = connecter.connect(core, ep)
        await core.event(E.HANDSHAKE_SUCCEEDED)
        await core.event(E.DISCONNECTED)
        await core.event(E.CONNECT_RETRIED)
        await core.event(E.HANDSHAKE_SUCCEEDED, 2)  # a timeout is retried
        await core.shut(c)
        server.close()
        await server.wait_closed()

    run(main)


def test_heartbeats_keep_a_live_peer_connected() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
        core = StubCore(SocketType.PUSH, heartbeat_ivl=30, heartbeat_timeout=300)
        c = connecter.connect(core, ep)
        pipe = await core.pipe()
        peer = c.peer
        assert isinstance(peer, Peer)
        # Many heartbeat periods pass while libzmq answers every PING: no disconnection.
        with pytest.raises(TimeoutError):
            await core.until(lambda: core.count(E.DISCONNECTED), timeout=0.5)
        assert c.peer is peer
        pipe.write([b"still here"])
        assert await zrecv(z) == [b"still here"]
        await core.shut(c)
        ctx.destroy(0)

    run(main)


def test_accepted_router_dealer_identity_metadata() -> None:
    async def main() -> None:
        ctx = zctx()
        core = StubCore(SocketType.ROUTER)
        lst = listener.bind(core, "tcp://127.0.0.1:*")
        z = zsocket(ctx, zmq.DEALER, routing_id=b"dealer-1")
        z.connect(lst.endpoint)
        pipe = await core.pipe()
        assert pipe.metadata["Identity"] == b"dealer-1"
        assert pipe.routing_id == b""  # the pattern picks the id (contracts.md)
        await core.shut(lst)
        ctx.destroy(0)

    run(main)


def test_connect_routing_id_is_consumed_by_connect() -> None:
    async def main() -> None:
        ctx = zctx()
        _z, ep = zbind(ctx, zmq.ROUTER)
        core = StubCore(SocketType.ROUTER, connect_routing_id=b"peer-A")
        c = connecter.connect(core, ep)
        assert core.options.connect_routing_id == b""
        pipe = await core.pipe()
        assert pipe.routing_id == b"peer-A"
        await core.shut(c)
        ctx.destroy(0)

    run(main)


def _use(*_: Any) -> None:
    pass


def test_socket_side_closing_its_end_ends_the_connection() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
        core = StubCore(SocketType.PUSH)
        c = connecter.connect(core, ep)
        pipe = await core.pipe()
        pipe.write([b"last words"])
        pipe.close()  # what SocketCore does on disconnect / refused attach
        assert await zrecv(z) == [b"last words"]
        await core.until(lambda: core.disconnected)
        assert core.disconnected[-1][1] is False
        assert core.count(E.DISCONNECTED) == 0 and core.count(E.CONNECT_RETRIED) == 0
        await core.shut(c)
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
        await core.shut(c)
        await server.shut(lst)

    run(main)


def test_ipv6_connect_to_pyzmq() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL, "tcp://[::1]", ipv6=True)
        core = StubCore(SocketType.PUSH, ipv6=1)
        c = connecter.connect(core, ep)
        pipe = await core.pipe()
        assert pipe.metadata["Peer-Address"] == b"::1"
        pipe.write([b"v6"])
        assert await zrecv(z) == [b"v6"]
        await core.shut(c)
        ctx.destroy(0)

    run(main)


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
            await stub.shut(conn)
        await core.shut(lst)

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
    connects = True
    connect_routing_id = b""
    linger_pipe = None

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
