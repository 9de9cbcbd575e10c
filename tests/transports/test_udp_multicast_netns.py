"""udp:// multicast on a real (virtual) interface, in a private network namespace: IPv6
multicast (which the loopback interface does not carry), an interface named in the endpoint,
and MULTICAST_LOOP, which only means something off the loopback interface.

The test runs a small purezmq script under ``unshare -n`` after creating a veth pair there; the
namespace, and everything in it, goes away with that process. Without root, ``unshare`` or
``ip`` (or a kernel without veth) it skips and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"

SETUP = (
    "ip link add v0 type veth peer name v1 && ip link set v0 up && ip link set v1 up "
    "&& ip addr add 10.77.0.1/24 dev v0"
)

SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import purezmq as zmq

ctx = zmq.Context()

def exchange(endpoint, ipv6, loop=1):
    dish = ctx.socket(zmq.DISH)
    dish.ipv6 = ipv6
    dish.linger = 0
    dish.bind(endpoint)
    dish.join("g")
    radio = ctx.socket(zmq.RADIO)
    radio.ipv6 = ipv6
    radio.linger = 0
    radio.multicast_loop = loop
    radio.connect(endpoint)
    marker = ctx.socket(zmq.RADIO)  # loops back: tells when everything sent before is in
    marker.ipv6 = ipv6
    marker.linger = 0
    marker.connect(endpoint)
    got = []
    # A new IPv6 link-local address is tentative for a moment (DAD): send until one arrives.
    for i in range(100):
        radio.send(b"data %d" % i, group="g")
        marker.send(b"marker %d" % i, group="g")
        if dish.poll(50):
            break
    while dish.poll(200):
        got.append(dish.recv().decode())
    for s in (dish, radio, marker):
        s.close()
    return got

out = {
    "v6": exchange("udp://v0;[ff12::4321]:47011", True),
    "v4_name": exchange("udp://v0;239.193.7.21:47012", False),
    "v4_loop_off": exchange("udp://10.77.0.1;239.193.7.22:47013", False, loop=0),
}
ctx.term()
print(json.dumps(out))
"""


def _run_in_netns() -> dict[str, Any]:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("needs root on Linux to create a network namespace")
    for tool in ("unshare", "ip"):
        if shutil.which(tool) is None:
            pytest.skip(f"needs {tool}")
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", SETUP], capture_output=True, text=True, timeout=30
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot set up a veth pair in a network namespace: {probe.stderr.strip()}")
    command = f'{SETUP} && exec "$0" -c "$1" "$2"'
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", command, sys.executable, SCRIPT, str(SRC)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.fixture(scope="module")
def results() -> dict[str, Any]:
    return _run_in_netns()


def _data(got: list[str]) -> list[str]:
    return [m for m in got if m.startswith("data")]


def test_ipv6_multicast_by_interface_name(results: dict[str, Any]) -> None:
    got = results["v6"]
    assert _data(got) and any(m.startswith("marker") for m in got)


def test_ipv4_multicast_on_a_named_interface(results: dict[str, Any]) -> None:
    got = results["v4_name"]
    assert _data(got) and any(m.startswith("marker") for m in got)


def test_multicast_loop_off_keeps_datagrams_off_the_sending_host(
    results: dict[str, Any],
) -> None:
    got = results["v4_loop_off"]
    assert any(m.startswith("marker") for m in got)  # the looping sender's did arrive
    assert _data(got) == []
