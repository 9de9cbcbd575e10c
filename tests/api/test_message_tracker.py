"""``MessageTracker`` and ``track=True`` behave as pyzmq's: each test body runs against purezmq
and against pyzmq (real libzmq).

One deliberate difference: pyzmq lends a large ``copy=False`` buffer to libzmq, so its tracker
turns done only once libzmq let go of it; purezmq never reads the caller's buffer after
``send`` returns, so its trackers are done at once. Tests that wait for a tracker hold for both.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

BIG = b"x" * 100_000  # over COPY_THRESHOLD: pyzmq sends it zero-copy
SMALL = b"x" * 10


@pytest.fixture(params=["purezmq", "pyzmq"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    return purezmq if request.param == "purezmq" else zmq


@pytest.fixture
def pair(lib: Any) -> Iterator[tuple[Any, Any]]:
    """Two connected PAIR sockets (sender, receiver) over inproc."""
    ctx = lib.Context()
    a, b = ctx.socket(lib.PAIR), ctx.socket(lib.PAIR)
    b.rcvtimeo = 5000
    a.bind("inproc://tracker")
    b.connect("inproc://tracker")
    try:
        yield a, b
    finally:
        a.close(0)
        b.close(0)
        ctx.term()


def test_a_tracker_of_nothing_is_done(lib: Any) -> None:
    tracker = lib.MessageTracker()
    assert tracker.done
    assert tracker.events == set() and tracker.peers == set()
    tracker.wait(0)
    tracker.wait()


def test_a_tracker_is_done_once_its_events_are_set(lib: Any) -> None:
    evt = threading.Event()
    tracker = lib.MessageTracker(evt)
    assert tracker.events == {evt}
    assert not tracker.done
    with pytest.raises(lib.NotDone):
        tracker.wait(0.01)
    setter = threading.Thread(target=evt.set)
    setter.start()
    tracker.wait(5)  # woken by the other thread's set(), long before the bound
    setter.join()
    assert tracker.done


def test_a_tracker_is_done_once_its_peer_trackers_are(lib: Any) -> None:
    evt = threading.Event()
    inner = lib.MessageTracker(evt)
    outer = lib.MessageTracker(inner, lib.MessageTracker())
    assert inner in outer.peers and len(outer.peers) == 2
    assert not outer.done
    with pytest.raises(lib.NotDone):
        outer.wait(0)
    evt.set()
    assert outer.done
    outer.wait(1)


def test_tracked_frames_are_watched_and_untracked_ones_refused(lib: Any) -> None:
    tracked = lib.Frame(b"x", track=True)
    tracker = lib.MessageTracker(tracked)
    assert tracker.peers == {tracked.tracker}
    assert tracker.done
    with pytest.raises(ValueError, match="Not a tracked message"):
        lib.MessageTracker(lib.Frame(b"x"))
    with pytest.raises(TypeError, match="Require Events or Message Frames"):
        lib.MessageTracker(1)


# (copy, track, payload) -> what send returns: None, or a tracker.
SEND_CASES = [
    (True, False, SMALL, None),
    (True, True, SMALL, None),  # copying sends ignore track
    (True, True, BIG, None),
    (False, False, SMALL, "tracker"),  # under copy_threshold: a (done) tracker anyway
    (False, True, SMALL, "tracker"),
    (False, False, BIG, None),
    (False, True, BIG, "tracker"),
]


@pytest.mark.parametrize(("copy", "track", "payload", "expected"), SEND_CASES)
def test_send_returns_a_tracker_as_pyzmq_does(
    lib: Any, pair: tuple[Any, Any], copy: bool, track: bool, payload: bytes, expected: str | None
) -> None:
    a, b = pair
    result = a.send(payload, copy=copy, track=track)
    if expected is None:
        assert result is None
    else:
        assert isinstance(result, lib.MessageTracker)
    assert b.recv() == payload
    if result is not None:
        result.wait(5)  # pyzmq: once libzmq let go of the buffer; purezmq: already
        assert result.done


def test_a_zero_copy_threshold_makes_small_sends_untracked(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    a.copy_threshold = 0
    assert a.send(SMALL, copy=False) is None
    tracker = a.send(SMALL, copy=False, track=True)
    assert b.recv() == SMALL and b.recv() == SMALL
    tracker.wait(5)


def test_sending_a_frame_returns_its_tracker(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    frame = lib.Frame(SMALL, track=True)
    assert a.send(frame) is frame.tracker
    assert a.send(frame, copy=False, track=True) is frame.tracker
    assert a.send(lib.Frame(SMALL)) is None
    assert [b.recv() for _ in range(3)] == [SMALL] * 3


def test_track_with_an_untracked_frame_fails_before_anything_is_sent(
    lib: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    with pytest.raises(ValueError, match="Not a tracked message"):
        a.send(lib.Frame(b"untracked"), track=True)
    a.send(b"next")
    assert b.recv() == b"next"
    assert not b.rcvmore


def test_send_multipart_returns_what_its_last_part_returns(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert a.send_multipart([b"a", b"b"], track=True) is None
    assert isinstance(a.send_multipart([b"a", b"b"], copy=False), lib.MessageTracker)
    tracked = lib.Frame(b"c", track=True)
    assert a.send_multipart([b"a", tracked]) is tracked.tracker
    assert a.send_multipart((b"a", b"b")) is None
    for _ in range(4):
        assert len(b.recv_multipart()) == 2


def test_string_and_json_sends_follow_the_same_rules(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert a.send_string("s") is None
    assert isinstance(a.send_string("s", copy=False), lib.MessageTracker)
    assert a.send_json({"k": 1}) is None
    assert a.send_pyobj(1) is None
    assert [b.recv() for _ in range(4)][:2] == [b"s", b"s"]


def test_received_frames_are_tracked_when_asked(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    a.send_multipart([b"1", b"2"])
    a.send(b"3")
    frames = b.recv_multipart(copy=False, track=True)
    assert all(f.tracker is not None and f.tracker.done for f in frames)
    assert b.recv(copy=False, track=True).tracker.done
    a.send(b"4")
    assert b.recv(copy=False).tracker is None


def test_new_sockets_take_the_module_copy_threshold(
    lib: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lib, "COPY_THRESHOLD", 0)
    ctx = lib.Context()
    a, b = ctx.socket(lib.PAIR), ctx.socket(lib.PAIR, copy_threshold=7)
    try:
        assert a.copy_threshold == 0 and b.copy_threshold == 7
        a.bind("inproc://threshold")
        b.connect("inproc://threshold")
        assert a.send(SMALL, copy=False) is None  # nothing is under a threshold of 0
        assert b.recv() == SMALL
    finally:
        a.close(0)
        b.close(0)
        ctx.term()


def test_copied_sends_return_the_module_finished_tracker(lib: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    assert a.send(SMALL, copy=False) is lib._FINISHED_TRACKER
    assert lib.Frame(SMALL, track=True).tracker is lib._FINISHED_TRACKER
    assert b.recv() == SMALL
