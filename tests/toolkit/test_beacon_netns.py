"""Beacons between two hosts: two network namespaces that this test creates, joined by a veth
pair (10.200.78.1/24 and 10.200.78.2/24), each running ``purezmq beacon`` on its veth end,
found by name, address and by ``ZSYS_INTERFACE``. Needs root and iproute2's ``ip``; the
namespaces (and with them the veth pair) are deleted afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

if not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("ip") is None:
    pytest.skip("needs Linux, root and iproute2's ip (network namespaces)", allow_module_level=True)

SRC = str(Path(__file__).resolve().parents[2] / "src")
PORT = 5670
TAG = f"{os.getpid() % 100000}"
NS = (f"pzbeacon-a-{TAG}", f"pzbeacon-b-{TAG}")
VETH = (f"pzba{TAG}", f"pzbb{TAG}")
ADDRESS = ("10.200.78.1", "10.200.78.2")


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@pytest.fixture(scope="module")
def namespaces() -> Iterator[None]:
    try:
        ip("netns", "add", NS[0])
        ip("netns", "add", NS[1])
        ip(
            "link",
            "add",
            VETH[0],
            "netns",
            NS[0],
            "type",
            "veth",
            "peer",
            "name",
            VETH[1],
            "netns",
            NS[1],
        )
        for ns, veth, address in zip(NS, VETH, ADDRESS, strict=True):
            ip("-n", ns, "addr", "add", f"{address}/24", "broadcast", "10.200.78.255", "dev", veth)
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "link", "set", veth, "up")
    except subprocess.CalledProcessError as exc:
        for ns in NS:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        pytest.skip(f"cannot create network namespaces here: {exc.stderr!r}")
    yield
    for ns in NS:
        # Deleting a namespace deletes its veth end, and with it the peer end.
        subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def beacon_in(ns: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "ip",
            "netns",
            "exec",
            ns,
            sys.executable,
            "-m",
            "purezmq",
            "beacon",
            "--port",
            str(PORT),
            *args,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"PYTHONPATH": SRC, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **(env or {})},
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


@pytest.mark.parametrize("api", [[], ["--asyncio"]], ids=["blocking", "asyncio"])
def test_two_hosts_discover_each_other(namespaces: None, api: list[str]) -> None:
    # Each host publishes in the background; then each listens until it heard the other.
    speakers = [
        beacon_in(
            NS[0],
            *api,
            "--interface",
            VETH[0],
            "--publish",
            "host-a",
            "--interval",
            "0.05",
            "--timeout",
            "25",
        ),
        beacon_in(
            NS[1],
            *api,
            "--interface",
            ADDRESS[1],
            "--publish",
            "host-b",
            "--interval",
            "0.05",
            "--timeout",
            "25",
        ),
    ]
    try:
        heard_by_a = finish(
            beacon_in(
                NS[0],
                *api,
                "--subscribe",
                "host-b",
                "--count",
                "3",
                "--timeout",
                "20",
                env={"ZSYS_INTERFACE": VETH[0]},
            )
        )
        heard_by_b = finish(
            beacon_in(
                NS[1],
                *api,
                "--interface",
                VETH[1],
                "--subscribe",
                "host-a",
                "--count",
                "3",
                "--timeout",
                "20",
            )
        )
    finally:
        for proc in speakers:
            proc.terminate()
            finish(proc)
    assert heard_by_a[0] == 0, heard_by_a
    assert heard_by_b[0] == 0, heard_by_b
    # Each heard the other host's payload from the other host's address.
    assert heard_by_a[1].splitlines() == [f"{ADDRESS[1]} host-b"] * 3
    assert heard_by_b[1].splitlines() == [f"{ADDRESS[0]} host-a"] * 3
