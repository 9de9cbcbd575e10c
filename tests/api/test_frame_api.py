"""``Frame``/``Message`` behave as pyzmq's: each test body runs against purezmq and against
pyzmq (real libzmq), so the expectation is the contract, not purezmq's reading of it.

Where purezmq deliberately differs, the test says so and branches on ``is_pyzmq``:
``buffer`` is read-only (payloads are shared immutable bytes), the draft properties raise
``ZMQError(ENOTSUP)`` (pyzmq without draft support: RuntimeError), a copy keeps ``more``.
"""

from __future__ import annotations

import copy
import sys
import weakref
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")


@pytest.fixture(params=["purezmq", "pyzmq"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    return purezmq if request.param == "purezmq" else zmq


def is_pyzmq(lib: ModuleType) -> bool:
    return lib is zmq


def test_constructor_takes_buffers_and_refuses_str(lib: Any) -> None:
    assert lib.Frame().bytes == b"" and len(lib.Frame()) == 0
    assert lib.Frame(None).bytes == b""
    assert lib.Frame(b"abc").bytes == b"abc"
    assert lib.Frame(memoryview(b"xabcx")[1:4]).bytes == b"abc"
    assert lib.Frame(lib.Frame(b"abc")).bytes == b"abc"
    # Extra keyword arguments are accepted (pyzmq's signature takes **kwargs).
    assert lib.Frame(b"a", track=False, copy=True, copy_threshold=10, unknown=1).bytes == b"a"
    with pytest.raises(TypeError, match="Str objects not allowed"):
        lib.Frame("text")
    with pytest.raises(TypeError):
        lib.Frame(12)


def test_a_small_mutable_buffer_is_copied_at_construction(lib: Any) -> None:
    data = bytearray(b"abc")
    frame = lib.Frame(data)
    data[0] = ord("z")
    assert frame.bytes == b"abc"


def test_payload_views(lib: Any) -> None:
    frame = lib.Frame(b"hello")
    assert frame.bytes == b"hello" == bytes(frame)
    assert len(frame) == 5 and bool(frame) and not bool(lib.Frame(b""))
    assert isinstance(frame.buffer, memoryview)
    assert frame.buffer.tobytes() == b"hello"
    # pyzmq's view is writable; purezmq's payloads are shared immutable bytes.
    assert frame.buffer.readonly is (not is_pyzmq(lib))


@pytest.mark.skipif(sys.version_info < (3, 12), reason="pure-Python buffers need PEP 688")
def test_memoryview_of_a_frame(lib: Any) -> None:
    assert memoryview(lib.Frame(b"abc")).tobytes() == b"abc"


def test_more_and_trackers_of_a_new_frame(lib: Any) -> None:
    frame = lib.Frame(b"x")
    assert frame.more is False
    assert frame.tracker is None and frame.tracker_event is None
    frame.more = True
    assert frame.more is True
    tracked = lib.Frame(b"x", track=True)
    assert isinstance(tracked.tracker, lib.MessageTracker)
    assert tracked.tracker.done
    assert tracked.tracker_event is None


def test_get_options(lib: Any) -> None:
    frame = lib.Frame(b"x")
    assert frame.get(lib.MORE) == 0 == frame[lib.MORE]
    assert frame.get(lib.SHARED) == 0
    for bad in (lib.SRCFD, 99):  # no connection behind a new frame; unknown option
        with pytest.raises(lib.ZMQError) as info:
            frame.get(bad)
        assert info.value.errno == lib.EINVAL
    with pytest.raises(TypeError, match="expected str"):
        frame.get(1.5)


def test_get_a_missing_property_raises_einval(lib: Any) -> None:
    frame = lib.Frame(b"x")
    for name in ("Peer-Address", b"Socket-Type", "User-Id"):
        with pytest.raises(lib.ZMQError) as info:
            frame[name]
        assert info.value.errno == lib.EINVAL


def test_set_has_no_settable_option(lib: Any) -> None:
    frame = lib.Frame(b"x")
    for option in (lib.MORE, lib.SHARED):
        with pytest.raises(lib.ZMQError) as info:
            frame.set(option, 1)
        assert info.value.errno == lib.EINVAL


def test_draft_properties_need_the_draft_api(lib: Any) -> None:
    frame = lib.Frame(b"x")
    expected: Any = RuntimeError if is_pyzmq(lib) else purezmq.ZMQError
    for name in ("routing_id", "group"):
        with pytest.raises(expected):
            getattr(frame, name)
        with pytest.raises(expected):
            setattr(frame, name, 1 if name == "routing_id" else "g")


@pytest.mark.parametrize("size", [0, 5, 16, 17, 40, 999, 4000, 3_000_000])
def test_repr_matches_pyzmq(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    ours = repr(purezmq.Frame(data))
    assert ours.replace("<purezmq.", "<zmq.") == repr(zmq.Frame(data))
    assert str(purezmq.Frame(data)) == ours


def test_copy_shares_payload_and_tracker(lib: Any) -> None:
    frame = lib.Frame(b"y" * 100, track=True)
    clone = copy.copy(frame)
    assert clone.bytes == frame.bytes
    assert clone.tracker is frame.tracker
    # libzmq shares (refcounts) a payload longer than 33 bytes between copies.
    assert clone.get(lib.SHARED) == 1 == frame.get(lib.SHARED)
    small = lib.Frame(b"y" * 33)
    assert copy.copy(small).get(lib.SHARED) == 0 == small.get(lib.SHARED)


def test_frames_compare_by_identity_and_can_be_weakly_referenced(lib: Any) -> None:
    a, b = lib.Frame(b"same"), lib.Frame(b"same")
    assert a != b
    assert len({a, b}) == 2
    ref = weakref.ref(a)
    assert ref() is a


def test_message_is_frame(lib: Any) -> None:
    assert lib.Message is lib.Frame


@pytest.fixture(params=["purezmq", "pyzmq"])
def received(request: pytest.FixtureRequest) -> Iterator[tuple[Any, list[Any]]]:
    """A DEALER (routing id ``rid``) -> ROUTER message over tcp, received with copy=False by a
    ROUTER of the library under test from a DEALER of the other library."""
    lib: Any = purezmq if request.param == "purezmq" else zmq
    other: Any = zmq if lib is purezmq else purezmq
    ctx, other_ctx = lib.Context(), other.Context()
    router = ctx.socket(lib.ROUTER)
    dealer = other_ctx.socket(other.DEALER)
    try:
        router.rcvtimeo = 5000
        port = router.bind_to_random_port("tcp://127.0.0.1")
        dealer.setsockopt(other.ROUTING_ID, b"rid")
        dealer.connect(f"tcp://127.0.0.1:{port}")
        dealer.send_multipart([b"a", b"b"])
        yield lib, router.recv_multipart(copy=False)
    finally:
        dealer.close(0)
        router.close(0)
        ctx.term()
        other_ctx.term()


@pytest.mark.interop
def test_received_frames_carry_more_and_peer_properties(received: tuple[Any, list[Any]]) -> None:
    lib, frames = received
    assert [f.bytes for f in frames] == [b"rid", b"a", b"b"]
    assert [f.more for f in frames] == [True, True, False]
    assert [f.get(lib.MORE) for f in frames] == [1, 1, 0]
    last = frames[-1]
    assert last["Socket-Type"] == "DEALER" == last.get(b"Socket-Type")
    assert last["Identity"] == "rid"
    assert last["Peer-Address"] == "127.0.0.1"
    with pytest.raises(lib.ZMQError) as info:
        last["User-Id"]  # no ZAP handler: no User-Id
    assert info.value.errno == lib.EINVAL
