"""A wss:// connect to a server that accepts TCP but never answers TLS is bounded by
HANDSHAKE_IVL, as the ZMTP handshake after it is: the client hangs up and retries instead of
holding the connection for asyncio's TLS default of 60 s."""

from __future__ import annotations

import socket

import pytest

import purezmq

pytest.importorskip("wsproto", reason="the ws extra is needed for wss://")

#: Far below asyncio's 60 s TLS default, far above HANDSHAKE_IVL.
WAIT_S = 10.0


@pytest.mark.parametrize("loop_kind", ["asyncio", "uvloop"])
def test_client_hangs_up_on_a_silent_tls_server_after_handshake_ivl(
    loop_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if loop_kind == "uvloop":
        pytest.importorskip("uvloop")
    monkeypatch.setenv("PUREZMQ_IO_LOOP", loop_kind)
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    ctx = purezmq.Context()
    try:
        push = ctx.socket(purezmq.PUSH)
        push.linger = 0
        push.handshake_ivl = 200
        push.reconnect_ivl = 50
        push.wss_hostname = b"localhost"
        push.connect(f"wss://127.0.0.1:{port}/silent")
        server.settimeout(WAIT_S)
        first, _ = server.accept()
        first.settimeout(WAIT_S)
        with first:
            hello = first.recv(4096)
            assert hello[:1] == b"\x16", "the client starts TLS with a ClientHello record"
            # Never answered: the client gives up on its own within HANDSHAKE_IVL.
            while first.recv(4096):
                pass
        # ... and tries again, as after any failed handshake.
        second, _ = server.accept()
        second.close()
        push.close()
    finally:
        ctx.term()
        server.close()
