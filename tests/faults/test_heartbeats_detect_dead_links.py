"""Heartbeats (HEARTBEAT_IVL/TIMEOUT, 37/ZMTP PING/PONG) find a link that silently died: a
black hole that eats every byte, or a half-open link whose far end is gone. The heartbeating
side disconnects within its timeout, the connecting side reconnects once the path heals, and
what it queued meanwhile arrives exactly once. purezmq and libzmq (pyzmq) on either side."""

from __future__ import annotations

from typing import Any

import pytest

from purezmq.constants import Event

from ..kit.libzmq import bind_fixed, close_monitored, events_until
from .conftest import PAIRS, ProxyFactory, SocketFactory, pipeline_through_proxy
from .tally import expect_exactly, send_range

zmq = pytest.importorskip("zmq")


def heartbeat(sock: Any) -> None:
    sock.setsockopt(zmq.HEARTBEAT_IVL, 100)
    sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 400)


@pytest.mark.parametrize("fault", ["black_hole", "half_open"])
@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_connecting_side_detects_a_dead_link_and_resends_nothing_twice(
    fault: str, pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull, proxy, push, mon = pipeline_through_proxy(make_zsocket, make_proxy, pusher, puller)
    heartbeat(push)
    push.connect(proxy.endpoint)
    events_until(mon, Event.HANDSHAKE_SUCCEEDED)
    send_range(push, range(100))
    expect_exactly(pull, range(100))
    getattr(proxy, fault)()
    # Only the heartbeat can tell: no FIN, no RST reaches the PUSH.
    events_until(mon, Event.DISCONNECTED)
    proxy.black_hole(False)
    send_range(push, range(100, 200))
    events_until(mon, Event.HANDSHAKE_SUCCEEDED)
    expect_exactly(pull, range(100, 200))
    assert proxy.stats.accepted == 2
    close_monitored(push, mon)
    pull.close()


@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_bind_side_drops_a_black_holed_peer(
    pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull = make_zsocket(puller, "PULL")
    heartbeat(pull)
    pull_mon = pull.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    proxy = make_proxy(bind_fixed(pull, "tcp", ""))
    push = make_zsocket(pusher, "PUSH")
    push.connect(proxy.endpoint)
    events_until(pull_mon, Event.HANDSHAKE_SUCCEEDED)
    send_range(push, range(10))
    expect_exactly(pull, range(10))
    proxy.black_hole()
    events_until(pull_mon, Event.DISCONNECTED)
    close_monitored(pull, pull_mon)
    push.close()
