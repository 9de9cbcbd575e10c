"""``MessageTracker`` and ``track=True`` behave as pyzmq's: each test body runs against purezmq
and against pyzmq (real libzmq).

A tracker tells when the library let go of a sent message. pyzmq's turns done when libzmq frees
the zero-copy buffer (through its garbage-collector thread: so tests ``wait``, bounded);
purezmq's when the payload object it handed to the engine is freed (``_base.frame``).
"""

from __future__ import annotations

import asyncio
import gc
import pickle
import socket
import threading
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq
from purezmq._base.frame import TrackedPayload

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
        result.wait(5)  # once the library let go of the message: it was received
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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_zero_copy_tracked_frame_is_pending_until_it_is_gone(lib: Any) -> None:
    frame = lib.Frame(b"asdf", copy=False, track=True)
    other = lib.Frame(b"whoda", copy=False, track=True)
    both = lib.MessageTracker(frame, other)
    assert not frame.tracker.done and not both.done
    assert isinstance(frame.tracker_event, threading.Event)
    del frame
    gc.collect()
    with pytest.raises(lib.NotDone):
        both.wait(0.05)  # ``other`` still lives
    del other
    gc.collect()
    both.wait(5)
    assert both.done


def test_a_copied_tracked_frame_is_done_from_the_start(lib: Any) -> None:
    assert lib.Frame(b"x", track=True).tracker is lib._FINISHED_TRACKER  # under the threshold
    assert lib.Frame(BIG, copy=True, track=True).tracker is lib._FINISHED_TRACKER
    big = lib.Frame(BIG, track=True)  # copy=None: zero-copy from COPY_THRESHOLD up
    assert not big.tracker.done


def test_a_tracked_send_is_pending_until_the_message_is_written(lib: Any) -> None:
    ctx = lib.Context()
    push, pull = ctx.socket(lib.PUSH), ctx.socket(lib.PULL)
    pull.rcvtimeo = 5000
    address = f"tcp://127.0.0.1:{_free_port()}"
    try:
        push.connect(address)  # nobody listens yet: the message waits in the socket
        assert push.send(b"small", copy=False, track=True) is lib._FINISHED_TRACKER
        push.copy_threshold = 0
        tracker = push.send_multipart([b"something", b"else"], copy=False, track=True)
        assert isinstance(tracker, lib.MessageTracker)
        with pytest.raises(lib.NotDone):
            tracker.wait(0.1)
        pull.bind(address)
        assert pull.recv_multipart() == [b"small"]
        assert pull.recv_multipart() == [b"something", b"else"]
        tracker.wait(5)
        assert tracker.done
    finally:
        push.close(0)
        pull.close(0)
        ctx.term()


def test_a_frame_sent_twice_is_pending_until_both_sends_and_the_frame_are_gone(
    lib: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    frame = lib.Frame(b"again", copy=False, track=True)
    first, second = a.send(frame, copy=False), a.send(frame, copy=False)
    assert first is second is frame.tracker
    assert b.recv_multipart() == [b"again"] and b.recv_multipart() == [b"again"]
    assert not frame.tracker.done  # the sends are over, the frame is not
    tracker = frame.tracker
    del frame
    gc.collect()
    tracker.wait(5)


def test_a_tracked_message_that_is_dropped_is_released(lib: Any) -> None:
    ctx = lib.Context()
    pub = ctx.socket(lib.PUB)
    pub.copy_threshold = 0
    try:
        pub.bind("inproc://tracker-drop")
        tracker = pub.send(b"nobody listens", copy=False, track=True)
        tracker.wait(5)  # no subscriber: dropped at once
    finally:
        pub.close(0)
        ctx.term()


def test_closing_the_socket_releases_what_it_still_held(lib: Any) -> None:
    ctx = lib.Context()
    push = ctx.socket(lib.PUSH)
    push.copy_threshold = 0
    try:
        push.connect(f"tcp://127.0.0.1:{_free_port()}")
        tracker = push.send(b"never delivered", copy=False, track=True)
        assert not tracker.done
        push.close(0)  # LINGER 0: the message is discarded
        # purezmq frees it with the connection's pipe pair, a reference cycle: collect it.
        gc.collect()
        tracker.wait(5)
    finally:
        ctx.term()


def test_an_inproc_receiver_gets_plain_bytes_and_releases_the_sender() -> None:
    ctx = purezmq.Context()
    a, b = ctx.socket(purezmq.PAIR), ctx.socket(purezmq.PAIR)
    a.copy_threshold = 0
    try:
        a.bind("inproc://tracker-plain")
        b.connect("inproc://tracker-plain")
        tracker = a.send_multipart([b"head", b"tail"], copy=False, track=True)
        single = a.send(b"single", copy=False, track=True)
        assert not tracker.done and not single.done  # queued for b
        received = b.recv_multipart()
        assert received == [b"head", b"tail"] and all(type(f) is bytes for f in received)
        assert tracker.done
        frame = b.recv(copy=False)
        assert type(frame.bytes) is bytes and single.done
    finally:
        a.close(0)
        b.close(0)
        ctx.term()


def test_a_tracked_payload_never_reaches_the_application_as_such() -> None:
    frame = purezmq.Frame(b"payload", copy=False, track=True)
    assert type(frame.bytes) is bytes and type(bytes(frame)) is bytes
    held = frame.bytes
    tracker = frame.tracker
    assert tracker is not None
    del frame
    gc.collect()
    assert tracker.done and held == b"payload"  # a copy: holding it keeps nothing pending
    event = threading.Event()
    payload = TrackedPayload(b"abc", event)
    assert pickle.loads(pickle.dumps(payload)) == b"abc"
    assert type(pickle.loads(pickle.dumps(payload))) is bytes


def test_asyncio_tracked_sends_follow_the_same_rules() -> None:
    async def main() -> None:
        ctx = azmq.Context()
        push, pull = ctx.socket(purezmq.PUSH), ctx.socket(purezmq.PULL)
        address = f"tcp://127.0.0.1:{_free_port()}"
        try:
            push.connect(address)
            assert await push.send(b"x", track=True) is None  # copying: track ignored
            assert await push.send(b"x", copy=False) is purezmq._FINISHED_TRACKER
            push.copy_threshold = 0
            assert await push.send(b"x", copy=False) is None
            tracker = await push.send_multipart([b"a", b"b"], copy=False, track=True)
            assert isinstance(tracker, purezmq.MessageTracker) and not tracker.done
            with pytest.raises(ValueError, match="Not a tracked message"):
                await push.send(purezmq.Frame(b"untracked"), track=True)
            pull.bind(address)
            for expected in ([b"x"], [b"x"], [b"x"], [b"a", b"b"]):
                assert await asyncio.wait_for(pull.recv_multipart(), 5) == expected
            # Released by the loop as it wrote the message; waited for off the loop, bounded.
            await asyncio.to_thread(tracker.wait, 5)
        finally:
            push.close(0)
            pull.close(0)
            ctx.term()

    asyncio.run(main())
