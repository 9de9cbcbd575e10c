"""pyzmq's small print: reprs, write-only option attributes, ``sock.subscribe = ...``, and the
buffer errors of ``recv_into`` and ``Frame`` (programs and pyzmq's own tests rely on them)."""

from __future__ import annotations

import warnings
from unittest import mock

import pytest

import purezmq

from ..dropin._python import run_python


def test_reprs_name_the_public_classes() -> None:
    with purezmq.Context() as ctx:
        assert repr(ctx).startswith("<purezmq.Context() at 0x")
        with ctx.socket(purezmq.PUSH) as push:
            assert "purezmq.Context(1 socket)" in repr(ctx)
            assert repr(push).startswith("<purezmq.Socket(zmq.PUSH) at 0x")
            with ctx.socket(purezmq.PULL):
                assert "purezmq.Context(2 sockets)" in repr(ctx)
            assert repr(push.bind("inproc://repr")) == "<SocketContext(bind='inproc://repr')>"
        assert repr(push).endswith(" closed>")
    assert repr(purezmq.Frame(b"x" * 20)) == "<purezmq.Frame(b'xxxxxxxxxxxx'...20B)>"


def test_installed_as_zmq_reprs_say_zmq() -> None:
    run_python(
        """
        import purezmq
        purezmq.install_as_zmq()
        import zmq, zmq.asyncio, zmq.green
        ctx = zmq.Context()
        s = ctx.socket(zmq.PUSH)
        assert repr(s).startswith("<zmq.Socket(zmq.PUSH) at "), repr(s)
        assert "zmq.Context(1 socket)" in repr(ctx), repr(ctx)
        assert str(zmq.Frame(b"")) == "<zmq.Frame(b'')>"
        g = zmq.green.Context()
        assert repr(g.socket(zmq.PULL)).startswith("<zmq.green.Socket(zmq.PULL)")
        s.close()
        ctx.term()
        """
    )


def test_write_only_options_read_as_missing_attributes() -> None:
    with purezmq.Context() as ctx, ctx.socket(purezmq.SUB) as sub:
        with pytest.raises(AttributeError, match="write-only"):
            sub.SUBSCRIBE  # noqa: B018
        # What mock.Mock(spec=...) does: read every name in dir() (a deprecated one too).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            mock.Mock(spec=sub)
            mock.Mock(spec=ctx)


def test_assigning_subscribe_sets_the_option() -> None:
    with purezmq.Context() as ctx:
        pub = ctx.socket(purezmq.PUB)
        port = pub.bind_to_random_port("tcp://127.0.0.1")
        sub = ctx.socket(purezmq.SUB)
        sub.connect(f"tcp://127.0.0.1:{port}")
        sub.subscribe = "c"
        sub.rcvtimeo = 5000
        assert callable(type(sub).subscribe)  # the method is still there
        # Publish until the subscription took effect; only "c..." topics may arrive.
        poller = purezmq.Poller()
        poller.register(sub, purezmq.POLLIN)
        for _ in range(500):
            pub.send(b"a-not-this")
            pub.send(b"c-this")
            if poller.poll(10):
                break
        assert sub.recv() == b"c-this"
        pub.close(0)
        sub.close(0)


def test_non_contiguous_buffers_raise_buffer_error() -> None:
    with pytest.raises(BufferError):
        purezmq.Frame(memoryview(bytearray(10))[::2])
    with purezmq.Context() as ctx:
        a = ctx.socket(purezmq.PAIR)
        b = ctx.socket(purezmq.PAIR)
        a.bind("inproc://into")
        b.connect("inproc://into")
        a.send(b"abc")
        with pytest.raises(BufferError):
            b.recv_into(memoryview(bytearray(10))[::2])
        with pytest.raises(BufferError):
            b.recv_into(b"read-only")
        with pytest.raises(ValueError):
            b.recv_into(bytearray(2), nbytes=3)
        with pytest.raises(TypeError):
            b.recv_into(object())
        target = bytearray(2)
        assert b.recv_into(target) == 3 and target == b"ab"
        a.close(0)
        b.close(0)


def test_leaving_a_context_block_with_open_sockets_warns_and_closes_them() -> None:
    with pytest.warns(ResourceWarning), purezmq.Context() as ctx:
        s = ctx.socket(purezmq.PUSH)
    assert s.closed and ctx.closed


def test_a_subclass_shares_its_parents_instance_unless_it_has_its_own() -> None:
    class Inherits(purezmq.Context):
        pass

    class OwnInstance(purezmq.Context):
        _instance = None

    ctx = purezmq.Context.instance()
    try:
        assert Inherits.instance() is ctx
        own = OwnInstance.instance()
        assert type(own) is OwnInstance
        own.term()
    finally:
        ctx.term()
