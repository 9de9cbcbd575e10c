"""Shadows: a second socket/Context object over the same socket/context, made from the object
or from its ``underlying`` handle. The shared bodies run against purezmq and against pyzmq
(real libzmq), whose ``underlying`` is the libzmq object's address.

Deliberate differences, tested on purezmq only: terminating a shadow Context leaves the
original running (pyzmq's shadow terminates the libzmq context), a shadow made from a handle
keeps the original's Context (pyzmq: None), and handles that name nothing raise ``ZMQError``
(pyzmq would dereference a dangling address).
"""

from __future__ import annotations

import copy
import gc
import threading
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq
import purezmq.asyncio

zmq = pytest.importorskip("zmq")


@pytest.fixture(params=["purezmq", "pyzmq"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    return purezmq if request.param == "purezmq" else zmq


@pytest.fixture
def ctx(lib: Any) -> Iterator[Any]:
    context = lib.Context()
    yield context
    context.destroy(linger=0)


@pytest.fixture
def pair(lib: Any, ctx: Any) -> tuple[Any, Any]:
    """Two connected PAIR sockets over inproc (the first is the one to shadow)."""
    a, b = ctx.socket(lib.PAIR), ctx.socket(lib.PAIR)
    a.rcvtimeo = b.rcvtimeo = 5000
    b.bind("inproc://shadowed")
    a.connect("inproc://shadowed")
    return a, b


SHADOW_WAYS: dict[str, Callable[[Any, Any], Any]] = {
    "shadow(underlying)": lambda lib, s: lib.Socket.shadow(s.underlying),
    "Socket(shadow=underlying)": lambda lib, s: lib.Socket(shadow=s.underlying),
    "Socket(shadow=socket)": lambda lib, s: lib.Socket(shadow=s),
    "Socket(socket)": lambda lib, s: lib.Socket(s),
    "shadow(socket)": lambda lib, s: lib.Socket.shadow(s),
    "copy.copy": lambda lib, s: copy.copy(s),
    "copy.deepcopy": lambda lib, s: copy.deepcopy(s),
}


@pytest.mark.parametrize("how", list(SHADOW_WAYS))
def test_a_shadow_is_the_same_socket(lib: Any, pair: tuple[Any, Any], how: str) -> None:
    a, b = pair
    shadow = SHADOW_WAYS[how](lib, a)
    assert shadow is not a
    assert shadow.underlying == a.underlying
    assert shadow.type == lib.PAIR
    shadow.send(b"from the shadow")
    assert b.recv() == b"from the shadow"
    b.send(b"to the original")
    assert shadow.recv() == b"to the original"
    assert not shadow.closed


def test_shadows_made_from_a_socket_keep_its_context(lib: Any, pair: tuple[Any, Any]) -> None:
    a, _ = pair
    assert lib.Socket(a).context is a.context
    assert lib.Socket(shadow=a)._shadow_obj is a


def test_a_message_started_on_one_object_ends_on_the_other(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    shadow = lib.Socket.shadow(a.underlying)
    a.send(b"first", lib.SNDMORE)
    shadow.send(b"second")
    assert b.recv_multipart() == [b"first", b"second"]
    b.send_multipart([b"1", b"2", b"3"])
    assert a.recv() == b"1"
    assert shadow.rcvmore
    assert shadow.recv() == b"2"
    assert a.recv_multipart() == [b"3"]
    assert not a.rcvmore and not shadow.rcvmore


def test_options_are_shared(lib: Any, pair: tuple[Any, Any]) -> None:
    a, _ = pair
    shadow = lib.Socket.shadow(a.underlying)
    shadow.sndhwm = 123
    assert a.sndhwm == 123


def test_collecting_a_shadow_leaves_the_socket_open(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    shadow = lib.Socket.shadow(a.underlying)
    del shadow
    gc.collect()
    assert not a.closed
    a.send(b"still open")
    assert b.recv() == b"still open"


def test_closing_a_shadow_closes_the_socket(lib: Any, pair: tuple[Any, Any]) -> None:
    a, _ = pair
    shadow = lib.Socket(a)
    shadow.close()
    assert shadow.closed and a.closed
    with pytest.raises(lib.ZMQError) as info:
        a.send(b"x")
    assert info.value.errno == lib.ENOTSOCK


def test_a_shadow_wakes_up_for_messages_sent_while_it_waits(
    lib: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    shadow = lib.Socket.shadow(a.underlying)
    got: list[bytes] = []
    receiver = threading.Thread(target=lambda: got.append(shadow.recv()))
    receiver.start()
    b.send(b"late")
    receiver.join(10)
    assert got == [b"late"]


def test_a_shadow_polls(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    shadow = lib.Socket.shadow(a.underlying)
    poller = lib.Poller()
    poller.register(shadow, lib.POLLIN)
    b.send(b"ready")
    assert dict(poller.poll(5000)) == {shadow: lib.POLLIN}
    assert a.recv() == b"ready"


CONTEXT_SHADOW_WAYS: dict[str, Callable[[Any, Any], Any]] = {
    "shadow(underlying)": lambda lib, c: lib.Context.shadow(c.underlying),
    "Context(shadow=underlying)": lambda lib, c: lib.Context(shadow=c.underlying),
    "Context(shadow=context)": lambda lib, c: lib.Context(shadow=c),
    "Context(context)": lambda lib, c: lib.Context(c),
    "copy.copy": lambda lib, c: copy.copy(c),
}


@pytest.mark.parametrize("how", list(CONTEXT_SHADOW_WAYS))
def test_a_shadow_context_is_the_same_context(lib: Any, ctx: Any, how: str) -> None:
    shadow = CONTEXT_SHADOW_WAYS[how](lib, ctx)
    assert shadow is not ctx
    assert shadow.underlying == ctx.underlying
    assert not shadow.closed
    # inproc names belong to the context: a socket of each object meets the other's.
    server = ctx.socket(lib.PAIR)
    client = shadow.socket(lib.PAIR)
    server.rcvtimeo = 5000
    server.bind("inproc://shared-context")
    client.connect("inproc://shared-context")
    client.send(b"across")
    assert server.recv() == b"across"
    client.close(0)
    server.close(0)


def test_a_shadow_context_has_its_own_socket_defaults(lib: Any, ctx: Any) -> None:
    ctx.linger = 7
    shadow = lib.Context(shadow=ctx.underlying)
    assert shadow.sockopts == {}
    shadow.sndhwm = 5
    assert lib.SNDHWM not in ctx.sockopts


def test_deleting_a_context_default(lib: Any, ctx: Any) -> None:
    ctx.linger = 7
    del ctx.linger
    assert lib.LINGER not in ctx.sockopts
    with pytest.raises(AttributeError):
        del ctx.linger


# ---- purezmq only -----------------------------------------------------------------------------


def test_terminating_a_shadow_context_leaves_the_original_running() -> None:
    with purezmq.Context() as ctx:
        shadow = purezmq.Context.shadow(ctx.underlying)
        shadow.term()
        assert shadow.closed and not ctx.closed
        sock = ctx.socket(purezmq.PAIR)
        sock.close()


def test_a_shadow_made_from_a_handle_keeps_the_socket_context() -> None:
    with purezmq.Context() as ctx, ctx.socket(purezmq.PAIR) as sock:
        assert purezmq.Socket.shadow(sock.underlying).context is ctx


def test_handles_that_name_nothing_are_refused() -> None:
    with pytest.raises(purezmq.ZMQError) as info:
        purezmq.Socket.shadow(12345)
    assert info.value.errno == purezmq.ENOTSOCK
    with pytest.raises(purezmq.ZMQError) as info:
        purezmq.Context.shadow(12345)
    assert info.value.errno == purezmq.EFAULT
    ctx = purezmq.Context()
    sock = ctx.socket(purezmq.PAIR)
    handle, ctx_handle = sock.underlying, ctx.underlying
    sock.close()
    with pytest.raises(purezmq.ZMQError) as info:
        purezmq.Socket.shadow(handle)
    assert info.value.errno == purezmq.ENOTSOCK
    ctx.term()
    with pytest.raises(purezmq.ZMQError) as info:
        purezmq.Context.shadow(ctx_handle)
    assert info.value.errno == purezmq.EFAULT


def test_a_libzmq_socket_cannot_be_shadowed() -> None:
    libctx = zmq.Context()
    libsock = libctx.socket(zmq.PAIR)
    try:
        with pytest.raises(purezmq.ZMQError, match="libzmq socket cannot be shadowed"):
            purezmq.Socket(shadow=libsock)
        with pytest.raises(purezmq.ZMQError, match="libzmq context cannot be shadowed"):
            purezmq.Context(shadow=libctx)
    finally:
        libsock.close()
        libctx.term()


def test_handles_are_never_reused() -> None:
    with purezmq.Context() as ctx:
        first = ctx.socket(purezmq.PAIR)
        handle = first.underlying
        first.close()
        del first
        gc.collect()
        second = ctx.socket(purezmq.PAIR)
        assert second.underlying != handle
        with pytest.raises(purezmq.ZMQError):
            purezmq.Socket.shadow(handle)
        second.close()


def test_a_collected_owner_closes_the_socket_of_a_handle_shadow() -> None:
    # As in pyzmq: the owner closes its socket when collected; a shadow from a handle does not
    # keep the owner alive (one made from the object does, through ``_shadow_obj``).
    with purezmq.Context() as ctx:
        owner = ctx.socket(purezmq.PAIR)
        shadow = purezmq.Socket.shadow(owner.underlying)
        del owner
        gc.collect()
        ctx.socket(purezmq.PAIR).close()  # the Context closes collected sockets here
        assert shadow.closed


def test_a_blocking_view_of_an_asyncio_socket_is_the_same_socket() -> None:
    actx = purezmq.asyncio.Context()
    asock = actx.socket(purezmq.PAIR)
    try:
        view = purezmq.Socket(asock)
        assert view.type == purezmq.PAIR and view.underlying == asock.underlying
        view.close()
        assert asock.closed
    finally:
        asock.close()
        actx.term()


def test_an_asyncio_context_shadows_a_blocking_one_by_handle() -> None:
    import asyncio

    with purezmq.Context() as ctx:
        server = ctx.socket(purezmq.PAIR)
        server.rcvtimeo = 5000
        server.bind("inproc://across-apis")
        actx = purezmq.asyncio.Context.shadow(ctx.underlying)
        assert actx.underlying == ctx.underlying

        async def client() -> None:
            sock = actx.socket(purezmq.PAIR)
            sock.connect("inproc://across-apis")
            await sock.send(b"from asyncio")
            sock.close()

        asyncio.run(client())
        assert server.recv() == b"from asyncio"
        actx.term()
        assert not ctx.closed
        server.close()


def test_a_blocking_view_of_an_asyncio_socket_sends_and_receives() -> None:
    """jupyter_client sends through ``zmq.Socket.shadow(asyncio_socket.underlying)`` from the
    loop's own thread: the view shares the asyncio socket's queues."""
    import asyncio

    import purezmq.asyncio as azmq

    async def main() -> None:
        ctx = azmq.Context()
        a = ctx.socket(purezmq.DEALER)
        b = ctx.socket(purezmq.DEALER)
        port = a.bind_to_random_port("tcp://127.0.0.1")
        b.connect(f"tcp://127.0.0.1:{port}")
        view = purezmq.Socket.shadow(a.underlying)
        assert isinstance(view, purezmq.Socket) and view.underlying == a.underlying
        # On the loop's thread, a call that would block says so instead of stopping the loop.
        with pytest.raises(purezmq.Again):
            view.recv()
        await a.send(b"hello")  # the connection is up once b has it
        assert await asyncio.wait_for(b.recv(), 5) == b"hello"
        view.send_multipart([b"through", b"the view"])
        assert await asyncio.wait_for(b.recv_multipart(), 5) == [b"through", b"the view"]
        await b.send(b"back")
        assert await asyncio.wait_for(a.poll(5000), 5) == purezmq.POLLIN
        assert view.recv(purezmq.NOBLOCK) == b"back"
        for sock in (a, b):
            sock.close(0)
        ctx.term()

    asyncio.run(main())
