"""The draft socket types through both public APIs (sync, asyncio, uvloop) and ``Poller``:
routing ids, groups, single-frame rules and their errnos, over inproc, ipc and tcp."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq
from purezmq import Errno, ZMQError

from .conftest import Driver


def _errno(driver: Driver, sock: Any, method: str, *args: Any, **kwargs: Any) -> int:
    with pytest.raises(ZMQError) as err:
        driver.call(sock, method, *args, **kwargs)
    return err.value.errno


def test_draft_api_is_advertised() -> None:
    assert purezmq.DRAFT_API and purezmq.has("draft")
    for name in (
        "CLIENT",
        "SERVER",
        "RADIO",
        "DISH",
        "GATHER",
        "SCATTER",
        "DGRAM",
        "PEER",
        "CHANNEL",
    ):
        assert isinstance(getattr(purezmq, name), int)


def test_client_server_routing_ids(driver: Driver, transport: str) -> None:
    server, client = driver.pair(purezmq.SERVER, purezmq.CLIENT, transport)
    other = driver.socket(purezmq.CLIENT, linger=0)
    driver.call(other, "connect", driver.call(server, "getsockopt_string", purezmq.LAST_ENDPOINT))
    driver.call(client, "send", b"from client")
    driver.call(other, "send_string", "from other")
    frames = [driver.call(server, "recv", copy=False) for _ in range(2)]
    by_body = {f.bytes: f.routing_id for f in frames}
    assert set(by_body) == {b"from client", b"from other"}
    ids = set(by_body.values())
    assert len(ids) == 2 and all(isinstance(i, int) and 0 < i < 2**32 for i in ids)
    driver.call(server, "send", b"to client", routing_id=by_body[b"from client"])
    driver.call(server, "send_string", "to other", routing_id=by_body[b"from other"])
    assert driver.call(client, "recv") == b"to client"
    assert driver.call(other, "recv_string") == "to other"
    # A Frame carrying its routing id is routed by it (pyzmq's way).
    reply = purezmq.Frame(b"by frame")
    reply.routing_id = by_body[b"from client"]
    driver.call(server, "send", reply)
    assert driver.call(client, "recv_multipart") == [b"by frame"]


def test_server_errnos(driver: Driver) -> None:
    server, client = driver.pair(purezmq.SERVER, purezmq.CLIENT)
    assert _errno(driver, server, "send", b"x", routing_id=424242) == Errno.EHOSTUNREACH
    assert _errno(driver, server, "send", b"no id") == Errno.EHOSTUNREACH
    assert _errno(driver, client, "send", b"part", purezmq.SNDMORE) == Errno.EINVAL
    assert _errno(driver, client, "send_multipart", [b"a", b"b"]) == Errno.EINVAL
    # Nothing half-sent stays behind: the next whole message goes alone.
    driver.call(client, "send", b"whole")
    assert driver.call(server, "recv_multipart") == [b"whole"]
    assert driver.call(server, "getsockopt", purezmq.THREAD_SAFE) == 1


def test_radio_dish_groups(driver: Driver, transport: str) -> None:
    dish, radio = driver.pair(purezmq.DISH, purezmq.RADIO, transport)
    driver.call(dish, "join", "weather")
    driver.call(dish, "join", b"news")
    long_group = "g" * 255
    driver.call(dish, "join", long_group)
    poller = driver.poller()
    poller.register(dish, purezmq.POLLIN)
    # Joins travel asynchronously: send until the first one arrives.
    for _ in range(500):
        driver.call(radio, "send", b"probe", group="weather")
        if driver.poll(poller, 10):
            break
    else:
        pytest.fail("the DISH's JOIN never reached the RADIO")
    while driver.poll(poller, 0):
        driver.call(dish, "recv")
    driver.call(radio, "send", b"ignored", group="sport")
    driver.call(radio, "send", b"ignored", group="weathe")
    driver.call(radio, "send", b"sunny", group="weather")
    frame = purezmq.Frame(b"headline")
    frame.group = "news"
    driver.call(radio, "send", frame)
    driver.call(radio, "send", b"long", group=long_group)
    got = [driver.call(dish, "recv", copy=False) for _ in range(3)]
    assert [(f.group, f.bytes) for f in got] == [
        ("weather", b"sunny"),
        ("news", b"headline"),
        (long_group, b"long"),
    ]
    assert not driver.poll(poller, 0)


def test_radio_dish_errnos(driver: Driver) -> None:
    dish, radio = driver.pair(purezmq.DISH, purezmq.RADIO)
    assert _errno(driver, radio, "send", b"x", group="g" * 256) == Errno.EINVAL
    assert _errno(driver, radio, "send", b"x", purezmq.SNDMORE, group="g") == Errno.EINVAL
    driver.call(dish, "join", "g")
    assert _errno(driver, dish, "join", "g") == Errno.EINVAL
    assert _errno(driver, dish, "leave", "never") == Errno.EINVAL
    assert _errno(driver, dish, "join", "x" * 256) == Errno.EINVAL
    assert _errno(driver, dish, "send", b"x") == Errno.ENOTSUP
    assert _errno(driver, radio, "recv", purezmq.NOBLOCK) == Errno.ENOTSUP
    assert _errno(driver, radio, "join", "g") == Errno.ENOTSUP
    driver.call(dish, "leave", "g")


def test_scatter_gather(driver: Driver, transport: str) -> None:
    gather, scatter = driver.pair(purezmq.GATHER, purezmq.SCATTER, transport)
    for i in range(10):
        driver.call(scatter, "send", b"%d" % i)
    assert [driver.call(gather, "recv") for _ in range(10)] == [b"%d" % i for i in range(10)]
    assert _errno(driver, scatter, "send", b"x", purezmq.SNDMORE) == Errno.EINVAL
    assert _errno(driver, gather, "send", b"x") == Errno.ENOTSUP


def test_channel(driver: Driver, transport: str) -> None:
    a, b = driver.pair(purezmq.CHANNEL, purezmq.CHANNEL, transport)
    driver.call(b, "send", b"ping")
    assert driver.call(a, "recv") == b"ping"
    driver.call(a, "send", b"pong")
    assert driver.call(b, "recv") == b"pong"
    assert _errno(driver, a, "send", b"x", purezmq.SNDMORE) == Errno.EINVAL


def test_peer_connect_peer(driver: Driver, transport: str) -> None:
    a = driver.socket(purezmq.PEER, linger=0)
    b = driver.socket(purezmq.PEER, linger=0)
    driver.call(a, "bind", driver.endpoint(transport))
    addr = driver.call(a, "getsockopt_string", purezmq.LAST_ENDPOINT)
    rid = driver.call(b, "connect_peer", addr)
    assert isinstance(rid, int) and rid > 0
    driver.call(b, "send", b"hello", routing_id=rid)  # queued until connected
    frame = driver.call(a, "recv", copy=False)
    assert frame.bytes == b"hello"
    driver.call(a, "send", b"back", routing_id=frame.routing_id)
    back = driver.call(b, "recv", copy=False)
    assert (back.bytes, back.routing_id) == (b"back", rid)
    c = driver.socket(purezmq.PEER, linger=0, immediate=1)
    assert _errno(driver, c, "connect_peer", addr) == Errno.EFAULT
    assert _errno(driver, a, "send", b"x", routing_id=rid ^ 0xFFFF) == Errno.EHOSTUNREACH


def test_poller_with_draft_sockets(driver: Driver) -> None:
    server, client = driver.pair(purezmq.SERVER, purezmq.CLIENT, "tcp")
    gather, scatter = driver.pair(purezmq.GATHER, purezmq.SCATTER)
    poller = driver.poller()
    poller.register(server, purezmq.POLLIN)
    poller.register(gather, purezmq.POLLIN)
    poller.register(client, purezmq.POLLOUT)
    assert dict(driver.poll(poller, 0)) == {client: purezmq.POLLOUT}
    poller.modify(client, purezmq.POLLIN)
    driver.call(client, "send", b"x")
    assert dict(driver.poll(poller, 5000)) == {server: purezmq.POLLIN}
    rid = driver.call(server, "recv", copy=False).routing_id
    driver.call(scatter, "send", b"y")
    driver.call(server, "send", b"z", routing_id=rid)
    ready: dict[Any, int] = {}
    while len(ready) < 2:
        got = dict(driver.poll(poller, 5000))
        assert got, f"timed out with {ready}"
        ready.update(got)
        for sock in got:  # consume, so that the next poll waits for the other one
            poller.unregister(sock)
    assert ready == {gather: purezmq.POLLIN, client: purezmq.POLLIN}
    assert driver.call(gather, "recv") == b"y" and driver.call(client, "recv") == b"z"


def test_asyncio_draft_receives_are_futures_and_cancel_safe() -> None:
    """On the asyncio API a draft receive is a Future like any other: done at once when a
    message waits, and a cancelled pending one takes nothing (the next receive gets it)."""
    import asyncio

    import purezmq.asyncio as zaio

    async def main() -> None:
        ctx = zaio.Context()
        try:
            server = ctx.socket(purezmq.SERVER)
            server.linger = 0
            server.bind("inproc://draft-futures")
            client = ctx.socket(purezmq.CLIENT)
            client.linger = 0
            client.connect("inproc://draft-futures")
            pending = server.recv(copy=False)
            assert not pending.done()
            pending.cancel()
            await client.send(b"kept")
            frame = await asyncio.wait_for(server.recv(copy=False), 5)
            assert frame.bytes == b"kept" and frame.routing_id
            await client.send(b"already here")
            assert await asyncio.wait_for(server.recv_string(), 5) == "already here"
            await server.send(b"back", routing_id=frame.routing_id)
            waiting = client.recv_multipart()
            assert await asyncio.wait_for(waiting, 5) == [b"back"]
        finally:
            ctx.destroy(0)

    asyncio.run(main())


def test_draft_sockets_are_the_public_socket_class(driver: Driver) -> None:
    """``ctx.socket(zmq.SERVER)`` is a ``Socket`` of its API and shows as one."""
    server = driver.socket(purezmq.SERVER, linger=0)
    expected = "purezmq.asyncio.Socket" if driver.is_async else "purezmq.Socket"
    assert repr(server).startswith(f"<{expected}(zmq.SERVER) at ")
    assert isinstance(server, purezmq.Socket)
