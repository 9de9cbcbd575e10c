"""ØMQ for browser JavaScript: ``zmq.js``, an ES module shipped in this package.

A web page imports ``zmq.js`` (no build step, no dependencies) and talks ZeroMQ over WebSocket
(ZWS 2.0, RFC 45) to a purezmq or libzmq socket bound on ``ws://``; ``zmq.d.ts`` types it.
This package finds those files and serves them::

    from purezmq.browser import StaticServer, module_path

    module_path()                           # .../purezmq/browser/zmq.js
    with StaticServer({"/": "index.html"}) as server:   # zmq.js at /zmq.js, plus your files
        print(server.url)

``purezmq demo --browser`` (``purezmq.browser.demo``) serves an example page. See
docs/browser.md.
"""

from __future__ import annotations

import http.server
import mimetypes
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

_HERE = Path(__file__).resolve().parent

#: MIME types by suffix: a browser runs an ES module only with a JavaScript type.
_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".ts": "text/plain; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
}


def module_path() -> Path:
    """The ES module: ``zmq.js`` inside the installed package."""
    return _HERE / "zmq.js"


def typings_path() -> Path:
    """Its TypeScript declarations: ``zmq.d.ts``."""
    return _HERE / "zmq.d.ts"


def module_source() -> str:
    """The text of ``zmq.js``, to embed or write out."""
    return module_path().read_text(encoding="utf-8")


#: What a ``StaticServer`` serves: URL path -> a file, or the bytes to send.
Routes = Mapping[str, "Path | str | bytes"]


class StaticServer:
    """A small HTTP server in a thread (stdlib ``http.server``) serving ``zmq.js`` at
    ``/zmq.js``, ``zmq.d.ts`` at ``/zmq.d.ts`` and ``routes`` (URL path -> file path or
    bytes). Binds ``host:port`` (port 0: any free port); ``url`` is its address.

    For pages on a developer's machine and in tests: it answers GET and HEAD only, each file
    named explicitly (no directory listing, nothing outside ``routes``).
    """

    def __init__(self, routes: Routes | None = None, host: str = "127.0.0.1", port: int = 0):
        self.routes: dict[str, Path | str | bytes] = {
            "/zmq.js": module_path(),
            "/zmq.d.ts": typings_path(),
        }
        self.routes.update(routes or {})
        handler = self._handler_class()
        self._httpd = http.server.ThreadingHTTPServer((host, port), handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port/``."""
        host = str(self._httpd.server_address[0])
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> StaticServer:
        """Serves from a daemon thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="purezmq-browser-http", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        """Stops serving and closes the listening socket."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        routes = self.routes

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer(with_body=True)

            def do_HEAD(self) -> None:
                self._answer(with_body=False)

            def _answer(self, with_body: bool) -> None:
                path = self.path.split("?", 1)[0]
                target = routes.get(path)
                if target is None:
                    self.send_error(404, f"nothing at {path}")
                    return
                if isinstance(target, bytes):
                    body, name = target, path
                else:
                    body, name = Path(target).read_bytes(), str(target)
                suffix = Path(name).suffix or ".html"
                kind = _TYPES.get(suffix) or mimetypes.guess_type(name)[0]
                self.send_response(200)
                self.send_header("Content-Type", kind or "application/octet-stream")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if with_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet: a demo prints its own lines

        return Handler


__all__ = ["Routes", "StaticServer", "module_path", "module_source", "typings_path"]
