"""Runs of one-frame messages of one size (the common small-message stream) leave the decoder
as 1-tuples (``Received``): the same messages, in order, as frame-by-frame decoding gives,
whatever ends the run and wherever the reads are cut; malformed input after a run fails the
connection exactly as without one."""

from __future__ import annotations

import gc

import pytest

from purezmq._typing import Received
from purezmq.constants import SocketType
from purezmq.error import ProtocolError
from purezmq.zmtp import Connection, ProtocolFailure, commands
from purezmq.zmtp.codec import FLAG_COMMAND, FLAG_LONG, FLAG_MORE, RUN_MIN, encode_frame

from .conftest import ready_pull_connection

T = SocketType


def _wire(messages: list[list[bytes]]) -> bytes:
    return b"".join(
        encode_frame(frame, FLAG_MORE if i < len(msg) - 1 else 0)
        for msg in messages
        for i, frame in enumerate(msg)
    )


def _run(n: int, size: int = 16, tag: int = 0) -> list[list[bytes]]:
    return [[bytes([tag + i % 200]) * size] for i in range(n)]


def _feed(
    conn: Connection, reads: list[bytes]
) -> tuple[list[Received], ProtocolError | None, bytes]:
    """Feed ``reads`` in order; the messages, the failure (if any) and the bytes sent back."""
    got: list[Received] = []
    error: ProtocolError | None = None
    sent = b""
    for data in reads:
        conn.receive_data(data, 1.0)
        got += conn.messages_received()
        for event in conn.events_received():
            if isinstance(event, ProtocolFailure):
                error = event.error
        sent += b"".join(bytes(chunk) for chunk in conn.data_to_send())
    return got, error, sent


def _byte_by_byte(wire: bytes, max_msg_size: int = -1) -> tuple[list[Received], str | None]:
    """The reference: one byte per read never forms a run."""
    one_byte_reads = [wire[i : i + 1] for i in range(len(wire))]
    got, error, _ = _feed(ready_pull_connection(max_msg_size), one_byte_reads)
    assert all(type(msg) is list for msg in got)
    return got, None if error is None else error.reason


# What ends a run: a command (a PING, answered), a long frame, a multipart message, another
# size; each followed by a new run.
_PING = encode_frame(commands.ping(0, b"ctx"), FLAG_COMMAND)
_WIRE = b"".join(
    [
        _wire(_run(6)),
        _PING,
        _wire(_run(5, tag=1)),
        _wire([[b"L" * 300]]),
        _wire(_run(5, tag=2)),
        _wire([[b"k" * 4, b"v" * 16]]),
        _wire(_run(RUN_MIN, tag=3)),
        _wire(_run(RUN_MIN + 1, size=17)),
    ]
)
_EXPECTED = (
    _run(6)
    + _run(5, tag=1)
    + [[b"L" * 300]]
    + _run(5, tag=2)
    + [[b"k" * 4, b"v" * 16]]
    + _run(RUN_MIN, tag=3)
    + _run(RUN_MIN + 1, size=17)
)


def test_a_whole_stream_in_one_read_comes_out_as_runs_of_tuples() -> None:
    got, error, sent = _feed(ready_pull_connection(), [_WIRE])
    assert error is None
    assert [list(msg) for msg in got] == _EXPECTED
    # The first run is read in one step, as tuples; a multipart message is always a list.
    assert all(type(msg) is tuple for msg in got[:6])
    assert all(type(msg) is list for msg in got if len(msg) > 1)
    assert all(type(msg) in (list, tuple) for msg in got)
    assert all(type(frame) is bytes for msg in got for frame in msg)
    # The PING in the middle was answered, with its context.
    assert sent == encode_frame(commands.pong(b"ctx"), FLAG_COMMAND)


def test_every_cut_of_the_stream_gives_the_same_messages_and_pong() -> None:
    reference, _ = _byte_by_byte(_WIRE)
    assert reference == _EXPECTED
    for cut in range(len(_WIRE) + 1):
        got, error, sent = _feed(ready_pull_connection(), [_WIRE[:cut], _WIRE[cut:]])
        assert error is None, cut
        assert [list(msg) for msg in got] == _EXPECTED, cut
        assert sent == encode_frame(commands.pong(b"ctx"), FLAG_COMMAND), cut


def test_three_reads_cut_anywhere_around_the_multipart_message() -> None:
    start = _WIRE.index(b"kkkk") - 2
    for first in range(start - 40, start + 30):
        for second in range(first, first + 40, 3):
            got, error, _ = _feed(
                ready_pull_connection(), [_WIRE[:first], _WIRE[first:second], _WIRE[second:]]
            )
            assert error is None
            assert [list(msg) for msg in got] == _EXPECTED, (first, second)


@pytest.mark.parametrize(
    "bad",
    [
        # Long frames announcing more than MAXMSGSIZE (300), by far and by one byte.
        bytes([FLAG_LONG]) + (1000).to_bytes(8, "big"),
        bytes([FLAG_LONG]) + (301).to_bytes(8, "big") + b"x" * 301,
        # A malformed command: its name is longer than its body.
        encode_frame(b"\x09PING", FLAG_COMMAND),
        # An unknown command with MORE set (commands never continue).
        bytes([FLAG_COMMAND | FLAG_MORE, 5]) + b"\x04PING",
    ],
    ids=["oversize-header", "oversize-by-one", "bad-command", "command-with-more"],
)
def test_malformed_input_after_a_run_fails_as_without_one_at_every_cut(bad: bytes) -> None:
    wire = _wire(_run(8)) + bad + _wire(_run(8, tag=1))
    reference, reason = _byte_by_byte(wire, max_msg_size=300)
    for cut in range(len(wire) + 1):
        got, error, _ = _feed(ready_pull_connection(max_msg_size=300), [wire[:cut], wire[cut:]])
        assert [list(msg) for msg in got] == reference, cut
        assert (None if error is None else error.reason) == reason, cut


def test_the_messages_of_a_run_are_left_alone_by_the_cyclic_gc() -> None:
    # Lists would each be counted and traversed by every collection while they wait in a pipe;
    # the tuples of a run are dropped from tracking at the first look.
    got, error, _ = _feed(ready_pull_connection(), [_wire(_run(2000))])
    assert error is None and len(got) == 2000
    gc.collect()
    assert not any(gc.is_tracked(msg) for msg in got)


@pytest.mark.parametrize(
    "fourth",
    [[b"y" * 17], [b"y" * 15], [b"k", b"y" * 16]],
    ids=["longer", "shorter", "multipart"],
)
def test_a_run_broken_within_its_first_headers_is_read_frame_by_frame(
    fourth: list[bytes],
) -> None:
    messages = _run(3) + [fourth] + _run(RUN_MIN, tag=1) + [[b"z" * (i % 7)] for i in range(30)]
    wire = _wire(messages)
    got, error, _ = _feed(ready_pull_connection(), [wire])
    assert error is None
    assert [list(msg) for msg in got] == messages
    # One-frame messages split from the read are 1-tuples, run or not; multipart ones lists.
    assert [type(msg) for msg in got] == [tuple if len(m) == 1 else list for m in messages]
