"""The blocking front-end's fast paths: a run of one-frame messages taken ahead is handed out
without a look at each message (``SocketCore.plain_run``); anything else takes the full path,
with the same results."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq as zmq

from .conftest import inproc_pair


def _queued_pull(ctx: zmq.Context, messages: list[list[bytes]]) -> Any:
    pull, push = inproc_pair(ctx, zmq.PULL, zmq.PUSH)
    for msg in messages:
        push.send_multipart(msg)
    assert pull.poll(5000) == zmq.POLLIN
    push.close()
    return pull


def test_a_run_of_one_frame_messages_is_handed_out_in_order(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"%d" % i] for i in range(10)])
    assert pull.recv() == b"0"
    # The fast path serves the rest (unless the process made a tracked payload: frames may
    # then be something else than bytes, ``BodyPool.lent``).
    assert pull._core.plain_run == (not pull._bodies.lent)
    assert [pull.recv() for _ in range(4)] == [b"1", b"2", b"3", b"4"]
    assert pull.rcvmore == 0
    assert pull.recv_multipart() == [b"5"]
    assert pull.recv_string() == "6"
    frame = pull.recv(copy=False)  # not the fast path: a Frame
    assert frame.bytes == b"7" and not frame.more
    assert [pull.recv(), pull.recv()] == [b"8", b"9"]


def test_a_run_with_a_multipart_message_takes_the_full_path(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"a"], [b"b1", b"b2"], [b"c"]])
    assert pull.recv() == b"a"
    assert not pull._core.plain_run
    assert pull.recv() == b"b1" and pull.rcvmore == 1
    assert pull.recv() == b"b2" and pull.rcvmore == 0
    assert pull.recv() == b"c"


def test_the_rest_of_a_first_multipart_message_comes_before_the_run(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"a1", b"a2"], [b"b"], [b"c"]])
    assert pull.recv() == b"a1" and pull.rcvmore == 1
    assert not pull._core.plain_run
    assert pull.recv() == b"a2" and pull.rcvmore == 0
    assert [pull.recv(), pull.recv_multipart()] == [b"b", [b"c"]]


def test_closing_the_socket_clears_the_run_flag(ctx: zmq.Context) -> None:
    pull = _queued_pull(ctx, [[b"1"], [b"2"], [b"3"]])
    assert pull.recv() == b"1"
    assert pull._core.plain_run == (not pull._bodies.lent)
    core = pull._core
    pull.close()
    assert not core.plain_run
    with pytest.raises(zmq.ZMQError) as info:
        pull.recv()
    assert info.value.errno == zmq.ENOTSOCK


def test_push_counts_what_its_fast_path_sends(ctx: zmq.Context) -> None:
    pull, push = inproc_pair(ctx, zmq.PULL, zmq.PUSH)
    for i in range(5):
        push.send(b"%d" % i)
    push.send_multipart([b"x", b"y"])
    assert push._core.statistics().pattern.messages_out == 6
    assert [pull.recv() for _ in range(5)] == [b"0", b"1", b"2", b"3", b"4"]
    assert pull.recv_multipart() == [b"x", b"y"]
