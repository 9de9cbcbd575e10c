"""``AsyncBeacon``: UDP discovery on the running asyncio loop (no thread).

The UDP socket is a datagram endpoint of the loop; publishing is a task that sends at each
interval; accepted beacons wait in a queue for ``await recv()``. Same wire behaviour and
methods as ``Beacon`` (``udp.py``); ``publish``/``silence``/``subscribe``/``unsubscribe``
take effect at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType

from .interfaces import Interface, choose_interface
from .udp import Filter, check_interval, check_payload, open_udp

__all__ = ["AsyncBeacon"]

#: Beacons kept for ``recv()``; newer ones are dropped when the reader falls this far behind.
_QUEUE_MAX = 1000


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, keep: Filter, queue: asyncio.Queue[tuple[str, bytes]]) -> None:
        self.keep = keep
        self.queue = queue

    def datagram_received(self, data: bytes, addr: tuple[str | object, int]) -> None:
        if self.keep.accepts(data):
            with contextlib.suppress(asyncio.QueueFull):
                self.queue.put_nowait((str(addr[0]), data))


class AsyncBeacon:
    """A UDP beacon on ``port`` for asyncio: ``beacon = await AsyncBeacon.start(port, ...)``."""

    def __init__(self, iface: Interface, port: int, keep: Filter) -> None:
        # Use ``await AsyncBeacon.start(...)``: it opens the endpoint.
        self.interface = iface
        self.port = port
        self._keep = keep
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(_QUEUE_MAX)
        self._transport: asyncio.DatagramTransport | None = None
        self._publisher: asyncio.Task[None] | None = None

    @classmethod
    async def start(
        cls, port: int, interface: str | None = None, *, ignore_own: bool = True
    ) -> AsyncBeacon:
        iface = choose_interface(interface)
        udp = open_udp(iface, port)
        self = cls(iface, port, Filter(ignore_own))
        loop = asyncio.get_running_loop()
        try:
            transport, _ = await loop.create_datagram_endpoint(
                lambda: _Protocol(self._keep, self._queue), sock=udp
            )
        except BaseException:
            udp.close()
            raise
        self._transport = transport
        return self

    @property
    def address(self) -> str:
        """This host's address on the beacon's interface."""
        return self.interface.address

    async def _publish(self, payload: bytes, interval: float) -> None:
        target = (self.interface.broadcast, self.port)
        while self._transport is not None:
            self._transport.sendto(payload, target)
            await asyncio.sleep(interval)

    def publish(self, payload: bytes, interval: float = 1.0) -> None:
        """Broadcast ``payload`` (at most 255 bytes) now and every ``interval`` seconds."""
        data = check_payload(payload, "payload")
        seconds = check_interval(interval)
        self.silence()
        self._keep.transmit = data
        self._publisher = asyncio.get_running_loop().create_task(self._publish(data, seconds))

    def silence(self) -> None:
        """Stop broadcasting."""
        self._keep.transmit = None
        if self._publisher is not None:
            self._publisher.cancel()
            self._publisher = None

    def subscribe(self, prefix: bytes = b"") -> None:
        """Receive the beacons that start with ``prefix`` (all with ``b""``)."""
        self._keep.prefix = check_payload(prefix, "filter")

    def unsubscribe(self) -> None:
        """Receive no more beacons."""
        self._keep.prefix = None

    async def recv(self, timeout: float | None = None) -> tuple[str, bytes] | None:
        """The next beacon as ``(sender's IPv4 address, payload)``; None after ``timeout``
        seconds without one."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except asyncio.TimeoutError:  # the builtin TimeoutError from 3.11 on
            return None

    def close(self) -> None:
        """Stop publishing and close the UDP socket."""
        self.silence()
        if self._transport is not None:
            self._transport.close()
            self._transport = None

    async def __aenter__(self) -> AsyncBeacon:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"<AsyncBeacon udp:{self.port} on {self.interface.name} ({self.interface.broadcast})>"
        )
