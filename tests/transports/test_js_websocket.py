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
    ws.bufferedAmount = 0
    for _ in range(100):
        if proto.names()[-1] == "resume":
            break
        await asyncio.sleep(js_websocket.DRAIN_POLL)
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
