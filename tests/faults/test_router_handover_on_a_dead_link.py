"""ROUTER_HANDOVER: a peer's old connection went into a black hole (the ROUTER still holds
it); the peer comes back on a new connection with the same routing id and takes the route
over. Every reply sent after the handover reaches the new connection, in order, once."""

from __future__ import annotations

import pytest

from ..kit.libzmq import bind_fixed
from .conftest import ProxyFactory, SocketFactory
from .tally import expect_exactly, numbered

zmq = pytest.importorskip("zmq")


@pytest.mark.parametrize("router_lib", ["pure", "lib"])
@pytest.mark.parametrize("dealer_lib", ["pure", "lib"])
def test_new_connection_with_the_same_id_takes_the_route(
    router_lib: str, dealer_lib: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    if router_lib == dealer_lib == "lib":
        pytest.skip("libzmq on both sides proves nothing about purezmq")
    router = make_zsocket(router_lib, "ROUTER")
    router.setsockopt(zmq.ROUTER_HANDOVER, 1)
    router.setsockopt(zmq.ROUTER_MANDATORY, 1)
    endpoint = bind_fixed(router, "tcp", "")
    proxy = make_proxy(endpoint)
    old = make_zsocket(dealer_lib, "DEALER")
    old.setsockopt(zmq.ROUTING_ID, b"worker")
    old.connect(proxy.endpoint)
    old.send(b"hello from old")
    assert router.recv_multipart() == [b"worker", b"hello from old"]
    proxy.black_hole()  # the old link stays open on the ROUTER's side, silently dead
    new = make_zsocket(dealer_lib, "DEALER")
    new.setsockopt(zmq.ROUTING_ID, b"worker")
    new.connect(endpoint)
    new.send(b"hello from new")
    assert router.recv_multipart() == [b"worker", b"hello from new"]
    for n in range(50):
        router.send_multipart([b"worker", numbered(n)])
    expect_exactly(new, range(50))
    proxy.black_hole(False)
    assert not old.poll(100), "the replaced connection still received"
    old.close()
    new.close()
    router.close()
