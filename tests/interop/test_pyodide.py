"""purezmq in Pyodide: its asyncio API, under Node and in headless Chromium, connects through the
JavaScript WebSocket to ws:// servers of purezmq (in this process) and of libzmq 4.3.4.

The Pyodide side is ``pyodide/scenario.py``, run by ``pyodide/run_node.mjs`` (Node, purezmq's
source mounted from this checkout) and by ``pyodide/page.html`` (Chromium, served from here
with the npm package's runtime and a zip of purezmq's source). One run per runtime carries
every job; each job is one test below. ``tests/interop/pyodide/setup.sh`` installs pyodide,
playwright-core and ws from npm, and Chromium from Debian; without them these tests skip.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq as zmq

from .test_ws_libzmq434 import PEER, PYTHON, LibzmqPeer

HERE = Path(__file__).with_name("pyodide")
NODE_MODULES = HERE / "node_modules"
SRC = Path(__file__).resolve().parents[2] / "src"
NODE = shutil.which("node")
CHROMIUM = os.environ.get("PUREZMQ_CHROMIUM", "/usr/bin/chromium")
COUNT = 5  # scenario.py's
RUN_TIMEOUT = 240

pytestmark = [
    pytest.mark.skipif(NODE is None, reason="node not found: run tests/interop/pyodide/setup.sh"),
    pytest.mark.skipif(
        not (NODE_MODULES / "pyodide").is_dir(),
        reason=f"no pyodide in {NODE_MODULES}: run tests/interop/pyodide/setup.sh",
    ),
    pytest.mark.skipif(not zmq.has("ws"), reason="the purezmq servers need the ws extra"),
]

JOBS = ["purezmq-reqrep", "purezmq-pubsub", "libzmq-reqrep", "libzmq-pubsub", "tcp-ipc-refused"]
RUNTIMES = ["node", "chromium"]


class PurezmqServers:
    """A REP echoing and a PUB publishing on ws://, each on a thread of its own."""

    def __init__(self) -> None:
        self.ctx = zmq.Context()
        self.stop = threading.Event()
        self.rep = self.ctx.socket(zmq.REP)
        self.rep.bind("ws://127.0.0.1:*/rep")
        self.pub = self.ctx.socket(zmq.PUB)
        self.pub.bind("ws://127.0.0.1:*/pub")
        self.threads = [
            threading.Thread(target=self._echo, daemon=True),
            threading.Thread(target=self._publish, daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def endpoint(self, sock: zmq.Socket) -> str:
        return str(sock.getsockopt_string(zmq.LAST_ENDPOINT))

    def _echo(self) -> None:
        while not self.stop.is_set():
            if self.rep.poll(50):
                self.rep.send_multipart(self.rep.recv_multipart())

    def _publish(self) -> None:
        # Slow joiner: publish until the run is over (the subscriber needs COUNT of them).
        i = 0
        while not self.stop.wait(0.02):
            self.pub.send_multipart([b"t-%d" % i, b"z" * 10])
            self.pub.send(b"other topic")
            i += 1

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(5)
        self.ctx.destroy(linger=0)


def _source_zip() -> bytes:
    """purezmq's package as a zip, for the page to unpack into Pyodide's file system."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted((SRC / "purezmq").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(SRC).as_posix())
    return buffer.getvalue()


_CONTENT_TYPES = {
    **http.server.SimpleHTTPRequestHandler.extensions_map,
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".wasm": "application/wasm",
    ".json": "application/json",
}


class _PageHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the page, the pyodide npm package, the scenario and the source zip."""

    def __init__(self, *args: Any, source_zip: bytes, **kwargs: Any) -> None:
        self.source_zip = source_zip
        self.extensions_map = _CONTENT_TYPES
        super().__init__(*args, directory=str(NODE_MODULES), **kwargs)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/":
            self._send(HERE.joinpath("page.html").read_bytes(), "text/html")
        elif path == "/scenario.py":
            self._send(HERE.joinpath("scenario.py").read_bytes(), "text/x-python")
        elif path == "/purezmq.zip":
            self._send(self.source_zip, "application/zip")
        elif path.startswith("/pyodide/"):
            super().do_GET()
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _run(args: list[str]) -> dict[str, str]:
    """Run a runner; its RESULT line as a dict, or fail with its output."""
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=RUN_TIMEOUT, cwd=HERE, check=False
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, str] = json.loads(line.removeprefix("RESULT "))
            return result
    # Pyodide's errors quote its minified runtime: keep the output readable.
    tail = "\n".join(line[:300] for line in (proc.stdout + proc.stderr).splitlines()[-60:])
    pytest.fail(f"{args[1]} exited {proc.returncode} without a result:\n{tail}")


def _node_args(jobs: list[list[str]]) -> list[str]:
    assert NODE is not None
    major = int(
        subprocess.run([NODE, "--version"], capture_output=True, text=True, check=True)
        .stdout.strip()
        .lstrip("v")
        .split(".")[0]
    )
    # Node 20 and 21 have a global WebSocket behind a flag (run_node.mjs falls back to ws).
    flags = ["--experimental-websocket"] if major in (20, 21) else []
    return [NODE, *flags, str(HERE / "run_node.mjs"), str(SRC), json.dumps(jobs)]


def _run_chromium(jobs: list[list[str]]) -> dict[str, str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}: run tests/interop/pyodide/setup.sh")
    if not (NODE_MODULES / "playwright-core").is_dir():
        pytest.skip("no playwright-core: run tests/interop/pyodide/setup.sh")
    handler = functools.partial(_PageHandler, source_zip=_source_zip())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/?jobs=" + json.dumps(jobs)
    try:
        with tempfile.TemporaryDirectory(prefix="purezmq-chromium-") as profile:
            assert NODE is not None
            return _run([NODE, str(HERE / "run_chromium.mjs"), url, profile, CHROMIUM])
    finally:
        server.shutdown()
        server.server_close()


def _libzmq_verdict(peer: LibzmqPeer) -> str:
    """Empty when the libzmq peer ended with OK, else what it said."""
    try:
        out, err = peer.proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        peer.kill()
        return "the libzmq peer did not finish"
    if peer.proc.returncode == 0 and "OK" in out:
        return ""
    return f"the libzmq peer failed ({peer.proc.returncode}):\n{out}\n{err}"


@pytest.fixture(scope="module", params=RUNTIMES)
def results(request: pytest.FixtureRequest) -> Iterator[tuple[str, dict[str, str]]]:
    """One run of every job in one runtime, against servers started for it."""
    runtime: str = request.param
    servers = PurezmqServers()
    peers: list[LibzmqPeer] = []
    jobs = [
        ["purezmq-reqrep", servers.endpoint(servers.rep), "request"],
        ["purezmq-pubsub", servers.endpoint(servers.pub), "recv"],
        ["tcp-ipc-refused", "ws://127.0.0.1:1/", "refused"],
    ]
    try:
        if PYTHON.exists() and PEER.exists():
            # The runtime starts slowly (Pyodide loads for seconds): the peers wait for it.
            env = {"PEER_TIMEOUT_MS": str(RUN_TIMEOUT * 1000)}
            rep = LibzmqPeer(
                ["REP", "bind", "ws://127.0.0.1:*/rep", "echo", str(COUNT), "null"], env
            )
            peers.append(rep)
            pub = LibzmqPeer(["PUB", "bind", "ws://127.0.0.1:*/pub", "publish", "0", "null"], env)
            peers.append(pub)
            jobs += [
                ["libzmq-reqrep", rep.endpoint, "request-unfragmented"],
                ["libzmq-pubsub", pub.endpoint, "recv"],
            ]
        outcome = _run(_node_args(jobs)) if runtime == "node" else _run_chromium(jobs)
        if peers:
            # The libzmq side checks what it received (peer.py prints OK): its verdict joins
            # the job's.
            peers[1].stop_publishing()
            for job, peer in zip(("libzmq-reqrep", "libzmq-pubsub"), peers, strict=True):
                problem = _libzmq_verdict(peer)
                if problem and outcome.get(job) == "OK":
                    outcome[job] = problem
        yield runtime, outcome
    finally:
        for peer in peers:
            peer.kill()
        servers.close()


@pytest.mark.parametrize("job", JOBS)
def test_pyodide_job(results: tuple[str, dict[str, str]], job: str) -> None:
    runtime, outcome = results
    if job.startswith("libzmq") and job not in outcome:
        pytest.skip(
            f"no libzmq 4.3.4 venv at {PYTHON.parent.parent}: run tests/interop/libzmq434/setup.sh"
        )
    assert outcome.get(job) == "OK", f"{job} in Pyodide under {runtime}:\n{outcome.get(job)}"
