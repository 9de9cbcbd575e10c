"""Subscriptions reach a new publisher while the SUB's owner is blocked on that socket (in a
call or a Poller): the attach wakes the owner, which writes them at once (spec README note 14;
an owner that is not inside any call on the socket writes them at its next call, as libzmq;
docs/contracts.md explains why the I/O loop does not do it for an idle owner)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

import purezmq

TIMEOUT_MS = 5000


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
@pytest.mark.parametrize("blocked_in", ["recv", "poll"])
def test_new_publisher_gets_subscriptions_while_owner_blocks(
    ctx: purezmq.Context, transport: str, blocked_in: str
) -> None:
    sub = ctx.socket(purezmq.SUB)
    sub.linger = 0
    sub.setsockopt(purezmq.SUBSCRIBE, b"a")
    sub.setsockopt(purezmq.SUBSCRIBE, b"b")
    if transport == "tcp":
        address = f"tcp://127.0.0.1:{sub.bind_to_random_port('tcp://127.0.0.1')}"
    else:
        address = "inproc://subs-while-blocked"
        sub.bind(address)
    got: list[bytes] = []
    started = threading.Event()

    def owner() -> None:
        started.set()
        if blocked_in == "poll":
            poller = purezmq.Poller()
            poller.register(sub, purezmq.POLLIN)
            assert poller.poll(TIMEOUT_MS)
        sub.rcvtimeo = TIMEOUT_MS
        got.append(sub.recv())

    t = threading.Thread(target=owner)
    t.start()
    assert started.wait(TIMEOUT_MS / 1000)
    xpub = ctx.socket(purezmq.XPUB)
    xpub.linger = 0
    xpub.rcvtimeo = TIMEOUT_MS
    xpub.connect(address)
    # Arrives while the owner thread is still blocked (it has nothing to receive yet).
    assert sorted([xpub.recv(), xpub.recv()]) == [b"\x01a", b"\x01b"]
    assert t.is_alive()
    xpub.send(b"b-message")
    t.join(TIMEOUT_MS / 1000)
    assert got == [b"b-message"]
    xpub.close()
    sub.close()
