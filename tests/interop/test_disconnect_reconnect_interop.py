"""A purezmq DEALER that disconnects from a libzmq ROUTER and connects again at once talks over
the new connection only: libzmq's ROUTER answers the connection the request came on."""

from __future__ import annotations

from typing import Any

import pytest

import purezmq

from .conftest import endpoint_for

pytestmark = pytest.mark.interop


@pytest.mark.parametrize("transport", ["tcp", "ipc"])
def test_reconnected_dealer_gets_libzmq_routers_replies(
    libzmq_ctx: Any, pure_ctx: purezmq.Context, ipc_dir: str, transport: str
) -> None:
    router = libzmq_ctx.socket(purezmq.ROUTER)
    router.linger = 0
    router.bind(endpoint_for(transport, ipc_dir))
    addr = router.getsockopt_string(purezmq.LAST_ENDPOINT)
    dealer = pure_ctx.socket(purezmq.DEALER)
    dealer.linger = 0
    dealer.connect(addr)
    dealer.disconnect(addr)
    dealer.connect(addr)
    for n in range(3):
        dealer.send(b"request %d" % n)
        assert router.poll(5000)
        identity, body = router.recv_multipart()
        assert body == b"request %d" % n
        router.send_multipart([identity, b"answer %d" % n])
        assert dealer.poll(5000)
        assert dealer.recv() == b"answer %d" % n
    router.close()
    dealer.close()
