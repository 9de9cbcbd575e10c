"""Front-end helpers that need no engine: coercion, codecs, options, has(), Frame, monitor."""

from __future__ import annotations

import struct

import pytest

from purezmq._base import attributes, serialize, versions
from purezmq._base.frame import Frame, Message
from purezmq.constants import Event, SocketOption
from purezmq.utils.monitor import parse_monitor_message


def test_coerce_frame_accepts_bytes_like_and_frames() -> None:
    assert serialize.coerce_frame(b"a") == b"a"
    assert serialize.coerce_frame(bytearray(b"ab")) == b"ab"
    assert serialize.coerce_frame(memoryview(b"abc")[1:]) == b"bc"
    assert serialize.coerce_frame(Frame(b"xyz")) == b"xyz"
    assert type(serialize.coerce_frame(bytearray(b"ab"))) is bytes


def test_coerce_frame_refuses_str_like_pyzmq() -> None:
    with pytest.raises(TypeError, match="unicode not allowed, use send_string"):
        serialize.coerce_frame("text")
    with pytest.raises(TypeError, match="does not support the buffer interface"):
        serialize.coerce_frame(12)
    with pytest.raises(TypeError, match="Frame 1"):
        serialize.coerce_message([b"a", object()])
    with pytest.raises(TypeError, match="sequence of frames"):
        serialize.coerce_message(b"abc")


def test_codecs_round_trip() -> None:
    assert serialize.decode_string(serialize.encode_string("héllo")) == "héllo"
    assert serialize.encode_string("é", "latin-1") == b"\xe9"
    with pytest.raises(TypeError):
        serialize.encode_string(b"bytes")  # type: ignore[arg-type]
    obj = {"a": [1, 2, None], "b": "ü"}
    assert serialize.decode_json(serialize.encode_json(obj)) == obj
    assert serialize.encode_json({"a": 1}) == b'{"a": 1}'
    assert serialize.decode_pyobj(serialize.encode_pyobj({1, 2})) == {1, 2}
    assert serialize.encode_serialized(3, lambda n: [b"x"] * n) == [b"x", b"x", b"x"]


def test_option_attribute_names() -> None:
    assert attributes.option_for_attribute("Socket", "rcvhwm") == SocketOption.RCVHWM
    assert attributes.option_for_attribute("Socket", "identity") == SocketOption.ROUTING_ID
    assert attributes.option_for_attribute("Context", "io_threads") == 1
    with pytest.raises(AttributeError, match="Socket has no such option: NONSENSE"):
        attributes.option_for_attribute("Socket", "nonsense")
    with pytest.raises(AttributeError):
        attributes.option_for_attribute("Socket", "io_threads")


def test_option_value_types_like_pyzmq() -> None:
    with pytest.raises(TypeError, match="use setsockopt_string"):
        attributes.check_option_value(SocketOption.ROUTING_ID, "abc")
    with pytest.raises(TypeError, match="use setsockopt_string"):
        attributes.check_option_value(SocketOption.LINGER, "1")
    with pytest.raises(TypeError, match="expected bytes"):
        attributes.check_option_value(SocketOption.ROUTING_ID, 5)
    with pytest.raises(TypeError, match="expected int"):
        attributes.check_option_value(SocketOption.LINGER, b"1")
    assert attributes.check_option_value(SocketOption.ROUTING_ID, bytearray(b"id")) == b"id"
    assert attributes.check_option_value(SocketOption.IMMEDIATE, True) == 1


def test_has_answers_truthfully() -> None:
    try:
        import nacl  # noqa: F401

        curve = True
    except ImportError:
        curve = False
    assert versions.has("curve") is curve
    assert versions.has("draft")
    assert versions.has("pgm")  # pgm:// and epgm://, as libzmq reports both
    for absent in ("tipc", "norm", "gssapi", "bogus"):
        assert versions.has(absent) is False
    assert isinstance(versions.has("ipc"), bool)
    assert isinstance(versions.has("ws"), bool)


def test_versions() -> None:
    assert versions.zmq_version() == "4.3.5"
    assert versions.zmq_version_info() == (4, 3, 5)
    assert versions.pyzmq_version_info()[0] >= 26
    assert versions.pyzmq_version().count(".") == 2


def test_frame_surface() -> None:
    f = Frame(b"abc")
    assert bytes(f) == f.bytes == b"abc"
    assert len(f) == 3
    assert f.buffer.tobytes() == b"abc"
    assert f.more is False
    assert f.get(1) == 0  # MORE
    with pytest.raises(TypeError, match="Str objects not allowed"):
        Frame("é")  # pyzmq 27: encode it first
    assert Message is Frame
    from purezmq.error import ZMQError

    with pytest.raises(ZMQError) as e:
        f.get("User-Id")
    assert e.value.errno == 22
    g = Frame._received(b"x", True, {"Peer-Address": "127.0.0.1", "Socket-Type": "PAIR"})
    assert g.more and g.get(1) == 1
    assert g.get("Peer-Address") == "127.0.0.1"
    assert g["socket-type"] == "PAIR"  # metadata names are case-insensitive
    assert "Frame" in repr(g)


def test_parse_monitor_message() -> None:
    msg = [struct.pack("=hi", int(Event.LISTENING), 7), b"tcp://127.0.0.1:5555"]
    ev = parse_monitor_message(msg)
    assert ev == {"event": Event.LISTENING, "value": 7, "endpoint": b"tcp://127.0.0.1:5555"}
    with pytest.raises(RuntimeError, match="Invalid event message"):
        parse_monitor_message([b"abc"])


def test_monitor_format_matches_pyzmq() -> None:
    zmq_monitor = pytest.importorskip("zmq.utils.monitor")
    msg = [struct.pack("=hi", int(Event.ACCEPTED), 12), b"tcp://x:1"]
    assert zmq_monitor.parse_monitor_message(msg) == parse_monitor_message(msg)
