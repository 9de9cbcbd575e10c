"""What ``Poller.poll``, ``zmq_poll`` and ``select`` return for items that are not ZeroMQ
sockets: their file descriptor number (an ``int``), as pyzmq (and ``select.poll``) do, whether
they were registered as an int or as an object with ``fileno()``. Programs index the result by
``sock.fileno()``; a poller returning the object instead never matches, so the readable socket
is never read and the poll loop spins.

Each case is also run on pyzmq (libzmq's ``zmq_poll``) and must give the same shape.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
import purezmq.asyncio

zmq = pytest.importorskip("zmq")

LIBS = {"pure": purezmq, "lib": zmq}


class HasFileno:
    """Not a socket: only ``fileno()`` (what pyre's beacon and many wrappers register)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def fileno(self) -> int:
        return self.fd


@pytest.fixture
def plain() -> Iterator[tuple[socket.socket, socket.socket, int, int]]:
    """A readable socketpair end, its writer, and a readable pipe (read end, write end)."""
    a, b = socket.socketpair()
    r, w = os.pipe()
    try:
        yield a, b, r, w
    finally:
        a.close()
        b.close()
        os.close(r)
        os.close(w)


def zmq_pair(lib: Any, ctx: Any, name: str) -> tuple[Any, Any]:
    """Two PAIR sockets over inproc with one message waiting on the second."""
    s1 = ctx.socket(lib.PAIR)
    s2 = ctx.socket(lib.PAIR)
    s1.bind(f"inproc://{name}")
    s2.connect(f"inproc://{name}")
    s1.send(b"x")
    assert s2.poll(5000) == lib.POLLIN
    return s1, s2


@pytest.mark.parametrize("which", list(LIBS))
def test_poller_returns_the_fd_of_plain_items_in_registration_order(
    which: str, plain: tuple[socket.socket, socket.socket, int, int]
) -> None:
    lib = LIBS[which]
    a, b, r, w = plain
    b.sendall(b"!")
    os.write(w, b"!")
    wrapped = HasFileno(r)
    ctx = lib.Context()
    try:
        s1, s2 = zmq_pair(lib, ctx, "poller-fds")
        poller = lib.Poller()
        poller.register(a, lib.POLLIN)
        poller.register(s2, lib.POLLIN)
        poller.register(wrapped, lib.POLLIN)
        poller.register(r, lib.POLLIN)
        events = poller.poll(5000)
        assert events == [
            (a.fileno(), lib.POLLIN),
            (s2, lib.POLLIN),
            (r, lib.POLLIN),
            (r, lib.POLLIN),
        ]
        assert all(type(item) is int for item, _ in events if item is not s2)
        # The idiom that must work: index the result by the plain socket's fileno().
        assert dict(events)[a.fileno()] == lib.POLLIN
        s1.close(0)
        s2.close(0)
    finally:
        ctx.term()


@pytest.mark.parametrize("which", list(LIBS))
def test_zmq_poll_returns_fds_for_plain_items(
    which: str, plain: tuple[socket.socket, socket.socket, int, int]
) -> None:
    lib = LIBS[which]
    a, b, _, _ = plain
    b.sendall(b"!")
    assert lib.zmq_poll([(a, lib.POLLIN)], 5000) == [(a.fileno(), lib.POLLIN)]
    assert lib.zmq_poll([(a.fileno(), lib.POLLIN)], 5000) == [(a.fileno(), lib.POLLIN)]


@pytest.mark.parametrize("which", list(LIBS))
def test_select_returns_fds_for_plain_items(
    which: str, plain: tuple[socket.socket, socket.socket, int, int]
) -> None:
    lib = LIBS[which]
    a, b, r, _ = plain
    b.sendall(b"!")
    ctx = lib.Context()
    try:
        s1, s2 = zmq_pair(lib, ctx, "select-fds")
        rl, wl, xl = lib.select([a, s2, r], [b], [], 5)
        assert sorted(rl, key=lambda x: -1 if x is s2 else x) == [s2, a.fileno()]
        assert wl == [b.fileno()] and xl == []
        s1.close(0)
        s2.close(0)
    finally:
        ctx.term()


def test_asyncio_poller_returns_fds_for_plain_items(
    plain: tuple[socket.socket, socket.socket, int, int],
) -> None:
    a, b, r, w = plain

    async def main() -> list[tuple[Any, int]]:
        ctx = purezmq.asyncio.Context()
        s1 = ctx.socket(purezmq.PAIR)
        s2 = ctx.socket(purezmq.PAIR)
        try:
            s1.bind("inproc://asyncio-poller-fds")
            s2.connect("inproc://asyncio-poller-fds")
            poller = purezmq.asyncio.Poller()
            poller.register(a, purezmq.POLLIN)
            poller.register(s2, purezmq.POLLIN)
            poller.register(HasFileno(r), purezmq.POLLIN)
            assert await poller.poll(0) == []
            b.sendall(b"!")
            assert await poller.poll(5000) == [(a.fileno(), purezmq.POLLIN)]
            await s1.send(b"x")
            os.write(w, b"!")
            assert await s2.poll(5000) == purezmq.POLLIN
            return await poller.poll(0)
        finally:
            s1.close(0)
            s2.close(0)
            ctx.term()

    events = asyncio.run(asyncio.wait_for(main(), 10))
    assert [item for item, _ in events] == [a.fileno(), events[1][0], r]
    assert isinstance(events[1][0], purezmq.asyncio.Socket)


@pytest.mark.parametrize("which", list(LIBS))
def test_plain_items_that_are_not_fds_are_refused(which: str) -> None:
    lib = LIBS[which]

    class BadFileno:
        def fileno(self) -> int:
            raise OSError("closed")

    with pytest.raises(TypeError):
        lib.zmq_poll([(object(), lib.POLLIN)], 0)
    with pytest.raises(ValueError):
        lib.zmq_poll([(BadFileno(), lib.POLLIN)], 0)


def test_poller_with_only_a_plain_socket_sleeps_until_it_is_readable(
    plain: tuple[socket.socket, socket.socket, int, int],
) -> None:
    a, b, _, _ = plain
    poller = purezmq.Poller()
    poller.register(a, purezmq.POLLIN)
    result: list[Any] = []
    cpu: list[float] = []
    returned = threading.Event()

    def wait() -> None:
        start = time.thread_time()
        result.append(poller.poll(200))  # times out: nothing to read
        result.append(poller.poll())  # forever: until b writes
        cpu.append(time.thread_time() - start)
        returned.set()

    started = time.monotonic()
    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    # The forever poll must still be waiting after the 200 ms one returned.
    assert not returned.wait(0.5)
    b.sendall(b"!")
    assert returned.wait(5)
    waited = time.monotonic() - started
    assert result == [[], [(a.fileno(), purezmq.POLLIN)]]
    # Asleep in poll(2), not spinning: a busy loop would burn CPU for most of the wait.
    assert waited >= 0.5 and cpu[0] < 0.1 * waited


def test_a_socket_closed_while_registered_reports_nothing() -> None:
    # aiozmq closes a socket its selector's Poller still holds, then polls again.
    ctx = purezmq.Context()
    a = ctx.socket(purezmq.PAIR)
    b = ctx.socket(purezmq.PAIR)
    a.bind("inproc://closed-in-poller")
    b.connect("inproc://closed-in-poller")
    poller = purezmq.Poller()
    poller.register(a, purezmq.POLLIN)
    poller.register(b, purezmq.POLLIN)
    a.send(b"x")
    a.close()
    assert poller.poll(1000) == [(b, purezmq.POLLIN)]
    assert b.recv() == b"x"
    assert poller.poll(0) == []
    b.close()
    ctx.term()
