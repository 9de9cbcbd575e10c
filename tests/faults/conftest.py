"""The fault tier: peers joined through ``purezmq.testing.FaultProxy``; a proxy per test,
closed after it, its injected faults added to the tier's totals (printed at the end)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from purezmq.testing import FaultProxy

from .tally import TOTALS, count_faults

ProxyFactory = Callable[[str], FaultProxy]


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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if TOTALS.faults or TOTALS.checked:
        terminalreporter.write_line(
            f"fault tier: {TOTALS.faults} faults injected, {TOTALS.checked} numbered messages "
            f"checked, {TOTALS.lost} lost, {TOTALS.duplicated} duplicated"
        )
