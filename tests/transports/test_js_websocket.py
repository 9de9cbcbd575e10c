"""The Pyodide transport (``transports.js_websocket``) on CPython, against a stand-in for the
JavaScript WebSocket API; and the engine's Pyodide seam (``transports.JS_WEBSOCKET``): a
purezmq asyncio socket connecting through that stand-in, bridged to a real purezmq ws:// server
(docs/pyodide.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

import purezmq
import purezmq.asyncio
from purezmq import transports
from purezmq.endpoint import parse
from purezmq.transports import js_websocket
from purezmq.transports.js_websocket import (
    HIGH_WATER,
    JsWebSocketTransport,
    open_websocket,
    token_subprotocols,
)
from purezmq.utils.monitor import parse_monitor_message


class FakeEvent:
    def __init__(self, data: Any = None, code: int = 1000) -> None:
        self.data = data
        self.code = code


class FakeWebSocket:
    """What the transport uses of a JavaScript WebSocket."""

    def __init__(self, url: str, protocols: list[str]) -> None:
        self.url = url
        self.offered = protocols
        self.protocol = ""
        self.binaryType = "blob"
        self.bufferedAmount = 0
        self.listeners: dict[str, list[Callable[[Any], None]]] = {}
        self.sent: list[bytes] = []
        self.closed_with: int | None = None

    def addEventListener(self, name: str, fn: Callable[[Any], None]) -> None:
        self.listeners.setdefault(name, []).append(fn)

    def removeEventListener(self, name: str, fn: Callable[[Any], None]) -> None:
        self.listeners[name].remove(fn)

    def dispatch(self, name: str, event: Any) -> None:
        for fn in list(self.listeners.get(name, [])):
            fn(event)

    def send(self, data: bytes) -> None:
        self.sent.append(bytes(data))

    def close(self, code: int = 1000) -> None:
        self.closed_with = code


class FakeApi:
    """``JsApi`` over ``FakeWebSocket``s; ``released`` counts freed callbacks."""

    def __init__(self) -> None:
        self.sockets: list[FakeWebSocket] = []
        self.made = 0
        self.released = 0

    def new_websocket(self, url: str, protocols: list[str]) -> FakeWebSocket:
        ws = FakeWebSocket(url, protocols)
        self.sockets.append(ws)
        return ws

    def callback(self, fn: Callable[[Any], None]) -> Callable[[Any], None]:
        self.made += 1
        return fn

    def release(self, callback: Any) -> None:
        self.released += 1

    def to_js_bytes(self, data: bytes | bytearray | memoryview) -> bytes:
        return bytes(data)

    def to_py_bytes(self, data: Any) -> bytes | None:
        return None if isinstance(data, str) else bytes(data)


class Recorder:
    """A ``MessageProtocol`` that records what the transport tells it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        #: Set when the transport resumes writing (created lazily, on the running loop).
        self.resumed: asyncio.Event | None = None

    def connection_made(self, transport: Any) -> None:
        self.calls.append(("made", transport))

    def message_received(self, data: bytes) -> None:
        self.calls.append(("message", data))

    def eof_received(self) -> None:
        self.calls.append(("eof", None))

    def connection_lost(self, exc: Exception | None) -> None:
        self.calls.append(("lost", exc))

    def pause_writing(self) -> None:
        self.calls.append(("pause", None))

    def resume_writing(self) -> None:
        self.calls.append(("resume", None))
        if self.resumed is not None:
            self.resumed.set()

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def test_only_http_token_subprotocols_are_offered() -> None:
    # new WebSocket() throws a SyntaxError for "ZWS2.0/NULL" ('/' is no token character).
    assert token_subprotocols(["ZWS2.0/NULL", "ZWS2.0"]) == ["ZWS2.0"]
    assert token_subprotocols(["ZWS2.0/PLAIN"]) == []


def test_plain_and_curve_are_refused_with_enotsup() -> None:
    class Options:
        mechanism = purezmq.PLAIN

    with pytest.raises(purezmq.ZMQError) as info:
        js_websocket.check_mechanism(Options())
    assert info.value.errno == purezmq.ENOTSUP
    assert "ZWS2.0" in str(info.value)


async def _opened(api: FakeApi, *early: tuple[str, Any]) -> js_websocket.OpenWebSocket:
    task = asyncio.ensure_future(open_websocket("ws://h:1/p", ["ZWS2.0"], api))
    await asyncio.sleep(0)
    ws = api.sockets[-1]
    assert ws.binaryType == "arraybuffer" and ws.offered == ["ZWS2.0"]
    ws.protocol = "ZWS2.0"
    ws.dispatch("open", FakeEvent())
    for name, event in early:  # dispatched before the awaiting coroutine runs again
        ws.dispatch(name, event)
    return await task


async def _open_then_messages_both_ways_in_order() -> None:
    api = FakeApi()
    opened = await _opened(api, ("message", FakeEvent(b"\x00early")))
    proto = Recorder()
    transport = JsWebSocketTransport(asyncio.get_running_loop(), opened, proto, api)
    transport.start()
    assert transport.get_extra_info("subprotocol") == "ZWS2.0"
    ws = api.sockets[-1]
    ws.dispatch("message", FakeEvent(b"\x00later"))
    assert proto.calls[1:] == [("message", b"\x00early"), ("message", b"\x00later")]
    transport.writelines([b"\x01a", b"\x00b"])
    assert ws.sent == [b"\x01a", b"\x00b"]  # one WebSocket message each, never joined


async def _closed_before_opening_is_refused() -> None:
    api = FakeApi()
    task = asyncio.ensure_future(open_websocket("ws://h:1/p", ["ZWS2.0"], api))
    await asyncio.sleep(0)
    api.sockets[-1].dispatch("close", FakeEvent(code=1006))
    with pytest.raises(ConnectionRefusedError):
        await task
    assert api.released == api.made  # every JavaScript callback freed


async def _paused_reading_holds_messages_and_the_close_behind_them() -> None:
    api = FakeApi()
    proto = Recorder()
    transport = JsWebSocketTransport(asyncio.get_running_loop(), await _opened(api), proto, api)
    transport.start()
    ws = api.sockets[-1]
    transport.pause_reading()
    ws.dispatch("message", FakeEvent(b"\x00one"))
    ws.dispatch("close", FakeEvent())
    assert proto.names() == ["made"]
    transport.resume_reading()
    assert proto.names() == ["made", "message", "eof", "lost"]


async def _a_text_message_ends_the_connection() -> None:
    api = FakeApi()
    proto = Recorder()
    transport = JsWebSocketTransport(asyncio.get_running_loop(), await _opened(api), proto, api)
    transport.start()
    api.sockets[-1].dispatch("message", FakeEvent("text"))
    await asyncio.sleep(0)
    assert proto.names() == ["made", "lost"]
    assert api.sockets[-1].closed_with == js_websocket.CLOSE_UNSUPPORTED_DATA


async def _a_full_send_buffer_pauses_writing_until_drained() -> None:
    api = FakeApi()
    proto = Recorder()
    transport = JsWebSocketTransport(asyncio.get_running_loop(), await _opened(api), proto, api)
    transport.start()
    ws = api.sockets[-1]
    ws.bufferedAmount = HIGH_WATER + 1
    transport.write(b"\x00big")
    assert proto.names()[-1] == "pause"
    proto.resumed = asyncio.Event()
    ws.bufferedAmount = 0
    await asyncio.wait_for(proto.resumed.wait(), 5)
    assert proto.names()[-1] == "resume"
    transport.close()
    await asyncio.sleep(0)
    assert proto.names()[-1] == "lost" and ws.closed_with == js_websocket.CLOSE_NORMAL


def test_under_pyodide_only_ws_is_served(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transports, "JS_WEBSOCKET", True)
    for endpoint in ("tcp://127.0.0.1:5555", "ipc:///tmp/sock"):
        with pytest.raises(purezmq.ZMQError) as info:
            transports.check_stream(parse(endpoint, for_bind=False))
        assert info.value.errno == purezmq.EPROTONOSUPPORT
        assert "ws://" in str(info.value)
    ws = transports.check_stream(parse("ws://127.0.0.1:5555/x", for_bind=False))
    with pytest.raises(purezmq.ZMQError) as info:
        transports.bind(ws, transports.SocketSettings())
    assert info.value.errno == purezmq.EPROTONOSUPPORT


# No async test plugin here: each case runs on its own asyncio loop.


def test_open_then_messages_both_ways_in_order() -> None:
    asyncio.run(_open_then_messages_both_ways_in_order())


def test_closed_before_opening_is_refused() -> None:
    asyncio.run(_closed_before_opening_is_refused())


def test_paused_reading_holds_messages_and_the_close_behind_them() -> None:
    asyncio.run(_paused_reading_holds_messages_and_the_close_behind_them())


def test_a_text_message_ends_the_connection() -> None:
    asyncio.run(_a_text_message_ends_the_connection())


def test_a_full_send_buffer_pauses_writing_until_drained() -> None:
    asyncio.run(_a_full_send_buffer_pauses_writing_until_drained())


# -- the engine's Pyodide seam, end to end on CPython -----------------------------------------


class BridgeWebSocket(FakeWebSocket):
    """A stand-in JavaScript WebSocket that really connects: wsproto over asyncio streams, with
    the browser's interface (events of whole messages, ``send`` of one message)."""

    def __init__(self, url: str, protocols: list[str]) -> None:
        super().__init__(url, protocols)
        from wsproto import ConnectionType, WSConnection

        self._ws = WSConnection(ConnectionType.CLIENT)
        self._writer: asyncio.StreamWriter | None = None
        self._task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        from wsproto.events import AcceptConnection, BytesMessage, CloseConnection, Request

        rest = self.url.removeprefix("ws://")
        host_port, _, path = rest.partition("/")
        host, _, port = host_port.rpartition(":")
        try:
            reader, self._writer = await asyncio.open_connection(host, int(port))
        except OSError:
            self.dispatch("close", FakeEvent(code=1006))
            return
        request = Request(host=host, target="/" + path, subprotocols=self.offered)
        self._writer.write(self._ws.send(request))
        partial = b""
        while True:
            data = await reader.read(65536)
            self._ws.receive_data(data or None)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    self.protocol = event.subprotocol or ""
                    self.dispatch("open", FakeEvent())
                elif isinstance(event, BytesMessage):
                    partial += event.data
                    if event.message_finished:
                        self.dispatch("message", FakeEvent(partial))
                        partial = b""
                elif isinstance(event, CloseConnection):
                    data = b""
            if not data:
                self.dispatch("close", FakeEvent(code=1000))
                self._writer.close()
                return

    def send(self, data: bytes) -> None:
        from wsproto.events import BytesMessage

        assert self._writer is not None
        self._writer.write(self._ws.send(BytesMessage(data=bytes(data))))

    def close(self, code: int = 1000) -> None:
        super().close(code)
        if self._writer is not None:
            self._writer.close()
        self._task.cancel()


class BridgeApi(FakeApi):
    def new_websocket(self, url: str, protocols: list[str]) -> FakeWebSocket:
        ws = BridgeWebSocket(url, protocols)
        self.sockets.append(ws)
        return ws


async def _through_the_seam(api: BridgeApi) -> None:
    from purezmq._engine import connecter

    ctx = purezmq.asyncio.Context()
    rep = ctx.socket(purezmq.REP)
    pub = ctx.socket(purezmq.PUB)
    rep.bind("ws://127.0.0.1:*/rep")
    pub.bind("ws://127.0.0.1:*/pub")
    with pytest.MonkeyPatch.context() as patch:
        # From here on this process is "Pyodide" for connecting sockets.
        patch.setattr(transports, "JS_WEBSOCKET", True)
        patch.setattr(connecter, "JS_WEBSOCKET", True)
        patch.setattr(js_websocket, "pyodide_api", lambda: api)
        req = ctx.socket(purezmq.REQ)
        sub = ctx.socket(purezmq.SUB)
        req.connect(rep.last_endpoint.decode())
        sub.subscribe(b"t")
        sub.connect(pub.last_endpoint.decode())
        for body in (b"small", b"x" * 200_000):
            await req.send_multipart([b"q", body])
            assert await asyncio.wait_for(rep.recv_multipart(), 5) == [b"q", body]
            await rep.send_multipart([b"a", body])
            assert await asyncio.wait_for(req.recv_multipart(), 5) == [b"a", body]
        # Slow joiner: publish until the subscription has arrived.
        received = None
        for _ in range(500):
            await pub.send_multipart([b"topic", b"data"])
            if await sub.poll(10):
                received = await sub.recv_multipart()
                break
        assert received == [b"topic", b"data"]
        # The server goes away and comes back at the same endpoint: the REQ reconnects through
        # a new WebSocket, and its next request goes to the new server.
        monitor = req.get_monitor_socket(purezmq.EVENT_DISCONNECTED)
        endpoint = rep.last_endpoint.decode()
        rep.close(linger=0)
        event = parse_monitor_message(await asyncio.wait_for(monitor.recv_multipart(), 5))
        assert event["event"] == purezmq.EVENT_DISCONNECTED
        patch.setattr(transports, "JS_WEBSOCKET", False)  # the server binds
        rep = ctx.socket(purezmq.REP)
        rep.bind(endpoint)
        patch.setattr(transports, "JS_WEBSOCKET", True)
        await req.send(b"again")
        assert await asyncio.wait_for(rep.recv(), 5) == b"again"
        # Only the bare ZWS2.0 went out: the browser refuses "ZWS2.0/NULL".
        assert {tuple(ws.offered) for ws in api.sockets} == {("ZWS2.0",)}
        for sock in (req, sub, rep, pub, monitor):
            sock.close(linger=0)
    ctx.term()


def test_asyncio_sockets_connect_through_the_javascript_websocket_seam() -> None:
    pytest.importorskip("wsproto")
    asyncio.run(_through_the_seam(BridgeApi()))
