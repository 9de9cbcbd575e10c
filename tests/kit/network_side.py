"""The network side (peers, listeners, connecters) tested on its own: a stand-in for
``SocketCore``, a runner on either event loop kind, and scripted peers.

The stand-in core implements the hooks of docs/contracts.md ("Inside the engine"): pipes from
``pipe_pair`` with the socket's HWMs, ``attach_pipe``/``pipe_disconnected`` recorded, monitor
events collected; all on the running loop. Waiting is always on a condition with a bounded
timeout (never a sleep).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import zmq
import zmq.asyncio

from purezmq.constants import Event, SocketType
from purezmq.options import SocketOptions
from purezmq.patterns.pipe import Pipe, pipe_pair
from purezmq.zmtp import Connection, NullMechanism
from purezmq.zmtp.bodies import BodyPool

TIMEOUT = 10.0


class StubCore:
    def __init__(self, socket_type: int, **options: Any) -> None:
        self.loop = asyncio.get_running_loop()
        self.socket_type = SocketType(socket_type)
        self.options: Any = SocketOptions(self.socket_type)
        for name, value in options.items():
            setattr(self.options, name, value)
        self.events: list[tuple[int, int, str]] = []
        self.attached: list[Pipe] = []  # socket ends
        self.disconnected: list[tuple[Pipe, bool]] = []
        self.sessions: dict[Any, Pipe] = {}
        self._changed = asyncio.Event()
        self.direct_writes = 0
        self.handshaking = self.handshaking_peak = self.handshakes_refused = 0
        self.owned_by_thread = False
        self.disconnect_called = False
        self.bodies = BodyPool()

    # -- hooks ----------------------------------------------------------------------------------

    def call_soon(self, fn: Callable[..., object], *args: Any) -> None:
        self.loop.call_soon_threadsafe(fn, *args)

    def run(self, fn: Callable[..., object], *args: Any) -> object:
        """Run ``fn`` on the loop and wait for it; on the loop itself, at once (as
        ``SocketCore.run``)."""
        with contextlib.suppress(RuntimeError):  # no running loop: another thread
            if asyncio.get_running_loop() is self.loop:
                return fn(*args)
        done: concurrent.futures.Future[object] = concurrent.futures.Future()

        def call() -> None:
            try:
                done.set_result(fn(*args))
            except BaseException as exc:  # handed to the waiting thread
                done.set_exception(exc)

        self.loop.call_soon_threadsafe(call)
        return done.result(TIMEOUT)

    def _make(self) -> Pipe:
        s_end, e_end = pipe_pair(self.options.sndhwm, self.options.rcvhwm)
        s_end.on_read_activated = self._poke_pipe
        s_end.on_write_activated = self._poke_pipe
        return e_end

    def new_pipe(self) -> Pipe:
        return self._make()

    def session_pipe(self, connecter: Any) -> Pipe:
        if connecter not in self.sessions:
            self.sessions[connecter] = self._make()
        return self.sessions[connecter]

    def attach_pipe(self, engine_end: Pipe) -> None:
        if engine_end.peer not in self.attached:
            self.attached.append(engine_end.peer)
        self._poke()

    def drop_session(self, connecter: Any) -> None:
        if connecter in self.sessions:
            self.pipe_disconnected(self.sessions.pop(connecter), reconnecting=False)

    def pipe_disconnected(self, engine_end: Pipe, reconnecting: bool) -> None:
        self.disconnected.append((engine_end, reconnecting))
        if not reconnecting and engine_end.peer in self.attached:
            self.attached.remove(engine_end.peer)
        self._poke()

    def linger_token(self) -> None:
        return None  # no context waits for this stand-in's flushes

    def zap_handler(self) -> None:
        return None  # no context, so no ZAP handler bound in it

    def emit(self, event: Event, value: int, endpoint: str) -> None:
        self.events.append((event, value, endpoint))
        self._poke()

    # -- test helpers ---------------------------------------------------------------------------

    def _poke(self) -> None:
        self._changed.set()

    def _poke_pipe(self, pipe: Pipe) -> None:
        self._changed.set()

    async def until(self, predicate: Callable[[], Any], timeout: float = TIMEOUT) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever something happened)."""
        deadline = self.loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            self._changed.clear()
            remaining = deadline - self.loop.time()
            if remaining <= 0:
                raise TimeoutError(f"condition not met; events={self.named_events()}")
            # Re-check at least every 50 ms: some conditions (a transport finishing its close)
            # do not come with a notification.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    def count(self, event: int) -> int:
        return sum(1 for e, _, _ in self.events if e == event)

    async def event(self, event: int, n: int = 1, timeout: float = TIMEOUT) -> int:
        """Wait for the n-th occurrence of ``event``; returns its value."""
        await self.until(lambda: self.count(event) >= n, timeout)
        return [v for e, v, _ in self.events if e == event][n - 1]

    def named_events(self) -> list[tuple[str, int]]:
        return [(Event(e).name or str(e), v) for e, v, _ in self.events]

    async def recv(self, pipe: Pipe, timeout: float = TIMEOUT) -> list[bytes]:
        box: list[list[bytes]] = []

        def ready() -> bool:
            msg = pipe.read()
            if msg is None:
                return False
            box.append(list(msg))  # a one-frame message may be a 1-tuple (contracts.md)
            return True

        await self.until(ready, timeout)
        return box[0]

    async def closed(self, *objs: Any) -> None:
        """Wait until listeners/connecters have no live connection left (their transports are
        closed), so that no socket outlives the test's event loop."""

        def idle() -> bool:
            for obj in objs:
                if getattr(obj, "peer", None) is not None:
                    return False
                if getattr(obj, "peers", None):
                    return False
            return True

        await self.until(idle)

    async def shut(self, *objs: Any) -> None:
        """Close listeners/connecters at once (LINGER 0) and wait until they are ``closed``."""
        for obj in objs:
            obj.close(0)
        await self.closed(*objs)

    async def pipe(self, index: int = 0) -> Pipe:
        await self.until(lambda: len(self.attached) > index)
        return self.attached[index]


#: The event loop kind ``run`` uses; the ``loop_kind`` fixture sets it for one test.
_LOOP = ["asyncio"]


@contextlib.contextmanager
def using_loop(kind: str) -> Iterator[None]:
    """Make ``run`` use an event loop of ``kind`` ("asyncio" or "uvloop") inside the block."""
    _LOOP[0] = kind
    try:
        yield
    finally:
        _LOOP[0] = "asyncio"


def run(main: Callable[[], Awaitable[None]]) -> None:
    """Run ``main()`` to completion on a fresh loop of the current kind, bounded to 30 s."""

    async def bounded() -> None:
        await asyncio.wait_for(main(), 30)

    if _LOOP[0] == "uvloop":
        import uvloop

        loop = uvloop.new_event_loop()
        try:
            loop.run_until_complete(bounded())
        finally:
            loop.close()
        return
    asyncio.run(bounded())


def zctx() -> zmq.asyncio.Context:
    """A libzmq (pyzmq) asyncio context: the reference peer."""
    return zmq.asyncio.Context()


def zsocket(ctx: zmq.asyncio.Context, kind: int, **options: Any) -> zmq.asyncio.Socket:
    """A libzmq socket of ``kind`` with LINGER 0 and ``options`` (attribute names) set."""
    sock = ctx.socket(kind)
    sock.linger = 0
    for name, value in options.items():
        setattr(sock, name, value)
    return sock


def zbind(
    ctx: zmq.asyncio.Context, kind: int, interface: str = "tcp://127.0.0.1", **options: Any
) -> tuple[zmq.asyncio.Socket, str]:
    """A ``zsocket`` bound to a random port of ``interface``, and the endpoint to connect to."""
    sock = zsocket(ctx, kind, **options)
    port = sock.bind_to_random_port(interface)
    return sock, f"{interface}:{port}"


async def zrecv(sock: zmq.asyncio.Socket) -> list[bytes]:
    """One message from a libzmq socket, bounded by ``TIMEOUT``."""
    return await asyncio.wait_for(sock.recv_multipart(), TIMEOUT)


async def null_handshake_server(
    on_ready: Callable[[asyncio.StreamWriter], None] | None = None,
    *,
    junk: bytes | None = None,
    socket_type: int = SocketType.PULL,
) -> tuple[asyncio.Server, str, list[asyncio.StreamWriter]]:
    """A server that does the NULL handshake with our Connection then goes silent, or that
    answers ``junk`` instead of a greeting."""
    writers: list[asyncio.StreamWriter] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            await serve(reader, writer)
        finally:
            writer.close()
            await writer.wait_closed()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if junk is not None:
            writer.write(junk)
            await writer.drain()
            await reader.read()
            return
        conn = Connection(socket_type, NullMechanism())
        conn.start(0.0)
        writer.writelines(conn.data_to_send())
        while not conn.ready:
            data = await reader.read(65536)
            if not data:
                return
            conn.receive_data(data, 0.0)
            writer.writelines(conn.data_to_send())
        if on_ready is not None:
            on_ready(writer)
        await reader.read()  # stall: never answer PINGs

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"tcp://127.0.0.1:{port}", writers


async def silent_peer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A server handler that reads until the client goes away and never answers."""
    try:
        await reader.read()
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
