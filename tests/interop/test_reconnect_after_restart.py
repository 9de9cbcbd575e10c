"""Reconnection against real libzmq (pyzmq) when the bound peer goes away and comes back on the
same endpoint: what was queued meanwhile is delivered, a SUB subscribes again.

Every wait is bounded and waits on a monitor event or a poll.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from purezmq.constants import Event

from ..kit.libzmq import (
    bind_fixed,
    close_bound,
    close_monitored,
    ctx_of,
    event_names,
    events_until,
    make_socket,
)

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT = 5.0
E = Event


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("restarting", ["lib", "pure"])
def test_push_reconnects_after_the_bound_peer_restarts(
    restarting: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    connecting = "pure" if restarting == "lib" else "lib"
    bctx = ctx_of(restarting, pure_ctx, libzmq_ctx)
    pull = make_socket(bctx, restarting, "PULL")
    address = bind_fixed(pull, transport, ipc_dir)
    push = make_socket(ctx_of(connecting, pure_ctx, libzmq_ctx), connecting, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    mon = push.get_monitor_socket()
    push.connect(address)
    push.send(b"before")
    assert pull.recv() == b"before"
    events_until(mon, E.HANDSHAKE_SUCCEEDED)
    close_bound(pull)
    events_until(mon, E.DISCONNECTED)
    # Queued while nobody listens, delivered once the restarted peer is there.
    push.send_multipart([b"queued", b"meanwhile"])
    pull = make_socket(bctx, restarting, "PULL")
    pull.bind(address)
    assert pull.recv_multipart() == [b"queued", b"meanwhile"]
    push.send(b"after")
    assert pull.recv() == b"after"
    assert event_names(events_until(mon, E.HANDSHAKE_SUCCEEDED))[-1] == "HANDSHAKE_SUCCEEDED"
    close_monitored(push, mon)
    pull.close()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("restarting", ["lib", "pure"])
def test_sub_resubscribes_after_the_publisher_restarts(
    restarting: str, transport: str, pure_ctx: Any, libzmq_ctx: Any, ipc_dir: str
) -> None:
    subscribing = "pure" if restarting == "lib" else "lib"
    pctx = ctx_of(restarting, pure_ctx, libzmq_ctx)
    xpub = make_socket(pctx, restarting, "XPUB")
    address = bind_fixed(xpub, transport, ipc_dir)
    sub = make_socket(ctx_of(subscribing, pure_ctx, libzmq_ctx), subscribing, "SUB")
    sub.setsockopt(zmq.RECONNECT_IVL, 20)
    sub.setsockopt(zmq.SUBSCRIBE, b"topic")
    mon = sub.get_monitor_socket()
    sub.connect(address)

    def subscription_seen(pub: Any) -> bytes:
        deadline = time.monotonic() + TIMEOUT
        while not pub.poll(20):
            sub.poll(0)  # a SUB resends its subscriptions when its owner touches it
            assert time.monotonic() < deadline, "no subscription reached the publisher"
        return bytes(pub.recv())

    def delivered(pub: Any) -> None:
        pub.send_multipart([b"other", b"filtered out"])
        pub.send_multipart([b"topic", b"payload"])
        assert sub.recv_multipart() == [b"topic", b"payload"]

    assert subscription_seen(xpub) == b"\x01topic"
    delivered(xpub)
    close_bound(xpub)
    events_until(mon, E.DISCONNECTED)
    xpub = make_socket(pctx, restarting, "XPUB")
    xpub.bind(address)
    # The same filter comes back by itself, exactly once.
    assert subscription_seen(xpub) == b"\x01topic"
    delivered(xpub)
    assert not xpub.poll(0)
    assert not sub.poll(0)
    close_monitored(sub, mon)
    xpub.close()
