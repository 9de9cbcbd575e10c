"""The connect side (``_engine.connecter``): libzmq's reconnect interval rule
(stream_connecter_base::get_new_reconnect_ivl), when a failed connection is retried and when it
is not (RECONNECT_IVL -1, RECONNECT_STOP, protocol errors), the connect timeout. Real libzmq
(pyzmq) or scripted servers are the peers; every wait is bounded and waits on a condition.
"""

from __future__ import annotations

import asyncio
import errno
import random
import socket

import pytest
import zmq

from purezmq._engine import connecter, listener
from purezmq._engine.connecter import next_reconnect_ivl
from purezmq.constants import Event, ProtocolErrorCode, SocketType

from ..kit.network_side import (
    StubCore,
    null_handshake_server,
    run,
    silent_peer,
    zbind,
    zctx,
    zrecv,
    zsocket,
)

E = Event

#: The connect-side tests run on both event loop kinds.
on_each_loop = pytest.mark.usefixtures("loop_kind")


def test_jitter_when_no_maximum() -> None:
    rng = random.Random(7)
    current = -1
    for _ in range(200):
        delay, current = next_reconnect_ivl(current, 100, 0, rng)
        assert 100 <= delay < 200
        assert current == 100  # no growth without RECONNECT_IVL_MAX


def test_exponential_backoff_capped() -> None:
    rng = random.Random(0)
    current = -1
    delays = []
    for _ in range(6):
        delay, current = next_reconnect_ivl(current, 100, 1000, rng)
        delays.append(delay)
    assert delays == [100, 200, 400, 800, 1000, 1000]


def test_backoff_does_not_overflow() -> None:
    delay, current = next_reconnect_ivl(2**30 + 1, 100, 2**31 - 1, random.Random(0))
    assert delay == current == 2**31 - 1


@on_each_loop
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
        await core.shut(c)

    run(main)


@on_each_loop
def test_reconnect_keeps_session_pipe_and_queued_messages() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
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
        z2 = zsocket(ctx, zmq.PULL)
        z2.bind(ep)
        await core.event(E.HANDSHAKE_SUCCEEDED, 2)
        assert await zrecv(z2) == [b"two"]
        assert core.attached == [pipe]  # same pipe, not a new one
        await core.shut(c)
        ctx.destroy(0)

    run(main)


@on_each_loop
def test_protocol_error_on_connect_side_is_not_retried() -> None:
    async def main() -> None:
        junk = b"\xff" + bytes(8) + b"\x7f\x03\x01" + b"BOGUS".ljust(20, b"\0") + bytes(32)
        server, ep, _ = await null_handshake_server(junk=junk)
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, ep)
        code = await core.event(E.HANDSHAKE_FAILED_PROTOCOL)
        assert code == ProtocolErrorCode.ZMTP_MECHANISM_MISMATCH or code >= 0x10000000
        await core.event(E.DISCONNECTED)
        assert c.stopped
        assert core.count(E.CONNECT_RETRIED) == 0
        await core.shut(c)
        server.close()
        await server.wait_closed()

    run(main)


@on_each_loop
def test_socket_type_mismatch_is_not_retried() -> None:
    async def main() -> None:
        server, ep, _ = await null_handshake_server(socket_type=SocketType.PUB)
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, ep)
        await core.event(E.DISCONNECTED)
        assert core.count(E.HANDSHAKE_FAILED_PROTOCOL) == 1
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        await core.shut(c)
        server.close()
        await server.wait_closed()

    run(main)


@on_each_loop
def test_reconnect_ivl_minus_one_never_reconnects() -> None:
    async def main() -> None:
        ctx = zctx()
        z, ep = zbind(ctx, zmq.PULL)
        core = StubCore(SocketType.PUSH, reconnect_ivl=-1)
        c = connecter.connect(core, ep)
        await core.pipe()
        z.close(0)
        await core.event(E.DISCONNECTED)
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        assert core.disconnected[-1][1] is False
        await core.shut(c)
        ctx.destroy(0)

    run(main)


@on_each_loop
def test_ipv6_literal_without_ipv6_option_keeps_retrying() -> None:
    async def main() -> None:
        core = StubCore(SocketType.PUSH, reconnect_ivl=10)
        c = connecter.connect(core, "tcp://[::1]:5")
        await core.event(E.CONNECT_RETRIED, 2)  # libzmq accepts the connect, every try fails
        assert core.count(E.CONNECTED) == 0
        await core.shut(c)

    run(main)


@on_each_loop
def test_handshake_timeout_on_connect_side_is_retried() -> None:
    async def main() -> None:
        server = await asyncio.start_server(silent_peer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        core = StubCore(SocketType.PUSH, handshake_ivl=50, reconnect_ivl=10)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        assert await core.event(E.HANDSHAKE_FAILED_NO_DETAIL) == errno.ETIMEDOUT
        await core.event(E.CONNECT_RETRIED)
        await core.event(E.CONNECTED, 2)
        await core.shut(c)
        server.close()
        await server.wait_closed()

    run(main)


@on_each_loop
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
        await core.shut(c)
        for f in fillers:
            f.close()
        full.close()

    run(main)


@on_each_loop
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


@on_each_loop
def test_reconnect_stop_handshake_failed() -> None:
    async def main() -> None:
        server = await asyncio.start_server(silent_peer, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        core = StubCore(SocketType.PUSH, handshake_ivl=50, reconnect_ivl=10, reconnect_stop=2)
        c = connecter.connect(core, f"tcp://127.0.0.1:{port}")
        await core.event(E.DISCONNECTED)
        assert c.stopped and core.count(E.CONNECT_RETRIED) == 0
        await core.shut(c)
        server.close()
        await server.wait_closed()

    run(main)
