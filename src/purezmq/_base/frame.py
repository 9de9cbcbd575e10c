"""``Frame`` (alias ``Message``): one received or to-be-sent frame, as in pyzmq.

purezmq frames are immutable ``bytes`` all the way through the engine, so a ``Frame`` is a thin
wrapper: ``copy=False`` costs no extra copy, and ``buffer`` is a read-only ``memoryview`` of it.
Peer metadata (``frame.get("Peer-Address")``, ``frame["User-Id"]``) comes from the connection the
message arrived on, when the engine reported it.

Shared by both front-ends. Layer 4: imports layer 0 only.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from typing import Any

from ..constants import Errno, MessageOption
from ..error import ZMQError


class Frame:
    """A message frame (``zmq.Frame``).

    Args:
        data: the payload (bytes-like, or ``str`` encoded as utf-8 as pyzmq does).
        track: accepted for pyzmq compatibility; purezmq never shares a buffer with the engine,
            so there is nothing to track and ``tracker`` is None.
        copy: accepted for pyzmq compatibility.
    """

    __slots__ = ("_bytes", "_props", "group", "more", "routing_id", "tracker")

    def __init__(
        self,
        data: Any = b"",
        track: bool = False,
        copy: bool | None = None,
        copy_threshold: int | None = None,
    ) -> None:
        if isinstance(data, str):
            data = data.encode("utf8")
        if type(data) is not bytes:
            data = bytes(memoryview(data))
        self._bytes: bytes = data
        self._props: Mapping[str, str] | None = None
        #: True when more frames of the same message follow (set on received frames).
        self.more = False
        self.routing_id: int | None = None
        self.group: str | None = None
        self.tracker: None = None

    @classmethod
    def _received(cls, data: bytes, more: bool, props: Mapping[str, str] | None = None) -> Frame:
        """A frame handed out by ``recv(copy=False)`` (no copy of ``data``)."""
        frame = cls.__new__(cls)
        frame._bytes = data
        frame._props = props
        frame.more = more
        frame.routing_id = None
        frame.group = None
        frame.tracker = None
        return frame

    @property
    def bytes(self) -> bytes:
        """The payload as ``bytes``."""
        return self._bytes

    @property
    def buffer(self) -> memoryview:
        """A read-only view of the payload."""
        return memoryview(self._bytes)

    @property
    def tracker_event(self) -> None:
        return None

    def get(self, option: int | str) -> Any:
        """``MORE`` as an int, or a metadata property by name (``"Peer-Address"``...).

        Raises ``ZMQError(EINVAL)`` for an unknown property, like ``zmq_msg_gets``.
        """
        if isinstance(option, str):
            props = self._props or {}
            value = props.get(option)
            if value is None:
                # Metadata names are case-insensitive (ZMTP RFC 37 §Metadata).
                lowered = option.lower()
                for key, val in props.items():
                    if key.lower() == lowered:
                        value = val
                        break
            if value is None:
                raise ZMQError(Errno.EINVAL, f"frame has no property {option!r}")
            return value
        if option == MessageOption.MORE:
            return int(self.more)
        raise ZMQError(Errno.EINVAL, f"unknown frame option {option!r}")

    def set(self, option: int, value: Any) -> None:
        raise ZMQError(Errno.EINVAL, f"frame option {option!r} cannot be set")

    def __getitem__(self, key: int | str) -> Any:
        return self.get(key)

    def __len__(self) -> int:
        return len(self._bytes)

    def __bytes__(self) -> builtins.bytes:
        return self._bytes

    def __copy__(self) -> Frame:
        clone = Frame._received(self._bytes, self.more, self._props)
        return clone

    def fast_copy(self) -> Frame:
        return self.__copy__()

    def __repr__(self) -> str:
        data = self._bytes
        if len(data) > 32:
            return f"<purezmq.Frame({data[:32]!r}...{len(data)}B)>"
        return f"<purezmq.Frame({data!r})>"

    __str__ = __repr__


class MessageTracker:
    """pyzmq's ``MessageTracker`` for ``send(..., copy=False, track=True)``.

    pyzmq needs it because libzmq may still read a zero-copy buffer after ``send`` returned.
    purezmq copies nothing it does not own (frames are immutable ``bytes`` when handed over),
    so a tracker is always done at once.
    """

    __slots__ = ("events", "peers")

    def __init__(self, *towatch: Any) -> None:
        self.events: set[Any] = set()
        self.peers: set[Any] = set()

    @property
    def done(self) -> bool:
        return True

    def wait(self, timeout: float | int = -1) -> None:
        """Return at once: the message no longer needs its buffers."""


#: pyzmq's old name for ``Frame``.
Message = Frame

__all__ = ["Frame", "Message", "MessageTracker"]
