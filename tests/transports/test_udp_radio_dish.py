"""RADIO → DISH over udp:// (docs/transports.md "udp"): unicast and multicast on loopback, the
blocking and asyncio APIs and their Pollers, several groups with join/leave, who may bind and
connect (libzmq's ENOCOMPATPROTO), endpoint forms, MULTICAST_LOOP and MULTICAST_HOPS, and the
messages too large for a datagram.

UDP may drop datagrams when a receiver's kernel buffer overflows, so every bulk test sends in
rounds and waits for each round to arrive before the next: nothing is lost that way on
loopback, and a test that still loses one fails rather than waits forever (bounded polls).
"""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import Iterator

import pytest

import purezmq
import purezmq.asyncio as zaio
from purezmq.constants import Errno
from purezmq.endpoint import UdpEndpoint, parse
from purezmq.transports import SocketSettings, udp

TIMEOUT_MS = 5000
#: Linux <netinet/in.h>; the socket module lacks IP_RECVTTL.
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)
IP_TTL = getattr(socket, "IP_TTL", 2)
GROUP = "239.193.7.11"  # administratively scoped (RFC 2365): never leaves the host here


def free_udp_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


def dish(ctx: purezmq.Context, endpoint: str, *groups: str) -> purezmq.Socket:
    s: purezmq.Socket = ctx.socket(purezmq.DISH)
    s.rcvtimeo = TIMEOUT_MS
    s.linger = 0
    s.bind(endpoint)
    for g in groups:
        s.join(g)
    return s


def radio(ctx: purezmq.Context, endpoint: str, **options: int) -> purezmq.Socket:
    s: purezmq.Socket = ctx.socket(purezmq.RADIO)
    s.linger = 0
    for name, value in options.items():
        setattr(s, name, value)
    s.connect(endpoint)
    return s


def recv_pair(s: purezmq.Socket) -> tuple[str, bytes]:
    frame = s.recv(copy=False)
    return frame.group, frame.bytes


def test_unicast_groups_join_and_leave(ctx: purezmq.Context) -> None:
    ep = f"udp://127.0.0.1:{free_udp_port()}"
    d = dish(ctx, ep, "weather", "news")
    r = radio(ctx, ep)
    r.send(b"sport 1", group="sport")  # not joined: filtered by the DISH
    r.send(b"sunny 1", group="weather")
    r.send(b"headline 1", group="news")
    assert recv_pair(d) == ("weather", b"sunny 1")
    assert recv_pair(d) == ("news", b"headline 1")
    d.leave("news")
    d.join("sport")
    r.send(b"headline 2", group="news")
    r.send(b"sport 2", group="sport")
    assert recv_pair(d) == ("sport", b"sport 2")


def test_many_messages_several_groups_in_rounds(ctx: purezmq.Context) -> None:
    ep = f"udp://127.0.0.1:{free_udp_port()}"
    groups = ["a", "bb", "L" * 255]
    d = dish(ctx, ep, *groups)
    r = radio(ctx, ep)
    got: list[tuple[str, bytes]] = []
    sent: list[tuple[str, bytes]] = []
    for rnd in range(20):
        batch = [(g, f"{g[:2]} {rnd} {i}".encode()) for i in range(50) for g in groups]
        for g, body in batch:
            r.send(body, group=g)
        sent.extend(batch)
        for _ in batch:
            got.append(recv_pair(d))
    assert sorted(got) == sorted(sent)
    # One sender, one loopback path: per-group order holds.
    for g in groups:
        assert [b for gg, b in got if gg == g] == [b for gg, b in sent if gg == g]


def test_two_radios_one_dish_and_poller(ctx: purezmq.Context) -> None:
    ep = f"udp://127.0.0.1:{free_udp_port()}"
    d = dish(ctx, ep, "g")
    r1, r2 = radio(ctx, ep), radio(ctx, ep)
    poller = purezmq.Poller()
    poller.register(d, purezmq.POLLIN)
    assert poller.poll(0) == []
    r1.send(b"one", group="g")
    assert dict(poller.poll(TIMEOUT_MS)) == {d: purezmq.POLLIN}
    r2.send(b"two", group="g")
    assert {recv_pair(d)[1], recv_pair(d)[1]} == {b"one", b"two"}


def test_asyncio_api_and_poller() -> None:
    async def main() -> None:
        actx = zaio.Context()
        ep = f"udp://127.0.0.1:{free_udp_port()}"
        d = actx.socket(purezmq.DISH)
        d.bind(ep)
        d.join("g")
        r = actx.socket(purezmq.RADIO)
        r.connect(ep)
        poller = zaio.Poller()
        poller.register(d, purezmq.POLLIN)
        for rnd in range(10):
            for i in range(100):
                await r.send(f"{rnd}:{i}".encode(), group="g")
            for i in range(100):
                assert await asyncio.wait_for(poller.poll(TIMEOUT_MS), 10)
                frame = await d.recv(copy=False)
                assert (frame.group, frame.bytes) == ("g", f"{rnd}:{i}".encode())
        d.close(linger=0)
        r.close(linger=0)
        actx.term()

    asyncio.run(main())


def test_interface_name_and_wildcard_bind(ctx: purezmq.Context) -> None:
    port = free_udp_port()
    d = dish(ctx, f"udp://lo:{port}", "g")
    r = radio(ctx, f"udp://127.0.0.1:{port}")
    r.send(b"via lo", group="g")
    assert recv_pair(d) == ("g", b"via lo")
    port2 = free_udp_port()
    d2 = dish(ctx, f"udp://*:{port2}", "g")
    r2 = radio(ctx, f"udp://localhost:{port2}")  # connect resolves names (DNS), like libzmq
    r2.send(b"via *", group="g")
    assert recv_pair(d2) == ("g", b"via *")


def test_last_endpoint_unbind_and_disconnect(ctx: purezmq.Context) -> None:
    ep = f"udp://127.0.0.1:{free_udp_port()}"
    d = dish(ctx, ep, "g")
    assert d.last_endpoint == ep.encode()
    r = radio(ctx, ep)
    r.send(b"before", group="g")
    assert recv_pair(d) == ("g", b"before")
    r.disconnect(ep)
    d.unbind(ep)
    # The port is free again at once, as the OS socket was closed by unbind().
    d2 = dish(ctx, ep, "g")
    r.connect(ep)
    r.send(b"after", group="g")
    assert recv_pair(d2) == ("g", b"after")
    with pytest.raises(purezmq.ZMQError) as info:
        d.unbind(ep)
    assert info.value.errno == Errno.ENOENT


@pytest.mark.parametrize(
    ("kind", "method"),
    [
        (purezmq.RADIO, "bind"),
        (purezmq.DISH, "connect"),
        (purezmq.PUB, "bind"),
        (purezmq.SUB, "connect"),
        (purezmq.SERVER, "bind"),
        (purezmq.CLIENT, "connect"),
    ],
)
def test_who_may_bind_and_connect(ctx: purezmq.Context, kind: int, method: str) -> None:
    s = ctx.socket(kind)
    with pytest.raises(purezmq.ZMQError) as info:
        getattr(s, method)(f"udp://127.0.0.1:{free_udp_port()}")
    assert info.value.errno == Errno.ENOCOMPATPROTO
    assert "only a DISH binds and only a RADIO connects" in str(info.value)


@pytest.mark.parametrize(
    ("endpoint", "errno", "words"),
    [
        ("udp://lo;127.0.0.1:5555", Errno.EINVAL, "only allowed before a multicast group"),
        ("udp://239.1.1.1;239.1.1.2:5555", Errno.EINVAL, "multicast address"),
        ("udp://nosuchif0;239.1.1.1:5555", Errno.ENODEV, "network interface"),
        ("udp://no-such-host.invalid:5555", Errno.EINVAL, "does not resolve"),
        ("udp://127.0.0.1", Errno.EINVAL, "no port"),
        ("udp://*:5555", Errno.EINVAL, "only works with bind()"),
        ("udp://[::1]:5555", Errno.EINVAL, "IPV6"),
    ],
)
def test_bad_radio_endpoints(ctx: purezmq.Context, endpoint: str, errno: int, words: str) -> None:
    r = ctx.socket(purezmq.RADIO)
    with pytest.raises(purezmq.ZMQError) as info:
        r.connect(endpoint)
    assert info.value.errno == errno
    assert words in str(info.value)


def test_bind_failure_raises_from_bind(ctx: purezmq.Context) -> None:
    d = ctx.socket(purezmq.DISH)
    with pytest.raises(purezmq.ZMQError) as info:
        d.bind("udp://192.0.2.123:5555")  # TEST-NET-1 (RFC 5737): not an address of this host
    assert info.value.errno == Errno.EADDRNOTAVAIL


def test_multicast_on_loopback_reaches_every_dish(ctx: purezmq.Context) -> None:
    port = free_udp_port()
    d1 = dish(ctx, f"udp://127.0.0.1;{GROUP}:{port}", "g")
    d2 = dish(ctx, f"udp://lo;{GROUP}:{port}", "g")  # the same group and port: SO_REUSEPORT
    r = radio(ctx, f"udp://127.0.0.1;{GROUP}:{port}")
    for i in range(50):
        r.send(b"%d" % i, group="g")
    for d in (d1, d2):
        assert [recv_pair(d)[1] for _ in range(50)] == [b"%d" % i for i in range(50)]


@pytest.mark.parametrize("loop", [0, 1])
def test_multicast_loop_is_set_on_the_sending_socket(loop: int) -> None:
    # On lo the sender's own interface is the loopback, so every datagram comes back whatever
    # IP_MULTICAST_LOOP says: check the option the transport sets instead.
    ep = parse(f"udp://127.0.0.1;{GROUP}:5555", for_bind=False)
    assert isinstance(ep, UdpEndpoint)
    address = udp.resolve(ep, receiver=False, ipv6=False)
    sock = udp.open_sender(address, SocketSettings(), str(ep), loop=bool(loop), hops=3)
    try:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP) == loop
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == 3
        iface = sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, 4)
        assert socket.inet_ntoa(iface) == "127.0.0.1"
    finally:
        sock.close()


def test_multicast_hops_sets_the_ttl(ctx: purezmq.Context) -> None:
    port = free_udp_port()
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    raw.bind(("0.0.0.0", port))
    mreq = socket.inet_aton(GROUP) + socket.inet_aton("127.0.0.1")
    raw.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    raw.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
    raw.settimeout(TIMEOUT_MS / 1000)
    try:
        for hops in (1, 7):
            r = radio(ctx, f"udp://127.0.0.1;{GROUP}:{port}", multicast_hops=hops)
            r.send(b"body", group="g")
            data, ancdata, _, _ = raw.recvmsg(9000, socket.CMSG_SPACE(4))
            assert data == b"\x01gbody"
            ttl = [struct.unpack("i", d)[0] for lvl, typ, d in ancdata if typ == IP_TTL]
            assert ttl == [hops]
            r.close()
    finally:
        raw.close()


def test_too_large_for_a_datagram_is_dropped_and_counted(ctx: purezmq.Context) -> None:
    ep = f"udp://127.0.0.1:{free_udp_port()}"
    d = dish(ctx, ep, "g")
    r = radio(ctx, ep)
    r.send(b"x" * (8192 - 2), group="g")  # 1 + 1 + 8190 = 8192: the largest that fits
    r.send(b"x" * (8192 - 1), group="g")  # one byte more: dropped like libzmq does
    r.send(b"after", group="g")
    assert recv_pair(d) == ("g", b"x" * 8190)
    assert recv_pair(d) == ("g", b"after")
    assert r.get(purezmq.EVENTS) & purezmq.POLLOUT
    assert r._core.statistics()["udp_messages_dropped"] == 1


def test_ipv6_unicast(ctx: purezmq.Context) -> None:
    d = ctx.socket(purezmq.DISH)
    d.ipv6 = True
    d.rcvtimeo = TIMEOUT_MS
    d.bind("udp://[::1]:0")
    d.join("g")
    r = ctx.socket(purezmq.RADIO)
    r.ipv6 = True
    r.connect(d.last_endpoint.decode())
    r.send(b"over ::1", group="g")
    assert recv_pair(d) == ("g", b"over ::1")


def test_rcvhwm_pauses_reading_and_loses_nothing_the_kernel_held(ctx: purezmq.Context) -> None:
    """At RCVHWM the DISH stops reading (libzmq resets pollin); the datagrams wait in the
    kernel buffer and arrive, in order, once the application reads again."""
    d = ctx.socket(purezmq.DISH)
    d.rcvhwm = 4
    d.rcvtimeo = TIMEOUT_MS
    d.bind("udp://127.0.0.1:0")
    d.join("g")
    r = radio(ctx, d.last_endpoint.decode())
    for i in range(100):  # 100 small datagrams: far below the kernel's receive buffer
        r.send(b"%d" % i, group="g")
    assert [recv_pair(d)[1] for _ in range(100)] == [b"%d" % i for i in range(100)]
