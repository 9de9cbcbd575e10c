"""Streams of large messages between purezmq and real libzmq (pyzmq), both directions, tcp and
ipc, either side binding: after a large frame purezmq reads the next header with a short lead
read and the rest of a large body straight into its buffer (``zmtp.codec.LEAD_MIN``), so the
stream mixes every case that path must get right: large after large, small after large, large
frames inside multipart messages, and bodies just around the lead read's size.
"""

from __future__ import annotations

from typing import Any

import pytest

import purezmq
from purezmq.zmtp.codec import LEAD_MIN, LEAD_SIZE

from .conftest import libzmq_pair

zmq = pytest.importorskip("zmq")

pytestmark = pytest.mark.interop


def _stream() -> list[list[bytes]]:
    sizes = [1 << 20, 1 << 20, LEAD_MIN, 5, LEAD_MIN - 1, 300_000, LEAD_SIZE - 9, 1 << 20, 0]
    msgs = [[bytes([i % 251]) * size] for i, size in enumerate(sizes)]
    msgs.append([b"head", bytes(range(256)) * 1024, b"", b"x" * LEAD_MIN, b"tail"])
    msgs.append([b"z" * (LEAD_SIZE + 100)])
    return msgs * 3


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("pure_binds", [True, False], ids=["pure-binds", "lib-binds"])
@pytest.mark.parametrize("pure_receives", [True, False], ids=["pure-pulls", "lib-pulls"])
def test_large_message_streams_arrive_whole(
    opened: list[Any],
    pure_ctx: purezmq.Context,
    libzmq_ctx: Any,
    transport: str,
    ipc_dir: str,
    pure_binds: bool,
    pure_receives: bool,
) -> None:
    ours_type, theirs_type = (purezmq.PULL, zmq.PUSH) if pure_receives else (purezmq.PUSH, zmq.PULL)
    ours, theirs = libzmq_pair(
        opened, pure_ctx, libzmq_ctx, ours_type, theirs_type, transport, ipc_dir, pure_binds
    )
    sender, receiver = (theirs, ours) if pure_receives else (ours, theirs)
    msgs = _stream()
    for msg in msgs:
        sender.send_multipart(msg)
    for msg in msgs:
        assert receiver.recv_multipart() == msg
