"""``Frame`` (alias ``Message``) and ``MessageTracker``, with pyzmq's API.

purezmq frames are immutable ``bytes`` all the way through the engine, so a ``Frame`` is a thin
wrapper: ``copy=False`` costs no extra copy, and ``buffer`` is a read-only ``memoryview`` of it
(read-only because one ``bytes`` object may be shared: a frame and its copies, or the messages
an inproc PUB hands to several subscribers). A mutable buffer given to ``Frame(...)`` or ``send``
is copied at once, so the caller may reuse it as soon as the call returns.

Trackers (pyzmq's ``MessageTracker``) tell when the library has let go of a sent message. The
payload purezmq sends is the very object handed to the engine: it sits in the socket's queues,
the pipes, the connection's output and the transport's buffer, and nowhere else. So a tracked
payload is a ``TrackedPayload``, a ``bytes`` whose finalisation sets the tracker's event: the
moment CPython frees it is the moment purezmq is done with the message, whether it was written
to the kernel, dropped (HWM, no matching subscriber, linger over) or taken by an inproc
receiver (which gets plain ``bytes``: ``zmtp.bodies``). The rules are pyzmq's:

- ``send(data, copy=False, track=True)``: below the socket's ``copy_threshold`` pyzmq copies
  the data and returns the done ``FINISHED_TRACKER``; at or above it the tracker is pending
  until purezmq releases the message (the payload is copied once into the ``TrackedPayload``);
- ``Frame(data, track=True)`` made zero-copy (``copy=False``, or ``copy=None`` at or above
  ``COPY_THRESHOLD``): its tracker is done once the frame, its copies and every send of it are
  gone; otherwise it is ``FINISHED_TRACKER``;
- a ``Frame`` sent returns its own tracker; ``copy=True`` sends return None.

Untracked sends never meet any of this: they send the caller's ``bytes`` as they are.
``send_tracker``, ``track_send`` and ``track_message`` encode the rules for the front-ends.

Peer metadata (``frame.get("Peer-Address")``, ``frame["User-Id"]``) comes from the connection the
message arrived on, when the engine reported it.

Shared by every front-end. Layer 4 base: imports layer 0 and ``zmtp.bodies`` only.
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Mapping, Sequence
from time import monotonic
from typing import Any, Final

from ..constants import Errno, MessageOption
from ..error import NotDone, ZMQError
from ..zmtp.bodies import mark_payloads_tracked
from .naming import repr_name

_MORE = int(MessageOption.MORE)
_SRCFD = int(MessageOption.SRCFD)
_SHARED = int(MessageOption.SHARED)
#: libzmq's ``zmq_msg_get(ZMQ_SRCFD)`` reads this metadata property (deprecated option).
_SRCFD_PROPERTY = "__fd"
#: libzmq copies a payload of up to this many bytes into a copy of the message (its "very
#: small message") and shares longer ones: only those answer ``SHARED`` = 1 once copied.
_VSM_MAX = 33
#: The draft API's message fields (CLIENT/SERVER/PEER, RADIO/DISH), also reachable by name
#: through ``get``/``set``.
_DRAFT_PROPERTIES = frozenset({"routing_id", "group"})


class Frame:
    """A message frame (``zmq.Frame``): one part of a message, with its metadata.

    ``recv(copy=False)`` returns frames; ``send`` accepts them. ``frame["User-Id"]`` reads a
    property of the connection the frame arrived on.

    Args:
        data: the payload, any object with the buffer interface (``None``: empty). ``str`` is
            refused as in pyzmq: encode it first.
        track: give the frame a ``MessageTracker``: pending while the frame (or a send of it)
            holds the payload when the frame is zero-copy, else the done ``FINISHED_TRACKER``
            (see the module docstring).
        copy: False: zero-copy (the default at or above ``copy_threshold``). The payload is
            never the caller's mutable buffer: that is copied either way.
        copy_threshold: the size from which ``copy=None`` means zero-copy
            (``purezmq.COPY_THRESHOLD`` when None).
    """

    _repr_cls = "Frame"

    __slots__ = (
        "__weakref__",
        "_bytes",
        "_group",
        "_props",
        "_routing_id",
        "_shared",
        "_view",
        "more",
        "tracker",
        "tracker_event",
    )

    _bytes: builtins.bytes
    _view: memoryview
    _props: Mapping[str, str] | None
    #: True when the frame was copied (``copy.copy``): ``get(SHARED)`` answers 1, as libzmq
    #: does for a message sharing its content with a copy. Unset on most frames.
    _shared: bool
    #: True when more frames of the same message follow (set on received frames).
    more: bool
    #: The frame's ``MessageTracker`` when made with ``track=True``, else None.
    tracker: MessageTracker | None
    #: The event the tracker of a tracked zero-copy frame waits for, else None.
    tracker_event: threading.Event | None

    def __init__(
        self,
        data: Any = None,
        track: bool = False,
        copy: bool | None = None,
        copy_threshold: int | None = None,
        **kwargs: Any,
    ) -> None:
        if data is None:
            payload = b""
        elif type(data) is builtins.bytes:
            payload = data
        elif isinstance(data, str):
            raise TypeError("Str objects not allowed. Only: bytes, buffer interfaces.")
        elif isinstance(data, Frame):
            payload = data._bytes
        else:
            view = memoryview(data)
            if not view.c_contiguous:
                raise BufferError("Frame data must be a contiguous buffer")
            payload = view.tobytes()
        self._props = None
        self.more = False
        self.tracker_event = None
        if not track:
            self.tracker = None
        elif _zero_copy(len(payload), copy, copy_threshold):
            event = self.tracker_event = threading.Event()
            self.tracker = MessageTracker(event)
            payload = TrackedPayload(payload, event)
        else:
            self.tracker = FINISHED_TRACKER
        self._bytes = payload

    @classmethod
    def _received(
        cls, data: builtins.bytes, more: bool, props: Mapping[str, str] | None = None
    ) -> Frame:
        """A frame handed out by ``recv(copy=False)`` (no copy of ``data``)."""
        frame = cls.__new__(cls)
        frame._bytes = data
        frame._props = props
        frame.more = more
        frame.tracker = None
        frame.tracker_event = None
        return frame

    # ---- payload ---------------------------------------------------------------------------

    @property
    def bytes(self) -> builtins.bytes:
        """The payload as ``bytes`` (no copy; a copy for a tracked frame, whose payload is the
        frame's own: holding it would keep the tracker pending)."""
        data = self._bytes
        return data if type(data) is builtins.bytes else builtins.bytes(data)

    @property
    def buffer(self) -> memoryview:
        """A read-only view of the payload (pyzmq's is writable; purezmq payloads are shared
        immutable ``bytes``: copy with ``bytearray(frame.buffer)`` to modify). The same view
        each time, as pyzmq's."""
        try:
            return self._view
        except AttributeError:
            view = self._view = memoryview(self._bytes)
            return view

    def __buffer__(self, flags: int, /) -> memoryview:
        """``memoryview(frame)`` on Python 3.12+ (PEP 688); read-only, like ``buffer``.

        (A pure-Python class cannot export a buffer on 3.10/3.11: use ``frame.buffer`` there.)
        """
        return memoryview(self._bytes)

    def __len__(self) -> int:
        return len(self._bytes)

    def __bytes__(self) -> builtins.bytes:
        return self.bytes

    def _payload(self) -> builtins.bytes:
        """What a send of this frame hands to the engine: the payload object itself (a
        ``TrackedPayload`` for a tracked frame, so that the send holds the tracker)."""
        return self._bytes

    # ---- properties ------------------------------------------------------------------------

    def get(self, option: int | str | builtins.bytes) -> Any:
        """An option (``MORE``, ``SHARED``, ``SRCFD``) as an int, or a metadata property by name
        (``"Socket-Type"``, ``"Identity"``/``"Routing-Id"``, ``"Peer-Address"``, ``"User-Id"``,
        ``"X-..."`` application metadata) as ``str``.

        Raises ``ZMQError(EINVAL)`` for an unknown option or a property the frame's connection
        did not report, like ``zmq_msg_get``/``zmq_msg_gets``.
        """
        if isinstance(option, int):
            if option == _MORE:
                return int(self.more)
            if option == _SHARED:
                return int(getattr(self, "_shared", False))
            if option == _SRCFD:
                fd = self._property(_SRCFD_PROPERTY)
                if fd is None:
                    raise ZMQError(
                        Errno.EINVAL, "SRCFD: this frame's connection reported no file descriptor"
                    )
                return int(fd)
            raise ZMQError(Errno.EINVAL, f"unknown frame option {option!r}")
        if isinstance(option, builtins.bytes):
            option = option.decode("utf8")
        if not isinstance(option, str):
            raise TypeError(f"expected str, got: {option!r}")
        if option in _DRAFT_PROPERTIES:
            return getattr(self, option)
        value = self._property(option)
        if value is None:
            raise ZMQError(
                Errno.EINVAL,
                f"frame has no property {option!r} (properties come with received frames, "
                "from the peer's handshake metadata and ZAP)",
            )
        return value

    def _property(self, name: str) -> str | None:
        props = self._props
        if not props:
            return None
        value = props.get(name)
        if value is None:
            # Property names are case-insensitive (37/ZMTP §Metadata).
            lowered = name.lower()
            for key, val in props.items():
                if key.lower() == lowered:
                    return val
            if lowered == "identity":
                # libzmq's older name for the peer's routing id.
                return self._property("Routing-Id")
        return value

    def set(self, option: int | str, value: Any) -> None:
        """``zmq_msg_set``: libzmq defines no settable frame option, so this raises EINVAL;
        ``"routing_id"``/``"group"`` set those fields."""
        if isinstance(option, str) and option in _DRAFT_PROPERTIES:
            setattr(self, option, value)
            return
        if not isinstance(option, int):
            raise TypeError(f"expected int, got: {option!r}")
        raise ZMQError(Errno.EINVAL, f"frame option {option!r} cannot be set")

    def __getitem__(self, key: int | str | builtins.bytes) -> Any:
        return self.get(key)

    @property
    def routing_id(self) -> int:
        """The peer's routing id on a frame a SERVER/PEER received (0: none), and where
        ``send`` routes a frame that has one (``zmq_msg_routing_id``)."""
        # Unset slots answer the default: received frames pay nothing for the draft fields.
        return getattr(self, "_routing_id", 0)

    @routing_id.setter
    def routing_id(self, value: int) -> None:
        value = int(value)
        if not 0 <= value <= 0xFFFFFFFF:
            raise ZMQError(Errno.EINVAL, f"a routing id is a uint32, not {value}")
        self._routing_id = value

    @property
    def group(self) -> str:
        """The RADIO/DISH group of a frame a DISH received (``""``: none), and the group a
        RADIO sends a frame that has one to (``zmq_msg_group``)."""
        return getattr(self, "_group", "")

    @group.setter
    def group(self, value: str | builtins.bytes) -> None:
        if isinstance(value, builtins.bytes):
            value = value.decode("utf-8", "surrogateescape")
        if len(value.encode("utf-8", "surrogateescape")) > 255:
            raise ZMQError(Errno.EINVAL, "a group is at most 255 bytes (ZMQ_GROUP_MAX_LENGTH)")
        self._group = value

    # ---- copies ----------------------------------------------------------------------------

    def __copy__(self) -> Frame:
        """A frame over the same payload, metadata, tracker and ``more`` (no copy of the bytes;
        pyzmq's copy does not carry ``more``, though its ``get(MORE)`` does)."""
        clone = type(self)._received(self._bytes, self.more, self._props)
        clone.tracker = self.tracker
        clone.tracker_event = self.tracker_event
        if len(self._bytes) > _VSM_MAX:
            clone._shared = self._shared = True
        return clone

    fast_copy = __copy__

    def __repr__(self) -> str:
        # pyzmq's format: up to 16 bytes whole, else the first 12 and the size.
        data = self._bytes
        n = len(data)
        if n <= 16:
            shown, suffix = data, ""
        else:
            shown = data[:12]
            if n >= 1_000_000_000:
                suffix = f"...{n // 1_000_000_000}GB"
            elif n >= 2**20:
                suffix = f"...{n // 1_000_000}MB"
            elif n >= 1000:
                suffix = f"...{n // 1000}kB"
            else:
                suffix = f"...{n}B"
        return f"<{repr_name(type(self))}({shown!r}{suffix})>"

    __str__ = __repr__


class TrackedPayload(builtins.bytes):
    """A frame payload that sets ``event`` once it is freed: once purezmq, the frame it belongs
    to and any copy of that frame let go of it (see the module docstring).

    Receivers never hand one to the application (``zmtp.bodies``); should one be pickled, it
    pickles as plain ``bytes``.
    """

    # A ``bytes`` subclass cannot have slots: the event lives in the instance's ``__dict__``.
    event: threading.Event

    def __new__(cls, data: Any, event: threading.Event) -> TrackedPayload:
        payload = super().__new__(cls, data)
        payload.event = event
        mark_payloads_tracked()
        return payload

    def __del__(self) -> None:
        self.event.set()

    def __reduce__(self) -> tuple[type[builtins.bytes], tuple[builtins.bytes]]:
        return builtins.bytes, (builtins.bytes(self),)


def _zero_copy(size: int, copy: bool | None, copy_threshold: int | None) -> bool:
    """pyzmq's rule for a new Frame: ``copy`` when given, else zero-copy from the threshold."""
    if copy is not None:
        return not copy
    if copy_threshold is None:
        import purezmq

        copy_threshold = purezmq.COPY_THRESHOLD
    return not (copy_threshold and size < copy_threshold)


class MessageTracker:
    """Tells when the library is done with the buffers of sent messages (``zmq.MessageTracker``).

    ``send(..., copy=False, track=True)`` returns one, done once purezmq let go of the message
    (see the module docstring); a tracker made by the application watches its own objects.

    Args:
        *towatch: ``threading.Event``s (done once set), other ``MessageTracker``s (done once
            done) and tracked ``Frame``s (their ``tracker``).

    Raises:
        ValueError: a ``Frame`` without a tracker (made without ``track=True``).
        TypeError: anything else.
    """

    __slots__ = ("__weakref__", "events", "peers")

    events: set[threading.Event]
    peers: set[MessageTracker]

    def __init__(self, *towatch: MessageTracker | threading.Event | Frame) -> None:
        self.events = set()
        self.peers = set()
        for obj in towatch:
            if isinstance(obj, threading.Event):
                self.events.add(obj)
            elif isinstance(obj, MessageTracker):
                self.peers.add(obj)
            elif isinstance(obj, Frame):
                if obj.tracker is None:
                    raise ValueError("Not a tracked message")
                self.peers.add(obj.tracker)
            else:
                raise TypeError(f"Require Events or Message Frames, not {type(obj)}")

    @property
    def done(self) -> bool:
        """True once every watched event is set and every watched tracker is done."""
        return all(evt.is_set() for evt in self.events) and all(p.done for p in self.peers)

    def wait(self, timeout: float | None = -1) -> None:
        """Block until ``done``, for at most ``timeout`` seconds (-1, None or False: forever).

        Raises:
            NotDone: still not done when ``timeout`` ran out.
        """
        if self.done:
            return
        deadline: float | None = None
        if timeout is not None and timeout is not False and timeout >= 0:
            deadline = monotonic() + timeout
        for evt in self.events:
            if not evt.wait(None if deadline is None else max(0.0, deadline - monotonic())):
                raise NotDone(msg=f"message tracker not done after {timeout} s")
        for peer in self.peers:
            peer.wait(-1 if deadline is None else max(0.0, deadline - monotonic()))


#: The tracker of copied sends and copied tracked frames: nothing left to wait for.
FINISHED_TRACKER: Final[MessageTracker] = MessageTracker()


def _nbytes(data: object) -> int:
    if isinstance(data, (builtins.bytes, bytearray)):
        return len(data)
    try:
        return memoryview(data).nbytes  # type: ignore[arg-type]
    except TypeError:
        return 0  # not a buffer: ``send`` raises its own TypeError for it


def send_tracker(
    data: object, copy: bool, track: bool, copy_threshold: int
) -> MessageTracker | None:
    """What pyzmq's ``send(data, copy=copy, track=track)`` returns when nothing is tracked
    anew (``track`` False, or ``data`` a ``Frame``), checked before sending.

    - a ``Frame``: its ``tracker`` (``ValueError`` for ``track=True`` and an untracked frame);
    - ``copy=True``: None (pyzmq ignores ``track`` then);
    - ``copy=False``: the done tracker when the payload is smaller than ``copy_threshold``
      (pyzmq copies those), else None (or a new tracker: see ``track_send``).
    """
    if isinstance(data, Frame):
        if track and data.tracker is None:
            raise ValueError("Not a tracked message")
        return data.tracker
    if copy:
        return None
    if copy_threshold and _nbytes(data) < copy_threshold:
        return FINISHED_TRACKER
    return None


def track_send(
    data: Any, copy: bool, track: bool, copy_threshold: int
) -> tuple[Any, MessageTracker | None]:
    """``(what to send, what send returns)`` for ``send(data, copy=copy, track=track)``:
    ``data`` and ``send_tracker``'s answer, or, for a zero-copy tracked send (``copy=False``,
    ``track=True``, at least ``copy_threshold`` bytes), a ``TrackedPayload`` copy of ``data``
    and the new tracker that waits for it."""
    if not track or copy or isinstance(data, Frame):
        return data, send_tracker(data, copy, track, copy_threshold)
    try:
        view = memoryview(data)
    except TypeError:
        return data, None  # not a buffer: the send raises its own TypeError
    if copy_threshold and view.nbytes < copy_threshold:
        return data, FINISHED_TRACKER
    event = threading.Event()
    return TrackedPayload(view, event), MessageTracker(event)


def track_message(
    parts: object, msg: list[builtins.bytes], copy: bool, track: bool, copy_threshold: int
) -> MessageTracker | None:
    """What pyzmq's ``send_multipart(parts, ...)`` returns: what sending its last part returns,
    after every part passed ``send_tracker``'s check (pyzmq sends them one by one). ``msg`` is
    ``parts`` made whole (``coerce_message``); a zero-copy tracked send replaces its last
    frame with the ``TrackedPayload`` that the returned tracker waits for."""
    if not isinstance(parts, Sequence) or not parts:
        # Parts that were an iterator are spent: decide as for plain bytes.
        return send_tracker(b"", copy, track, copy_threshold)
    if track:
        for part in parts:
            send_tracker(part, copy, track, copy_threshold)
    payload, tracker = track_send(parts[-1], copy, track, copy_threshold)
    if type(payload) is TrackedPayload:
        msg[-1] = payload
    return tracker


#: pyzmq's old name for ``Frame``.
Message = Frame

__all__ = [
    "FINISHED_TRACKER",
    "Frame",
    "Message",
    "MessageTracker",
    "TrackedPayload",
    "send_tracker",
    "track_message",
    "track_send",
]
