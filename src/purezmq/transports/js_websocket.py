"""ws:// and wss:// under Pyodide: the JavaScript ``WebSocket`` carries ZWS 2.0 messages.

Owns the transport of WebSocket endpoints where Python has no sockets (Pyodide, in a browser or
under Node: ``sys.platform == "emscripten"``; docs/pyodide.md). The JavaScript ``WebSocket``
does the HTTP upgrade, the framing and TLS itself, so what crosses it is whole binary messages:
``open_websocket`` opens one offering the ZWS subprotocols of the socket's mechanism, and
``JsWebSocketTransport`` is the ``asyncio.Transport`` over it, on which every ``write()`` is one
binary message and every message received is handed whole to the protocol's
``message_received``. The message format is ``zmtp.zws_messages``'s, shared with the wsproto
transport.

What the JavaScript API cannot do, and so this transport does not: listen (a page accepts no
connections: bind raises EPROTONOSUPPORT), send WebSocket pings (the browser answers the
peer's; HEARTBEAT_IVL is not applied here), or pause reading (messages that arrive while the
protocol paused reading wait in a queue until it resumes).

The JavaScript side is reached through a ``JsApi`` (``pyodide_api()`` under Pyodide), so that
the transport runs on CPython against a stand-in in the unit tests. Thread affinity: the loop's
(Pyodide has one thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno as _errno
import re
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from ..constants import Errno, SecurityMechanism
from ..error import ZMQError

#: Write buffer marks (bytes in ``WebSocket.bufferedAmount``): above HIGH the protocol is told
#: to pause writing; it resumes once the browser has sent all but LOW of it.
HIGH_WATER = 1024 * 1024
LOW_WATER = 256 * 1024
#: How often the buffered amount is checked while writing is paused: the WebSocket API has no
#: event for "drained".
DRAIN_POLL = 0.01
#: WebSocket close codes (RFC 6455 §7.4.1).
CLOSE_NORMAL = 1000
CLOSE_UNSUPPORTED_DATA = 1003


#: RFC 7230 §3.2.6 token: what the WebSocket API accepts as a subprotocol (RFC 6455 §4.1).
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def token_subprotocols(offer: list[str]) -> list[str]:
    """The subprotocols of ``offer`` a JavaScript WebSocket can send: ``ZWS2.0/NULL`` is not
    an HTTP token (``/``), and ``new WebSocket()`` throws a SyntaxError for it, so only
    ``ZWS2.0`` (no mechanism, RFC 45's form for NULL) is left."""
    return [name for name in offer if _TOKEN.fullmatch(name)]


def check_mechanism(options: Any) -> None:
    """``ZMQError(ENOTSUP)`` unless the socket's security is NULL: PLAIN and CURVE need the
    subprotocols ``ZWS2.0/PLAIN`` and ``ZWS2.0/CURVE``, which the WebSocket API refuses."""
    mechanism = int(getattr(options, "mechanism", SecurityMechanism.NULL))
    if mechanism != SecurityMechanism.NULL:
        name = SecurityMechanism(mechanism).name
        raise ZMQError(
            Errno.ENOTSUP,
            f"{name} over ws:// is not possible through the JavaScript WebSocket: its "
            f"subprotocol ZWS2.0/{name} is not an HTTP token, which the WebSocket API refuses; "
            "only NULL security (subprotocol ZWS2.0) can connect from Pyodide",
        )


class MessageProtocol(Protocol):
    """What the transport drives: an asyncio protocol fed whole messages."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None: ...

    def message_received(self, data: bytes) -> None: ...

    def eof_received(self) -> bool | None: ...

    def connection_lost(self, exc: Exception | None) -> None: ...

    def pause_writing(self) -> None: ...

    def resume_writing(self) -> None: ...


class JsApi(Protocol):
    """The few JavaScript operations the transport needs."""

    def new_websocket(self, url: str, protocols: list[str]) -> Any:
        """``new WebSocket(url, protocols)``."""

    def callback(self, fn: Callable[[Any], None]) -> Any:
        """A JavaScript function calling ``fn(event)``, alive until ``release`` is called."""

    def release(self, callback: Any) -> None:
        """Free a callback made by ``callback``."""

    def to_js_bytes(self, data: bytes | bytearray | memoryview) -> Any:
        """A JavaScript ``Uint8Array`` holding a copy of ``data``."""

    def to_py_bytes(self, data: Any) -> bytes | None:
        """The bytes of a binary message's ``event.data`` (an ArrayBuffer); None for text."""


class PyodideApi:
    """``JsApi`` through Pyodide's ``js`` module and ``pyodide.ffi``."""

    def __init__(self) -> None:
        import js  # type: ignore[import-not-found]
        from pyodide.ffi import (  # type: ignore[import-not-found]
            JsProxy,
            create_proxy,
            to_js,
        )

        self._js = js
        self._js_proxy = JsProxy
        self._create_proxy = create_proxy
        self._to_js = to_js

    def new_websocket(self, url: str, protocols: list[str]) -> Any:
        websocket = getattr(self._js, "WebSocket", None)
        if websocket is None:
            raise OSError(
                _errno.EPROTONOSUPPORT,
                "this JavaScript runtime has no global WebSocket (Node 20: run node with "
                "--experimental-websocket, or set globalThis.WebSocket from the ws package)",
            )
        return websocket.new(url, self._to_js(protocols))

    def callback(self, fn: Callable[[Any], None]) -> Any:
        return self._create_proxy(fn)

    def release(self, callback: Any) -> None:
        callback.destroy()

    def to_js_bytes(self, data: bytes | bytearray | memoryview) -> Any:
        array = self._js.Uint8Array.new(len(data))
        array.assign(data)
        return array

    def to_py_bytes(self, data: Any) -> bytes | None:
        if isinstance(data, str):
            return None
        if isinstance(data, self._js_proxy):
            return bytes(data.to_bytes())
        return bytes(data)


def pyodide_api() -> JsApi:
    """The ``JsApi`` of the running Pyodide; ``OSError(EPROTONOSUPPORT)`` outside it."""
    try:
        return PyodideApi()
    except ImportError as exc:
        raise OSError(
            _errno.EPROTONOSUPPORT, f"the JavaScript WebSocket needs Pyodide ({exc})"
        ) from None


def _close_quietly(ws: Any, code: int = CLOSE_NORMAL) -> None:
    with contextlib.suppress(Exception):  # a JavaScript error: the socket is given up anyway
        ws.close(code)


class OpenWebSocket:
    """A JavaScript WebSocket that ``open_websocket`` opened, and what arrived on it before a
    transport took it over: the peer may send right after its upgrade answer (a ``ZWS2.0``
    server sends its routing id at once), and the JavaScript side dispatches those events
    before the coroutine that awaited the opening runs again."""

    def __init__(self, ws: Any, api: JsApi) -> None:
        self.ws = ws
        self._api = api
        #: ``("message", event)`` and ``("close", event)`` in arrival order.
        self.early: list[tuple[str, Any]] = []
        self._handlers = {
            "message": api.callback(lambda event: self.early.append(("message", event))),
            "close": api.callback(lambda event: self.early.append(("close", event))),
        }
        for name, handler in self._handlers.items():
            ws.addEventListener(name, handler)

    def detach(self) -> list[tuple[str, Any]]:
        """Stop listening; the events that arrived meanwhile, for the new owner."""
        for name, handler in self._handlers.items():
            self.ws.removeEventListener(name, handler)
            self._api.release(handler)
        self._handlers = {}
        early, self.early = self.early, []
        return early

    def close(self) -> None:
        """Give the WebSocket up (closed before a transport took it over)."""
        self.detach()
        _close_quietly(self.ws)


async def open_websocket(
    url: str, protocols: list[str], api: JsApi, timeout: float | None = None
) -> OpenWebSocket:
    """A JavaScript WebSocket to ``url``, open, offering ``protocols``.

    Raises ``ConnectionRefusedError`` when it closes before opening (the browser tells no more
    than that: refused, unreachable and a refused upgrade look alike), ``TimeoutError`` after
    ``timeout`` seconds (CONNECT_TIMEOUT), ``OSError(EINVAL)`` when the WebSocket API refuses
    the URL or the subprotocols. Cancelling closes it.
    """
    loop = asyncio.get_running_loop()
    try:
        ws = api.new_websocket(url, protocols)
    except OSError:
        raise
    except Exception as exc:  # a JavaScript SyntaxError: the URL or a subprotocol
        raise OSError(_errno.EINVAL, f"the JavaScript WebSocket refused {url}: {exc}") from None
    ws.binaryType = "arraybuffer"
    opened: asyncio.Future[None] = loop.create_future()

    def on_open(event: Any) -> None:
        if not opened.done():
            opened.set_result(None)

    def on_close(event: Any) -> None:
        if not opened.done():
            code = getattr(event, "code", "")
            opened.set_exception(
                ConnectionRefusedError(
                    _errno.ECONNREFUSED, f"WebSocket to {url} closed before opening ({code})"
                )
            )

    handlers = {"open": api.callback(on_open), "close": api.callback(on_close)}
    for name, handler in handlers.items():
        ws.addEventListener(name, handler)
    result = OpenWebSocket(ws, api)
    try:
        if timeout is not None and timeout > 0:
            await asyncio.wait_for(opened, timeout)
        else:
            await opened
    except BaseException:
        result.close()
        raise
    finally:
        for name, handler in handlers.items():
            ws.removeEventListener(name, handler)
            api.release(handler)
    return result


class JsWebSocketTransport(asyncio.Transport):
    """An open JavaScript WebSocket as an asyncio transport of whole messages.

    ``get_extra_info("subprotocol")`` is the subprotocol the server chose; ``"url"`` the URL.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        opened: OpenWebSocket,
        protocol: MessageProtocol,
        api: JsApi,
    ) -> None:
        ws = opened.ws
        super().__init__({"subprotocol": str(ws.protocol), "url": str(ws.url)})
        self._loop = loop
        self._ws = ws
        self._protocol = protocol
        self._api = api
        self._closing = False
        self._lost = False
        self._read_paused = False
        self._held: deque[bytes | None] = deque()
        self._write_paused = False
        self._drain_handle: asyncio.TimerHandle | None = None
        self._handlers = {
            "message": api.callback(self._on_message),
            "close": api.callback(self._on_close),
        }
        for name, handler in self._handlers.items():
            ws.addEventListener(name, handler)
        self._early = opened.detach()

    def start(self) -> None:
        """Tell the protocol the connection is made (after the constructor, as asyncio does),
        then hand it what arrived before."""
        self._protocol.connection_made(self)
        early, self._early = self._early, []
        for kind, event in early:
            if kind == "message":
                self._on_message(event)
            else:
                self._on_close(event)

    # -- input --------------------------------------------------------------------------------

    def _on_message(self, event: Any) -> None:
        if self._lost:
            return
        data = self._api.to_py_bytes(event.data)
        if data is None:
            # ZWS carries binary messages only (RFC 45): a text message ends the connection.
            self._fail(ConnectionError(_errno.EPROTO, "peer sent a WebSocket text message"))
            return
        if self._read_paused or self._held:
            self._held.append(data)
            return
        self._protocol.message_received(data)

    def _on_close(self, event: Any) -> None:
        """The peer closed (or the connection broke): EOF, then connection_lost."""
        if self._lost:
            return
        if self._read_paused or self._held:
            self._held.append(None)  # the EOF waits behind the held messages
            return
        self._peer_closed()

    def _peer_closed(self) -> None:
        self._closing = True
        self._protocol.eof_received()
        self._lose(None)

    def pause_reading(self) -> None:
        self._read_paused = True

    def resume_reading(self) -> None:
        if not self._read_paused:
            return
        self._read_paused = False
        held = self._held
        while held and not self._read_paused and not self._lost:
            data = held.popleft()
            if data is None:
                self._peer_closed()
                return
            self._protocol.message_received(data)

    def is_reading(self) -> bool:
        return not self._read_paused and not self._lost

    # -- output -------------------------------------------------------------------------------

    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send ``data`` as one binary message."""
        if self._closing:
            return
        try:
            self._ws.send(self._api.to_js_bytes(data))
        except Exception as exc:  # a JavaScript InvalidStateError
            self._fail(ConnectionError(_errno.EPIPE, f"WebSocket send failed: {exc}"))
            return
        if not self._write_paused and self.get_write_buffer_size() > HIGH_WATER:
            self._write_paused = True
            self._protocol.pause_writing()
            self._drain_handle = self._loop.call_later(DRAIN_POLL, self._check_drained)

    def writelines(self, list_of_data: Any) -> None:
        """Each item one binary message."""
        for data in list_of_data:
            self.write(data)

    def _check_drained(self) -> None:
        self._drain_handle = None
        if self._lost:
            return
        if self.get_write_buffer_size() > LOW_WATER:
            self._drain_handle = self._loop.call_later(DRAIN_POLL, self._check_drained)
            return
        self._write_paused = False
        self._protocol.resume_writing()

    def get_write_buffer_size(self) -> int:
        return int(self._ws.bufferedAmount or 0)

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return LOW_WATER, HIGH_WATER

    def can_write_eof(self) -> bool:
        return False

    # -- closing ------------------------------------------------------------------------------

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        """Close the WebSocket after what was sent (the browser sends its buffer first)."""
        self._end(CLOSE_NORMAL, None)

    def abort(self) -> None:
        self._end(CLOSE_NORMAL, None)

    def _fail(self, exc: Exception) -> None:
        self._end(CLOSE_UNSUPPORTED_DATA, exc)

    def _end(self, code: int, exc: Exception | None) -> None:
        if self._closing:
            return
        self._closing = True
        _close_quietly(self._ws, code)
        # The close handshake may take the peer's time: the protocol hears of it now.
        self._loop.call_soon(self._lose, exc)

    def _lose(self, exc: Exception | None) -> None:
        if self._lost:
            return
        self._lost = True
        self._held.clear()
        if self._drain_handle is not None:
            self._drain_handle.cancel()
            self._drain_handle = None
        for name, handler in self._handlers.items():
            self._ws.removeEventListener(name, handler)
            self._api.release(handler)
        self._handlers = {}
        self._protocol.connection_lost(exc)


def websocket_url(endpoint: Any) -> str:
    """The URL of a ``WsEndpoint`` (its string form: ``ws://host:port/path``)."""
    return str(endpoint)


__all__ = [
    "JsApi",
    "JsWebSocketTransport",
    "MessageProtocol",
    "OpenWebSocket",
    "PyodideApi",
    "check_mechanism",
    "open_websocket",
    "pyodide_api",
    "token_subprotocols",
    "websocket_url",
]
