"""``purezmq.beacon``: czmq zbeacon's wire behaviour on loopback (``lo``, broadcast
127.255.255.255), with the blocking ``Beacon`` and ``AsyncBeacon``, and the ``purezmq beacon``
command. Between two hosts: ``test_beacon_netns.py``."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

import purezmq as zmq
from purezmq.beacon import MAX_PAYLOAD, AsyncBeacon, Beacon, choose_interface

if not sys.platform.startswith("linux"):
    pytest.skip("the loopback broadcast address is Linux's", allow_module_level=True)

WAIT_S = 5.0
INTERVAL = 0.02
SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def beacons(port: int) -> Iterator[Callable[..., Beacon]]:
    made: list[Beacon] = []

    def make(ignore_own: bool = True) -> Beacon:
        beacon = Beacon(port, "lo", ignore_own=ignore_own)
        made.append(beacon)
        return beacon

    yield make
    for beacon in made:
        beacon.close()


def received(beacon: Beacon, n: int) -> list[tuple[str, bytes]]:
    got: list[tuple[str, bytes]] = []
    for _ in range(n):
        one = beacon.recv(WAIT_S)
        assert one is not None, f"no beacon within {WAIT_S} s (got {got})"
        got.append(one)
    return got


def goes_quiet(beacon: Beacon) -> bool:
    """Whether the stream stops within a few dozen beacons (those already sent drain)."""
    return any(beacon.recv(INTERVAL * 10) is None for _ in range(50))


# -- blocking API -------------------------------------------------------------------------


def test_a_published_beacon_reaches_a_subscriber_with_the_sender_address(
    beacons: Callable[..., Beacon],
) -> None:
    speaker, listener = beacons(), beacons()
    speaker.publish(b"\xca\xfe", INTERVAL)
    listener.subscribe()
    assert received(listener, 1) == [("127.0.0.1", b"\xca\xfe")]
    assert speaker.address == "127.0.0.1"


def test_the_subscription_is_a_prefix_filter(beacons: Callable[..., Beacon]) -> None:
    node1, node2, node3 = beacons(), beacons(), beacons()
    node1.publish(b"NODE/1", INTERVAL)
    node2.publish(b"NODE/2", INTERVAL)
    node3.publish(b"RANDOM", INTERVAL)
    node1.subscribe(b"NODE")
    assert {payload for _host, payload in received(node1, 6)} == {b"NODE/2"}


def test_a_beacon_ignores_its_own_unless_asked(beacons: Callable[..., Beacon]) -> None:
    me, other = beacons(), beacons()
    me.publish(b"me", INTERVAL)
    other.publish(b"other", INTERVAL)
    me.subscribe()
    assert {payload for _host, payload in received(me, 6)} == {b"other"}

    echo = beacons(ignore_own=False)
    echo.publish(b"echo", INTERVAL)
    echo.subscribe(b"echo")
    assert received(echo, 1) == [("127.0.0.1", b"echo")]


def test_nothing_is_delivered_before_subscribe_nor_after_unsubscribe(
    beacons: Callable[..., Beacon],
) -> None:
    speaker, deaf, witness = beacons(), beacons(), beacons()
    speaker.publish(b"hello", INTERVAL)
    witness.subscribe()
    received(witness, 3)  # the speaker is speaking
    assert deaf.recv(INTERVAL * 5) is None
    deaf.subscribe(b"hel")
    assert received(deaf, 1)[0][1] == b"hello"
    deaf.unsubscribe()
    assert goes_quiet(deaf)
    received(witness, 3)  # still speaking


def test_silence_stops_the_broadcast_and_publish_replaces_the_payload(
    beacons: Callable[..., Beacon],
) -> None:
    speaker, listener = beacons(), beacons()
    speaker.publish(b"first", INTERVAL)
    listener.subscribe()
    assert received(listener, 1)[0][1] == b"first"
    speaker.publish(b"second", INTERVAL)
    # Once the new payload arrives the old one is never sent again.
    while (got := received(listener, 1)[0][1]) != b"second":
        assert got == b"first"
    assert {p for _h, p in received(listener, 3)} == {b"second"}
    speaker.silence()
    assert goes_quiet(listener)


def test_the_pipe_polls_with_other_sockets(beacons: Callable[..., Beacon]) -> None:
    speaker, listener = beacons(), beacons()
    poller = zmq.Poller()
    poller.register(listener.socket, zmq.POLLIN)
    listener.subscribe()
    speaker.publish(b"poll me", INTERVAL)
    assert dict(poller.poll(WAIT_S * 1000)) == {listener.socket: zmq.POLLIN}
    assert listener.recv(0) == ("127.0.0.1", b"poll me")


def test_bad_arguments_raise_zmqerror_with_errno(port: int) -> None:
    with Beacon(port, "lo") as beacon:
        with pytest.raises(zmq.ZMQError) as info:
            beacon.publish(b"x" * (MAX_PAYLOAD + 1))
        assert info.value.errno == zmq.EINVAL
        beacon.publish(b"x" * MAX_PAYLOAD)
        with pytest.raises(zmq.ZMQError) as info:
            beacon.publish(b"x", interval=0)
        assert info.value.errno == zmq.EINVAL
        with pytest.raises(zmq.ZMQError) as info:
            beacon.subscribe(b"x" * (MAX_PAYLOAD + 1))
        assert info.value.errno == zmq.EINVAL
    with pytest.raises(zmq.ZMQError) as info:
        Beacon(port, "no-such-interface0")
    assert info.value.errno == zmq.ENODEV
    assert "no-such-interface0" in str(info.value)
    with pytest.raises(zmq.ZMQError) as info:
        Beacon(0, "lo")
    assert info.value.errno == zmq.EINVAL


def test_the_interface_comes_from_the_argument_or_zsys_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert choose_interface("*")[1:3] == ("0.0.0.0", "255.255.255.255")
    lo = choose_interface("lo")
    assert (lo.address, lo.broadcast, lo.loopback) == ("127.0.0.1", "127.255.255.255", True)
    assert choose_interface("127.0.0.1").name == "lo"
    monkeypatch.setenv("ZSYS_INTERFACE", "lo")
    assert choose_interface().name == "lo"


# -- asyncio ------------------------------------------------------------------------------


def run_async(
    port: int, scenario: Callable[[Callable[..., Awaitable[AsyncBeacon]]], Awaitable[None]]
) -> None:
    async def main() -> None:
        made: list[AsyncBeacon] = []

        async def make(ignore_own: bool = True) -> AsyncBeacon:
            beacon = await AsyncBeacon.start(port, "lo", ignore_own=ignore_own)
            made.append(beacon)
            return beacon

        try:
            await asyncio.wait_for(scenario(make), WAIT_S * 4)
        finally:
            for beacon in made:
                beacon.close()

    asyncio.run(main())


async def areceived(beacon: AsyncBeacon, n: int) -> list[tuple[str, bytes]]:
    got: list[tuple[str, bytes]] = []
    for _ in range(n):
        one = await beacon.recv(WAIT_S)
        assert one is not None, f"no beacon within {WAIT_S} s (got {got})"
        got.append(one)
    return got


async def agoes_quiet(beacon: AsyncBeacon) -> bool:
    for _ in range(50):
        if await beacon.recv(INTERVAL * 10) is None:
            return True
    return False


def test_async_publish_subscribe_prefix_and_own_beacons(port: int) -> None:
    async def scenario(make: Callable[..., Awaitable[AsyncBeacon]]) -> None:
        node1, node2, node3 = await make(), await make(), await make()
        node1.publish(b"NODE/1", INTERVAL)
        node2.publish(b"NODE/2", INTERVAL)
        node3.publish(b"RANDOM", INTERVAL)
        node1.subscribe(b"NODE")
        assert set(await areceived(node1, 6)) == {("127.0.0.1", b"NODE/2")}
        echo = await make(ignore_own=False)
        echo.publish(b"echo", INTERVAL)
        echo.subscribe(b"echo")
        assert await areceived(echo, 1) == [("127.0.0.1", b"echo")]

    run_async(port, scenario)


def test_async_silence_and_unsubscribe(port: int) -> None:
    async def scenario(make: Callable[..., Awaitable[AsyncBeacon]]) -> None:
        speaker, listener, deaf = await make(), await make(), await make()
        speaker.publish(b"hello", INTERVAL)
        listener.subscribe()
        await areceived(listener, 3)
        assert await deaf.recv(INTERVAL * 5) is None
        deaf.subscribe()
        await areceived(deaf, 1)
        deaf.unsubscribe()
        assert await agoes_quiet(deaf)
        speaker.silence()
        assert await agoes_quiet(listener)

    run_async(port, scenario)


def test_async_and_blocking_beacons_hear_each_other(port: int) -> None:
    async def scenario(make: Callable[..., Awaitable[AsyncBeacon]]) -> None:
        with Beacon(port, "lo") as blocking:
            aio = await make()
            aio.publish(b"from asyncio", INTERVAL)
            aio.subscribe()
            blocking.publish(b"from a thread", INTERVAL)
            blocking.subscribe()
            assert await areceived(aio, 1) == [("127.0.0.1", b"from a thread")]
            got = await asyncio.to_thread(blocking.recv, WAIT_S)
            assert got == ("127.0.0.1", b"from asyncio")

    run_async(port, scenario)


# -- the command --------------------------------------------------------------------------


def beacon_command(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "purezmq", "beacon", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"},
    )


@pytest.mark.parametrize("api", [[], ["--asyncio"]], ids=["blocking", "asyncio"])
def test_the_command_prints_the_beacons_it_hears(port: int, api: list[str]) -> None:
    with Beacon(port, "lo") as speaker:
        speaker.publish(b"svc tcp://127.0.0.1:5555", INTERVAL)
        listener = beacon_command(
            *api,
            "--port",
            str(port),
            "--interface",
            "lo",
            "--subscribe",
            "svc",
            "--count",
            "2",
            "--timeout",
            "20",
        )
        out, err = listener.communicate(timeout=30)
    assert listener.returncode == 0, err
    assert out.splitlines() == ["127.0.0.1 svc tcp://127.0.0.1:5555"] * 2


def test_the_command_fails_clearly_on_usage_errors(port: int) -> None:
    nothing = beacon_command("--port", str(port), "--interface", "lo")
    _out, err = nothing.communicate(timeout=30)
    assert nothing.returncode == 2 and "--publish" in err
    bad = beacon_command("--interface", "no-such-interface0", "--subscribe")
    _out, err = bad.communicate(timeout=30)
    assert bad.returncode == 2 and "no-such-interface0" in err
    alone = beacon_command(
        "--port", str(port), "--interface", "lo", "--subscribe", "--count", "1", "--timeout", "0.1"
    )
    _out, err = alone.communicate(timeout=30)
    assert alone.returncode == 1, err
