"""Byte-stream faults that lose nothing: the stream re-cut into pieces of a few bytes
(boundaries unrelated to the writes), a slow link and a throttled one. Every message arrives
intact, once, in order, whichever library parses the pieces."""

from __future__ import annotations

import pytest

from ..kit.libzmq import bind_fixed
from .conftest import PAIRS, ProxyFactory, SocketFactory
from .tally import numbered

zmq = pytest.importorskip("zmq")

SIZES = [0, 1, 7, 254, 255, 256, 1000, 70_000]  # short and long frames (37/ZMTP §2.3)


@pytest.mark.parametrize("fault", ["resegment", "delay", "throttle"])
@pytest.mark.parametrize(("client", "server"), PAIRS)
def test_dealer_router_exchange_survives(
    fault: str, client: str, server: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    router = make_zsocket(server, "ROUTER")
    proxy = make_proxy(bind_fixed(router, "tcp", ""))
    {"resegment": lambda: proxy.resegment(5), "delay": lambda: proxy.delay(0.02),
     "throttle": lambda: proxy.throttle(2_000_000)}[fault]()
    dealer = make_zsocket(client, "DEALER")
    dealer.setsockopt(zmq.ROUTING_ID, b"d")
    dealer.connect(proxy.endpoint)
    sent = []
    for n in range(60):
        body = bytes([n % 251]) * SIZES[n % len(SIZES)]
        dealer.send_multipart([numbered(n), body])
        sent.append([b"d", numbered(n), body])
    got = [router.recv_multipart() for _ in sent]
    assert got == sent
    for frames in got:
        router.send_multipart(frames)
    echoed = [dealer.recv_multipart() for _ in sent]
    assert echoed == [frames[1:] for frames in sent]
    assert not router.poll(50) and not dealer.poll(50)
    dealer.close()
    router.close()
