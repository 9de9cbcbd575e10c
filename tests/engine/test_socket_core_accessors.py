"""Public engine accessors the front-ends and the ZAP client use instead of private names."""

from __future__ import annotations

import dataclasses

import pytest

from purezmq._engine import ContextCore
from purezmq.constants import SocketType
from purezmq.patterns.pipe import pipe_pair

from ..kit.engine import recv, send, sync_socket

T = SocketType


@pytest.mark.parametrize(
    ("receiver", "sender"),
    [
        (T.PULL, T.PUSH),
        (T.PAIR, T.PAIR),
        (T.DEALER, T.DEALER),
        (T.ROUTER, T.DEALER),
        (T.REP, T.REQ),
        (T.SUB, T.PUB),
        (T.XSUB, T.PUB),
    ],
)
def test_last_metadata_names_the_sender(ctx: ContextCore, receiver: T, sender: T) -> None:
    rx = sync_socket(ctx, receiver)
    tx = sync_socket(ctx, sender)
    assert rx.last_metadata() is None  # nothing received yet
    rx.bind("inproc://md")
    if receiver in (T.SUB, T.XSUB):
        if receiver == T.SUB:
            rx.setsockopt(6, b"")
        else:
            send(rx, [b"\x01"])
    tx.connect("inproc://md")
    if sender == T.PUB:
        # The subscription travels to the PUB through the pipe: wait until it is applied.
        while True:
            tx.try_send([b"x"])
            if rx.try_recv() is not None:
                break
    else:
        send(tx, [b"hello"])
        recv(rx)
    md = rx.last_metadata()
    assert md is not None and md["Socket-Type"] == sender.name.encode()


def test_last_metadata_of_a_manual_xpub_is_the_subscriber(ctx: ContextCore) -> None:
    # XPUB tracks the pipe of the last subscription only in XPUB_MANUAL mode (it needs it there).
    xpub = sync_socket(ctx, T.XPUB)
    xpub.setsockopt(71, 1)
    sub = sync_socket(ctx, T.SUB)
    xpub.bind("inproc://xmd")
    sub.connect("inproc://xmd")
    sub.setsockopt(6, b"t")
    assert recv(xpub) == [b"\x01t"]
    md = xpub.last_metadata()
    assert md is not None and md["Socket-Type"] == b"SUB"


def test_inproc_lookup(ctx: ContextCore) -> None:
    rep = sync_socket(ctx, T.REP)
    assert ctx.inproc.lookup("zeromq.zap.01") is None
    rep.bind("inproc://zeromq.zap.01")
    assert ctx.inproc.lookup("zeromq.zap.01") is rep
    rep.unbind("inproc://zeromq.zap.01")
    assert ctx.inproc.lookup("zeromq.zap.01") is None


def test_attach_and_release_foreign(ctx: ContextCore) -> None:
    # The ZAP client's use: a pipe pair whose far end only the handler's pattern sees.
    rep = sync_socket(ctx, T.REP)
    ours, theirs = pipe_pair(0, 0)
    theirs.peer_type = int(T.DEALER)
    theirs.metadata = {"Socket-Type": b"DEALER"}
    ours.write([b"", b"request"])
    rep.attach_foreign(theirs)
    assert recv(rep) == [b"request"]
    send(rep, [b"reply"])
    assert ours.read() == [b"", b"reply"]
    assert rep.statistics().pipes == 1
    ours.close()
    rep.release_foreign(theirs)
    assert rep.try_recv() is None
    assert rep.statistics().pipes == 0


def test_statistics_are_frozen_snapshots(ctx: ContextCore) -> None:
    """``statistics()`` returns frozen dataclasses (as trio's channel statistics): a snapshot
    that later traffic does not change and a caller cannot edit."""
    pull = sync_socket(ctx, T.PULL)
    pull.bind("inproc://stats")
    push = sync_socket(ctx, T.PUSH)
    push.connect("inproc://stats")
    before = pull.statistics()
    send(push, [b"one"])
    assert recv(pull) == [b"one"]
    after = pull.statistics()
    assert (before.pattern.messages_in, after.pattern.messages_in) == (0, 1)
    assert push.statistics().pattern.messages_out == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        after.pipes = 0  # type: ignore[misc]
    assert ctx.statistics().sockets >= 2
