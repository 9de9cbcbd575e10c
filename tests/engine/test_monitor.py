"""Monitor messages: libzmq's byte layout (checked with pyzmq's parser) and the sinks."""

from __future__ import annotations

import errno

from zmq.utils.monitor import parse_monitor_message

from purezmq._engine.monitor import MonitorSink, format_event, parse_event
from purezmq.constants import Event
from purezmq.patterns.pipe import pipe_pair


def test_layout_matches_libzmq_observed_bytes() -> None:
    # spec options.md §6.3: CONNECT_DELAYED, value 115, observed from libzmq 4.3.5.
    frames = format_event(Event.CONNECT_DELAYED, errno.EINPROGRESS, "tcp://127.0.0.1:43199")
    assert frames[0] == b"\x02\x00" + errno.EINPROGRESS.to_bytes(4, "little")
    assert frames[1] == b"tcp://127.0.0.1:43199"


def test_pyzmq_parses_our_messages() -> None:
    for event, value in [(Event.HANDSHAKE_FAILED_PROTOCOL, 0x11000002), (Event.CLOSED, 7)]:
        parsed = parse_monitor_message(format_event(event, value, "ipc://@x"))
        assert parsed["event"] == event
        assert parsed["value"] == value
        assert parsed["endpoint"] == b"ipc://@x"
    assert parse_event(format_event(Event.ACCEPTED, 12, "tcp://[::1]:5")) == (
        Event.ACCEPTED,
        12,
        "tcp://[::1]:5",
    )


def test_value_wraps_to_uint32() -> None:
    assert parse_event(format_event(Event.CONNECT_RETRIED, -1, ""))[1] == 0xFFFFFFFF


def test_sink_filters_drops_and_stops() -> None:
    theirs, ours = pipe_pair(2, 2)
    sink = MonitorSink(ours, Event.CONNECTED | Event.MONITOR_STOPPED)
    assert sink.wants(Event.CONNECTED) and not sink.wants(Event.ACCEPTED)
    sink.emit(Event.ACCEPTED, 1, "a")  # not selected
    sink.emit(Event.CONNECTED, 5, "tcp://h:1")
    sink.emit(Event.CONNECTED, 6, "tcp://h:1")
    sink.emit(Event.CONNECTED, 7, "tcp://h:1")  # HWM 2: dropped, never blocks
    assert sink.dropped == 1
    assert parse_event(theirs.read()) == (Event.CONNECTED, 5, "tcp://h:1")
    sink.stop()
    assert parse_event(theirs.read()) == (Event.CONNECTED, 6, "tcp://h:1")
    assert parse_event(theirs.read()) == (Event.MONITOR_STOPPED, 0, "")
    assert theirs.read() is None and theirs.peer_closed
    sink.emit(Event.CONNECTED, 8, "x")
    sink.stop()
    assert theirs.read() is None
