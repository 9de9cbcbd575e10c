"""``Connection.encode_turn`` and ``receive_turn``: a request/reply turn's message in one call.

Each short path must give exactly what the general calls give (``send_message`` then
``data_to_send``; ``receive_data`` then ``messages_received``), and hand every other case to
them unchanged.
"""

from __future__ import annotations

import pytest

from purezmq.constants import SocketType
from purezmq.testing import connected_pair
from purezmq.zmtp import Connection, ConnectionOptions, NullMechanism, commands
from purezmq.zmtp.codec import FLAG_COMMAND, encode_frame

T = SocketType


def _general_bytes(frames: list[bytes]) -> bytes:
    conn, _ = connected_pair(T.REQ, T.REP)
    conn.send_message(frames)
    return b"".join(bytes(c) for c in conn.data_to_send())


@pytest.mark.parametrize("size", [0, 1, 2, 100, 254, 255])
@pytest.mark.parametrize("delimited", [True, False], ids=["delimiter-and-body", "one-frame"])
def test_encode_turn_gives_the_bytes_send_message_would(size: int, delimited: bool) -> None:
    frames = [b"", b"x" * size] if delimited else [b"y" * size]
    conn, _ = connected_pair(T.REQ, T.REP)
    assert conn.encode_turn(frames) == _general_bytes(frames)
    assert conn.data_to_send() == []  # nothing was queued


@pytest.mark.parametrize(
    "frames",
    [
        [b"x" * 256],  # a long frame
        [b"", b"x" * 256],
        [b"a", b"b"],  # no delimiter first
        [b"", b"a", b"b"],  # more frames
        [b"", memoryview(b"view")],  # not bytes: its length may not be its size
        [],
    ],
    ids=["long", "delimited-long", "two-bodies", "three-frames", "memoryview", "empty"],
)
def test_encode_turn_leaves_other_messages_to_send_message(frames: list[bytes]) -> None:
    conn, _ = connected_pair(T.DEALER, T.ROUTER)
    assert conn.encode_turn(frames) is None


def test_encode_turn_refuses_while_other_bytes_wait() -> None:
    conn, _ = connected_pair(T.REQ, T.REP)
    conn.send_message([b"", b"first"])
    assert conn.encode_turn([b"", b"second"]) is None  # it would overtake the first


def test_encode_turn_refuses_before_the_handshake_and_for_a_sub() -> None:
    early = Connection(T.REQ, NullMechanism())
    assert early.encode_turn([b"", b"q"]) is None
    sub, _ = connected_pair(T.SUB, T.PUB)
    assert sub.encode_turn([b"\x01topic"]) is None  # a subscription becomes a command


def _general_messages(data: bytes, options: ConnectionOptions | None = None) -> list[list[bytes]]:
    conn, _ = connected_pair(T.REP, T.REQ, options_a=options)
    conn.receive_data(memoryview(data), 1.0)
    # A one-frame message may come out as a 1-tuple (docs/contracts.md, "Pipes").
    return [list(msg) for msg in conn.messages_received()]


@pytest.mark.parametrize("size", [0, 1, 100, 255])
@pytest.mark.parametrize("delimited", [True, False], ids=["delimiter-and-body", "one-frame"])
def test_receive_turn_returns_what_receive_data_would_queue(size: int, delimited: bool) -> None:
    frames = [b"", b"x" * size] if delimited else [b"y" * size]
    data = _general_bytes(frames)
    conn, _ = connected_pair(T.REP, T.REQ)
    assert conn.receive_turn(memoryview(data), 1.0) == frames
    assert conn.messages_received() == []
    assert _general_messages(data) == [frames]


@pytest.mark.parametrize(
    "data",
    [
        _general_bytes([b"", b"a"]) + _general_bytes([b"", b"b"]),  # two messages in one read
        _general_bytes([b"", b"a", b"b"]),  # more frames
        _general_bytes([b"", b"x" * 300]),  # a long frame
        _general_bytes([b"", b"abcdef"])[:-2],  # cut short: the rest comes next read
        encode_frame(commands.ping(0, b""), FLAG_COMMAND),  # a command
    ],
    ids=["two-messages", "three-frames", "long", "partial", "ping"],
)
def test_receive_turn_feeds_any_other_read_to_receive_data(data: bytes) -> None:
    conn, _ = connected_pair(T.REP, T.REQ)
    assert conn.receive_turn(memoryview(data), 1.0) is None
    assert [list(msg) for msg in conn.messages_received()] == _general_messages(data)


def test_receive_turn_finishes_a_message_a_read_left_unfinished() -> None:
    whole = _general_bytes([b"", b"abcdef"])
    conn, _ = connected_pair(T.REP, T.REQ)
    assert conn.receive_turn(memoryview(whole[:3]), 1.0) is None
    # The rest alone has a turn's length but is the tail of a frame, not a header.
    assert conn.receive_turn(memoryview(whole[3:]), 1.0) is None
    assert conn.messages_received() == [[b"", b"abcdef"]]


def test_receive_turn_leaves_maxmsgsize_to_receive_data() -> None:
    options = ConnectionOptions(max_msg_size=3)
    data = _general_bytes([b"", b"too long"])
    conn, _ = connected_pair(T.REP, T.REQ, options_a=options)
    assert conn.receive_turn(memoryview(data), 1.0) is None
    assert conn.messages_received() == []
    assert not conn.ready  # the general path failed the connection
