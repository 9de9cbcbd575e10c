"""``SocketBase``: the half of a public socket that never waits, shared by every front-end.

It holds option attributes (``sock.linger = 0`` is ``setsockopt(LINGER, 0)``), get/set,
subscribe, bind/connect, monitor sockets, and the bookkeeping that turns the engine's
whole-message hand-off into pyzmq's frame-at-a-time API:

- ``send(frame, SNDMORE)`` only appends to a front-end list; the final frame hands the whole
  message to the core in one call (ypipe's ``incomplete`` rule, docs/contracts.md), so a
  partial message is never visible to another thread;
- ``recv()`` takes one whole message from the core and hands it out frame by frame, answering
  ``RCVMORE`` itself.

Each front-end subclasses ``SocketBase`` and adds only its way of waiting for the calls that
may block (``send``/``recv``/``poll``...): plain blocking functions (``purezmq.sync``),
coroutines and Futures (``purezmq.asyncio``). Layer 4 base: imports layer 0 and ``_engine``'s
types only, never a front-end.
"""

from __future__ import annotations

import random
import warnings
from collections import deque
from collections.abc import Mapping
from types import GenericAlias, MappingProxyType
from typing import Any, ClassVar

import purezmq as _package

from .._engine import BodyPool
from .._typing import Received
from ..constants import (
    Errno,
    Event,
    Flag,
    PollEvent,
    SocketOption,
    SocketType,
)
from ..error import ZMQBindError, ZMQError
from ..socket_types import SOCKET_TYPES
from .attributes import (
    BYTES_OPTIONS,
    AttributeSetter,
    check_option_value,
    install_option_attributes,
)
from .frame import Frame
from .handles import HandleRegistry
from .naming import repr_name
from .serialize import coerce_frame

SNDMORE = int(Flag.SNDMORE)
DONTWAIT = int(Flag.DONTWAIT)
POLLIN = int(PollEvent.POLLIN)
POLLOUT = int(PollEvent.POLLOUT)

def _endpoint_text(addr: object) -> str:
    """An endpoint as ``str``: pyzmq also takes utf-8 ``bytes``, which is what
    ``getsockopt(LAST_ENDPOINT)`` returns (ipykernel connects to exactly that)."""
    if isinstance(addr, str):
        return addr
    if isinstance(addr, bytes):
        return addr.decode("utf-8")
    raise TypeError(f"endpoint must be str or bytes, not {type(addr).__name__}")


#: Socket types whose send never blocks but drops at HWM (libzmq's PUB-like mute action).
DROPPING_TYPES = frozenset({int(SocketType.PUB), int(SocketType.XPUB), int(SocketType.RADIO)})
#: The draft thread-safe types (RFC 41/48/49/51/52): single-frame, usable from many threads.
THREAD_SAFE_TYPES = frozenset(int(t) for t, i in SOCKET_TYPES.items() if i.thread_safe)
#: Types whose messages carry a routing id (SERVER/PEER, ``Frame.routing_id``).
_ROUTED_TYPES = frozenset({int(SocketType.SERVER), int(SocketType.PEER)})
_RADIO = int(SocketType.RADIO)
_DISH = int(SocketType.DISH)
#: libzmq's ``ZMQ_GROUP_MAX_LENGTH`` (4.3.3 and later).
GROUP_MAX_LENGTH = 255
#: Options that change which received messages ``recv`` returns (SUB's filter).
_RECV_FILTER_OPTIONS = frozenset(
    (SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE, SocketOption.INVERT_MATCHING)
)


#: Every socket that owns its engine socket, by ``underlying`` handle (``Socket.shadow``).
SOCKET_HANDLES: HandleRegistry[SocketBase] = HandleRegistry(first=0x5A_0000_0001)


# --------------------------------------------------------------------------------------------
# the shared half of a socket


class SocketBase(AttributeSetter):
    """Everything a public socket does that never waits.

    Subclasses set ``_core`` (a ``SocketCore``), ``_context`` (the public Context) and
    ``_signal``, then add the blocking calls. Not thread-safe, exactly like a libzmq socket:
    one socket belongs to one thread (or one event loop) at a time.
    """

    _attr_owner: ClassVar[str] = "Socket"
    #: ``Socket[bytes]`` in annotations evaluated at run time (pyzmq's Socket is generic).
    __class_getitem__: ClassVar[Any] = classmethod(GenericAlias)

    #: pyzmq sends a ``copy=False`` payload smaller than this by copying it. purezmq never
    #: lends a buffer either way; the value decides what such a send returns, as in pyzmq: a
    #: done tracker below it; above it None, or with ``track`` a tracker pending until
    #: purezmq lets go of the message (``_base.frame``). New sockets take
    #: ``purezmq.COPY_THRESHOLD``.
    copy_threshold: int = 65536
    #: True for a second public object over another socket's engine socket (``shadow``).
    _shadow: bool = False
    #: What a shadow was made from (a socket, or a handle), kept as pyzmq does.
    _shadow_obj: Any = None
    _handle: int
    _core: Any
    _context: Any
    _closed: bool
    _socket_type: int
    _send_parts: list[bytes]
    _recv_parts: deque[bytes]
    _recv_ready: list[Received]
    _bodies: BodyPool
    _monitor_socket: Any
    #: (a connection's metadata dict, its properties as ``str``) for ``_message_properties``.
    _props_cache: tuple[Mapping[str, bytes], Mapping[str, str]] | None = None

    def _init_state(self, core: Any, context: Any, socket_type: int) -> None:
        self._core = core
        #: Large received bodies arrive in lent buffers (not ``bytes``); every frame handed to
        #: the application goes through ``_bodies.own`` first (``zmtp.bodies``).
        self._bodies = core.bodies
        self._context = context
        self._closed = False
        self._socket_type = socket_type
        self._send_parts = []
        self._recv_parts = deque()
        #: Whole messages taken from the engine in one batch, not yet returned; newest first
        #: (``pop()`` hands out the oldest). Only the blocking front-end fills it.
        self._recv_ready = []
        self._monitor_socket = None
        self.copy_threshold = _package.COPY_THRESHOLD
        self._handle = SOCKET_HANDLES.register(self)
        self._join_context()

    def _init_shadow(self, other: SocketBase) -> None:
        """Become a second public object over ``other``'s engine socket (pyzmq's shadow).

        Everything libzmq keeps in the socket is shared: the engine socket, the frames of a
        message sent with SNDMORE so far, the rest of a message being received (RCVMORE) and
        the messages taken ahead. So each list below is the same object in both, and is only
        ever changed in place. The front-end then sets its own way of waiting (``_signal``).
        """
        if other.closed:
            raise ZMQError(Errno.ENOTSOCK, "cannot shadow a closed socket")
        self._core = other._core
        self._bodies = other._bodies
        self._context = other._context
        self._closed = False
        self._socket_type = other._socket_type
        self._send_parts = other._send_parts
        self._recv_parts = other._recv_parts
        self._recv_ready = other._recv_ready
        self._monitor_socket = None
        self.copy_threshold = _package.COPY_THRESHOLD
        self._handle = other._handle
        self._shadow = True
        self._join_context()

    def _join_context(self) -> None:
        register = getattr(self._context, "_register", None)
        if register is not None:
            register(self)

    @staticmethod
    def _shadow_target(shadow: Any) -> SocketBase:
        """The open socket that ``shadow`` (a purezmq socket or its ``underlying``) names."""
        if isinstance(shadow, SocketBase):
            return shadow
        handle = getattr(shadow, "underlying", shadow)
        owner = None
        if isinstance(handle, int) and not isinstance(handle, bool):
            owner = SOCKET_HANDLES.resolve(handle)
        if owner is None:
            raise ZMQError(
                Errno.ENOTSOCK,
                f"no open purezmq socket has the handle {handle!r} (shadow takes a purezmq "
                "socket or its ``underlying``; a libzmq socket cannot be shadowed)",
            )
        if owner.closed:
            raise ZMQError(Errno.ENOTSOCK, "cannot shadow a closed socket")
        return owner

    # ---- identity ---------------------------------------------------------------------------

    @property
    def type(self) -> int:
        """The socket type, as a ``SocketType`` (``zmq.REQ``...), like pyzmq's."""
        try:
            return SocketType(self._socket_type)
        except ValueError:
            return self._socket_type

    @property
    def socket_type(self) -> int:
        """Deprecated alias of ``type`` (pyzmq warns too)."""
        warnings.warn(
            "Socket.socket_type is deprecated, use Socket.type", DeprecationWarning, stacklevel=2
        )
        return self.type

    @property
    def context(self) -> Any:
        """The Context that created this socket (for a shadow: the shadowed socket's)."""
        return self._context

    @property
    def closed(self) -> bool:
        """True once this socket, or any shadow of it, was closed (or its Context destroyed)."""
        return self._closed or bool(self._core.closed)

    @property
    def underlying(self) -> int:
        """The handle of the engine socket: ``Socket.shadow(sock.underlying)`` makes a second
        socket object over it, as pyzmq does with the libzmq socket's address."""
        return self._handle

    @classmethod
    def shadow(cls, address: Any) -> Any:
        """A socket object over the same engine socket as ``address`` (a purezmq socket, or
        its ``underlying`` handle), like pyzmq's ``Socket.shadow``.

        The shadow shares everything with the original (messages, partial messages, options);
        ``close()`` on either closes the socket; a shadow collected while open does not.
        """
        make: Any = cls  # each front-end's constructor takes ``shadow``
        return make(shadow=address)

    def __copy__(self, memo: Any = None) -> Any:
        """Copying a socket makes a shadow of it (pyzmq)."""
        return type(self).shadow(self.underlying)

    __deepcopy__ = __copy__

    def __repr__(self) -> str:
        try:
            name = SocketType(self._socket_type).name
        except ValueError:
            name = str(self._socket_type)
        closed = " closed" if self._closed else ""
        return f"<{repr_name(type(self))}(zmq.{name}) at {id(self):#x}{closed}>"

    def _check_closed(self) -> None:
        if self._closed:
            raise ZMQError(Errno.ENOTSOCK, "Socket operation on non-socket (socket is closed)")

    # ---- endpoints ---------------------------------------------------------------------------

    def bind(self, addr: str | bytes) -> Any:
        """Bind to ``addr`` (``tcp://*:5555``, ``ipc://path``, ``inproc://name``)."""
        self._check_closed()
        addr = _endpoint_text(addr)
        self._core.bind(addr)
        return _EndpointContext(self, "unbind", addr)

    def connect(self, addr: str | bytes) -> Any:
        """Connect to ``addr``; the connection is made (and remade) in the background."""
        self._check_closed()
        addr = _endpoint_text(addr)
        self._core.connect(addr)
        return _EndpointContext(self, "disconnect", addr)

    def unbind(self, addr: str | bytes) -> None:
        self._check_closed()
        self._core.unbind(_endpoint_text(addr))

    def disconnect(self, addr: str | bytes) -> None:
        self._check_closed()
        self._core.disconnect(_endpoint_text(addr))

    def bind_to_random_port(
        self,
        addr: str,
        min_port: int = 49152,
        max_port: int = 65536,
        max_tries: int = 100,
    ) -> int:
        """Bind to a random port of ``addr`` (``tcp://127.0.0.1``) and return the port.

        With the default range the OS picks the port (``tcp://addr:*``), as in pyzmq.
        """
        self._check_closed()
        if min_port == 49152 and max_port == 65536:
            endpoint = self._core.bind(f"{addr}:*")
            if not isinstance(endpoint, str):
                endpoint = self.getsockopt_string(SocketOption.LAST_ENDPOINT)
            return int(endpoint.rsplit(":", 1)[-1])
        for _ in range(max_tries):
            port = random.randrange(min_port, max_port)
            try:
                self._core.bind(f"{addr}:{port}")
            except ZMQError as exc:
                if exc.errno == Errno.EADDRINUSE:
                    continue
                raise
            return port
        raise ZMQBindError("Could not bind socket to random port.")

    # ---- options ---------------------------------------------------------------------------

    def set(self, option: int, optval: Any) -> None:
        """Set a socket option (``zmq_setsockopt``)."""
        self._check_closed()
        optval = check_option_value(option, optval)
        # The messages of a batch taken ahead were matched under the old subscriptions: hand
        # them back, to be matched by the receives that reach them (SUB, as libzmq does).
        if (
            self._recv_ready
            and option in _RECV_FILTER_OPTIONS
            and self._core.unread(self._recv_ready[::-1])
        ):
            self._recv_ready.clear()
        self._core.setsockopt(option, optval)

    setsockopt = set

    def get(self, option: int) -> Any:
        """Get a socket option (``zmq_getsockopt``)."""
        self._check_closed()
        if option == SocketOption.RCVMORE:
            return 1 if self._recv_parts else 0
        if option == SocketOption.EVENTS:
            return self._events()
        if option == SocketOption.FD:
            return self.fileno()
        value = self._core.getsockopt(option)
        if option == SocketOption.LAST_ENDPOINT and isinstance(value, str):
            # libzmq hands back a C string: bytes in pyzmq.
            return value.encode()
        return value

    getsockopt = get

    def set_string(self, option: int, optval: str, encoding: str = "utf-8") -> None:
        if not isinstance(optval, str):
            raise TypeError(f"unicode strings only, not {type(optval).__name__}")
        self.set(option, optval.encode(encoding))

    setsockopt_string = set_string
    setsockopt_unicode = set_string

    def get_string(self, option: int, encoding: str = "utf-8") -> str:
        if option not in BYTES_OPTIONS:
            raise TypeError(f"option {option} will not return a string to be decoded")
        value = self.get(option)
        if isinstance(value, str):
            return value
        return bytes(value).decode(encoding).rstrip("\0")

    getsockopt_string = get_string
    getsockopt_unicode = get_string

    def _set_attr_opt(self, name: str, opt: int, value: Any) -> None:
        if opt in (SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE) and isinstance(value, str):
            value = value.encode("utf8")
        self.set(opt, value)

    def _get_attr_opt(self, name: str, opt: int) -> Any:
        if opt in (SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE):
            raise AttributeError(f"{name} is write-only")
        return self.get(opt)

    def subscribe(self, topic: str | bytes) -> None:
        """SUB: add a topic prefix (``str`` is utf-8 encoded)."""
        if isinstance(topic, str):
            topic = topic.encode("utf8")
        self.set(SocketOption.SUBSCRIBE, topic)

    def unsubscribe(self, topic: str | bytes) -> None:
        if isinstance(topic, str):
            topic = topic.encode("utf8")
        self.set(SocketOption.UNSUBSCRIBE, topic)

    @property
    def hwm(self) -> int:
        """``SNDHWM`` (pyzmq: reading answers SNDHWM, setting sets both)."""
        return int(self.get(SocketOption.SNDHWM))

    @hwm.setter
    def hwm(self, value: int) -> None:
        self.set_hwm(value)

    def get_hwm(self) -> int:
        return self.hwm

    def set_hwm(self, value: int) -> None:
        self.set(SocketOption.SNDHWM, value)
        self.set(SocketOption.RCVHWM, value)

    def join(self, group: str | bytes) -> None:
        """DISH: receive the messages a RADIO sends to ``group`` (``str`` is utf-8 encoded).

        EINVAL when already joined or longer than 255 bytes; ENOTSUP on other types."""
        self._check_closed()
        self._core.join(_group_bytes(group))

    def leave(self, group: str | bytes) -> None:
        """DISH: stop receiving ``group``; EINVAL when it was not joined."""
        self._check_closed()
        self._core.leave(_group_bytes(group))

    def connect_peer(self, addr: str | bytes) -> int:
        """PEER: connect to ``addr`` and return the new peer's routing id (for
        ``send(..., routing_id=)``), as ``zmq_connect_peer``."""
        self._check_closed()
        return int(self._core.connect_peer(_endpoint_text(addr)))

    # ---- readiness -------------------------------------------------------------------------

    def _events(self) -> int:
        events = int(self._core.events())
        if self._recv_parts or self._recv_ready:
            events |= POLLIN
        return events

    def fileno(self) -> int:
        """A file descriptor that turns readable when ``EVENTS`` may have changed (ZMQ_FD).

        As with libzmq, re-check ``EVENTS`` after it fires; it is created on first use.
        """
        self._check_closed()
        return int(self._signal_fileno())

    def _signal_fileno(self) -> int:
        raise NotImplementedError

    # ---- monitor ---------------------------------------------------------------------------

    def monitor(self, addr: str | None, events: int = int(Event.ALL)) -> None:
        """Publish this socket's events on a PAIR socket bound at ``addr`` (inproc)."""
        self._check_closed()
        if addr is None:
            events = 0
        self._core.monitor(addr, int(events))

    def get_monitor_socket(self, events: int | None = None, addr: str | None = None) -> Any:
        """A PAIR socket connected to this socket's monitor (see ``utils.monitor``)."""
        self._check_closed()
        if self._monitor_socket is not None and not self._monitor_socket.closed:
            return self._monitor_socket
        if addr is None:
            addr = f"inproc://monitor.s-{id(self):x}"
        if events is None:
            events = int(Event.ALL)
        self.monitor(addr, events)
        sock = self._context.socket(SocketType.PAIR)
        sock.connect(addr)
        self._monitor_socket = sock
        return sock

    def disable_monitor(self) -> None:
        self._check_closed()
        self._monitor_socket = None
        self.monitor(None, 0)

    # ---- send/recv bookkeeping (no waiting here) -------------------------------------------

    def _add_send_frame(self, data: object, flags: int) -> list[bytes] | None:
        """Accumulate ``data``; the whole message when ``flags`` has no SNDMORE, else None."""
        frame = coerce_frame(data)
        if flags & SNDMORE:
            if not self._send_parts:
                self._check_can_send()
            self._send_parts.append(frame)
            return None
        if self._send_parts:
            return [*self._send_parts, frame]
        return [frame]

    def _check_can_send(self) -> None:
        """libzmq refuses the *first* frame of a message on a receive-only socket; the
        accumulated frames would otherwise only fail on the last one."""
        info = SOCKET_TYPES.get(self._socket_type)  # type: ignore[call-overload]
        if info is not None and not info.can_send:
            name = SocketType(self._socket_type).name
            raise ZMQError(Errno.ENOTSUP, f"{name} sockets cannot send")

    def _prefix_message(self, parts: list[bytes], flags: int) -> list[bytes] | None:
        """``send_multipart`` with earlier SNDMORE frames, or ending with SNDMORE itself."""
        if flags & SNDMORE:
            if not self._send_parts:
                self._check_can_send()
            self._send_parts.extend(parts)
            return None
        if self._send_parts:
            return [*self._send_parts, *parts]
        return parts

    def _draft_message(
        self, data: object, flags: int, routing_id: int | None, group: str | bytes | None
    ) -> list[bytes]:
        """The pattern's whole message for one ``send`` on a thread-safe (draft) socket.

        Single-frame only: SNDMORE is EINVAL, as libzmq's ``client_t::xsend`` and the others.
        SERVER/PEER put the routing id first, RADIO the group (``patterns.threadsafe``,
        ``patterns.radiodish``); a ``Frame``'s own ``routing_id``/``group`` count when the
        arguments are not given (pyzmq sets them on a Frame).
        """
        stype = self._socket_type
        if flags & SNDMORE:
            raise self._single_frame_error()
        if isinstance(data, Frame):
            if routing_id is None:
                routing_id = data.routing_id
            if group is None:
                group = data.group
        body = coerce_frame(data)
        if stype in _ROUTED_TYPES:
            if not routing_id:
                raise ZMQError(
                    Errno.EHOSTUNREACH,
                    f"{SocketType(stype).name} needs send(..., routing_id=) naming a peer",
                )
            if not 0 < routing_id <= 0xFFFFFFFF:
                raise ZMQError(Errno.EHOSTUNREACH, f"no peer with routing id {routing_id}")
            return [int(routing_id).to_bytes(4, "big"), body]
        if stype == _RADIO:
            return [_group_bytes(group if group is not None else b""), body]
        return [body]

    def _draft_received(self, msg: list[bytes], copy: bool) -> bytes | Frame:
        """One received message of a thread-safe socket as ``recv`` returns it: the body, or a
        ``Frame`` with ``routing_id`` (SERVER/PEER) or ``group`` (DISH) set."""
        stype = self._socket_type
        body = msg[-1]
        if type(body) is not bytes:
            body = self._bodies.own(body)
        if copy:
            return body
        frame = Frame._received(body, False, self._message_properties())
        if stype in _ROUTED_TYPES:
            frame.routing_id = int.from_bytes(msg[0], "big")
        elif stype == _DISH:
            frame.group = bytes(msg[0]).decode("utf-8", "surrogateescape")
        return frame

    def _single_frame_error(self) -> ZMQError:
        name = SocketType(self._socket_type).name
        return ZMQError(
            Errno.EINVAL, f"{name} sockets send single-frame messages only (no SNDMORE)"
        )

    def _multipart_for_draft(self, msg: list[bytes], flags: int) -> None:
        """``send_multipart`` on a thread-safe socket: only a one-frame message is whole
        (libzmq refuses the SNDMORE of the first frame with EINVAL)."""
        if len(msg) != 1:
            raise self._single_frame_error()

    def _sent(self) -> None:
        """The message left: forget the accumulated SNDMORE frames (in place: shadows share
        the list)."""
        if self._send_parts:
            self._send_parts.clear()

    def _send_failed(self, exc: ZMQError) -> None:
        # EAGAIN: the caller may retry the final frame, keep what was accumulated (libzmq keeps
        # the queued frames too). Any other error abandons the message.
        if exc.errno != Errno.EAGAIN:
            self._send_parts.clear()

    def _take_rest(self) -> list[bytes] | None:
        """The remaining frames of a partly read message (recv_multipart after recv)."""
        if self._recv_parts:
            rest = list(self._recv_parts)
            self._recv_parts.clear()
            return rest
        return None

    def _message_properties(self) -> Mapping[str, str] | None:
        """Peer metadata (ZMTP properties, ``Peer-Address``, ``User-Id``) of the connection the
        last received message came from, as ``str`` values like ``zmq_msg_gets``."""
        md = self._core.last_metadata()
        if not md:
            return None
        # A connection's metadata is one dict, made once and never changed afterwards
        # (``Peer``): the frames received from it share one read-only decoded copy.
        cached = self._props_cache
        if cached is not None and cached[0] is md:
            return cached[1]
        props = MappingProxyType(
            {
                str(k): v.decode("utf-8", "surrogateescape")
                if isinstance(v, (bytes, bytearray))
                else str(v)
                for k, v in md.items()
            }
        )
        self._props_cache = (md, props)
        return props


def _group_bytes(group: str | bytes | bytearray | memoryview) -> bytes:
    """A RADIO/DISH group as bytes, checked against libzmq's limit (EINVAL beyond it)."""
    if isinstance(group, str):
        group = group.encode("utf-8")
    elif not isinstance(group, bytes):
        group = bytes(group)
    if len(group) > GROUP_MAX_LENGTH:
        raise ZMQError(
            Errno.EINVAL,
            f"a group is at most {GROUP_MAX_LENGTH} bytes (ZMQ_GROUP_MAX_LENGTH), "
            f"this one has {len(group)}",
        )
    return group


class _EndpointContext:
    """``with sock.bind(addr):`` unbinds on exit (pyzmq 20+)."""

    __slots__ = ("addr", "method", "socket")

    def __init__(self, socket: Any, method: str, addr: str) -> None:
        self.socket = socket
        self.method = method
        self.addr = addr

    def __enter__(self) -> Any:
        return self.socket

    def __repr__(self) -> str:
        verb = "bind" if self.method == "unbind" else "connect"
        return f"<SocketContext({verb}={self.addr!r})>"

    def __exit__(self, *exc: object) -> None:
        if self.socket.closed:
            return
        try:
            getattr(self.socket, self.method)(self.addr)
        except ZMQError as e:
            # Already gone (ENOENT) or the context is terminating: nothing left to undo.
            if e.errno not in (Errno.ENOENT, Errno.ETERM, Errno.ENOTSOCK):
                raise


install_option_attributes(SocketBase)


__all__ = [
    "DONTWAIT",
    "DROPPING_TYPES",
    "GROUP_MAX_LENGTH",
    "THREAD_SAFE_TYPES",
    "POLLIN",
    "POLLOUT",
    "SNDMORE",
    "SOCKET_HANDLES",
    "SocketBase",
]
