"""Bad datagrams at a bound DISH (udp://): a broken group header or a datagram over 8192 bytes
is dropped and counted, with a HANDSHAKE_FAILED_PROTOCOL monitor event naming the endpoint,
and a well-behaved RADIO sending to the same DISH is served before, between and after. User
code sees no exception. Every wait is bounded (poll or recv timeout)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

import purezmq
from purezmq.constants import Event
from purezmq.utils.monitor import recv_monitor_message

TIMEOUT_MS = 5000

BAD = [
    pytest.param(b"", id="empty"),
    pytest.param(b"\x09short", id="group-past-the-end"),
    pytest.param(b"\xff" + b"g" * 100, id="255-byte-group-cut"),
    pytest.param(b"\x01g" + b"b" * 8191, id="8193-bytes"),
    pytest.param(b"\x00" + b"b" * 60000, id="60001-bytes"),
]


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.mark.parametrize("bad", BAD)
def test_bad_datagram_dropped_with_event_others_served(ctx: purezmq.Context, bad: bytes) -> None:
    dish = ctx.socket(purezmq.DISH)
    dish.rcvtimeo = TIMEOUT_MS
    dish.bind("udp://127.0.0.1:0")
    endpoint = dish.last_endpoint.decode()
    mon = dish.get_monitor_socket()
    mon.rcvtimeo = TIMEOUT_MS
    dish.join("g")
    raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    port = int(endpoint.rsplit(":", 1)[1])  # the port the kernel picked for port 0
    assert port != 0
    radio = ctx.socket(purezmq.RADIO)
    radio.connect(f"udp://127.0.0.1:{port}")
    try:
        radio.send(b"before", group="g")
        assert dish.recv() == b"before"
        for _ in range(3):
            raw.sendto(bad, ("127.0.0.1", port))
        radio.send(b"after", group="g")
        assert dish.recv() == b"after"
        events = [recv_monitor_message(mon) for _ in range(3)]
        assert {e["event"] for e in events} == {Event.HANDSHAKE_FAILED_PROTOCOL}
        assert {e["value"] for e in events} == {Event.PROTOCOL_ERROR_ZMTP_UNSPECIFIED}
        assert {e["endpoint"] for e in events} == {endpoint.encode()}
        assert dish._core.statistics()["udp_datagrams_dropped"] == 3
        assert dish.poll(0) == 0
    finally:
        raw.close()
