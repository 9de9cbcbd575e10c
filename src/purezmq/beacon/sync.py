"""``Beacon``: UDP discovery on the blocking API, run as an actor (``purezmq.actor.Actor``).

The actor owns the UDP socket: it polls its pipe (commands) and the socket (beacons),
broadcasts what is published at each interval, and sends every accepted beacon up the pipe
as ``[address, payload]``. ``recv()`` reads them; ``beacon.socket`` is the pipe, for a
``Poller`` next to other sockets (read it with ``recv()``). Commands are czmq's: ``PUBLISH``,
``SILENCE``, ``SUBSCRIBE``, ``UNSUBSCRIBE``, ``$TERM``; each takes effect in order, once the
actor reads it.
"""

from __future__ import annotations

import contextlib
import socket
import time
from types import TracebackType

from .. import sync
from ..actor import TERM, Actor, signal
from ..constants import PollEvent
from .interfaces import Interface, choose_interface
from .udp import Filter, check_interval, check_payload, open_udp, read_beacons

__all__ = ["Beacon"]


def _run(pipe: sync.Socket, udp: socket.socket, iface: Interface, port: int, keep: Filter) -> None:
    poller = sync.Poller()
    poller.register(pipe, PollEvent.POLLIN)
    poller.register(udp, PollEvent.POLLIN)
    interval = 1.0
    ping_at = 0.0
    signal(pipe)
    try:
        while True:
            timeout_ms = None
            if keep.transmit is not None:
                timeout_ms = max(0.0, ping_at - time.monotonic()) * 1000
            ready = dict(poller.poll(timeout_ms))
            if pipe in ready:
                command = pipe.recv_multipart()
                verb = command[0]
                if verb == TERM:
                    return
                if verb == b"PUBLISH":
                    keep.transmit = command[1]
                    interval = float(command[2])
                    ping_at = time.monotonic()  # the first beacon goes at once, as czmq's
                elif verb == b"SILENCE":
                    keep.transmit = None
                elif verb == b"SUBSCRIBE":
                    keep.prefix = command[1]
                elif verb == b"UNSUBSCRIBE":
                    keep.prefix = None
            if udp.fileno() in ready:
                for host, payload in read_beacons(udp, keep):
                    pipe.send_multipart([host.encode(), payload])
            if keep.transmit is not None and time.monotonic() >= ping_at:
                # An interface down for now: czmq tries again at the next interval too.
                with contextlib.suppress(OSError):
                    udp.sendto(keep.transmit, (iface.broadcast, port))
                ping_at = time.monotonic() + interval
    finally:
        udp.close()


class Beacon:
    """A UDP beacon on ``port``: publish a payload, receive the beacons of others.

    ``interface``: a name, an IPv4 address or ``"*"`` (default: ``ZSYS_INTERFACE``, else the
    first broadcast interface, see ``purezmq.beacon.interfaces``). ``ignore_own``: drop the
    beacons equal to our own payload (czmq always does).
    """

    def __init__(
        self,
        port: int,
        interface: str | None = None,
        *,
        ignore_own: bool = True,
        context: sync.Context | None = None,
    ) -> None:
        self.interface = choose_interface(interface)
        self.port = port
        udp = open_udp(self.interface, port)
        try:
            self._actor = Actor(
                _run, udp, self.interface, port, Filter(ignore_own), context=context
            )
        except BaseException:
            udp.close()
            raise

    @property
    def address(self) -> str:
        """This host's address on the beacon's interface (czmq's "hostname")."""
        return self.interface.address

    @property
    def socket(self) -> sync.Socket:
        """The actor's pipe: poll it for beacons, then call ``recv()``."""
        return self._actor.socket

    def publish(self, payload: bytes, interval: float = 1.0) -> None:
        """Broadcast ``payload`` (at most 255 bytes) now and every ``interval`` seconds."""
        data = check_payload(payload, "payload")
        seconds = check_interval(interval)
        self._actor.send_multipart([b"PUBLISH", data, repr(seconds).encode()])

    def silence(self) -> None:
        """Stop broadcasting."""
        self._actor.send_multipart([b"SILENCE"])

    def subscribe(self, prefix: bytes = b"") -> None:
        """Receive the beacons that start with ``prefix`` (all with ``b""``)."""
        self._actor.send_multipart([b"SUBSCRIBE", check_payload(prefix, "filter")])

    def unsubscribe(self) -> None:
        """Receive no more beacons."""
        self._actor.send_multipart([b"UNSUBSCRIBE"])

    def recv(self, timeout: float | None = None) -> tuple[str, bytes] | None:
        """The next beacon as ``(sender's IPv4 address, payload)``; None after ``timeout``
        seconds without one."""
        if timeout is not None and not self._actor.poll(int(timeout * 1000)):
            return None
        host, payload = self._actor.recv_multipart()
        return host.decode(), payload

    def close(self) -> None:
        """Stop the actor and close the UDP socket."""
        self._actor.close()

    def __enter__(self) -> Beacon:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Beacon udp:{self.port} on {self.interface.name} ({self.interface.broadcast})>"
