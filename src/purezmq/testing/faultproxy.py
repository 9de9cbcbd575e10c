"""A fault-injecting TCP proxy: put it between two ZeroMQ peers and break the link on demand.

``FaultProxy`` listens on a loopback port and forwards every connection it accepts to a
target address. It runs its own asyncio loop in a daemon thread, so blocking tests, asyncio
tests and tests whose peer is another library (libzmq through pyzmq) all drive it the same
way: call a method, the fault applies to the links open now and (for the lasting modes) to
the links accepted later.

Faults, each counted in ``faults_injected``:

- ``cut()``: close every link in order (FIN both ways) — the peer went away cleanly.
- ``reset()``: abort every link with an RST (``SO_LINGER`` 0) — the peer crashed.
- ``half_open()``: drop the upstream side and keep the client side open, swallowing what it
  sends — the client's kernel still believes the connection is alive (a host that vanished).
- ``black_hole(True)``: keep every link open and discard the bytes in both directions — a
  route that silently eats packets; only heartbeats can tell.
- ``stall(True)``: stop reading, so the kernel buffers fill and the writers block.
- ``delay(seconds)``: hold each chunk this long before passing it on (order kept).
- ``throttle(bytes_per_second)``: pace the bytes.
- ``resegment(max_piece)``: cut what one side wrote into pieces of random sizes written
  separately, and join what several writes carried — TCP promises a byte stream, not the
  boundaries of writes; a parser must cope with any split.
- ``refuse(True)``: stop listening (connects get ECONNREFUSED) until ``refuse(False)``
  listens again on the same port.

The proxy's own sockets are plain asyncio streams; nothing here knows ZMTP. It counts the
connections it accepted (with their times, for back-off checks) and the bytes it forwarded.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

__all__ = ["FaultProxy", "ProxyStats"]

T = TypeVar("T")

#: Bytes one read takes from a socket.
READ_SIZE = 65536
#: Seconds a control call waits for the proxy's loop.
CONTROL_TIMEOUT = 5.0


@dataclass
class ProxyStats:
    """What the proxy saw: connections accepted (monotonic times), bytes and faults."""

    accepted_at: list[float] = field(default_factory=list)
    bytes_up: int = 0
    bytes_down: int = 0
    bytes_discarded: int = 0
    faults_injected: int = 0

    @property
    def accepted(self) -> int:
        return len(self.accepted_at)


class _Link:
    """One accepted client connection and its upstream connection."""

    def __init__(
        self,
        client: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        upstream: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    ) -> None:
        self.client_reader, self.client_writer = client
        self.upstream_reader, self.upstream_writer = upstream
        self.tasks: list[asyncio.Task[None]] = []
        #: After ``half_open``: the upstream is gone and the client's bytes are swallowed.
        self.upstream_dropped = False

    def writers(self) -> tuple[asyncio.StreamWriter, asyncio.StreamWriter]:
        return self.client_writer, self.upstream_writer


def _abort_with_rst(writer: asyncio.StreamWriter) -> None:
    """Close ``writer``'s socket so that the kernel sends RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class FaultProxy:
    """A TCP proxy from ``127.0.0.1:<port>`` to ``target`` that injects faults on demand.

    ``target`` is ``(host, port)`` or a ``tcp://host:port`` endpoint. Use as a context manager
    (or ``start()``/``close()``); connect the client side to ``endpoint``. Every control method
    is thread-safe and returns once the fault is in place.

    ``buffer_size`` sets SO_RCVBUF and SO_SNDBUF on the proxy's sockets (None: the kernel's
    autotuning, which on Linux lets a stalled link absorb tens of megabytes); ``seed`` fixes
    the piece sizes of ``resegment``.
    """

    def __init__(
        self, target: tuple[str, int] | str, *, seed: int = 0, buffer_size: int | None = 65536
    ) -> None:
        self.target = _parse_target(target)
        self.buffer_size = buffer_size
        self.stats = ProxyStats()
        self._random = random.Random(seed)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="FaultProxy", daemon=True)
        self._server: asyncio.base_events.Server | None = None
        self._links: set[_Link] = set()
        self._port = 0
        self._changed: asyncio.Condition | None = None
        # Lasting modes, read by the pumps on every chunk.
        self._black_hole = False
        self._stalled: asyncio.Event | None = None  # set = flowing
        self._delay = 0.0
        self._rate = 0.0
        self._max_piece = 0
        self._closed = False

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FaultProxy:
        """Start the loop thread and listen; returns ``self``."""
        self._thread.start()
        self._call(self._listen())
        return self

    def close(self) -> None:
        """Close every link and the listener, then stop the loop thread."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._call(self._shutdown())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(CONTROL_TIMEOUT)
        self._loop.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def port(self) -> int:
        """The loopback port the proxy listens on."""
        return self._port

    @property
    def endpoint(self) -> str:
        """``tcp://127.0.0.1:<port>``: what the client side connects to."""
        return f"tcp://127.0.0.1:{self._port}"

    @property
    def links(self) -> int:
        """Links open now."""
        return len(self._links)

    # -- faults ------------------------------------------------------------------------------

    def cut(self) -> int:
        """Close every open link with FIN on both sides; returns how many."""
        return self._call(self._each_link(self._cut_link))

    def reset(self) -> int:
        """Abort every open link with RST on both sides; returns how many."""
        return self._call(self._each_link(self._reset_link))

    def half_open(self) -> int:
        """Drop every link's upstream side; the client side stays open, its bytes swallowed."""
        return self._call(self._each_link(self._half_open_link))

    def black_hole(self, on: bool = True) -> None:
        """Discard every byte in both directions (links stay open) until turned off."""
        self._set_mode(lambda: setattr(self, "_black_hole", on), counts=on)

    def stall(self, on: bool = True) -> None:
        """Stop reading from either side (the kernel buffers fill) until turned off."""

        def apply() -> None:
            assert self._stalled is not None
            if on:
                self._stalled.clear()
            else:
                self._stalled.set()

        self._set_mode(apply, counts=on)

    def delay(self, seconds: float) -> None:
        """Hold every chunk ``seconds`` before forwarding it (0 turns it off)."""
        self._set_mode(lambda: setattr(self, "_delay", seconds), counts=seconds > 0)

    def throttle(self, bytes_per_second: float) -> None:
        """Forward at most ``bytes_per_second`` per direction and link (0 turns it off)."""
        rate = bytes_per_second
        self._set_mode(lambda: setattr(self, "_rate", rate), counts=rate > 0)

    def resegment(self, max_piece: int) -> None:
        """Re-cut the stream into pieces of 1..``max_piece`` bytes, each written and flushed
        alone, and join small writes that arrive together (0 turns it off)."""
        self._set_mode(lambda: setattr(self, "_max_piece", max_piece), counts=max_piece > 0)

    def refuse(self, on: bool = True) -> None:
        """Stop listening (new connects are refused) or listen again on the same port."""
        self._call(self._refuse(on))

    def heal(self) -> None:
        """Turn every lasting fault off (black hole, stall, delay, throttle, resegment, refuse)."""
        self.black_hole(False)
        self.stall(False)
        self.delay(0)
        self.throttle(0)
        self.resegment(0)
        self.refuse(False)

    # -- waits -------------------------------------------------------------------------------

    def wait_accepted(self, count: int, timeout: float = CONTROL_TIMEOUT) -> None:
        """Wait until the proxy has accepted ``count`` connections in all; ``TimeoutError``
        after ``timeout`` seconds."""
        self._wait(lambda: self.stats.accepted >= count, timeout, f"{count} accepted connections")

    def wait_links(self, count: int, timeout: float = CONTROL_TIMEOUT) -> None:
        """Wait until exactly ``count`` links are open."""
        self._wait(lambda: len(self._links) == count, timeout, f"{count} open links")

    # -- internals ---------------------------------------------------------------------------

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._changed = asyncio.Condition()
        self._stalled = asyncio.Event()
        self._stalled.set()
        self._loop.run_forever()

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        if not self._thread.is_alive():
            coro.close()
            raise RuntimeError("the FaultProxy is not running (start() it first)")
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        return future.result(CONTROL_TIMEOUT)

    def _set_mode(self, apply: Callable[[], None], *, counts: bool) -> None:
        async def run() -> None:
            apply()
            if counts:
                self.stats.faults_injected += 1

        self._call(run())

    def _wait(self, done: Callable[[], bool], timeout: float, what: str) -> None:
        async def run() -> None:
            assert self._changed is not None
            async with self._changed:
                await asyncio.wait_for(self._changed.wait_for(done), timeout)

        future = asyncio.run_coroutine_threadsafe(run(), self._loop)
        try:
            future.result(timeout + 1)
        except (TimeoutError, asyncio.TimeoutError):
            raise TimeoutError(f"FaultProxy: no {what} within {timeout} s") from None

    async def _notify(self) -> None:
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    def _new_socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setblocking(False)
        if self.buffer_size:
            # Set before listen/connect so the window is negotiated with it (accepted sockets
            # inherit the listener's).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.buffer_size)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.buffer_size)
        return sock

    async def _listen(self) -> None:
        sock = self._new_socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self._port))
        self._server = await asyncio.start_server(self._accept, sock=sock)
        self._port = self._server.sockets[0].getsockname()[1]

    async def _open_upstream(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        sock = self._new_socket()
        try:
            await asyncio.get_running_loop().sock_connect(sock, self.target)
        except OSError:
            sock.close()
            raise
        return await asyncio.open_connection(sock=sock)

    async def _refuse(self, on: bool) -> None:
        if on and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
            self.stats.faults_injected += 1
        elif not on and self._server is None:
            await self._listen()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for link in list(self._links):
            for writer in link.writers():
                writer.transport.abort()
            for task in link.tasks:
                task.cancel()
        tasks = [task for link in self._links for task in link.tasks]
        await asyncio.gather(*tasks, return_exceptions=True)
        self._links.clear()

    async def _each_link(self, action: Callable[[_Link], Awaitable[None]]) -> int:
        links = list(self._links)
        for link in links:
            await action(link)
        if links:
            self.stats.faults_injected += 1
        return len(links)

    async def _cut_link(self, link: _Link) -> None:
        for writer in link.writers():
            writer.close()
        await self._forget(link)

    async def _reset_link(self, link: _Link) -> None:
        for writer in link.writers():
            _abort_with_rst(writer)
        await self._forget(link)

    async def _half_open_link(self, link: _Link) -> None:
        link.upstream_dropped = True
        link.upstream_writer.close()

    async def _forget(self, link: _Link) -> None:
        if link in self._links:
            self._links.discard(link)
            await self._notify()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.accepted_at.append(time.monotonic())
        try:
            upstream = await self._open_upstream()
        except OSError:
            # The target is down: the client sees its connection closed, as from a dead peer.
            _abort_with_rst(writer)
            await self._notify()
            return
        for side in (writer, upstream[1]):
            sock = side.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link = _Link((reader, writer), upstream)
        self._links.add(link)
        link.tasks = [
            asyncio.create_task(self._pump(link, reader, upstream[1], up=True)),
            asyncio.create_task(self._pump(link, upstream[0], writer, up=False)),
        ]
        await self._notify()
        await asyncio.gather(*link.tasks, return_exceptions=True)
        for side in link.writers():
            side.close()
        await self._forget(link)

    async def _pump(
        self,
        link: _Link,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        up: bool,
    ) -> None:
        """Forward ``reader`` to ``writer`` under the current faults until either side ends."""
        assert self._stalled is not None
        while True:
            await self._stalled.wait()
            try:
                data = await reader.read(READ_SIZE)
            except OSError:
                data = b""
            if not data:
                if up and link.upstream_dropped:
                    # A half-open link: the client's FIN, like its bytes, goes nowhere.
                    return
                # The other direction ends too: a ZeroMQ peer never half-closes on purpose.
                if not link.upstream_dropped:
                    _close_quietly(writer)
                return
            # A stall that began while this read waited holds the chunk too.
            await self._stalled.wait()
            if self._black_hole or (up and link.upstream_dropped):
                self.stats.bytes_discarded += len(data)
                continue
            if self._delay:
                await asyncio.sleep(self._delay)
            try:
                await self._write(writer, data)
            except OSError:
                return
            if up:
                self.stats.bytes_up += len(data)
            else:
                self.stats.bytes_down += len(data)

    async def _write(self, writer: asyncio.StreamWriter, data: bytes) -> None:
        pieces = [data]
        if self._max_piece:
            pieces = []
            at = 0
            while at < len(data):
                size = self._random.randint(1, self._max_piece)
                pieces.append(data[at : at + size])
                at += size
        for piece in pieces:
            if self._rate:
                await asyncio.sleep(len(piece) / self._rate)
            writer.write(piece)
            await writer.drain()
            if self._max_piece:
                # Let the piece leave alone before the next one is written.
                await asyncio.sleep(0)
        if writer.is_closing():
            raise ConnectionResetError("the other side of the link is gone")


def _close_quietly(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError):
        writer.close()


def _parse_target(target: tuple[str, int] | str) -> tuple[str, int]:
    if isinstance(target, tuple):
        return target
    address = target.removeprefix("tcp://")
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)
