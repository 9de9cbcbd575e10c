"""Draft socket types against libzmq 4.3.5 built with the draft API, as zeromq.js 6 ships it
(npm ``zeromq``; ``tests/interop/js/setup.sh`` installs it): CLIENT/SERVER, RADIO/DISH and
SCATTER/GATHER and CHANNEL over tcp, purezmq binding and connecting; RADIO/DISH over udp (unicast
and loopback multicast) both ways libzmq allows; PEER one way, purezmq's
``connect_peer`` to a libzmq PEER that receives (zeromq.js exposes routing ids for its Server
class only, so its PEER can neither answer nor speak first). A small Node script
(``js/draft_peer.cjs``) plays the libzmq side; PEER and CHANNEL, which zeromq.js has no class
for, are its native socket with the type number.

Skipped, with the reason, when node or the npm package is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq

SCRIPT = Path(__file__).parent / "js" / "draft_peer.cjs"
JS_CACHE = Path(os.environ.get("PUREZMQ_JS_CACHE", Path.home() / ".cache" / "purezmq" / "js"))
NODE_MODULES = JS_CACHE / "node_modules"
TIMEOUT = 20.0

if shutil.which("node") is None:
    pytest.skip("node is not installed (needed to drive zeromq.js)", allow_module_level=True)
if not (NODE_MODULES / "zeromq" / "draft.js").exists():
    pytest.skip(
        f"zeromq.js is not installed in {JS_CACHE} (run tests/interop/js/setup.sh)",
        allow_module_level=True,
    )


class NodePeer:
    """The Node process; its stdout is one JSON object a line."""

    def __init__(self, role: str, how: str, endpoint: str, count: int) -> None:
        env = dict(os.environ, NODE_PATH=str(NODE_MODULES), NODE_NO_WARNINGS="1")
        self.proc = subprocess.Popen(
            ["node", str(SCRIPT), role, how, endpoint, str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        self.lines: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            with self._cond:
                self.lines.append(json.loads(raw))
                self._cond.notify_all()
        with self._cond:
            self.lines.append({"eof": True})
            self._cond.notify_all()

    def line(self, index: int) -> dict[str, Any]:
        """The ``index``-th line, waiting for it (bounded)."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.lines) > index, TIMEOUT):
                pytest.fail(f"zeromq.js peer said nothing in {TIMEOUT} s: {self.stderr()}")
            line = self.lines[index]
        if line.get("eof"):
            pytest.fail(f"zeromq.js peer ended early: {self.stderr()}")
        return line

    def wait_lines(self, n: int, timeout: float) -> bool:
        """Whether ``n`` lines arrived within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.lines) >= n, timeout)

    def wait_for(self, match: Callable[[dict[str, Any]], bool], timeout: float) -> bool:
        """Whether a line that ``match``es arrived within ``timeout`` seconds."""
        with self._cond:
            return self._cond.wait_for(lambda: any(map(match, self.lines)), timeout)

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode(errors="replace")

    def finish(self) -> int:
        """Close its stdin (a RADIO stops there) and wait for its exit status."""
        assert self.proc.stdin is not None
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        return self.proc.wait(TIMEOUT)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(TIMEOUT)
        self._reader.join(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(0)


@pytest.fixture
def node() -> Iterator[list[NodePeer]]:
    peers: list[NodePeer] = []
    yield peers
    for peer in peers:
        peer.kill()


def _place(
    ctx: purezmq.Context, kind: int, how: str, peers: list[NodePeer], role: str, count: int
) -> tuple[Any, NodePeer]:
    """purezmq does ``how`` (bind/connect), the Node peer the other."""
    sock = ctx.socket(kind)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = int(TIMEOUT * 1000)
    if how == "bind":
        port = sock.bind_to_random_port("tcp://127.0.0.1")
        peer = NodePeer(role, "connect", f"tcp://127.0.0.1:{port}", count)
        peers.append(peer)
        peer.line(0)
    else:
        peer = NodePeer(role, "bind", "tcp://127.0.0.1:*", count)
        peers.append(peer)
        sock.connect(peer.line(0)["endpoint"])
    return sock, peer


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_server_zeromqjs_client(
    ctx: purezmq.Context, node: list[NodePeer], how: str
) -> None:
    server, peer = _place(ctx, purezmq.SERVER, how, node, "client", 5)
    rids = set()
    for i in range(5):
        frame = server.recv(copy=False)
        assert frame.bytes == b"hello %d" % i
        rids.add(frame.routing_id)
        server.send(b"re " + frame.bytes, routing_id=frame.routing_id)
    assert len(rids) == 1 and 0 < rids.pop() < 2**32
    assert [peer.line(1 + i)["body"] for i in range(5)] == [f"re hello {i}" for i in range(5)]
    assert peer.finish() == 0


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_client_zeromqjs_server(
    ctx: purezmq.Context, node: list[NodePeer], how: str
) -> None:
    client, peer = _place(ctx, purezmq.CLIENT, how, node, "server", 5)
    for i in range(5):
        client.send(b"req %d" % i)
    assert [client.recv() for _ in range(5)] == [b"re req %d" % i for i in range(5)]
    got = [peer.line(1 + i) for i in range(5)]
    assert [g["body"] for g in got] == [f"req {i}" for i in range(5)]
    assert len({g["routingId"] for g in got}) == 1
    assert peer.finish() == 0


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_dish_zeromqjs_radio(ctx: purezmq.Context, node: list[NodePeer], how: str) -> None:
    """Our JOINs reach libzmq's RADIO as commands; only the joined groups come back, with
    their group (two frames on the wire), up to the 255-byte limit."""
    dish = ctx.socket(purezmq.DISH)
    dish.join("weather")
    dish.join("L" * 255)
    dish.linger = 0
    dish.rcvtimeo = int(TIMEOUT * 1000)
    if how == "bind":
        port = dish.bind_to_random_port("tcp://127.0.0.1")
        peer = NodePeer("radio", "connect", f"tcp://127.0.0.1:{port}", 0)
    else:
        peer = NodePeer("radio", "bind", "tcp://127.0.0.1:*", 0)
    node.append(peer)
    endpoint = peer.line(0)["endpoint"]
    if how == "connect":
        dish.connect(endpoint)
    frames = [dish.recv(copy=False) for _ in range(10)]
    assert {f.group for f in frames} <= {"weather", "L" * 255}
    for group, word in (("weather", b"sunny "), ("L" * 255, b"long ")):
        mine = [f.bytes for f in frames if f.group == group]
        assert mine and all(body.startswith(word) for body in mine)
        numbers = [int(body.split()[1]) for body in mine]
        assert numbers == sorted(numbers)
    dish.leave("weather")
    assert peer.finish() == 0


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_radio_zeromqjs_dish(ctx: purezmq.Context, node: list[NodePeer], how: str) -> None:
    """libzmq's DISH joins "weather" and a 255-byte group, joins "news" and leaves it: our
    RADIO sends it only the joined groups, as group frame + body."""
    long_group = "L" * 255
    radio, peer = _place(ctx, purezmq.RADIO, how, node, "dish", 6)
    # Its joins travel asynchronously: publish until it has had 6 messages.
    for i in range(2000):
        radio.send(b"sport %d" % i, group="sport")
        radio.send(b"headline %d" % i, group="news")
        radio.send(b"sunny %d" % i, group="weather")
        radio.send(b"long %d" % i, group=long_group)
        if peer.wait_lines(7, 0.01):
            break
    else:
        pytest.fail(f"zeromq.js DISH got nothing: {peer.stderr()}")
    got = [peer.line(1 + n) for n in range(6)]
    assert {g["group"] for g in got} == {"weather", long_group}
    for g in got:
        assert g["body"].split()[0] == ("sunny" if g["group"] == "weather" else "long")
    assert peer.proc.wait(TIMEOUT) == 0


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_gather_zeromqjs_scatter(
    ctx: purezmq.Context, node: list[NodePeer], how: str
) -> None:
    gather, peer = _place(ctx, purezmq.GATHER, how, node, "scatter", 20)
    got: list[bytes] = []
    try:
        while len(got) < 20:
            got.append(gather.recv())
    except purezmq.Again:
        pytest.fail(f"got {got}; zeromq.js said {peer.lines}, exit {peer.proc.poll()}")
    assert got == [b"part %d" % i for i in range(20)]
    peer.finish()


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_scatter_zeromqjs_gather(
    ctx: purezmq.Context, node: list[NodePeer], how: str
) -> None:
    scatter, peer = _place(ctx, purezmq.SCATTER, how, node, "gather", 20)
    for i in range(20):
        scatter.send(b"part %d" % i)
    assert [peer.line(1 + i)["body"] for i in range(20)] == [f"part {i}" for i in range(20)]
    assert peer.finish() == 0


@pytest.mark.parametrize("how", ["bind", "connect"])
def test_purezmq_channel_zeromqjs_channel(
    ctx: purezmq.Context, node: list[NodePeer], how: str
) -> None:
    channel, peer = _place(ctx, purezmq.CHANNEL, how, node, "channel", 5)
    for i in range(5):
        channel.send(b"msg %d" % i)
        assert channel.recv() == b"re msg %d" % i
    assert [peer.line(1 + i)["body"] for i in range(5)] == [f"msg {i}" for i in range(5)]
    assert peer.finish() == 0


def test_purezmq_connect_peer_to_zeromqjs_peer(ctx: purezmq.Context, node: list[NodePeer]) -> None:
    peer = NodePeer("peer", "bind", "tcp://127.0.0.1:*", 3)
    node.append(peer)
    sock = ctx.socket(purezmq.PEER)
    sock.linger = 0
    rid = sock.connect_peer(peer.line(0)["endpoint"])
    assert 0 < rid < 2**32
    for i in range(3):
        sock.send(b"hello %d" % i, routing_id=rid)  # queued until the connection is made
    assert [peer.line(1 + i)["body"] for i in range(3)] == [f"hello {i}" for i in range(3)]
    assert peer.finish() == 0


def test_hello_and_disconnect_messages_both_ways(
    ctx: purezmq.Context, node: list[NodePeer]
) -> None:
    """HELLO_MSG reaches the peer first and DISCONNECT_MSG is delivered, with the departed
    peer's routing id, when an accepted connection goes (libzmq 4.3.5's draft options)."""
    peer = NodePeer("server_notices", "bind", "tcp://127.0.0.1:*", 2)
    node.append(peer)
    client = ctx.socket(purezmq.CLIENT)
    client.linger = 0
    client.rcvtimeo = int(TIMEOUT * 1000)
    client.hello_msg = b"hello from purezmq"
    client.connect(peer.line(0)["endpoint"])
    assert client.recv() == b"hello from libzmq"
    assert peer.line(1)["body"] == "hello from purezmq"
    client.close()
    gone = peer.line(2)
    assert gone["body"] == "gone" and gone["routingId"] == peer.line(1)["routingId"]
    assert peer.finish() == 0

    server = ctx.socket(purezmq.SERVER)
    server.linger = 0
    server.rcvtimeo = int(TIMEOUT * 1000)
    server.hello_msg = b"hello from purezmq"
    server.disconnect_msg = b"gone"
    port = server.bind_to_random_port("tcp://127.0.0.1")
    other = NodePeer("client_hello", "connect", f"tcp://127.0.0.1:{port}", 1)
    node.append(other)
    assert other.line(1)["body"] == "hello from purezmq"
    bye = server.recv(copy=False)
    assert bye.bytes == b"bye"
    gone_frame = server.recv(copy=False)
    assert (gone_frame.bytes, gone_frame.routing_id) == (b"gone", bye.routing_id)
    assert other.finish() == 0


# -- udp:// (libzmq's RADIO/DISH datagrams) ---------------------------------------------------
# libzmq lets only a DISH bind and only a RADIO connect over udp; both ways are below, unicast
# and multicast on the loopback interface. libzmq opens its udp socket on its I/O thread after
# zmq_bind() returns, so a RADIO's first datagrams may find no receiver yet: each test first
# sends until one message arrives, then counts exactly, in rounds (UDP drops what overflows a
# receiver's kernel buffer; rounds keep that from happening).

MULTICAST_GROUP = "239.193.7.12"


def free_udp_port() -> int:
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = int(probe.getsockname()[1])
    probe.close()
    return port


def _has_body(body: str) -> Callable[[dict[str, Any]], bool]:
    return lambda line: line.get("body") == body


def _udp_address(multicast: bool) -> str:
    port = free_udp_port()
    return f"udp://127.0.0.1;{MULTICAST_GROUP}:{port}" if multicast else f"udp://127.0.0.1:{port}"


@pytest.mark.parametrize("multicast", [False, True], ids=["unicast", "multicast"])
def test_udp_purezmq_dish_binds_zeromqjs_radio_connects(
    ctx: purezmq.Context, node: list[NodePeer], multicast: bool
) -> None:
    """zeromq.js's RADIO publishes "sport", "weather" and a 255-byte group every 5 ms; our
    DISH gets only what it joined, in order per group, and follows a leave and a join."""
    endpoint = _udp_address(multicast)
    long_group = "L" * 255
    dish = ctx.socket(purezmq.DISH)
    dish.linger = 0
    dish.rcvtimeo = int(TIMEOUT * 1000)
    dish.bind(endpoint)
    dish.join("weather")
    dish.join(long_group)
    peer = NodePeer("radio", "connect", endpoint, 0)
    node.append(peer)
    peer.line(0)
    frames = [dish.recv(copy=False) for _ in range(200)]
    assert {f.group for f in frames} == {"weather", long_group}
    for group, word in (("weather", "sunny"), (long_group, "long")):
        numbers = [
            int(f.bytes.split()[1])
            for f in frames
            if f.group == group and f.bytes.startswith(word.encode())
        ]
        assert len(numbers) == len([f for f in frames if f.group == group])
        # Unicast or multicast on loopback loses nothing at this rate: consecutive numbers.
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    dish.leave("weather")
    dish.join("sport")
    later = [dish.recv(copy=False) for _ in range(40)]
    assert {f.group for f in later} <= {"sport", long_group}
    assert any(f.group == "sport" and f.bytes.startswith(b"sport ") for f in later)
    assert peer.finish() == 0


@pytest.mark.parametrize("multicast", [False, True], ids=["unicast", "multicast"])
def test_udp_zeromqjs_dish_binds_purezmq_radio_connects(
    ctx: purezmq.Context, node: list[NodePeer], multicast: bool
) -> None:
    """zeromq.js's DISH joins "weather", "news" and a 127-byte group, then leaves "news"; our
    RADIO sends four groups in rounds and the DISH reports every joined message, none lost.
    (libzmq 4.3.5 aborts on a udp group longer than 127 bytes: see ``udp_dish`` in the script.)"""
    endpoint = _udp_address(multicast)
    long_group = "L" * 127
    rounds = 150
    # It reports warm-ups too, then closes after the count: room for those.
    peer = NodePeer("udp_dish", "bind", endpoint, 2 * rounds + 1000)
    node.append(peer)
    peer.line(0)
    radio = ctx.socket(purezmq.RADIO)
    radio.linger = 0
    radio.connect(endpoint)
    # Until libzmq's udp socket is open: the first report.
    for _ in range(2000):
        radio.send(b"warm-up", group="weather")
        if peer.wait_lines(2, 0.01):
            break
    else:
        pytest.fail(f"zeromq.js DISH got nothing: {peer.stderr()}")
    for i in range(rounds):
        radio.send(b"sport %d" % i, group="sport")
        radio.send(b"headline %d" % i, group="news")
        radio.send(b"sunny %d" % i, group="weather")
        radio.send(b"long %d" % i, group=long_group)
        if not peer.wait_for(_has_body(f"long {i}"), TIMEOUT):
            pytest.fail(f"round {i}: zeromq.js DISH reported {peer.lines[-3:]}")
    got = [g for g in peer.lines[1:] if g.get("body") != "warm-up"]
    assert [(g["group"], g["body"]) for g in got] == [
        pair
        for i in range(rounds)
        for pair in (("weather", f"sunny {i}"), (long_group, f"long {i}"))
    ]
