"""Property: however a message is sent (frame by frame with SNDMORE, send_multipart, or a mix)
and however it is read (recv frame by frame, recv_multipart, or a mix), it arrives whole,
in order, with RCVMORE telling the truth."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import purezmq as zmq

frames = st.binary(max_size=16)
messages = st.lists(st.lists(frames, min_size=1, max_size=5), min_size=1, max_size=8)
# How to split each message when sending: frame-at-a-time prefix length, then send_multipart.
split = st.integers(min_value=0, max_value=5)


@contextmanager
def _pair() -> Iterator[tuple[Any, Any]]:
    """A fresh inproc pair per example: a failing example must not leave messages behind."""
    ctx = zmq.Context()
    a = ctx.socket(zmq.PAIR)
    b = ctx.socket(zmq.PAIR)
    a.linger = b.linger = 0
    a.bind("inproc://props")
    b.connect("inproc://props")
    try:
        yield a, b
    finally:
        ctx.destroy(0)


@settings(max_examples=200, deadline=None)
@given(msgs=messages, send_splits=st.lists(split, min_size=8, max_size=8), data=st.data())
def test_any_send_and_recv_style_round_trips(
    msgs: list[list[bytes]], send_splits: list[int], data: Any
) -> None:
    with _pair() as (a, b):
        _round_trip(a, b, msgs, send_splits, data)


def _round_trip(a: Any, b: Any, msgs: list[list[bytes]], send_splits: list[int], data: Any) -> None:
    for msg, k in zip(msgs, send_splits, strict=False):
        k = min(k, len(msg))
        for i in range(k):
            a.send(msg[i], zmq.SNDMORE if i < len(msg) - 1 else 0)
        if k < len(msg):
            a.send_multipart(msg[k:])
    for msg in msgs:
        got: list[bytes] = []
        while len(got) < len(msg):
            if data.draw(st.booleans()):
                got.append(b.recv())
                assert b.rcvmore == (len(got) < len(msg))
            else:
                got.extend(b.recv_multipart())
                assert b.rcvmore == 0
        assert got == msg
    with pytest.raises(zmq.Again):
        b.recv(zmq.DONTWAIT)
