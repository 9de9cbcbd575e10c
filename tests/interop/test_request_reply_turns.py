"""The short path of a sync request/reply turn, against real libzmq (pyzmq) in both roles.

A REQ's request or a REP's reply of one short frame is encoded and written by the owner
thread in one call (``ThreadPeer._on_read_activated`` with ``Connection.encode_turn``), and
the read that brings the answer goes to the pipe in one call (``ThreadPeer.buffer_updated``
with ``Connection.receive_turn``). These tests check that the short path is taken, and that
every way out of it (a long or multipart message, a refused or short write, a full inbound
pipe) still delivers every byte in order.
"""

from __future__ import annotations

import errno
from typing import Any

import pytest

import purezmq
from purezmq._engine import owner_writes
from purezmq._engine.owner_writes import ThreadPeer
from purezmq.zmtp import Connection

from .conftest import endpoint_for, libzmq_pair

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT_MS = 10_000


@pytest.fixture
def general_writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the owner-thread writes that leave the short path (``_write_from_owner``)."""
    calls: list[int] = []
    original = ThreadPeer._write_from_owner

    def counted(self: ThreadPeer) -> bool:
        calls.append(1)
        return original(self)

    monkeypatch.setattr(ThreadPeer, "_write_from_owner", counted)
    return calls


@pytest.fixture
def general_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the reads of thread-owned connections that leave the short path (``_after_io``
    runs for those, and for connection events)."""
    calls: list[int] = []
    original = ThreadPeer._after_io

    def counted(self: ThreadPeer) -> None:
        calls.append(1)
        original(self)

    monkeypatch.setattr(ThreadPeer, "_after_io", counted)
    return calls



def _stats(sock: Any) -> Any:
    return sock._core.statistics()


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
def test_req_turns_take_the_short_path(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    transport: str,
    ipc_dir: str,
    pure_binds: bool,
    general_writes: list[int],
    general_reads: list[int],
) -> None:
    req, rep = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.REQ, zmq.REP, transport, ipc_dir, pure_binds
    )
    req.send(b"warm-up")
    assert rep.recv() == b"warm-up"
    rep.send(b"ok")
    assert req.recv() == b"ok"
    general_writes.clear()
    general_reads.clear()
    for i in range(200):
        body = b"%d" % i * (i % 80)  # 0 to 237 bytes: all short frames
        req.send(body)
        assert rep.recv() == body
        rep.send(body[::-1])
        assert req.recv() == body[::-1]
    assert general_writes == []
    assert general_reads == []
    # Every request after the warm-up's (queued before the handshake ended, perhaps).
    assert _stats(req).direct_writes >= 200
    assert _stats(req).pattern.messages_out == 201
    assert _stats(req).pattern.messages_in == 201


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
def test_rep_turns_take_the_short_path(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    transport: str,
    ipc_dir: str,
    pure_binds: bool,
    general_writes: list[int],
    general_reads: list[int],
) -> None:
    rep, req = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.REP, zmq.REQ, transport, ipc_dir, pure_binds
    )
    req.send(b"warm-up")
    assert rep.recv() == b"warm-up"
    rep.send(b"ok")
    assert req.recv() == b"ok"
    general_writes.clear()
    general_reads.clear()
    for i in range(200):
        req.send(b"q%d" % i)
        assert rep.recv() == b"q%d" % i
        rep.send(b"a%d" % i)
        assert req.recv() == b"a%d" % i
    assert general_writes == []
    assert general_reads == []
    assert _stats(rep).direct_writes >= 200


def test_long_and_multipart_messages_leave_the_short_path(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    ipc_dir: str,
    general_writes: list[int],
    general_reads: list[int],
) -> None:
    req, rep = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.REQ, zmq.REP, "tcp", ipc_dir, False
    )
    shapes: list[list[bytes]] = [
        [b"x" * 256],  # one byte past a short frame
        [b"a", b"b"],  # more frames than a turn
        [b"", b"y"],  # an empty frame first: the peer sees [b"", b"", b"y"]
        [b"z" * 70_000],
    ]
    req.send(b"warm-up")
    assert rep.recv() == b"warm-up"
    rep.send(b"ok")
    assert req.recv() == b"ok"
    before = _stats(req).direct_writes
    general_writes.clear()
    general_reads.clear()
    for shape in shapes:
        req.send_multipart(shape)
        assert rep.recv_multipart() == shape
        rep.send_multipart(shape)
        assert req.recv_multipart() == shape
    # Every request went out through the general owner write, and every reply came in
    # through the general read.
    assert len(general_writes) == len(shapes)
    assert len(general_reads) >= len(shapes)
    assert _stats(req).direct_writes == before + len(shapes)


@pytest.mark.parametrize("refusal", ["eagain", "short"])
def test_a_refused_or_short_turn_write_is_finished_by_the_loop(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    ipc_dir: str,
    monkeypatch: pytest.MonkeyPatch,
    refusal: str,
) -> None:
    rep, req = libzmq_pair(opened, pure_ctx, libzmq_ctx, purezmq.REP, zmq.REQ, "tcp", ipc_dir, True)
    req.send(b"warm-up")
    assert rep.recv() == b"warm-up"
    rep.send(b"ok")
    assert req.recv() == b"ok"
    attempts: list[int] = []
    real_write = owner_writes._os_write

    def refusing(fd: int, data: bytes) -> int:
        attempts.append(len(data))
        if refusal == "eagain":
            raise BlockingIOError(errno.EAGAIN, "full")
        return real_write(fd, data[:1])  # the kernel took one byte only

    monkeypatch.setattr(owner_writes, "_os_write", refusing)
    for i in range(20):
        req.send(b"q%d" % i)
        assert rep.recv() == b"q%d" % i
        rep.send(b"reply %d" % i)
        assert req.recv() == b"reply %d" % i
    assert len(attempts) == 20


def test_a_full_inbound_pipe_stops_the_short_read(
    opened: list[Any], pure_ctx: purezmq.Context, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """Requests from a DEALER arrive faster than the REP answers, past RCVHWM: the reads
    that find the pipe full keep the message and pause; every request is answered in order."""
    rep = pure_ctx.socket(purezmq.REP)
    rep.setsockopt(purezmq.RCVHWM, 1)
    rep.setsockopt(purezmq.LINGER, 0)
    rep.setsockopt(purezmq.RCVTIMEO, TIMEOUT_MS)
    dealer = libzmq_ctx.socket(zmq.DEALER)
    dealer.setsockopt(zmq.LINGER, 0)
    dealer.setsockopt(zmq.RCVTIMEO, TIMEOUT_MS)
    opened += [rep, dealer]
    rep.bind(endpoint_for("tcp", ipc_dir))
    dealer.connect(rep.getsockopt(purezmq.LAST_ENDPOINT).decode())
    total = 300
    for i in range(total):
        dealer.send_multipart([b"", b"%d" % i])
        if i % 50 == 49:
            # Let some requests land (and fill the pipe) before answering any.
            for _ in range(50):
                request = rep.recv()
                rep.send(b"re " + request)
    for i in range(total):
        assert dealer.recv_multipart() == [b"", b"re %d" % i]


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_a_large_reply_between_turns_is_read_into_its_own_body(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    transport: str,
    ipc_dir: str,
    monkeypatch: pytest.MonkeyPatch,
    general_reads: list[int],
) -> None:
    """After a read that was one whole turn the next read goes into the shared buffer without
    asking the decoder; a large reply's body must still be read straight into its own buffer
    (``Connection.receive_buffered``), and the turns after it take the short path again."""
    direct: list[int] = []
    original = Connection.receive_buffered

    def counted(self: Connection, nbytes: int, now: float | None = None) -> bool:
        direct.append(nbytes)
        return original(self, nbytes, now)

    monkeypatch.setattr(Connection, "receive_buffered", counted)
    req, rep = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.REQ, zmq.REP, transport, ipc_dir, False
    )
    large = bytes(range(256)) * (4 * 4096)  # 4 MiB, past the loop's shared 256 KiB buffer
    for round_ in range(3):
        for i in range(20):
            req.send(b"q%d" % i)
            assert rep.recv() == b"q%d" % i
            rep.send(b"a%d" % i)
            assert req.recv() == b"a%d" % i
        general_reads.clear()
        direct.clear()
        req.send(b"large")
        assert rep.recv() == b"large"
        rep.send(large)
        assert req.recv() == large
        assert direct, f"round {round_}: the large body was copied out of the shared buffer"
        assert general_reads
        general_reads.clear()
        for i in range(20):
            req.send(b"q%d" % i)
            assert rep.recv() == b"q%d" % i
            rep.send(b"a%d" % i)
            assert req.recv() == b"a%d" % i
        # The first read after the large frame is a short lead read (docs/performance.md,
        # "Read size"), which takes the general path once; then the turns are short again.
        assert len(general_reads) <= 1
