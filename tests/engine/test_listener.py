"""Listeners (``_engine.listener``) behind the public API: unbind closes the listening socket
before it returns."""

from __future__ import annotations

from typing import Any

import purezmq


def test_unbind_frees_the_address_at_once(pure_ctx: Any, ipc_dir: str) -> None:
    s = pure_ctx.socket(purezmq.PULL)
    s.bind("tcp://127.0.0.1:*")
    endpoint = s.getsockopt(purezmq.LAST_ENDPOINT).decode()
    path = f"ipc://{ipc_dir}/s"
    s.bind(path)
    for _ in range(20):
        s.unbind(endpoint)
        s.bind(endpoint)  # no EADDRINUSE: the listening socket is closed when unbind returns
        s.unbind(path)
        s.bind(path)
    s.close(0)
