"""The fault tier: peers joined through ``purezmq.testing.FaultProxy``; a proxy per test,
closed after it, its injected faults added to the tier's totals (printed at the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import pytest

from purezmq.testing import FaultProxy

from ..kit.libzmq import bind_fixed, ctx_of, make_socket
from .tally import TOTALS, count_faults

zmq = pytest.importorskip("zmq")

ProxyFactory = Callable[[str], FaultProxy]
SocketFactory = Callable[[str, str], Any]

# Who is on either side of the faulty link: purezmq on both, or libzmq (pyzmq) on one.
PAIRS = [("pure", "pure"), ("pure", "lib"), ("lib", "pure")]


@pytest.fixture
def make_proxy() -> Iterator[ProxyFactory]:
    """``make_proxy(target_endpoint)``: a running FaultProxy to ``target_endpoint``."""
    proxies: list[FaultProxy] = []

    def make(target: str) -> FaultProxy:
        proxy = FaultProxy(target).start()
        proxies.append(proxy)
        return proxy

    yield make
    for proxy in proxies:
        count_faults(proxy)
        proxy.close()


@pytest.fixture
def make_zsocket(pure_ctx: Any, libzmq_ctx: Any) -> SocketFactory:
    """``make_zsocket(kind, type_name)``: a socket of ``kind`` ("pure" or "lib") in that
    library's test context."""

    def make(kind: str, type_name: str) -> Any:
        return make_socket(ctx_of(kind, pure_ctx, libzmq_ctx), kind, type_name)

    return make


class ProxiedPipeline(NamedTuple):
    pull: Any
    proxy: FaultProxy
    push: Any
    push_monitor: Any


def pipeline_through_proxy(
    make_zsocket: SocketFactory, make_proxy: ProxyFactory, pusher: str, puller: str
) -> ProxiedPipeline:
    """A PULL bound on tcp behind a FaultProxy, and a PUSH, not yet connected, that retries
    every 20 ms and reports DISCONNECTED and HANDSHAKE_SUCCEEDED on ``push_monitor``."""
    pull = make_zsocket(puller, "PULL")
    proxy = make_proxy(bind_fixed(pull, "tcp", ""))
    push = make_zsocket(pusher, "PUSH")
    push.setsockopt(zmq.RECONNECT_IVL, 20)
    monitor = push.get_monitor_socket(zmq.EVENT_DISCONNECTED | zmq.EVENT_HANDSHAKE_SUCCEEDED)
    return ProxiedPipeline(pull, proxy, push, monitor)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TOTALS.faults or TOTALS.checked:
        terminalreporter.write_line(
            f"fault tier: {TOTALS.faults} faults injected, {TOTALS.checked} numbered messages "
            f"checked, {TOTALS.lost} lost, {TOTALS.duplicated} duplicated"
        )
