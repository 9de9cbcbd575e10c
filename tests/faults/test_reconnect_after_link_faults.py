"""A connecting PUSH behind a fault proxy: the link is cut, reset or refused, the PUSH
reconnects with back-off, and every message queued on its side while the link was down
arrives exactly once, in order. purezmq on both sides and libzmq (pyzmq) on either side."""

from __future__ import annotations

import pytest

from purezmq.constants import Event

from ..kit.libzmq import (
    bind_fixed,
    close_monitored,
    events_until,
    free_endpoint,
)
from .conftest import PAIRS, ProxyFactory, SocketFactory, pipeline_through_proxy
from .tally import expect_exactly, send_range

zmq = pytest.importorskip("zmq")


@pytest.mark.parametrize("fault", ["cut", "reset"])
@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_messages_queued_while_the_link_is_down_arrive_once(
    fault: str, pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull, proxy, push, mon = pipeline_through_proxy(make_zsocket, make_proxy, pusher, puller)
    push.connect(proxy.endpoint)
    send_range(push, range(100))
    expect_exactly(pull, range(100))
    for round_ in range(1, 4):
        getattr(proxy, fault)()
        events_until(mon, Event.DISCONNECTED)
        # Sent while no connection exists: these wait in the PUSH's pipe for the next one.
        send_range(push, range(round_ * 100, round_ * 100 + 100))
        events_until(mon, Event.HANDSHAKE_SUCCEEDED)
        expect_exactly(pull, range(round_ * 100, round_ * 100 + 100))
    assert proxy.stats.accepted == 4
    close_monitored(push, mon)
    pull.close()


@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_reconnect_backs_off_while_refused_then_delivers(
    pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    pull = make_zsocket(puller, "PULL")
    proxy = make_proxy(bind_fixed(pull, "tcp", ""))
    proxy.refuse()
    push = make_zsocket(pusher, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    push.setsockopt(zmq.RECONNECT_IVL_MAX, 200)
    mon = push.get_monitor_socket(zmq.EVENT_CONNECT_RETRIED)
    push.connect(proxy.endpoint)
    send_range(push, range(50))
    intervals = [value for _, value, _ in events_until(mon, Event.CONNECT_RETRIED, 6)]
    # RECONNECT_IVL doubles per failed attempt up to RECONNECT_IVL_MAX (libzmq's schedule).
    assert intervals == [20, 40, 80, 160, 200, 200]
    proxy.refuse(False)
    expect_exactly(pull, range(50))
    close_monitored(push, mon)
    pull.close()


@pytest.mark.parametrize(("pusher", "puller"), PAIRS)
def test_a_bind_side_that_is_down_at_first(
    pusher: str, puller: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    """The proxy accepts but its target is not listening yet: each attempt is reset after the
    TCP connect; once the PULL binds, the queued messages arrive."""
    target = free_endpoint("tcp", "")
    proxy = make_proxy(target)
    push = make_zsocket(pusher, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    push.connect(proxy.endpoint)
    send_range(push, range(30))
    proxy.wait_accepted(3)
    pull = make_zsocket(puller, "PULL")
    pull.bind(target)
    expect_exactly(pull, range(30))
    push.close()
    pull.close()
