"""ZMQ_FD after ``connect()``: a reader driven only by the fd (it re-reads EVENTS when the fd
turns readable, as aiozmq's loop-less transports do) hears of the first messages of a
connection made after it armed the fd. Run on purezmq and, as the reference, on libzmq
through pyzmq."""

from __future__ import annotations

import contextlib
import select
from types import ModuleType

import pytest

import purezmq

from .conftest import endpoint_for

pyzmq = pytest.importorskip("zmq")


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
@pytest.mark.parametrize("lib", [purezmq, pyzmq], ids=["purezmq", "libzmq"])
@pytest.mark.parametrize(
    ("sender_type", "reader_type"), [("PUB", "SUB"), ("PUSH", "PULL"), ("ROUTER", "DEALER")]
)
def test_fd_reader_hears_a_connection_made_after_it_armed(
    lib: ModuleType, transport: str, ipc_dir: str, sender_type: str, reader_type: str
) -> None:
    ctx = lib.Context()
    try:
        sender = ctx.socket(getattr(lib, sender_type))
        reader = ctx.socket(getattr(lib, reader_type))
        sender.linger = reader.linger = 0
        sender.bind(endpoint_for(transport, ipc_dir))
        addr = sender.getsockopt_string(lib.LAST_ENDPOINT)
        fd = reader.getsockopt(lib.FD)
        # Arm the fd as an fd-driven loop does: read EVENTS, which says nothing is there.
        assert not reader.getsockopt(lib.EVENTS) & lib.POLLIN
        if reader_type == "SUB":
            reader.setsockopt(lib.SUBSCRIBE, b"")
        if reader_type == "DEALER":
            reader.setsockopt(lib.ROUTING_ID, b"reader")
        reader.connect(addr)
        got = b""
        for _ in range(100):
            # PUB drops until the subscription arrives, ROUTER until the peer is known, PUSH refuses
            # until it has a peer: resend
            # until the fd says EVENTS may have changed, and EVENTS shows the message.
            if sender_type == "ROUTER":
                sender.send_multipart([b"reader", b"hello"])
            else:
                with contextlib.suppress(lib.Again):  # PUSH before its peer connected
                    sender.send(b"hello", lib.NOBLOCK)
            if select.select([fd], [], [], 0.05)[0] and (
                reader.getsockopt(lib.EVENTS) & lib.POLLIN
            ):
                got = bytes(reader.recv(lib.NOBLOCK))
                break
        assert got == b"hello"
    finally:
        ctx.destroy(linger=0)
