"""User mistakes raise ZMQError with libzmq's errno and a message, exactly where pyzmq does.

Each mistake is written once against pyzmq's API and run with both libraries; the errno must
be the expected one for both, and purezmq's message must not be empty.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

EFSM = 156384763


def send_on_sub(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.SUB)
    s.send(b"x")


def recv_on_pub(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUB)
    s.recv(lib.DONTWAIT)


def recv_on_push(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.recv(lib.DONTWAIT)


def send_on_pull(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PULL)
    s.send(b"x", lib.DONTWAIT)


def req_sends_twice(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.REQ)
    s.connect("inproc://nobody-yet")
    s.send(b"one")
    s.send(b"two")


def req_recv_first(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.REQ)
    s.recv()


def rep_send_first(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.REP)
    s.send(b"x")


def unknown_option(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.DEALER)
    s.setsockopt(9999, 1)


def unknown_option_get(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.DEALER)
    s.getsockopt(9999)


def bad_option_value(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.DEALER)
    s.setsockopt(lib.LINGER, -2)


def bad_tcp_endpoint(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.connect("tcp://127.0.0.1")  # no port


def bad_tcp_bind_port(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.bind("tcp://127.0.0.1:notaport")


def no_transport(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.connect("127.0.0.1:5555")


def unknown_transport(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.bind("carrier-pigeon://coop")


def bind_in_use_tcp(lib: Any, ctx: Any, tmp: str) -> None:
    a = ctx.socket(lib.PULL)
    a.setsockopt(lib.LINGER, 0)
    port = a.bind_to_random_port("tcp://127.0.0.1")
    b = ctx.socket(lib.PULL)
    b.bind(f"tcp://127.0.0.1:{port}")


def bind_in_use_inproc(lib: Any, ctx: Any, tmp: str) -> None:
    a = ctx.socket(lib.PULL)
    a.bind("inproc://taken")
    b = ctx.socket(lib.PULL)
    b.bind("inproc://taken")


def unbind_never_bound(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PULL)
    s.bind("tcp://127.0.0.1:*")
    s.unbind("tcp://127.0.0.1:1")


def disconnect_never_connected(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.setsockopt(lib.LINGER, 0)
    s.connect("tcp://127.0.0.1:1")
    s.disconnect("tcp://127.0.0.1:2")


def disconnect_ipc_never_connected(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.disconnect(f"ipc://{os.path.join(tmp, 'never')}")


def bind_ipc_in_missing_dir(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PULL)
    s.bind(f"ipc://{os.path.join(tmp, 'no', 'such', 'dir', 'sock')}")


def send_on_closed_socket(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PUSH)
    s.close()
    s.send(b"x")


def socket_after_term(lib: Any, ctx: Any, tmp: str) -> None:
    ctx.term()
    ctx.socket(lib.PUSH)


def invalid_socket_type(lib: Any, ctx: Any, tmp: str) -> None:
    ctx.socket(999)


def recv_dontwait_with_nothing_queued(lib: Any, ctx: Any, tmp: str) -> None:
    s = ctx.socket(lib.PAIR)
    s.setsockopt(lib.LINGER, 0)
    s.bind("inproc://pair")
    a = ctx.socket(lib.PAIR)
    a.connect("inproc://pair")
    a.send(b"x")
    assert s.recv() == b"x"
    s.recv(lib.DONTWAIT)


MISTAKES: list[tuple[Callable[[Any, Any, str], None], int]] = [
    (send_on_sub, errno.ENOTSUP),
    (recv_on_pub, errno.ENOTSUP),
    (recv_on_push, errno.ENOTSUP),
    (send_on_pull, errno.ENOTSUP),
    (req_sends_twice, EFSM),
    (req_recv_first, EFSM),
    (rep_send_first, EFSM),
    (unknown_option, errno.EINVAL),
    (unknown_option_get, errno.EINVAL),
    (bad_option_value, errno.EINVAL),
    (bad_tcp_endpoint, errno.EINVAL),
    (bad_tcp_bind_port, errno.EINVAL),
    (no_transport, errno.EINVAL),
    (unknown_transport, errno.EPROTONOSUPPORT),
    (bind_in_use_tcp, errno.EADDRINUSE),
    (bind_in_use_inproc, errno.EADDRINUSE),
    (unbind_never_bound, errno.ENOENT),
    (disconnect_never_connected, errno.ENOENT),
    (disconnect_ipc_never_connected, errno.ENOENT),
    (bind_ipc_in_missing_dir, errno.ENOENT),
    (send_on_closed_socket, errno.ENOTSOCK),
    (socket_after_term, errno.ENOTSUP),  # pyzmq: "Context has been terminated"
    (invalid_socket_type, errno.EINVAL),
    (recv_dontwait_with_nothing_queued, errno.EAGAIN),
]


@pytest.fixture
def tmp_dir() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="pzmq-") as path:
        yield path


def raised(lib: Any, mistake: Callable[[Any, Any, str], None], tmp: str) -> BaseException:
    ctx = lib.Context()
    try:
        with pytest.raises((lib.ZMQError, lib.ZMQBaseError)) as info:
            mistake(lib, ctx, tmp)
        exc: BaseException = info.value
        return exc
    finally:
        ctx.destroy(linger=0)


@pytest.mark.parametrize(
    ("mistake", "expected"), [pytest.param(m, e, id=m.__name__) for m, e in MISTAKES]
)
def test_mistake_raises_libzmq_errno(
    mistake: Callable[[Any, Any, str], None], expected: int, tmp_dir: str
) -> None:
    theirs = raised(zmq, mistake, tmp_dir)
    ours = raised(purezmq, mistake, tmp_dir)
    assert getattr(theirs, "errno", None) == expected, theirs
    assert isinstance(ours, purezmq.ZMQError), repr(ours)
    assert ours.errno == expected, f"{ours!r}: {ours}"
    assert str(ours).strip(), "the message must say something"
    # pyzmq's subclasses for the special errnos
    if expected == errno.EAGAIN:
        assert isinstance(ours, purezmq.Again)


def test_wrong_python_types_raise_type_error_like_pyzmq() -> None:
    for lib in (zmq, purezmq):
        ctx = lib.Context()
        try:
            s = ctx.socket(lib.PUSH)
            with pytest.raises(TypeError):
                s.send("text is not bytes")
            with pytest.raises(TypeError):
                s.setsockopt(lib.LINGER, "0")
        finally:
            ctx.destroy(linger=0)
