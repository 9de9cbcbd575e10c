"""What runs inside Pyodide (under Node and in Chromium): purezmq's asyncio API as a client.

Not collected by pytest (no ``test_`` name): the runners (``run_node.mjs``, ``page.html``)
load purezmq's source into Pyodide's file system, import this file and await
``run_jobs(jobs)``, a list of ``[name, endpoint, role]``; the answer is a JSON object of job
name -> ``"OK"`` or the failure's traceback. Roles, as ``libzmq434/peer.py``'s:

* ``request``: REQ connects, sends COUNT requests (the last one large), checks each echo;
  ``request-unfragmented`` the same with a last body a browser sends as one frame;
* ``recv``: SUB connects, subscribes to ``t``, receives COUNT messages, checks the topic;
* ``refused``: tcp://, ipc:// and binding must raise EPROTONOSUPPORT naming ws://, and the
  blocking API's network use ENOTSUP naming purezmq.asyncio.
"""

from __future__ import annotations

import asyncio
import json
import sys
import traceback

import purezmq
import purezmq.asyncio

COUNT = 5
TIMEOUT = 10.0
#: The last request's body: more than one read's worth, and more than Chromium sends as one
#: WebSocket frame (it fragments messages over about 120 KiB; purezmq reassembles them).
LARGE = 300_000
#: The same for libzmq 4.3.4, whose ws decoder refuses fragmented messages (ws_decoder.cpp:
#: "non final messages are not supported"): a body Chromium sends whole.
LARGE_UNFRAGMENTED = 100_000


async def request(ctx: purezmq.asyncio.Context, endpoint: str, large: int = LARGE) -> None:
    sock = ctx.socket(purezmq.REQ)
    try:
        sock.connect(endpoint)
        for i in range(COUNT):
            msg = [b"req-%d" % i, b"x" * (large if i == COUNT - 1 else i * 100)]
            await sock.send_multipart(msg)
            reply = await asyncio.wait_for(sock.recv_multipart(), TIMEOUT)
            assert reply == msg, reply
    finally:
        sock.close(linger=0)


async def recv(ctx: purezmq.asyncio.Context, endpoint: str) -> None:
    sock = ctx.socket(purezmq.SUB)
    try:
        sock.subscribe(b"t")
        sock.connect(endpoint)
        for _ in range(COUNT):
            msg = await asyncio.wait_for(sock.recv_multipart(), TIMEOUT)
            assert msg[0].startswith(b"t"), msg
    finally:
        sock.close(linger=0)


async def refused(ctx: purezmq.asyncio.Context, endpoint: str) -> None:
    assert sys.platform == "emscripten", sys.platform
    assert purezmq.has("ws")
    sock = ctx.socket(purezmq.REQ)
    try:
        for call, target in (
            (sock.connect, "tcp://127.0.0.1:5555"),
            (sock.connect, "ipc:///tmp/x"),
            (sock.bind, endpoint),
        ):
            try:
                call(target)
            except purezmq.ZMQError as exc:
                assert exc.errno == purezmq.EPROTONOSUPPORT, exc
                assert "ws://" in str(exc), exc
            else:
                raise AssertionError(f"{call.__name__}({target}) did not raise")
    finally:
        sock.close(linger=0)
    sync_ctx = purezmq.Context()
    blocking = sync_ctx.socket(purezmq.REQ)
    try:
        blocking.connect(endpoint)
    except purezmq.ZMQError as exc:
        assert exc.errno == purezmq.ENOTSUP, exc
        assert "purezmq.asyncio" in str(exc), exc
    else:
        raise AssertionError("the blocking API connected without an I/O thread")
    finally:
        blocking.close(linger=0)
        sync_ctx.term()


async def request_unfragmented(ctx: purezmq.asyncio.Context, endpoint: str) -> None:
    await request(ctx, endpoint, LARGE_UNFRAGMENTED)


ROLES = {
    "request": request,
    "request-unfragmented": request_unfragmented,
    "recv": recv,
    "refused": refused,
}


async def run_jobs(jobs: list[list[str]]) -> str:
    """Run each ``[name, endpoint, role]`` in turn; JSON of name -> "OK" or a traceback."""
    results: dict[str, str] = {}
    ctx = purezmq.asyncio.Context()
    try:
        for name, endpoint, role in jobs:
            try:
                await ROLES[role](ctx, endpoint)
                results[name] = "OK"
            except BaseException:  # reported to the test, which fails on it
                results[name] = traceback.format_exc()
    finally:
        ctx.term()
    return json.dumps(results)
