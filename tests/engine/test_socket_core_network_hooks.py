"""The network-side hooks of SocketCore (contracts.md "Inside the engine"), called from the
I/O thread as the network side does, plus a tcp/ipc round trip through the real network side."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from purezmq._engine import ContextCore, SocketCore
from purezmq.constants import Errno, SocketOption, SocketType
from purezmq.error import ZMQError
from purezmq.patterns import DisconnectReason

from ..kit.engine import TIMEOUT, recv, send, sync_socket

T = SocketType


def on_io(core: SocketCore, fn: Any, *args: Any) -> Any:
    """Run like the network side: on the socket's I/O loop."""
    return core.run(fn, *args)


def test_accepted_pipe_attach_and_disconnect(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    engine_end = on_io(pull, pull.new_pipe)
    engine_end.metadata = {"Socket-Type": b"PUSH"}
    engine_end.peer_type = int(T.PUSH)
    on_io(pull, pull.attach_pipe, engine_end)
    assert engine_end.peer.metadata == {"Socket-Type": b"PUSH"}
    # A message written by the "peer" on the I/O thread wakes the parked owner.
    ctx.call_soon(engine_end.write, [b"from the wire"])
    assert recv(pull) == [b"from the wire"]
    on_io(pull, engine_end.write, [b"last"])
    on_io(pull, pull.pipe_disconnected, engine_end, False)
    # What arrived before the disconnect stays readable (spec patterns.md §1.3).
    assert recv(pull) == [b"last"]
    assert pull.try_recv() is None
    assert pull.statistics().pipes == 0


def test_attach_after_close_closes_the_pipe(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    engine_end = on_io(pull, pull.new_pipe)
    pull.close()
    on_io(pull, pull.attach_pipe, engine_end)
    assert engine_end.peer_closed


def test_pattern_requested_disconnect_reaches_network_side(ctx: ContextCore) -> None:
    router = sync_socket(ctx, T.ROUTER)
    router.setsockopt(SocketOption.ROUTER_HANDOVER, 1)
    requested: list[DisconnectReason] = []
    done = threading.Event()

    class FakePeer:
        def disconnect_requested(self, reason: DisconnectReason) -> None:
            requested.append(reason)
            done.set()

    ends = []
    for _ in range(2):
        end = on_io(router, router.new_pipe)
        end.metadata = {"Socket-Type": b"DEALER", "Identity": b"same"}
        end.connection = FakePeer()
        on_io(router, router.attach_pipe, end)
        ends.append(end)
    router.events()  # process the attaches: the second takes over "same"
    assert done.wait(TIMEOUT)
    assert requested == [DisconnectReason.HANDOVER]
    assert ends[0].peer_closed and not ends[1].peer_closed


def test_session_pipe_is_kept_across_reconnects(ctx: ContextCore) -> None:
    pytest.importorskip("purezmq._engine.connecter")
    sub = sync_socket(ctx, T.SUB)
    sub.setsockopt(SocketOption.SUBSCRIBE, b"t")
    sub.setsockopt(SocketOption.RECONNECT_IVL, -1)
    sub.connect("tcp://127.0.0.1:1")  # never answers; we play the connecter ourselves
    ((connecter, session_end),) = sub._sessions.items()
    assert on_io(sub, sub.session_pipe, connecter) is session_end
    # Attached at connect(): the subscription is already queued for the wire.
    assert session_end.read() == [b"\x01t"]
    on_io(sub, sub.attach_pipe, session_end)  # first handshake
    on_io(sub, sub.pipe_disconnected, session_end, True)
    on_io(sub, sub.attach_pipe, session_end)  # reconnect → hiccup: subscriptions resent
    sub.events()
    assert session_end.read() == [b"\x01t"]
    on_io(sub, sub.pipe_disconnected, session_end, False)
    sub.events()
    assert sub.statistics().pipes == 0


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_round_trip_over_the_network_side(ctx: ContextCore, transport: str, tmp_path: Any) -> None:
    rep = sync_socket(ctx, T.REP)
    if transport == "tcp":
        endpoint = rep.bind("tcp://127.0.0.1:*")
    else:
        endpoint = rep.bind(f"ipc://{tmp_path}/sock")
    assert endpoint.startswith(f"{transport}://")
    assert rep.getsockopt(SocketOption.LAST_ENDPOINT) == endpoint.encode()
    req = sync_socket(ctx, T.REQ)
    req.connect(endpoint)
    for i in range(20):
        send(req, [b"q", b"%d" % i])
        assert recv(rep) == [b"q", b"%d" % i]
        send(rep, [b"a", b"%d" % i])
        assert recv(req) == [b"a", b"%d" % i]
    req.disconnect(endpoint)
    rep.unbind(endpoint)
    with pytest.raises(ZMQError) as info:
        rep.unbind(endpoint)
    assert info.value.errno == Errno.ENOENT


def test_linger_flushes_before_term_returns(ctx: ContextCore) -> None:
    pull = sync_socket(ctx, T.PULL)
    endpoint = pull.bind("tcp://127.0.0.1:*")
    push = sync_socket(ctx, T.PUSH)
    push.connect(endpoint)
    for i in range(100):
        send(push, [b"%d" % i])
    push.close(linger=-1)
    assert [recv(pull) for _ in range(100)] == [[b"%d" % i] for i in range(100)]
