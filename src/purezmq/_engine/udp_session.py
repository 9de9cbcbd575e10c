"""udp:// sessions: a DISH's bound datagram socket, a RADIO's connected one, on the I/O loop.

Owns ``bind(core, endpoint)`` (DISH) and ``connect(core, endpoint)`` (RADIO) for udp://, and
the pumping between one datagram socket and one pipe (docs/protocol/transports.md §5; libzmq
``udp_engine``):

* who may do what is libzmq's: only a DISH binds, only a RADIO connects; any other socket type
  (and a RADIO bind, a DISH connect) raises ENOCOMPATPROTO. The address is resolved and the OS
  socket opened in the caller's thread, so a bad endpoint raises from ``bind()``/``connect()``;
* the pipe is attached at once and takes every message (libzmq ``subscribe_to_all``): a RADIO
  sends every group into it, since nothing on the wire tells it what the receivers joined; a
  DISH filters what arrives against its own groups, and the joins and leaves it writes into
  the pipe are read and dropped here;
* receiving: each datagram is decoded (``zmtp.udp_datagram``) into ``[group, body]``. One that
  is too large or has a broken group header is dropped and counted, with a
  HANDSHAKE_FAILED_PROTOCOL(ZMTP_UNSPECIFIED) monitor event naming the endpoint, and the next
  datagram is served as usual. At RCVHWM reading stops, as libzmq's engine stops polling, and
  resumes when the socket drains its queue to LWM (the kernel buffer absorbs or drops meanwhile);
* sending: the pipe is drained on the loop, one ``sendto`` per message; a message whose
  datagram would exceed 8192 bytes is dropped and counted (libzmq drops it too). When the kernel
  buffer is full the rest waits for the socket to become writable; other send errors (no
  route…) drop that message and count it.

Thread affinity: ``bind``/``connect`` on the socket's owner thread; everything else on the I/O
loop, except the pipe callbacks (owner thread), which hop to the loop; ``close`` from any
thread (it waits for the loop to flush and let go of the OS socket).
"""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
from typing import TYPE_CHECKING, Any

from ..constants import Errno, Event, SocketType
from ..endpoint import UdpEndpoint, parse
from ..error import ZMQError
from ..patterns.pipe import Message, Pipe
from ..transports import udp
from ..transports.base import SocketSettings, close_quietly
from ..zmtp import udp_datagram
from .datagram_session import DatagramSession

if TYPE_CHECKING:
    from .socket_core import SocketCore

#: Datagrams read per loop turn before yielding to other connections.
_BATCH = 256
#: Messages sent per loop turn.
_SEND_BATCH = 64
_ZMTP_UNSPECIFIED = int(Event.PROTOCOL_ERROR_ZMTP_UNSPECIFIED)


def _check_type(core: SocketCore, endpoint: str, receiver: bool) -> None:
    allowed = SocketType.DISH if receiver else SocketType.RADIO
    if int(core.socket_type) != allowed:
        verb, other = ("bind", "connect") if receiver else ("connect", "bind")
        raise ZMQError(
            Errno.ENOCOMPATPROTO,
            f"cannot {verb} {SocketType(core.socket_type).name} to {endpoint}: over udp:// only "
            f"a DISH binds and only a RADIO connects"
            + (
                f" (use {other}() for this socket)"
                if int(core.socket_type) in (SocketType.RADIO, SocketType.DISH)
                else ""
            ),
        )


def bind(core: SocketCore, endpoint: str) -> UdpSession:
    """DISH: receive on ``endpoint`` (unicast address or multicast group)."""
    _check_type(core, endpoint, receiver=True)
    parsed = parse(endpoint, for_bind=True)
    assert isinstance(parsed, UdpEndpoint)
    options = core.options
    address = udp.resolve(parsed, receiver=True, ipv6=bool(options.ipv6))
    sock = udp.open_receiver(address, SocketSettings.from_options(options), str(parsed))
    if parsed.port == 0:
        # Port 0: the kernel picked one; LAST_ENDPOINT says which (libzmq repeats the 0).
        parsed = dataclasses.replace(parsed, port=int(sock.getsockname()[1]))
    return UdpSession(core, sock, str(parsed), core.attached_pipe(), None)


def connect(core: SocketCore, endpoint: str) -> UdpSession:
    """RADIO: send every message to ``endpoint`` (unicast address or multicast group)."""
    _check_type(core, endpoint, receiver=False)
    parsed = parse(endpoint, for_bind=False)
    assert isinstance(parsed, UdpEndpoint)
    options = core.options
    address = udp.resolve(parsed, receiver=False, ipv6=bool(options.ipv6))
    sock = udp.open_sender(
        address,
        SocketSettings.from_options(options),
        str(parsed),
        loop=bool(options.multicast_loop),
        hops=int(options.multicast_hops),
    )
    return UdpSession(core, sock, str(parsed), core.attached_pipe(), address.target)


class UdpSession(DatagramSession):
    """One udp:// endpoint of a RADIO (``target`` set: sends) or a DISH (receives)."""

    __slots__ = (
        "_backlog",
        "_buffer",
        "_pipe",
        "_sock",
        "_stash",
        "_target",
        "datagrams_dropped",
        "endpoint",
        "messages_dropped",
    )

    def __init__(
        self, core: SocketCore, sock: socket.socket, endpoint: str, pipe: Pipe, target: Any
    ) -> None:
        self._core = core
        self._sock = sock
        self.endpoint = endpoint
        self.fd = sock.fileno()
        self._pipe = pipe
        self._target = target
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._closed = False
        self._flush_scheduled = False
        self._reading = False
        #: Receiving: the message the pipe refused at RCVHWM. Sending: messages that met a full
        #: kernel buffer.
        self._stash: Message | None = None
        self._backlog: list[Message] = []
        self._buffer = bytearray(udp_datagram.MAX_DATAGRAM + 1)
        #: Received datagrams refused (too large, broken group header).
        self.datagrams_dropped = 0
        #: Messages not sent (datagram over 8192 bytes, or the OS refused it).
        self.messages_dropped = 0
        pipe.on_read_activated = self._on_pipe_readable
        pipe.on_write_activated = self._on_pipe_writable
        core.call_soon(self._start)

    @property
    def sending(self) -> bool:
        return self._target is not None

    # -- loop side ----------------------------------------------------------------------------

    def _start(self) -> None:
        if self._closed:
            return
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        if not self.sending:
            self._reading = True
            self._loop.add_reader(self.fd, self._on_readable)
        # Reading the pipe until empty arms its activation (the reader now sleeps).
        self._flush()

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._closed:
            return
        pipe = self._pipe
        if not self.sending:
            # A DISH's joins and leaves mean nothing on udp (the DISH filters by itself).
            while pipe.read_many(_BATCH):
                pass
            return
        if self._backlog and not self._send_all(self._backlog):
            return
        msgs = pipe.read_many(_SEND_BATCH)
        if not msgs or not self._send_all(msgs):
            return
        # More may be queued and the reader is not asleep: continue on a later turn, so that
        # a receiver on this same loop reads between two batches instead of letting its kernel
        # buffer overflow.
        if self._loop is not None:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _send_all(self, msgs: list[Message]) -> bool:
        """Send ``msgs``; False when the kernel buffer filled (the rest waits in the backlog)."""
        sendto = self._sock.sendto
        target = self._target
        encode = udp_datagram.encode
        for i, msg in enumerate(msgs):
            if len(msg) != 2:
                continue
            datagram = encode(msg[0], msg[1])
            if datagram is None:
                self.messages_dropped += 1
                continue
            try:
                sendto(datagram, target)
            except (BlockingIOError, InterruptedError):
                self._backlog = msgs[i:]
                if self._loop is not None and not self._closed:
                    self._loop.add_writer(self.fd, self._on_writable)
                return False
            except OSError:
                self.messages_dropped += 1
        self._backlog = []
        return True

    def _on_writable(self) -> None:
        assert self._loop is not None
        self._loop.remove_writer(self.fd)
        self._flush()

    def _on_readable(self) -> None:
        pipe = self._pipe
        recv_into = self._sock.recvfrom_into
        buffer = self._buffer
        view = memoryview(buffer)
        decode = udp_datagram.decode
        for _ in range(_BATCH):
            try:
                n, _addr = recv_into(buffer)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            result = decode(view[:n])
            if isinstance(result, str):
                self.datagrams_dropped += 1
                self._core.emit(Event.HANDSHAKE_FAILED_PROTOCOL, _ZMTP_UNSPECIFIED, self.endpoint)
                continue
            msg = list(result)
            if not pipe.write(msg):
                # RCVHWM: stop reading until the socket drains to LWM (libzmq resets pollin).
                self._stash = msg
                self._pause_reading()
                return

    def _resume_reading(self) -> None:
        if self._closed or self._loop is None:
            return
        stash = self._stash
        if stash is not None:
            if not self._pipe.write(stash):
                return  # still full: asleep as writer again
            self._stash = None
        if not self._reading:
            self._reading = True
            self._loop.add_reader(self.fd, self._on_readable)

    # -- closing ------------------------------------------------------------------------------

    def _close_sockets(self) -> None:
        close_quietly(self._sock)

    def _close_on_loop(self) -> None:
        if self._closed:
            return
        if self.sending:
            self._flush()
        self._closed = True
        loop = self._loop
        if loop is not None:
            if self._reading:
                loop.remove_reader(self.fd)
            loop.remove_writer(self.fd)
        self._reading = False
        close_quietly(self._sock)
        self._core.pipe_disconnected(self._pipe, False)

    def __repr__(self) -> str:
        kind = "RADIO" if self.sending else "DISH"
        state = " closed" if self._closed else ""
        return f"<UdpSession {kind} {self.endpoint}{state}>"


__all__ = ["UdpSession", "bind", "connect"]
