"""pgm:// and epgm:// sessions: a PUB/XPUB's PGM source or a SUB/XSUB's PGM receiver on the
I/O loop, between the OS sockets (``transports.pgm``) and one pipe.

Owns ``open(core, endpoint)``, which ``bind()`` and ``connect()`` both call: over PGM both
"connect" to the group (docs/transports.md, pgm and epgm). Only PUB, XPUB, SUB and XSUB may use
these transports (else ENOCOMPATPROTO), as in libzmq.

* Sending (PUB/XPUB): the pipe takes every message (``subscribe_all``: nothing comes back over
  multicast); messages are cut into APDUs (``pgm.framing``) and each becomes one ODATA from the
  ``pgm.source`` state machine, paced by RATE; NAKs and SPMRs from receivers are answered with
  NCF + RDATA and SPMs; the source's ambient and heartbeat SPMs run on a loop timer.
* Receiving (SUB/XSUB): packets go through ``pgm.receiver`` (in order, NAKs with back-off on a
  loop timer); each source's APDUs through its own ``ApduDecoder``, which joins at the next
  message boundary and re-joins after a reported loss. Subscriptions written by the socket are
  dropped here (SUB filters by itself). At RCVHWM reading stops until the socket drains.

Loss that could not be repaired is counted in the socket's ``statistics()`` (``pgm_data_lost``)
and never waited on.

``set_datagram_hook`` lets tests drop, delay and reorder datagrams at the socket boundary (in
both directions), since the loss injector must not need kernel support.

Thread affinity: ``open`` on the socket's owner thread; everything else on the I/O loop, except
the pipe callbacks (owner thread), which hop to the loop; ``close`` from any thread.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from ..constants import Errno, SocketType
from ..endpoint import PgmEndpoint, parse
from ..error import ZMQError
from ..patterns.pipe import Message, Pipe
from ..pgm import packet as pk
from ..pgm.framing import ApduDecoder, ApduEncoder
from ..pgm.receiver import Data, Loss, Outgoing, Receiver
from ..pgm.source import Source, window_sqns
from ..transports import pgm as transport
from ..transports.base import SocketSettings, close_quietly
from .datagram_session import DatagramSession

#: (direction "in" or "out", datagram) -> the datagrams to pass on now (none: dropped).
DatagramHook = Callable[[str, bytes], list[bytes]]

_hook: DatagramHook | None = None

_BATCH = 256
_SEND_BATCH = 64
_SENDERS = (SocketType.PUB, SocketType.XPUB)
_RECEIVERS = (SocketType.SUB, SocketType.XSUB)


def set_datagram_hook(hook: DatagramHook | None) -> None:
    """Install (None: remove) a filter every PGM datagram of this process passes through."""
    global _hook
    _hook = hook


def open(core: Any, endpoint: str) -> PgmSession:
    kind = SocketType(core.socket_type)
    parsed = parse(endpoint, for_bind=False)
    assert isinstance(parsed, PgmEndpoint)
    if kind not in _SENDERS and kind not in _RECEIVERS:
        raise ZMQError(
            Errno.ENOCOMPATPROTO,
            f"cannot use {parsed.scheme}:// with a {kind.name} socket: PGM multicast carries "
            "only PUB/XPUB (sending) to SUB/XSUB (receiving)",
        )
    options = core.options
    address = transport.resolve(parsed)
    settings = SocketSettings.from_options(options)
    what = f"cannot open {parsed}"
    sending = kind in _SENDERS
    sender = transport.open_sender(
        address,
        settings,
        what,
        loop=bool(options.multicast_loop),
        hops=int(options.multicast_hops),
    )
    try:
        if sending and address.udp:
            receiver = transport.open_nak_receiver(address, settings, what)
        else:
            receiver = transport.open_group_receiver(address, settings, what)
    except ZMQError:
        close_quietly(sender)
        raise
    return PgmSession(core, address, str(parsed), core.attached_pipe(), sender, receiver, sending)


class PgmSession(DatagramSession):
    """One pgm/epgm endpoint of a socket: a source (``sending``) or a receiver."""

    def __init__(
        self,
        core: Any,
        address: transport.PgmAddress,
        endpoint: str,
        pipe: Pipe,
        sender: socket.socket,
        receiver: socket.socket,
        sending: bool,
    ) -> None:
        self._core = core
        self._address = address
        self.endpoint = endpoint
        self._pipe = pipe
        self._tx = sender
        self._rx = receiver
        self.fd = receiver.fileno()
        self.sending = sending
        self._group = (address.group, address.port if address.udp else 0)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._closed = False
        self._flush_scheduled = False
        self._reading = False
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0
        self._pending: deque[bytes] = deque()
        self._inbox: deque[Message] = deque()
        options = core.options
        tsdu = transport.max_tsdu(address, int(options.multicast_maxtpdu))
        self._encoder = ApduEncoder(tsdu)
        self._decoders: dict[pk.Tsi, ApduDecoder] = {}
        self._maxmsgsize = int(options.maxmsgsize)
        self._source: Source | None = None
        self._receiver: Receiver | None = None
        group = pk.ipv4(address.group)
        if sending:
            gsi = os.urandom(6)
            sport = int.from_bytes(os.urandom(2), "big")
            if sport == address.port:
                sport ^= 0x8000
            rate_kbit = int(options.rate)
            self._source = Source(
                gsi,
                sport,
                address.port,
                pk.ipv4(address.interface),
                group,
                window_sqns=window_sqns(
                    int(options.recovery_ivl), rate_kbit, int(options.multicast_maxtpdu)
                ),
                rate=rate_kbit * 1000 / 8,
                now=0.0,
            )
        else:
            self._receiver = Receiver(address.port, group)
        self._buffer = bytearray(65536)
        #: Datagrams refused (not PGM, bad checksum…).
        self.datagrams_dropped = 0
        #: Messages the OS refused to send.
        self.messages_dropped = 0
        pipe.on_read_activated = self._on_pipe_readable
        pipe.on_write_activated = self._on_pipe_writable
        core.call_soon(self._start)

    # -- loop side ----------------------------------------------------------------------------

    @property
    def pgm_data_lost(self) -> int:
        """Sequence numbers given up on (they left the source's window, or retries ran out)."""
        return self._receiver.lost if self._receiver is not None else 0

    def _start(self) -> None:
        if self._closed:
            return
        loop = self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        self._reading = True
        loop.add_reader(self.fd, self._on_readable)
        if self._source is not None:
            now = loop.time()
            for spm in self._source.start(now):
                self._send(spm, self._group)
        self._flush()
        self._arm()

    def _send(self, data: bytes, dest: tuple[str, int]) -> None:
        datagrams = [data] if _hook is None else _hook("out", data)
        for datagram in datagrams:
            try:
                self._tx.sendto(datagram, dest)
            except OSError:
                # A full kernel buffer or no route: the packet is lost like any other; the
                # receivers' NAKs (or SPM heartbeats) recover it.
                self.messages_dropped += 1

    # -- timers -------------------------------------------------------------------------------

    def _arm(self) -> None:
        loop = self._loop
        if loop is None or self._closed:
            return
        deadline = (
            self._source.deadline()
            if self._source is not None
            else self._receiver.deadline()
            if self._receiver is not None
            else None
        )
        if deadline is None:
            return
        if self._timer is not None:
            if self._timer_at <= deadline:
                return
            self._timer.cancel()
        self._timer_at = deadline
        self._timer = loop.call_at(deadline, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        if self._closed or self._loop is None:
            return
        now = self._loop.time()
        if self._source is not None:
            for spm in self._source.on_timer(now):
                self._send(spm, self._group)
        if self._receiver is not None:
            sends, events = self._receiver.on_timer(now)
            self._send_outgoing(sends)
            self._deliver(events)
        self._arm()

    # -- sending ------------------------------------------------------------------------------

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self._closed or self._loop is None:
            return
        pipe = self._pipe
        source = self._source
        if source is None:
            # Subscriptions mean nothing over multicast: the SUB filters by itself.
            while pipe.read_many(_BATCH):
                pass
            return
        loop = self._loop
        now = loop.time()
        # Repairs first: receivers are waiting on them to deliver anything newer.
        for _ in range(_SEND_BATCH):
            delay = source.repair_delay(now)
            if delay is None:
                break
            if delay > 0:
                self._flush_scheduled = True
                loop.call_later(delay, self._flush)
                return
            repair = source.next_repair(now)
            if repair is not None:
                self._send(repair, self._group)
        else:
            self._flush_scheduled = True
            loop.call_soon(self._flush)
            return
        if not self._pending:
            msgs = pipe.read_many(_SEND_BATCH)
            if not msgs:
                self._arm()  # repairs restart the heartbeat SPMs
                return
            self._pending.extend(self._encoder.encode(msgs))
        while self._pending:
            apdu = self._pending[0]
            delay = source.send_delay(len(apdu), now)
            if delay > 0:
                self._arm()
                self._flush_scheduled = True
                loop.call_later(delay, self._flush)
                return
            self._pending.popleft()
            self._send(source.send(apdu, now), self._group)
        self._arm()
        self._flush_scheduled = True
        loop.call_soon(self._flush)

    # -- receiving ----------------------------------------------------------------------------

    def _on_readable(self) -> None:
        assert self._loop is not None
        recv_into = self._rx.recvfrom_into
        buffer = self._buffer
        view = memoryview(buffer)
        raw = not self._address.udp
        for _ in range(_BATCH):
            try:
                n, addr = recv_into(buffer)
            except OSError:
                break
            data = view[:n]
            if raw:
                data = transport.strip_ip_header(data)
            datagrams = [bytes(data)] if _hook is None else _hook("in", bytes(data))
            for datagram in datagrams:
                self._on_datagram(datagram, addr[0])
            if not self._reading:
                break
        self._arm()

    def _on_datagram(self, datagram: bytes, sender: str) -> None:
        assert self._loop is not None
        try:
            packet = pk.decode(datagram)
        except ValueError:
            self.datagrams_dropped += 1
            return
        now = self._loop.time()
        if self._source is not None:
            if packet.type in (pk.NAK, pk.SPMR):
                for out in self._source.on_packet(packet, now):
                    self._send(out, self._group)
                if not self._flush_scheduled:  # RDATA may now be queued
                    self._flush_scheduled = True
                    self._loop.call_soon(self._flush)
            return
        assert self._receiver is not None
        if packet.type in (pk.NAK, pk.SPMR):
            return
        try:
            sender_ip = socket.inet_aton(sender)
        except OSError:
            sender_ip = None
        self._deliver(self._receiver.on_packet(packet, now, sender_ip))

    def _send_outgoing(self, sends: list[Outgoing]) -> None:
        port = self._address.port if self._address.udp else 0
        for item in sends:
            dest = self._group if item.nla is None else (socket.inet_ntoa(item.nla), port)
            self._send(item.data, dest)

    def _deliver(self, events: list[Data | Loss]) -> None:
        for event in events:
            decoder = self._decoders.get(event.tsi)
            if decoder is None:
                decoder = self._decoders[event.tsi] = ApduDecoder(self._maxmsgsize)
            if isinstance(event, Loss):
                decoder.reset()
                continue
            try:
                msgs = decoder.feed(event.apdu)
            except ValueError:
                self.datagrams_dropped += 1
                decoder.reset()
                continue
            self._inbox.extend(msgs)
        self._push()

    def _push(self) -> None:
        inbox = self._inbox
        pipe = self._pipe
        while inbox:
            if not pipe.write(inbox[0]):
                self._pause_reading()
                return
            inbox.popleft()

    def _resume_reading(self) -> None:
        if self._closed or self._loop is None:
            return
        self._push()
        if self._inbox:
            return
        if not self._reading:
            self._reading = True
            self._loop.add_reader(self.fd, self._on_readable)

    # -- closing ------------------------------------------------------------------------------

    def _close_sockets(self) -> None:
        close_quietly(self._tx)
        close_quietly(self._rx)

    def _close_on_loop(self) -> None:
        if self._closed:
            return
        source = self._source
        if source is not None and self._loop is not None:
            # What the socket queued goes out now, unpaced: after close nothing could repair it.
            now = self._loop.time()
            for msgs in iter(lambda: self._pipe.read_many(_SEND_BATCH), []):
                self._pending.extend(self._encoder.encode(msgs))
            while self._pending:
                self._send(source.send(self._pending.popleft(), now), self._group)
        self._closed = True
        loop = self._loop
        if loop is not None and self._reading:
            loop.remove_reader(self.fd)
        self._reading = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        close_quietly(self._tx)
        close_quietly(self._rx)
        self._core.pipe_disconnected(self._pipe, False)

    def __repr__(self) -> str:
        role = "source" if self.sending else "receiver"
        return f"<PgmSession {role} {self.endpoint}{' closed' if self._closed else ''}>"


__all__ = ["DatagramHook", "PgmSession", "open", "set_datagram_hook"]
