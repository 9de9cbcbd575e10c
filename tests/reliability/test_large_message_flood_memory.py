"""Memory under a flood of large messages: with small HWMs, a sender that floods a reader that
does not read is stopped by the HWMs, so the process's RSS stays within what the HWMs allow
(HWM x message size, on each side), and stays flat over repeated fill-and-drain rounds.
PUSH -> PULL, DEALER -> ROUTER and ROUTER -> DEALER, purezmq on both ends (one process: the
RSS counts both). RSS is read from /proc/self/status."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

import purezmq

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="reads VmRSS from /proc/self/status"
)

SIZE = 1024 * 1024
SNDHWM = 4
RCVHWM = 4
KERNEL_BUF = 65536
#: Whole messages the two ends may hold at most: the sender's pipe and the messages its
#: connection took from it (one pipe's worth) plus the one in the transport's buffer; the
#: receiver's pipe, plus one being decoded and one read ahead.
HELD = 2 * SNDHWM + 1 + RCVHWM + 2
#: The interpreter's and the allocator's own growth, independent of the flood.
SLACK = 24 * 1024 * 1024
ROUNDS = 8


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.destroy(linger=0)


def small_buffers(sock: purezmq.Socket, sndhwm: int, rcvhwm: int) -> None:
    sock.sndhwm = sndhwm
    sock.rcvhwm = rcvhwm
    sock.sndbuf = KERNEL_BUF
    sock.rcvbuf = KERNEL_BUF
    sock.rcvtimeo = 5000


def fill(send: Callable[[bytes], None], sender: purezmq.Socket) -> int:
    """Send until the sender stays unwritable for 300 ms; returns how many it took."""
    body = bytes(SIZE)
    sent = 0
    while True:
        try:
            send(body)
            sent += 1
        except purezmq.Again:
            if not sender.poll(300, purezmq.POLLOUT):
                return sent
        assert sent <= HELD, f"{sent} messages of {SIZE} bytes accepted: HWM not enforced"


def flood_rounds(
    send: Callable[[bytes], None], sender: purezmq.Socket, recv: Callable[[], bytes]
) -> None:
    """Fill, check RSS against HWM x size, drain; again ROUNDS times: RSS stays flat."""
    start = rss()
    first = fill(send, sender)
    assert first >= SNDHWM, "the sender's own HWM must fit"
    bound = HELD * SIZE + SLACK
    grown = rss() - start
    assert grown < bound, f"RSS grew by {grown >> 20} MiB with {first} messages queued"
    for _ in range(first):
        assert len(recv()) == SIZE
    after_first = rss()
    for _ in range(ROUNDS):
        n = fill(send, sender)
        assert n >= SNDHWM
        assert rss() - start < bound
        for _ in range(n):
            assert len(recv()) == SIZE
    drift = rss() - after_first
    assert drift < HELD * SIZE, f"RSS kept growing: {drift >> 20} MiB over {ROUNDS} rounds"


def test_push_to_a_pull_that_does_not_read(ctx: purezmq.Context) -> None:
    pull = ctx.socket(purezmq.PULL)
    small_buffers(pull, SNDHWM, RCVHWM)
    pull.bind("tcp://127.0.0.1:*")
    push = ctx.socket(purezmq.PUSH)
    small_buffers(push, SNDHWM, RCVHWM)
    push.connect(pull.last_endpoint.decode())

    flood_rounds(lambda body: push.send(body, purezmq.DONTWAIT), push, pull.recv)
    push.close(linger=0)
    pull.close(linger=0)


def test_dealer_to_a_router_that_does_not_read(ctx: purezmq.Context) -> None:
    router = ctx.socket(purezmq.ROUTER)
    small_buffers(router, SNDHWM, RCVHWM)
    router.bind("tcp://127.0.0.1:*")
    dealer = ctx.socket(purezmq.DEALER)
    small_buffers(dealer, SNDHWM, RCVHWM)
    dealer.connect(router.last_endpoint.decode())

    def recv() -> bytes:
        body: bytes = router.recv_multipart()[1]
        return body

    flood_rounds(lambda body: dealer.send(body, purezmq.DONTWAIT), dealer, recv)
    dealer.close(linger=0)
    router.close(linger=0)


def test_router_to_a_dealer_that_does_not_read(ctx: purezmq.Context) -> None:
    router = ctx.socket(purezmq.ROUTER)
    small_buffers(router, SNDHWM, RCVHWM)
    router.router_mandatory = 1  # at HWM: EAGAIN, not a silent drop
    router.bind("tcp://127.0.0.1:*")
    dealer = ctx.socket(purezmq.DEALER)
    small_buffers(dealer, SNDHWM, RCVHWM)
    dealer.routing_id = b"reader"
    dealer.connect(router.last_endpoint.decode())
    dealer.send(b"hello")
    assert router.recv_multipart() == [b"reader", b"hello"]

    flood_rounds(
        lambda body: router.send_multipart([b"reader", body], purezmq.DONTWAIT),
        router,
        dealer.recv,
    )
    dealer.close(linger=0)
    router.close(linger=0)
