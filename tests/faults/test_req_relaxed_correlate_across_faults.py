"""REQ with REQ_RELAXED and REQ_CORRELATE behind a faulty link: a request lost in a black hole
is abandoned for a new one after the reconnect, and a stale reply held up by a stalled link
is dropped — the REQ receives exactly the reply to its latest request. purezmq and libzmq
(pyzmq) on either side."""

from __future__ import annotations

from typing import Any

import pytest

from purezmq.constants import Event

from ..kit.libzmq import bind_fixed, close_monitored, events_until
from .conftest import PAIRS, ProxyFactory, SocketFactory

zmq = pytest.importorskip("zmq")


def relaxed_req(req: Any) -> Any:
    req.setsockopt(zmq.REQ_RELAXED, 1)
    req.setsockopt(zmq.REQ_CORRELATE, 1)
    req.setsockopt(zmq.RECONNECT_IVL, 20)
    return req


@pytest.mark.parametrize(("requester", "replier"), PAIRS)
def test_request_lost_in_a_dead_link_is_replaced_after_reconnect(
    requester: str, replier: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    rep = make_zsocket(replier, "REP")
    proxy = make_proxy(bind_fixed(rep, "tcp", ""))
    req = relaxed_req(make_zsocket(requester, "REQ"))
    mon = req.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    req.connect(proxy.endpoint)
    events_until(mon, Event.HANDSHAKE_SUCCEEDED)
    proxy.black_hole()
    req.send(b"r1")
    assert not req.poll(200), "a reply came through a black hole"
    proxy.cut()
    proxy.black_hole(False)
    events_until(mon, Event.DISCONNECTED)
    events_until(mon, Event.HANDSHAKE_SUCCEEDED)
    req.send(b"r2")  # REQ_RELAXED: the unanswered r1 is abandoned
    assert rep.recv() == b"r2"
    rep.send(b"a2")
    assert req.recv() == b"a2"
    assert not rep.poll(50) and not req.poll(50)
    close_monitored(req, mon)
    rep.close()


@pytest.mark.parametrize(("requester", "replier"), PAIRS)
def test_stale_reply_from_a_stalled_link_is_dropped(
    requester: str, replier: str, make_zsocket: SocketFactory, make_proxy: ProxyFactory
) -> None:
    rep = make_zsocket(replier, "REP")
    proxy = make_proxy(bind_fixed(rep, "tcp", ""))
    req = relaxed_req(make_zsocket(requester, "REQ"))
    req.connect(proxy.endpoint)
    req.send(b"r1")
    assert rep.recv() == b"r1"
    proxy.stall()
    rep.send(b"a1")  # held in the stalled link
    req.send(b"r2")  # REQ_RELAXED: r1 abandoned; r2 waits behind the stall too
    proxy.stall(False)
    assert rep.recv() == b"r2"
    rep.send(b"a2")
    # REQ_CORRELATE: a1 carries r1's request id and is dropped on arrival.
    assert req.recv() == b"a2"
    assert not req.poll(50)
    req.close()
    rep.close()


@pytest.mark.parametrize("requester", ["pure", "lib"])
def test_strict_req_refuses_a_second_request(
    requester: str, make_zsocket: SocketFactory
) -> None:
    req = make_zsocket(requester, "REQ")
    req.connect("tcp://127.0.0.1:1")
    req.send(b"r1")
    with pytest.raises(Exception) as caught:
        req.send(b"r2")
    assert getattr(caught.value, "errno", None) == zmq.EFSM
    req.close()
