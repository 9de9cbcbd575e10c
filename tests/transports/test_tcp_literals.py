"""A bind interface or connect source that is an IP literal is told from an interface name by
``inet_pton`` (no ``ipaddress`` import on the way to a first bind): it must take exactly the
literals ``ipaddress.ip_address`` takes."""

from __future__ import annotations

import ipaddress

import pytest

from purezmq.transports.tcp import _ip_version

LITERALS = [
    "127.0.0.1", "0.0.0.0", "255.255.255.255", "::", "::1", "fe80::1", "::ffff:1.2.3.4",
    "::1.2.3.4", "1:2:3:4:5:6:7:8", "0000:0000::1",
    # Not addresses: interface and host names, shorthand, leading zeros, junk.
    "lo", "eth0", "localhost", "*", "", "01.2.3.4", "1.2.3.04", "1.2.3", "127.1",
    "1.2.3.4.5", "256.1.1.1", "0x7f.0.0.1", " 1.2.3.4", "1.2.3.4 ", "1.2.3.4/8",
    "::ffff:01.2.3.4", "1::2::3", ":::", "1:2:3:4:5:6:7:8:9", "12345::", "00000::1",
    "1.2.3.4\x00", "\u0661.\u0662.\u0663.\u0664",
]  # fmt: skip


@pytest.mark.parametrize("literal", LITERALS)
def test_ip_version_agrees_with_ipaddress(literal: str) -> None:
    try:
        expected: int | None = ipaddress.ip_address(literal).version
    except ValueError:
        expected = None
    assert _ip_version(literal) == expected
