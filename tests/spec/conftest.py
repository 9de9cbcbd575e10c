"""Shared machinery for the RFC 28/29/30/31 spec tests.

Every spec test is decorated with :func:`matrix` and takes the ``net`` fixture. It runs once per
library (``pyzmq`` = real libzmq, the reference that proves the test right; ``purezmq`` = the
product) and per transport (inproc, ipc, tcp). ``net`` owns a context and every socket made
through it, and closes them all afterwards.

Known purezmq bugs are declared on the test itself, ``@matrix(bugs={"tcp": "purezmq bug: ..."})``
(key ``"*"`` = every transport); they become strict xfails on exactly those purezmq cases, so the
suite stays green and each xfail documents one bug.

Nothing here sleeps to let things settle: waits are on events (poll with a bound), and PUB/SUB
slow joiners are handled by publishing probes until one arrives.
"""

from __future__ import annotations

import itertools
import os
import select
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

import purezmq

from ..kit.libzmq import free_tcp_port

pyzmq = pytest.importorskip("zmq")

LIBS: dict[str, Any] = {"pyzmq": pyzmq, "purezmq": purezmq}
TRANSPORTS = ("inproc", "ipc", "tcp")

#: Bound on any blocking call of a socket made by ``net`` (ms). Tests never rely on reaching it
#: except where a test says so (then it passes a smaller ``timeout``).
TIMEOUT_MS = 3000
#: How long a test waits to conclude that something does *not* arrive (ms).
QUIET_MS = 300
#: Bound for the probe / wait loops (s).
DEADLINE_S = 10.0

_names = itertools.count()


def matrix(
    *,
    transports: Sequence[str] = TRANSPORTS,
    bugs: dict[str, str] | None = None,
    pyzmq_skip: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Parametrise a test over lib × transport through the indirect ``net`` fixture.

    ``bugs`` maps a transport (or ``"*"``) to the reason of a strict xfail of the purezmq case;
    ``pyzmq_skip`` does the same with a skip of the pyzmq case (only where libzmq itself differs).
    """
    bugs = bugs or {}
    pyzmq_skip = pyzmq_skip or {}
    params = []
    for lib in LIBS:
        for transport in transports:
            marks: list[Any] = []
            if lib == "purezmq":
                reason = bugs.get(transport, bugs.get("*"))
                if reason is not None:
                    marks.append(pytest.mark.xfail(strict=True, reason=reason))
            else:
                reason = pyzmq_skip.get(transport, pyzmq_skip.get("*"))
                if reason is not None:
                    marks.append(pytest.mark.skip(reason=reason))
            params.append(pytest.param((lib, transport), id=f"{lib}-{transport}", marks=marks))
    return pytest.mark.parametrize("net", params, indirect=True)


class Net:
    """One context, the sockets made from it, and endpoints for one transport."""

    def __init__(self, lib: str, transport: str, tmpdir: str) -> None:
        self.lib = lib
        self.transport = transport
        self.zmq: Any = LIBS[lib]
        self.ctx: Any = self.zmq.Context()
        self.tmpdir = tmpdir
        self.sockets: list[Any] = []

    # -- sockets ---------------------------------------------------------------------------
    def socket(self, kind: str, *, timeout: int = TIMEOUT_MS, **options: Any) -> Any:
        """A socket of type ``kind`` ("REQ"...) with LINGER 0, bounded RCVTIMEO/SNDTIMEO and
        ``options`` (option name in any case → value) applied in order."""
        sock = self.ctx.socket(getattr(self.zmq, kind))
        self.sockets.append(sock)
        sock.setsockopt(self.zmq.LINGER, 0)
        sock.setsockopt(self.zmq.RCVTIMEO, timeout)
        sock.setsockopt(self.zmq.SNDTIMEO, timeout)
        for name, value in options.items():
            sock.setsockopt(getattr(self.zmq, name.upper()), value)
        return sock

    def close(self, sock: Any) -> None:
        sock.close(linger=0)
        if sock in self.sockets:
            self.sockets.remove(sock)

    def teardown(self) -> None:
        for sock in self.sockets:
            sock.close(linger=0)
        self.sockets.clear()
        self.ctx.term()

    # -- endpoints -------------------------------------------------------------------------
    def endpoint(self) -> str:
        """A fresh endpoint to bind (tcp uses port ``*``)."""
        n = next(_names)
        if self.transport == "inproc":
            return f"inproc://spec-{os.getpid()}-{n}"
        if self.transport == "ipc":
            return f"ipc://{os.path.join(self.tmpdir, f's{n}')}"
        return "tcp://127.0.0.1:*"

    def future_endpoint(self) -> str:
        """A concrete endpoint nobody has bound yet (to connect before the bind)."""
        if self.transport == "tcp":
            return f"tcp://127.0.0.1:{free_tcp_port()}"
        return self.endpoint()

    def bind(self, sock: Any, endpoint: str | None = None) -> str:
        sock.bind(endpoint or self.endpoint())
        last: bytes = sock.getsockopt(self.zmq.LAST_ENDPOINT)
        return last.decode()

    def connect(self, sock: Any, endpoint: str) -> None:
        sock.connect(endpoint)

    # -- helpers ---------------------------------------------------------------------------
    def pair(self, bind_kind: str, connect_kind: str, **options: Any) -> tuple[Any, Any]:
        """Bind a ``bind_kind`` socket, connect a ``connect_kind`` one to it."""
        a = self.socket(bind_kind, **options)
        b = self.socket(connect_kind, **options)
        self.connect(b, self.bind(a))
        return a, b

    def assert_again(self, call: Callable[[], Any]) -> None:
        """``call()`` must raise zmq.Again (EAGAIN)."""
        with pytest.raises(self.zmq.Again):
            call()

    def assert_errno(self, errno: int, call: Callable[[], Any]) -> None:
        with pytest.raises(self.zmq.ZMQError) as info:
            call()
        assert info.value.errno == errno, (info.value.errno, info.value)

    def nothing_arrives(self, sock: Any, ms: int = QUIET_MS) -> bool:
        """True if ``sock`` has no message readable within ``ms``."""
        return bool(sock.poll(ms, self.zmq.POLLIN) == 0)

    def wait_until(self, predicate: Callable[[], bool], what: str, sock: Any = None) -> None:
        """Until ``predicate()`` is true, bounded by DEADLINE_S.

        With ``sock``, between tries it waits for that socket's ZMQ_FD to turn readable: both
        libraries signal it when a command reaches the socket (a peer's pipe attached or
        terminated), and reading EVENTS processes those commands and re-arms it. Without, the
        predicate paces itself (it blocks on a poll of its own).
        """
        deadline = time.monotonic() + DEADLINE_S
        fd = None if sock is None else sock.getsockopt(self.zmq.FD)
        while True:
            if sock is not None:
                sock.getsockopt(self.zmq.EVENTS)
            if predicate():
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out waiting for {what}")
            if fd is not None:
                select.select([fd], [], [], left)

    def sync_subscribers(self, pub: Any, subs: Sequence[Any], probe: bytes = b"") -> None:
        """Publish ``probe``-prefixed probes from ``pub`` until every SUB in ``subs`` got one,
        then an end marker that each SUB reads up to, so all probes are consumed.

        Every SUB must hold a subscription matching ``probe``.
        """
        pending = list(subs)
        deadline = time.monotonic() + DEADLINE_S
        while pending:
            if time.monotonic() > deadline:
                raise AssertionError("subscribers never received a probe")
            pub.send(probe + b"\x00probe")
            pending = [s for s in pending if s.poll(20, self.zmq.POLLIN) == 0]
        # End marker: read up to it so no probe is left. It is re-sent only if it does not show
        # up (a full queue may drop it), so a surplus marker can follow only in tests that
        # overflow a queue; those skip it (see ``overflow``).
        marker = probe + b"\x00end-of-probes"
        expected = ([probe + b"\x00probe"], [marker])
        waiting = list(subs)
        while waiting:
            if time.monotonic() > deadline:
                raise AssertionError("subscribers never received the end marker")
            pub.send(marker)
            for sub in list(waiting):
                while sub.poll(200, self.zmq.POLLIN):
                    frames = sub.recv_multipart()
                    assert frames in expected, frames
                    if frames == [marker]:
                        waiting.remove(sub)
                        break

    def sync_pipes(self, sender: Any, receivers: Sequence[Any], probe: bytes = b"probe") -> None:
        """For a load-balancing ``sender`` (PUSH/DEALER): send probes until every receiver got at
        least one, so every receiver's pipe is attached at the sender; then drain all probes."""
        got = [0] * len(receivers)
        sent = 0
        deadline = time.monotonic() + DEADLINE_S
        while not all(got):
            if time.monotonic() > deadline:
                raise AssertionError(f"probes never reached every receiver: {got}")
            sender.send(probe)
            sent += 1
            for i, r in enumerate(receivers):
                while r.poll(0 if got[i] else 10, self.zmq.POLLIN):
                    assert r.recv() == probe
                    got[i] += 1
        while sum(got) < sent:
            for i, r in enumerate(receivers):
                while r.poll(10, self.zmq.POLLIN):
                    assert r.recv() == probe
                    got[i] += 1
            if time.monotonic() > deadline:
                raise AssertionError("probes lost")


@pytest.fixture
def net(request: pytest.FixtureRequest) -> Iterator[Net]:
    lib, transport = request.param
    with tempfile.TemporaryDirectory(prefix="pzspec-") as tmpdir:
        n = Net(lib, transport, tmpdir)
        try:
            yield n
        finally:
            n.teardown()


def fair_queue(
    net: Net,
    recv: Callable[[], list[bytes]],
    send_a: Callable[[list[bytes]], None],
    send_b: Callable[[list[bytes]], None],
    *,
    hello: bool = True,
    flood: int = 200,
    fair: bool = True,
    receiver: Any = None,
) -> None:
    """Check fair-queuing at a receiver fed by two senders A and B.

    ``recv`` returns one message as the application sees it (without routing envelope). With
    ``hello`` both senders first say hello and the receiver reads both (so both peers are
    attached). Then B sends one message and A floods ``flood`` messages, all three-frame: B's
    message must not wait behind A's whole flood (unless ``fair`` is false). Every message
    arrives whole and A's in order. ``receiver`` is the receiving socket (default: the socket
    ``recv`` is a method of).
    """
    if hello:
        send_a([b"A", b"hello", b"end"])
        send_b([b"B", b"hello", b"end"])
        hellos = sorted(tuple(recv()) for _ in range(2))
        assert hellos == [(b"A", b"hello", b"end"), (b"B", b"hello", b"end")]
    send_b([b"B", b"0", b"end"])
    # Fair-queuing is about messages *available*: B's message is at the receiver before A's
    # flood starts. (Otherwise a purezmq reader holding the GIL can take A's whole flood while
    # its I/O thread, which already read B's message off the wire, waits to deliver it.)
    if receiver is None:
        receiver = recv.__self__  # type: ignore[attr-defined]
    assert receiver.poll(DEADLINE_S * 1000, net.zmq.POLLIN), "B's message never arrived"
    for i in range(flood):
        send_a([b"A", b"%d" % i, b"end"])
    position = None
    a_seen = 0
    for n in range(flood + 1):
        msg = recv()
        assert len(msg) == 3 and msg[2] == b"end", msg
        if msg[0] == b"B":
            assert msg[1] == b"0"
            position = n
        else:
            assert msg == [b"A", b"%d" % a_seen, b"end"]
            a_seen += 1
    assert position is not None
    # libzmq itself does not read B's message first or second even over inproc (a reader
    # activation may wait for the throttled command processing), so "not starved" is the check.
    if fair:
        assert position < flood, "B's message waited behind A's whole flood"


def overflow(
    net: Net,
    send: Callable[[list[bytes]], None],
    receiver: Any,
    *,
    size: int = 16384,
    first: int = 64,
    cap: int = 4096,
) -> None:
    """Flood a non-reading receiver through a drop-on-full sender, without ever blocking.

    Each round sends ``n`` two-frame messages with ``send`` (which must use DONTWAIT: any
    exception fails the test), then drains ``receiver`` by re-sending an end marker until one
    gets through. Rounds grow ×4 until a message is lost (bounded by ``cap``). What arrives is a
    whole-message, in-order subsequence of what was sent.
    """
    payload = b"x" * size
    n = first
    rnd = 0
    while True:
        rnd += 1
        for i in range(n):
            send([b"data-%d-%d" % (rnd, i), payload])
        marker = b"mark-%d" % rnd
        got: list[int] = []
        deadline = time.monotonic() + DEADLINE_S
        done = False
        while not done:
            assert time.monotonic() < deadline, "end marker never got through"
            send([marker, b""])
            while receiver.poll(20, net.zmq.POLLIN):
                msg = receiver.recv_multipart()
                if msg[-1].endswith(b"\x00end-of-probes"):
                    continue  # surplus marker of the probe sync
                assert len(msg) == 2, [f[:20] for f in msg]
                if msg[0] == marker:
                    done = True
                    break
                if msg[0].startswith(b"mark-"):
                    continue  # a surplus marker of an earlier round
                prefix = b"data-%d-" % rnd
                assert msg[0].startswith(prefix) and msg[1] == payload
                got.append(int(msg[0][len(prefix) :]))
        assert got == sorted(got) and len(set(got)) == len(got)
        if len(got) < n:
            return
        assert n < cap, f"{n} messages to a non-reading peer were all queued, none dropped"
        n *= 4


def fill_until_again(net: Net, send: Callable[[list[bytes]], None], cap: int = 4096) -> int:
    """Send numbered 16 KiB two-frame messages with ``send`` (DONTWAIT) until zmq.Again;
    returns how many were accepted (bounded by ``cap``)."""
    payload = b"p" * 16384
    sent = 0
    while True:
        assert sent < cap, "a peer that reads nothing never filled up"
        try:
            send([b"%d" % sent, payload])
        except net.zmq.Again:
            return sent
        sent += 1


def drain_numbered(sock: Any, count: int) -> None:
    """Receive exactly the ``count`` messages ``fill_until_again`` queued, in order."""
    payload = b"p" * 16384
    for i in range(count):
        assert sock.recv_multipart() == [b"%d" % i, payload]
