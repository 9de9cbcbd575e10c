"""zmq.js, the browser module (``purezmq.browser``), against purezmq's and libzmq's ws://.

Each socket pair runs three times: zmq.js under Node 20 (fast; its experimental WebSocket, then
npm ws passed as ``options.WebSocket``) and in real headless Chromium on a page the test
serves. The server is purezmq (here, in a thread) or Debian's libzmq 4.3.4
(``libzmq434/peer.py`` under the venv ``tests/interop/libzmq434/setup.sh`` builds). The page
only connects; the server binds and is the mechanism server. ``tests/interop/browser/setup.sh``
installs node's packages and chromium; without them these tests skip saying so.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq
from purezmq.auth.thread import ThreadAuthenticator

from ..kit.browser import (
    CHROMIUM_MISSING,
    NODE_MISSING,
    NODE_WS_MISSING,
    ChromiumDriver,
    Driver,
    PlayThread,
    node_driver,
)

VENV = Path(os.environ.get("PUREZMQ_LIBZMQ434_VENV", "/tmp/venv-libzmq434"))
LIBZMQ_PY = VENV / "bin" / "python"
PEER = Path(__file__).with_name("libzmq434") / "peer.py"
COUNT = 5

pytestmark = [pytest.mark.skipif(not purezmq.has("ws"), reason="ws needs the ws extra (wsproto)")]

#: (the page's type, the server's type, the page's role, the server's role)
PAIRS = [
    ("REQ", "REP", "request", "echo"),
    ("REP", "REQ", "echo", "request"),
    ("DEALER", "ROUTER", "request", "echo"),
    ("ROUTER", "DEALER", "echo", "request"),
    ("PUSH", "PULL", "send", "recv"),
    ("PULL", "PUSH", "recv", "send"),
    ("SUB", "PUB", "recv", "publish"),
    ("PUB", "SUB", "publish", "recv"),
]


@pytest.fixture(scope="module", params=["node", "node-ws", "chromium"])
def js(request: pytest.FixtureRequest) -> Iterator[Driver]:
    if request.param in ("node", "node-ws"):
        missing = NODE_MISSING if request.param == "node" else NODE_WS_MISSING
        if missing:
            pytest.skip(missing)
        driver = node_driver(request.param)
    else:
        if CHROMIUM_MISSING:
            pytest.skip(CHROMIUM_MISSING)
        driver = ChromiumDriver()
    yield driver
    driver.close()


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    context = purezmq.Context()
    yield context
    context.term()


def pure_server(ctx: purezmq.Context, type_name: str) -> tuple[purezmq.Socket, str]:
    sock: purezmq.Socket = ctx.socket(getattr(purezmq, type_name))
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = 10000
    sock.bind("ws://127.0.0.1:*")
    if type_name == "SUB":
        sock.subscribe(b"t")
    return sock, sock.last_endpoint.decode()


def run_pair(js: Driver, page: tuple[str, str], server: PlayThread, endpoint: str) -> None:
    """The page's role and the server's together; a publishing side runs until the other has
    what it needs."""
    page_type, page_role = page
    ident, answer = js.start(
        "run", args={"type": page_type, "endpoint": endpoint, "role": page_role, "count": COUNT}
    )
    if page_role == "publish":
        server.join_ok()
        js.call("stop", target=ident)
        assert js.wait(answer)["ok"]
    else:
        result = js.wait(answer)
        assert result["ok"], result
        server.join_ok()


@pytest.mark.parametrize(("page_type", "server_type", "page_role", "server_role"), PAIRS)
def test_page_and_purezmq(js, ctx, page_type, server_type, page_role, server_role):
    sock, endpoint = pure_server(ctx, server_type)
    server = PlayThread(sock, server_type, server_role, COUNT)
    server.start()
    run_pair(js, (page_type, page_role), server, endpoint)
    sock.close()


def test_client_and_purezmq_server(js, ctx):
    """CLIENT (RFC 41, single frames) against a draft SERVER: requests and their echoes."""
    sock, endpoint = pure_server(ctx, "SERVER")
    server = PlayThread(sock, "SERVER", "echo", COUNT)
    server.start()
    result = js.call(
        "run", args={"type": "CLIENT", "endpoint": endpoint, "role": "request", "count": COUNT}
    )
    assert result["ok"], result
    server.join_ok()
    sock.close()


class LibzmqPeer:
    """``peer.py`` bound on ws:// under libzmq 4.3.4; ``endpoint`` is what it printed."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            [str(LIBZMQ_PY), str(PEER), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.endpoint = ""
        for line in iter(self.proc.stdout.readline, ""):
            word, _, rest = line.strip().partition(" ")
            if word == "READY":
                self.endpoint = rest
                return
        raise AssertionError(f"libzmq peer ended before READY: {self.errors()}")

    def errors(self) -> str:
        self.proc.kill()
        return self.proc.communicate(timeout=5)[1]

    def finish(self) -> None:
        """Waits for its OK (a publisher is told to stop first)."""
        try:
            out, err = self.proc.communicate("stop\n", timeout=15)
        except BrokenPipeError:  # it had already ended: what it wrote is still there
            out, err = self.proc.communicate(timeout=15)
        code = self.proc.returncode
        assert code == 0 and "OK" in out, f"libzmq peer exit {code}: {err}"

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.communicate(timeout=5)


@pytest.mark.skipif(not LIBZMQ_PY.exists(), reason=f"no libzmq 4.3.4 venv at {VENV}")
@pytest.mark.parametrize(("page_type", "server_type", "page_role", "server_role"), PAIRS)
def test_page_and_libzmq(js, page_type, server_type, page_role, server_role):
    """libzmq accepts a page through RFC 45's "ZWS2.0" (no mechanism, routing ids first)."""
    peer = LibzmqPeer([server_type, "bind", "ws://127.0.0.1:*", server_role, str(COUNT), "null"])
    try:
        ident, answer = js.start(
            "run",
            args={"type": page_type, "endpoint": peer.endpoint, "role": page_role, "count": COUNT},
        )
        if page_role == "publish":
            # The libzmq SUB counts its messages and ends; then the page stops publishing.
            assert peer.proc.stdout is not None
            assert peer.proc.stdout.readline().strip() == "OK", peer.errors()
            js.call("stop", target=ident)
            assert js.wait(answer)["ok"]
            assert peer.proc.wait(15) == 0
        else:
            result = js.wait(answer)
            assert result["ok"], result
            peer.finish()
    finally:
        peer.close()


def _plain_server(ctx: purezmq.Context, auth: Any) -> tuple[purezmq.Socket, str]:
    auth.configure_plain(domain="*", passwords={"admin": "secret"})
    sock = ctx.socket(purezmq.REP)
    sock.linger = 0
    sock.rcvtimeo = sock.sndtimeo = 10000
    sock.plain_server = True
    sock.bind("ws://127.0.0.1:*")
    return sock, sock.last_endpoint.decode()


def test_plain_login(js, ctx):
    """PLAIN (RFC 24) from the page: HELLO, WELCOME, INITIATE, READY, then requests."""
    auth = ThreadAuthenticator(ctx)
    auth.start()
    try:
        sock, endpoint = _plain_server(ctx, auth)
        server = PlayThread(sock, "REP", "echo", COUNT)
        server.start()
        result = js.call(
            "run",
            args={
                "type": "REQ",
                "endpoint": endpoint,
                "role": "request",
                "count": COUNT,
                "username": "admin",
                "password": "secret",
            },
        )
        assert result["ok"], result
        server.join_ok()
        sock.close()
    finally:
        auth.stop()


def test_plain_refused_reaches_the_page(js, ctx):
    """A password the ZAP handler refuses: the server's ERROR becomes an EACCES rejection of
    the pending receive(), an "error" event, and state "refused" (no reconnect loop)."""
    auth = ThreadAuthenticator(ctx)
    auth.start()
    try:
        sock, endpoint = _plain_server(ctx, auth)
        result = js.call(
            "run",
            args={
                "type": "REQ",
                "endpoint": endpoint,
                "role": "refused",
                "username": "admin",
                "password": "wrong",
            },
        )
        assert result["ok"], result
        assert result["code"] == "EACCES", result
        assert "refused the PLAIN credentials" in result["message"]
        assert result["state"] == "refused"
        assert any(e.startswith("error EACCES") for e in result["events"]), result
        sock.close()
    finally:
        auth.stop()


def _rebind(ctx: purezmq.Context, type_name: str, endpoint: str) -> purezmq.Socket:
    """A new socket bound where the last one was (its port may take a moment to free)."""
    for _ in range(100):
        sock: purezmq.Socket = ctx.socket(getattr(purezmq, type_name))
        sock.linger = 0
        sock.rcvtimeo = sock.sndtimeo = 10000
        try:
            sock.bind(endpoint)
        except purezmq.ZMQError as exc:
            sock.close()
            if exc.errno != purezmq.EADDRINUSE:
                raise
            purezmq.Poller().poll(50)  # the old listener is still closing: try again shortly
            continue
        return sock
    raise AssertionError(f"could not bind {endpoint} again")


def test_req_survives_purezmq_restart(js, ctx):
    """The server goes away between two requests and comes back on the same port: the page
    reconnects by itself and its REQ gets both answers (a request lost with the connection
    rejects with ECONNRESET and is sent again)."""
    sock, endpoint = pure_server(ctx, "REP")
    _, answer = js.start(
        "run", args={"type": "REQ", "endpoint": endpoint, "role": "restart", "count": 2}
    )
    sock.send_multipart(sock.recv_multipart())
    sock.linger = 5000  # the answer goes out before the connection closes
    sock.close()
    sock = _rebind(ctx, "REP", endpoint)
    sock.send_multipart(sock.recv_multipart())
    result = js.wait(answer)
    assert result["ok"], result
    assert result["answers"] == ["ask-0", "ask-1"]
    assert result["events"].count("connect REP") == 2, result
    assert "disconnect" in result["events"]
    sock.close()


def test_sub_resubscribes_after_purezmq_restart(js, ctx):
    """A publisher restarts on the same port: the page's SUB subscribes again by itself (the
    new XPUB sees the subscription arrive) and gets messages from it."""
    sock, endpoint = pure_server(ctx, "XPUB")
    _, answer = js.start("run", args={"type": "SUB", "endpoint": endpoint, "role": "resubscribe"})
    assert sock.recv() == b"\x01t"
    sock.send_multipart([b"t-first", b"z"])
    sock.linger = 5000  # the message goes out before the connection closes
    sock.close()
    sock = _rebind(ctx, "XPUB", endpoint)
    assert sock.recv() == b"\x01t"
    second = PlayThread(sock, "PUB", "publish", 0)
    second.start()
    result = js.wait(answer)
    second.join_ok()
    assert result["ok"], result
    assert result["events"].count("connect XPUB") == 2, result
    sock.close()


@pytest.mark.skipif(not LIBZMQ_PY.exists(), reason=f"no libzmq 4.3.4 venv at {VENV}")
def test_req_survives_libzmq_restart(js):
    """The same against libzmq: one echo each from two libzmq REPs on the same port."""
    first = LibzmqPeer(["REP", "bind", "ws://127.0.0.1:*", "echo", "1", "null"])
    endpoint = first.endpoint
    try:
        _, answer = js.start(
            "run", args={"type": "REQ", "endpoint": endpoint, "role": "restart", "count": 2}
        )
        first.finish()
        second = LibzmqPeer(["REP", "bind", endpoint, "echo", "1", "null"])
        try:
            result = js.wait(answer)
            assert result["ok"], result
            assert result["answers"] == ["ask-0", "ask-1"]
            assert result["events"].count("connect ") == 2, result  # no peer type in ZWS2.0
            second.finish()
        finally:
            second.close()
    finally:
        first.close()
