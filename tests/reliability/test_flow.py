"""Flow control and queueing: HWM under a flood, memory under a PUB flood, messages queued
before the peer exists. purezmq against purezmq and against libzmq (pyzmq).

No sleeps: a flood stops when the socket stays unwritable for a bounded poll, deliveries are
waited for with RCVTIMEO or poll.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq

from ..kit.libzmq import LIBS, free_endpoint, make_socket

zmq = pytest.importorskip("zmq")

TIMEOUT_MS = 5000
HWM = 10
KERNEL_BUF = 65536  # SNDBUF/RCVBUF on both ends, so kernel buffering is bounded too
#: what the kernel (which doubles SO_SNDBUF/SO_RCVBUF) and the engines' read/write buffers may
#: hold beyond the two HWMs
SLACK_BYTES = 4 * 2 * KERNEL_BUF + 512 * 1024


@pytest.fixture
def contexts() -> Iterator[dict[str, Any]]:
    """Both contexts; sockets made by ``make`` are kept here and closed before the contexts go
    (pyzmq warns about sockets garbage-collected while open)."""
    ctxs: dict[str, Any] = {"pure": purezmq.Context(), "lib": zmq.Context(), "sockets": []}
    yield ctxs
    for sock in ctxs["sockets"]:
        sock.close(linger=0)
    ctxs["pure"].destroy(linger=0)
    ctxs["lib"].destroy(linger=0)




def make(contexts: dict[str, Any], which: str, kind: str) -> Any:
    sock = make_socket(contexts[which], which, kind, TIMEOUT_MS / 1000)
    contexts["sockets"].append(sock)
    return sock


def bound_endpoint(sock: Any, transport: str, ipc_dir: str) -> str:
    sock.bind("tcp://127.0.0.1:*" if transport == "tcp" else f"ipc://{ipc_dir}/bound")
    address = sock.getsockopt(zmq.LAST_ENDPOINT)
    return address.decode() if isinstance(address, bytes) else str(address)


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# -- HWM ----------------------------------------------------------------------------------------

FLOOD_PAIRS = [("pure", "pure"), ("pure", "lib"), ("lib", "pure")]


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize(("sender", "receiver"), FLOOD_PAIRS, ids=lambda s: str(s))
def test_push_flood_is_bounded_by_hwm_and_loses_nothing(
    sender: str, receiver: str, transport: str, contexts: dict[str, Any], ipc_dir: str
) -> None:
    size = 16 * 1024
    pull = make(contexts, receiver, "PULL")
    pull.setsockopt(zmq.RCVHWM, HWM)
    pull.setsockopt(zmq.RCVBUF, KERNEL_BUF)
    pull.setsockopt(zmq.SNDBUF, KERNEL_BUF)
    address = bound_endpoint(pull, transport, ipc_dir)
    push = make(contexts, sender, "PUSH")
    push.setsockopt(zmq.SNDHWM, HWM)
    push.setsockopt(zmq.SNDBUF, KERNEL_BUF)
    push.setsockopt(zmq.RCVBUF, KERNEL_BUF)
    push.connect(address)
    again = LIBS[sender].Again

    bound = (2 * HWM + 2) + SLACK_BYTES // size
    sent = 0
    while True:
        try:
            push.send(sent.to_bytes(4, "big") + bytes(size - 4), zmq.DONTWAIT)
            sent += 1
        except again:
            # Full for now; the I/O side may still move some into the kernel. Done when the
            # socket stays unwritable.
            if not push.poll(200, zmq.POLLOUT):
                break
        assert sent <= bound, f"{sent} messages accepted: HWM not enforced"
    assert sent >= HWM, "SNDHWM messages must fit"
    # Nothing was lost: the reader gets every one, in order, and the writer is writable again.
    for i in range(sent):
        assert int.from_bytes(pull.recv()[:4], "big") == i
    assert not pull.poll(0)
    assert push.poll(TIMEOUT_MS, zmq.POLLOUT)


@pytest.mark.parametrize("subscriber", ["pure", "lib"])
def test_pub_flood_never_blocks_and_memory_stays_flat(
    subscriber: str, contexts: dict[str, Any]
) -> None:
    pub = make(contexts, "pure", "PUB")
    pub.setsockopt(purezmq.SNDHWM, 100)
    pub.setsockopt(purezmq.SNDBUF, KERNEL_BUF)
    address = bound_endpoint(pub, "tcp", "")
    sub = make(contexts, subscriber, "SUB")
    sub.setsockopt(zmq.RCVHWM, 100)
    sub.setsockopt(zmq.RCVBUF, KERNEL_BUF)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect(address)
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:  # bounded: wait for the subscription to reach the PUB
        pub.send(b"probe")
        if sub.poll(20):
            break
        assert time.monotonic() < deadline, "subscription never arrived"
    while sub.poll(0):
        sub.recv()

    payload = bytes(4096)
    for _ in range(5000):  # warm up: queues full, buffers allocated
        pub.send(payload, purezmq.DONTWAIT)  # never raises Again: PUB drops
    before = rss_bytes()
    started = time.monotonic()
    for _ in range(50_000):  # ~200 MB offered to a subscriber that does not read
        pub.send(payload, purezmq.DONTWAIT)
    elapsed = time.monotonic() - started
    grown = rss_bytes() - before
    assert grown < 32 * 1024 * 1024, f"RSS grew by {grown} bytes while flooding"
    assert elapsed < 20

    # The subscriber kept only what its HWM and buffers hold, and is still subscribed.
    queued = 0
    while sub.poll(200):
        sub.recv()
        queued += 1
    assert queued <= 100 + 100 + SLACK_BYTES // 4096
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        pub.send(b"still-there")
        if sub.poll(20):
            assert sub.recv() == b"still-there"
            break
        assert time.monotonic() < deadline


# -- queued before the peer exists --------------------------------------------------------------

QUEUE_PAIRS = [("pure", "pure"), ("pure", "lib"), ("lib", "pure")]


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize(("sender", "receiver"), QUEUE_PAIRS, ids=lambda s: str(s))
def test_messages_queued_before_the_peer_binds_are_delivered(
    sender: str, receiver: str, transport: str, contexts: dict[str, Any], ipc_dir: str
) -> None:
    address = free_endpoint(transport, ipc_dir)
    push = make(contexts, sender, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    push.connect(address)
    messages = [[b"first"], [b"", b"multi", b""], [b"x" * 70_000]]
    for msg in messages:
        push.send_multipart(msg, zmq.DONTWAIT)  # the connect-side pipe exists already
    pull = make(contexts, receiver, "PULL")
    pull.bind(address)
    for msg in messages:
        assert pull.recv_multipart() == msg
    push.send(b"live")
    assert pull.recv() == b"live"
