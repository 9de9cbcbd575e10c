"""``IOLoopAuthenticator`` (deprecated, an asyncio authenticator) allows and denies PLAIN
clients while a tornado IOLoop runs."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

import purezmq
import purezmq.asyncio as azmq

from .conftest import run


def _authenticator_class() -> Any:
    sys.modules.pop("purezmq.auth.ioloop", None)
    with pytest.warns(DeprecationWarning, match="IOLoopAuthenticator is deprecated"):
        module = importlib.import_module("purezmq.auth.ioloop")
    return module.IOLoopAuthenticator


async def _plain_exchange(ctx: Any, password: bytes) -> bool:
    """Whether a PLAIN client with ``password`` gets a reply through the server."""
    server = ctx.socket(purezmq.REP)
    server.plain_server = 1
    port = server.bind_to_random_port("tcp://127.0.0.1")
    client = ctx.socket(purezmq.REQ)
    client.plain_username = b"admin"
    client.plain_password = password
    client.connect(f"tcp://127.0.0.1:{port}")
    monitor = client.get_monitor_socket(
        purezmq.EVENT_HANDSHAKE_SUCCEEDED | purezmq.EVENT_HANDSHAKE_FAILED_AUTH
    )
    from purezmq.utils.monitor import parse_monitor_message

    event = parse_monitor_message(await monitor.recv_multipart())["event"]
    if event == purezmq.EVENT_HANDSHAKE_SUCCEEDED:
        await client.send(b"ping")
        assert await server.recv() == b"ping"
        await server.send(b"pong")
        assert await client.recv() == b"pong"
    client.disable_monitor()
    monitor.close()
    for s in (client, server):
        s.close(linger=0)
    return bool(event == purezmq.EVENT_HANDSHAKE_SUCCEEDED)


def test_ioloop_authenticator_allows_and_denies_plain_clients() -> None:
    cls = _authenticator_class()

    async def main() -> None:
        from tornado.ioloop import IOLoop

        ctx = azmq.Context()
        with pytest.warns(DeprecationWarning, match="io_loop"):
            auth = cls(ctx, io_loop=IOLoop.current())
        auth.start()
        auth.configure_plain(domain="*", passwords={"admin": "secret"})
        assert await _plain_exchange(ctx, b"secret")
        assert not await _plain_exchange(ctx, b"wrong")
        auth.stop()
        ctx.destroy(0)

    run(main)
