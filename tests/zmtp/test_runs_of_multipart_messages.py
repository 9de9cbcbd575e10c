"""Runs of multipart messages of one layout (an envelope and a body: ``[routing id, body]``,
REQ's ``[b"", body]``) are cut out by the decoder in one step: the same messages, as lists, as
frame-by-frame decoding gives, whatever ends the run and wherever the reads are cut."""

from __future__ import annotations

import pytest

from purezmq._typing import Received
from purezmq.constants import SocketType
from purezmq.error import ProtocolError
from purezmq.zmtp import Connection, ProtocolFailure, commands
from purezmq.zmtp.codec import (
    FLAG_COMMAND,
    FLAG_MORE,
    PARTS_MAX,
    RUN_MAX,
    RUN_MIN,
    FrameDecoder,
    encode_frame,
)

from .conftest import ready_pull_connection

T = SocketType


def _wire(messages: list[list[bytes]]) -> bytes:
    return b"".join(
        encode_frame(frame, FLAG_MORE if i < len(msg) - 1 else 0)
        for msg in messages
        for i, frame in enumerate(msg)
    )


def _envelopes(n: int, parts: int = 2, size: int = 16, tag: int = 0) -> list[list[bytes]]:
    return [
        [b"%04d" % (j + tag) for j in range(parts - 1)] + [bytes([tag + i % 200]) * size]
        for i in range(n)
    ]


def _split(wire: bytes) -> tuple[list[Received], list[bytes], int]:
    messages: list[Received] = []
    partial, used = FrameDecoder().split_messages(wire, [], messages)
    return messages, partial, used


@pytest.mark.parametrize("parts", range(2, PARTS_MAX + 1))
def test_a_run_of_one_layout_is_read_whole_as_lists(parts: int) -> None:
    messages = _envelopes(RUN_MAX + 100, parts)
    wire = _wire(messages)
    got, partial, used = _split(wire)
    assert (partial, used) == ([], len(wire))
    assert got == messages
    assert all(type(msg) is list for msg in got)
    assert all(type(frame) is bytes for msg in got for frame in msg)
    # In steps of RUN_MAX messages, not frame by frame.
    step = len(_wire(messages[:1]))
    direct: list[Received] = []
    assert FrameDecoder()._split_parts_run(wire, 0, direct) == RUN_MAX * step
    assert direct == messages[:RUN_MAX]


@pytest.mark.parametrize(
    "odd",
    [
        [b"0000", b"x" * 17],  # another body size
        [b"000", b"x" * 16],  # another envelope size
        [b"", b"x" * 16],  # an empty envelope
        [b"0000", b"0000", b"x" * 16],  # one part more
        [b"x" * 16],  # one part less
    ],
    ids=["body-size", "envelope-size", "empty-envelope", "more-parts", "fewer-parts"],
)
@pytest.mark.parametrize("at", [1, RUN_MIN - 1, RUN_MIN, 40])
def test_a_run_stops_at_the_first_message_of_another_layout(odd: list[bytes], at: int) -> None:
    messages = [*_envelopes(at), odd, *_envelopes(30, tag=1)]
    wire = _wire(messages)
    got, partial, used = _split(wire)
    # All short frames: nothing is left to decode, and the odd one is read alone.
    assert partial == [] and used == len(wire)
    assert [list(msg) for msg in got] == messages
    assert all(type(msg) is list for msg in got if len(msg) > 1)


def test_too_many_parts_reserved_bits_or_a_long_part_are_read_frame_by_frame() -> None:
    wide = _envelopes(10, PARTS_MAX + 1)
    got, partial, used = _split(_wire(wide))
    assert [list(msg) for msg in got] == wide and used == len(_wire(wide))
    # Reserved flag bits on the envelope: no run, read one by one (flags are not kept).
    flagged = b"".join(
        bytes([FLAG_MORE | 0x80, 4]) + b"abcd" + encode_frame(b"body") for _ in range(10)
    )
    got, partial, used = _split(flagged)
    assert [list(msg) for msg in got] == [[b"abcd", b"body"]] * 10 and used == len(flagged)
    # A long body: the run reader leaves it to decode.
    long_body = _wire([[b"id", b"x" * 300]] * 10)
    got, partial, used = _split(long_body)
    assert got == [] and partial == [b"id"]


def test_a_run_cut_by_the_end_of_the_read_leaves_the_message_in_progress() -> None:
    messages = _envelopes(20)
    wire = _wire(messages)
    for cut in range(len(wire) + 1):
        got, partial, used = _split(wire[:cut])
        rest: list[tuple[int, bytes]] = []
        FrameDecoder().decode(wire[used:], rest)
        frames = [
            (FLAG_MORE if i < len(msg) - 1 else 0, body)
            for msg in got
            for i, body in enumerate(msg)
        ] + [(FLAG_MORE, body) for body in partial]
        assert frames + rest == [
            (FLAG_MORE if i < len(msg) - 1 else 0, body)
            for msg in messages
            for i, body in enumerate(msg)
        ], cut


def _feed(conn: Connection, reads: list[bytes]) -> tuple[list[list[bytes]], ProtocolError | None]:
    got: list[list[bytes]] = []
    error: ProtocolError | None = None
    for data in reads:
        conn.receive_data(data, 1.0)
        got += map(list, conn.messages_received())
        for event in conn.events_received():
            if isinstance(event, ProtocolFailure):
                error = event.error
    return got, error


_PING = encode_frame(commands.ping(0, b"c"), FLAG_COMMAND)


def test_every_cut_of_a_stream_of_envelope_runs_gives_the_same_messages() -> None:
    messages = (
        _envelopes(8)
        + [[b"solo"]] * 5
        + _envelopes(6, parts=3, tag=1)
        + _envelopes(5, size=17, tag=2)
    )
    wire = _wire(messages[:8]) + _PING + _wire(messages[8:])
    for cut in range(len(wire) + 1):
        got, error = _feed(ready_pull_connection(), [wire[:cut], wire[cut:]])
        assert error is None, cut
        assert got == messages, cut


def test_an_oversize_body_after_a_run_of_envelopes_fails_as_without_the_run() -> None:
    bad = bytes([0x02]) + (1000).to_bytes(8, "big")
    wire = _wire(_envelopes(8)) + encode_frame(b"id", FLAG_MORE) + bad
    one_byte_reads = [wire[i : i + 1] for i in range(len(wire))]
    reference, ref_error = _feed(ready_pull_connection(300), one_byte_reads)
    assert ref_error is not None and len(reference) == 8
    for cut in range(len(wire) + 1):
        got, error = _feed(ready_pull_connection(300), [wire[:cut], wire[cut:]])
        assert got == reference, cut
        assert error is not None and error.reason == ref_error.reason, cut
