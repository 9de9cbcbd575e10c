"""A sync socket's owner thread writes its reply to the socket itself (``Peer._write_from_owner``).

The first send after input skips the hand-off to the I/O thread; everything else still goes
through the loop. These tests hold the path to what a peer must see regardless: every byte, in
order, also when a direct write stops short (a body larger than the socket buffer) and the loop
sends the rest, and when the loop and the owner thread both have bytes to send.
Peers are real libzmq (pyzmq) so that the wire stays proven, both sides binding.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

import purezmq

from .conftest import libzmq_pair

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop

TIMEOUT_MS = 10_000


def _setup(sock: Any, lib: Any) -> Any:
    sock.setsockopt(lib.LINGER, 0)
    sock.setsockopt(lib.RCVTIMEO, TIMEOUT_MS)
    sock.setsockopt(lib.SNDTIMEO, TIMEOUT_MS)
    return sock




def _direct_writes(sock: Any) -> int:
    return int(sock._core.statistics().direct_writes)


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
def test_req_rep_round_trips_are_written_by_the_owner(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    transport: str,
    ipc_dir: str,
    pure_binds: bool,
) -> None:
    rep, req = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.REP, zmq.REQ, transport, ipc_dir, pure_binds
    )
    for i in range(300):
        req.send(b"ping %d" % i)
        assert rep.recv() == b"ping %d" % i
        rep.send(b"pong %d" % i)
        assert req.recv() == b"pong %d" % i
    # Every reply followed input: all of them went out without the I/O thread's help, but
    # the first one when the first request came in the same read as the peer's READY (the
    # flush that the handshake schedules for queued messages is then still pending).
    assert 299 <= _direct_writes(rep) <= 300


@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
def test_owner_and_loop_writes_keep_order(
    opened: list[Any], pure_ctx: purezmq.Context, libzmq_ctx: Any, ipc_dir: str, pure_binds: bool
) -> None:
    """After each trigger the first send is written by the owner thread and the rest of the
    burst by the loop, with multi-MiB bodies that cannot fit the socket buffer in one write."""
    dealer, router = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, purezmq.DEALER, zmq.ROUTER, "tcp", ipc_dir, pure_binds
    )
    dealer.send(b"hello")
    peer_id, hello = router.recv_multipart()
    assert hello == b"hello"
    # The first body of a burst (written by the owner) is larger than the socket buffer, so
    # its writev stops short while the loop already has the rest of the burst to send.
    huge = os.urandom(12 * 1024 * 1024)
    medium = os.urandom(1024 * 1024)
    for turn in range(8):
        router.send_multipart([peer_id, b"go %d" % turn])
        assert dealer.recv() == b"go %d" % turn
        burst = [huge[turn:], b"turn %d" % turn, medium[turn:], b"", b"end %d" % turn]
        for body in burst:
            dealer.send_multipart([b"head %d" % turn, body])
        for body in burst:
            head, got = router.recv_multipart()[1:]
            assert head == b"head %d" % turn
            assert got == body
    assert _direct_writes(dealer) >= 8  # the first send of every turn


def test_a_short_direct_write_is_finished_by_the_loop(
    opened: list[Any], pure_ctx: purezmq.Context, libzmq_ctx: Any, ipc_dir: str
) -> None:
    """A reply far larger than the kernel's socket buffer: the owner's writev stops short and
    the loop sends the rest before the next reply."""
    rep, req = libzmq_pair(opened, pure_ctx, libzmq_ctx, purezmq.REP, zmq.REQ, "tcp", ipc_dir, True)
    bodies = [os.urandom(12 * 1024 * 1024), b"small", os.urandom(5 * 1024 * 1024)]
    for body in bodies:
        req.send(b"?")
        assert rep.recv() == b"?"
        rep.send(body)
        assert req.recv() == body
    assert _direct_writes(rep) == len(bodies)


def test_asyncio_sockets_never_write_from_another_thread(ipc_dir: str) -> None:
    """The asyncio API runs the engine on the caller's loop: its replies are sent inline on
    that loop, never through the owner-thread path."""
    import asyncio

    import purezmq.asyncio as pzasyncio

    async def main() -> int:
        ctx = pzasyncio.Context()
        lib_ctx = zmq.Context()
        try:
            rep = ctx.socket(purezmq.REP)
            rep.linger = 0
            rep.bind("tcp://127.0.0.1:*")
            req = _setup(lib_ctx.socket(zmq.REQ), zmq)
            req.connect(rep.last_endpoint.decode())
            loop = asyncio.get_running_loop()
            for i in range(20):
                await loop.run_in_executor(None, req.send, b"%d" % i)
                assert await asyncio.wait_for(rep.recv(), 10) == b"%d" % i
                await rep.send(b"r%d" % i)
                assert await loop.run_in_executor(None, req.recv) == b"r%d" % i
            req.close(0)
            return _direct_writes(rep)
        finally:
            ctx.destroy(linger=0)
            lib_ctx.destroy(linger=0)

    assert asyncio.run(main()) == 0
