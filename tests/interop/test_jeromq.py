"""JeroMQ, ZeroMQ in pure Java, as the peer: Debian's ``libjeromq-java`` (0.3.6, a port of libzmq
3.2 that speaks ZMTP 2.0, RFC 15) over tcp. REQ/REP, PUB/SUB (subscriptions in their message
form, ``01 topic`` / ``00 topic``, seen on both sides through XPUB), PUSH/PULL and DEALER/ROUTER
with routing ids, each pattern with the purezmq socket on either end and either side binding.
Security: ZMTP 2.0 has none, so a PLAIN socket refuses JeroMQ with a monitor event.

A small Java program (``jeromq/Peer.java``) plays the JeroMQ side, one JVM per test, driven by
lines on its stdin. ``jeromq/setup.sh`` installs the jar and a JDK and compiles it; without
them the tests skip, saying which is missing.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event

from ..kit.libzmq import events_until

SOURCE = Path(__file__).parent / "jeromq" / "Peer.java"
JAR = Path(os.environ.get("PUREZMQ_JEROMQ_JAR", "/usr/share/java/jeromq.jar"))
BUILD = Path(os.environ.get("PUREZMQ_JEROMQ_BUILD", Path.home() / ".cache" / "purezmq" / "jeromq"))
#: How long the JeroMQ peer waits for a message, and (longer) how long we wait for its answer.
TIMEOUT_MS = 10_000
TIMEOUT = 20.0

if shutil.which("java") is None:
    pytest.skip(
        "java is not installed (tests/interop/jeromq/setup.sh installs a JDK)",
        allow_module_level=True,
    )
if not JAR.is_file():
    pytest.skip(
        f"JeroMQ is not installed at {JAR} (tests/interop/jeromq/setup.sh installs libjeromq-java)",
        allow_module_level=True,
    )


def _built_peer() -> Path:
    """The directory holding ``Peer.class``, compiled now if it is missing or older than its
    source (``setup.sh`` compiles it for CI)."""
    compiled = BUILD / "Peer.class"
    if compiled.exists() and compiled.stat().st_mtime >= SOURCE.stat().st_mtime:
        return BUILD
    if shutil.which("javac") is None:
        pytest.skip("javac is not installed (tests/interop/jeromq/setup.sh installs a JDK)")
    BUILD.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["javac", "-d", str(BUILD), "-cp", str(JAR), str(SOURCE)],
        check=True,
        timeout=120,
        capture_output=True,
    )
    return BUILD


def hexed(frame: bytes) -> str:
    return frame.hex() if frame else "-"


class JeromqPeer:
    """The JVM running ``Peer``: one socket, one command line in, one answer line out."""

    def __init__(self, type_name: str, how: str, endpoint: str, routing_id: bytes = b"") -> None:
        classpath = f"{JAR}{os.pathsep}{_built_peer()}"
        args = ["java", "-cp", classpath, "Peer", type_name, how, endpoint]
        if routing_id:
            args.append(routing_id.hex())
        self.proc = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ready = self._answer()
        assert ready.startswith("READY "), ready
        self.endpoint = ready.split(" ", 1)[1]

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def _answer(self) -> str:
        try:
            line = self._lines.get(timeout=TIMEOUT)
        except queue.Empty:
            pytest.fail(f"the JeroMQ peer said nothing in {TIMEOUT} s")
        if line is None:
            self.proc.wait(TIMEOUT)
            assert self.proc.stderr is not None
            pytest.fail(f"the JeroMQ peer ended: {self.proc.stderr.read()}")
        return line

    def command(self, line: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self._answer()

    def send(self, *frames: bytes) -> None:
        assert self.command("send " + " ".join(hexed(f) for f in frames)) == "SENT"

    def recv(self, timeout_ms: int = TIMEOUT_MS) -> list[bytes] | None:
        """One message, or None when none came within ``timeout_ms``."""
        answer = self.command(f"recv {timeout_ms}")
        if answer == "TIMEOUT":
            return None
        words = answer.split(" ")
        assert words[0] == "MSG", answer
        return [b"" if w == "-" else bytes.fromhex(w) for w in words[1:]]

    def quit(self) -> None:
        assert self.command("quit") == "BYE"
        assert self.proc.wait(TIMEOUT) == 0

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(TIMEOUT)
        self._reader.join(TIMEOUT)
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def jvms() -> Iterator[list[JeromqPeer]]:
    peers: list[JeromqPeer] = []
    yield peers
    for peer in peers:
        peer.kill()


def place(
    ctx: purezmq.Context,
    jvms: list[JeromqPeer],
    pure_type: int,
    java_type: str,
    pure_binds: bool,
    routing_id: bytes = b"",
    java_routing_id: bytes = b"",
) -> tuple[Any, JeromqPeer]:
    """A purezmq socket and a JeroMQ one, connected; the purezmq one binds if ``pure_binds``."""
    sock = ctx.socket(pure_type)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = TIMEOUT_MS
    if routing_id:
        sock.routing_id = routing_id
    if pure_binds:
        port = sock.bind_to_random_port("tcp://127.0.0.1")
        peer = JeromqPeer(java_type, "connect", f"tcp://127.0.0.1:{port}", java_routing_id)
    else:
        peer = JeromqPeer(java_type, "bind", "tcp://127.0.0.1:*", java_routing_id)
        sock.connect(peer.endpoint)
    jvms.append(peer)
    return sock, peer


BINDS = pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "jeromq-binds"])


def request(i: int) -> list[bytes]:
    # A long frame (over 255 bytes) in every other message: ZMTP 2.0's 8-byte size form.
    return [b"req-%d" % i, b"x" * (300 * (i % 2))]


@BINDS
def test_purezmq_req_jeromq_rep(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    req, rep = place(pure_ctx, jvms, purezmq.REQ, "REP", pure_binds)
    for i in range(4):
        req.send_multipart(request(i))
        assert rep.recv() == request(i)
        rep.send(b"re", b"%d" % i)
        assert req.recv_multipart() == [b"re", b"%d" % i]
    rep.quit()


@BINDS
def test_jeromq_req_purezmq_rep(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    rep, req = place(pure_ctx, jvms, purezmq.REP, "REQ", pure_binds)
    for i in range(4):
        req.send(*request(i))
        assert rep.recv_multipart() == request(i)
        rep.send_multipart([b"re", b"%d" % i])
        assert req.recv() == [b"re", b"%d" % i]
    req.quit()


@BINDS
def test_purezmq_push_jeromq_pull(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    push, pull = place(pure_ctx, jvms, purezmq.PUSH, "PULL", pure_binds)
    for i in range(10):
        push.send_multipart(request(i))
    for i in range(10):
        assert pull.recv() == request(i)
    pull.quit()


@BINDS
def test_jeromq_push_purezmq_pull(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    pull, push = place(pure_ctx, jvms, purezmq.PULL, "PUSH", pure_binds)
    for i in range(10):
        push.send(*request(i))
    for i in range(10):
        assert pull.recv_multipart() == request(i)
    push.quit()


@BINDS
def test_purezmq_router_jeromq_dealer(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    router, dealer = place(
        pure_ctx, jvms, purezmq.ROUTER, "DEALER", pure_binds, java_routing_id=b"jdealer"
    )
    for i in range(3):
        dealer.send(b"hello", b"%d" % i, b"y" * 300)
        # The routing id is the one in JeroMQ's identity message (RFC 15's handshake).
        assert router.recv_multipart() == [b"jdealer", b"hello", b"%d" % i, b"y" * 300]
        router.send_multipart([b"jdealer", b"", b"re %d" % i])
        assert dealer.recv() == [b"", b"re %d" % i]
    dealer.quit()


@BINDS
def test_purezmq_dealer_jeromq_router(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    dealer, router = place(
        pure_ctx, jvms, purezmq.DEALER, "ROUTER", pure_binds, routing_id=b"pz-dealer"
    )
    for i in range(3):
        dealer.send_multipart([b"", b"hello %d" % i])
        assert router.recv() == [b"pz-dealer", b"", b"hello %d" % i]
        router.send(b"pz-dealer", b"", b"re %d" % i, b"z" * 300)
        assert dealer.recv_multipart() == [b"", b"re %d" % i, b"z" * 300]
    router.quit()


def _publish_until_received(
    publish: Any, receive: Any, topic: bytes, other: bytes, rounds: int = 200
) -> list[Any]:
    """Publish ``topic`` and ``other`` messages in turns until one arrives (the subscription
    travels upstream first: slow joiner); returns what arrived in that round."""
    for i in range(rounds):
        publish(other + b"-%d" % i)
        publish(topic + b"-%d" % i)
        got = receive()
        if got is not None:
            return [got]
    pytest.fail(f"nothing published on {topic!r} arrived in {rounds} rounds")


@BINDS
def test_purezmq_pub_jeromq_sub_topic_filters(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    pub, sub = place(pure_ctx, jvms, purezmq.PUB, "SUB", pure_binds)
    assert sub.command("sub " + b"t".hex()) == "OK"
    (first,) = _publish_until_received(pub.send, lambda: sub.recv(50), b"t", b"other")
    # Only the subscribed topic, and every later message of it in order.
    assert first[0].startswith(b"t-")
    pub.send(b"other-last")
    pub.send(b"t-last")
    assert sub.recv() == [b"t-last"]
    # Move the subscription from t to u: u messages come, t ones stop.
    assert sub.command("unsub " + b"t".hex()) == "OK"
    assert sub.command("sub " + b"u".hex()) == "OK"
    (moved,) = _publish_until_received(pub.send, lambda: sub.recv(50), b"u", b"t")
    assert moved[0].startswith(b"u-"), moved
    pub.send(b"t-after")
    pub.send(b"u-after")
    assert sub.recv() == [b"u-after"]
    sub.quit()


@BINDS
def test_jeromq_sub_subscriptions_reach_purezmq_xpub(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    """JeroMQ sends SUBSCRIBE/CANCEL as ZMTP 2.0 does, ``01 topic`` / ``00 topic`` messages;
    purezmq's XPUB shows them as they came."""
    xpub, sub = place(pure_ctx, jvms, purezmq.XPUB, "SUB", pure_binds)
    assert sub.command("sub " + b"weather".hex()) == "OK"
    # Like libzmq, JeroMQ attaches an accepted connection (and sends it the subscriptions)
    # only when its socket is next used: a short recv lets it.
    for _ in range(200):
        if xpub.poll(20):
            break
        assert sub.recv(20) is None
    assert xpub.recv() == b"\x01weather"
    xpub.send(b"weather sunny")
    assert sub.recv() == [b"weather sunny"]
    assert sub.command("unsub " + b"weather".hex()) == "OK"
    assert xpub.recv() == b"\x00weather"
    sub.quit()


@BINDS
def test_jeromq_pub_purezmq_sub_topic_filters(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer], pure_binds: bool
) -> None:
    sub, pub = place(pure_ctx, jvms, purezmq.SUB, "PUB", pure_binds)
    sub.subscribe(b"t")
    sub.rcvtimeo = 50

    def receive() -> bytes | None:
        try:
            return bytes(sub.recv())
        except purezmq.Again:
            return None

    (first,) = _publish_until_received(lambda m: pub.send(m), receive, b"t", b"other")
    assert first.startswith(b"t-")
    sub.unsubscribe(b"t")
    sub.subscribe(b"u")
    (moved,) = _publish_until_received(lambda m: pub.send(m), receive, b"u", b"t")
    assert moved.startswith(b"u-")
    pub.send(b"t-after")
    pub.send(b"u-after")
    sub.rcvtimeo = TIMEOUT_MS
    assert sub.recv() == b"u-after"
    pub.quit()


def test_purezmq_sub_subscriptions_reach_jeromq_xpub(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer]
) -> None:
    """purezmq sends a ZMTP 2.0 peer its subscriptions as messages, never as 3.1 commands.
    (JeroMQ 0.3.6's XPUB binds here: when it connects it shows no subscriptions, libzmq's
    included; the PUB/SUB test above proves a connecting JeroMQ PUB gets ours.)"""
    sub, xpub = place(pure_ctx, jvms, purezmq.SUB, "XPUB", pure_binds=False)
    sub.subscribe(b"weather")
    assert xpub.recv() == [b"\x01weather"]
    xpub.send(b"weather rainy")
    assert sub.recv() == b"weather rainy"
    sub.unsubscribe(b"weather")
    assert xpub.recv() == [b"\x00weather"]
    xpub.quit()


def test_monitor_reports_the_jeromq_handshake(
    pure_ctx: purezmq.Context, jvms: list[JeromqPeer]
) -> None:
    pull = pure_ctx.socket(purezmq.PULL)
    pull.linger = 0
    mon = pull.get_monitor_socket()
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    jvms.append(push := JeromqPeer("PUSH", "connect", f"tcp://127.0.0.1:{port}"))
    events = events_until(mon, Event.HANDSHAKE_SUCCEEDED)
    assert [e for e, _, _ in events][-2:] == [Event.ACCEPTED, Event.HANDSHAKE_SUCCEEDED]
    push.quit()
    events_until(mon, Event.DISCONNECTED)
    pull.disable_monitor()
    mon.close()


def test_plain_server_refuses_jeromq(pure_ctx: purezmq.Context, jvms: list[JeromqPeer]) -> None:
    """ZMTP 2.0 has no security handshake: a socket with a mechanism refuses the peer (as
    libzmq does) with a protocol-error event, and stays open for others."""
    rep = pure_ctx.socket(purezmq.REP)
    rep.linger = 0
    rep.plain_server = True
    mon = rep.get_monitor_socket()
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    started = time.monotonic()
    jvms.append(JeromqPeer("REQ", "connect", f"tcp://127.0.0.1:{port}"))
    events = events_until(mon, Event.HANDSHAKE_FAILED_PROTOCOL)
    assert Event.HANDSHAKE_SUCCEEDED not in [e for e, _, _ in events]
    assert time.monotonic() - started < TIMEOUT
    rep.disable_monitor()
    mon.close()
