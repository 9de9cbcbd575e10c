"""A SUB behind a link that is reset: it reconnects and sends its subscriptions again, so the
PUB filters as before — every matching message after the reconnect arrives once, in order,
and none of the others. purezmq and libzmq (pyzmq) on either side."""

from __future__ import annotations

import pytest

from purezmq.constants import Event
from purezmq.testing import wait_subscribed

from ..kit.libzmq import bind_fixed, close_monitored, events_until
from .conftest import PAIRS, ProxyFactory, SocketFactory
from .tally import expect_exactly, numbered

zmq = pytest.importorskip("zmq")


@pytest.mark.parametrize("fault", ["reset", "cut"])
@pytest.mark.parametrize(("publisher", "subscriber"), PAIRS)
def test_subscriptions_survive_a_reconnect(
    fault: str,
    publisher: str,
    subscriber: str,
    make_zsocket: SocketFactory,
    make_proxy: ProxyFactory,
) -> None:
    pub = make_zsocket(publisher, "PUB")
    proxy = make_proxy(bind_fixed(pub, "tcp", ""))
    sub = make_zsocket(subscriber, "SUB")
    sub.setsockopt(zmq.RECONNECT_IVL, 20)
    sub.setsockopt(zmq.SUBSCRIBE, b"a")
    sub.setsockopt(zmq.SUBSCRIBE, b"c")
    mon = sub.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    sub.connect(proxy.endpoint)
    wait_subscribed(pub, sub, b"a")
    for _ in range(3):
        getattr(proxy, fault)()
        events_until(mon, Event.DISCONNECTED)
        events_until(mon, Event.HANDSHAKE_SUCCEEDED)
        wait_subscribed(pub, sub, b"c")
        for n in range(100):
            pub.send(numbered(n, b"a" if n % 2 else b"b"))
        expect_exactly(sub, range(1, 100, 2), prefix=b"a")
    assert proxy.stats.accepted == 4
    close_monitored(sub, mon)
    pub.close()
