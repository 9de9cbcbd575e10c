"""pgm:// and epgm:// from the socket API: who may use them, what a bad endpoint says, and the
CAP_NET_RAW error of pgm:// for an unprivileged process. (Exchanges run in a private network
namespace: tests/interop/test_epgm_libzmq434.py and test_pgm_raw_netns below.)"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import purezmq as zmq
from purezmq.constants import Errno

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.mark.parametrize("kind", [zmq.REQ, zmq.PUSH, zmq.DEALER, zmq.PAIR, zmq.RADIO])
@pytest.mark.parametrize("verb", ["bind", "connect"])
def test_only_pub_sub_families_use_pgm(kind: int, verb: str) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(kind)
    try:
        with pytest.raises(zmq.ZMQError) as info:
            getattr(sock, verb)("epgm://127.0.0.1;239.192.1.1:5555")
        assert info.value.errno == Errno.ENOCOMPATPROTO
        assert "PUB/XPUB" in str(info.value)
    finally:
        sock.close(0)
        ctx.term()


@pytest.mark.parametrize(
    ("endpoint", "code", "words"),
    [
        ("epgm://127.0.0.1;10.0.0.1:5555", Errno.EINVAL, "multicast group"),
        ("epgm://127.0.0.1;not-a-group:5555", Errno.EINVAL, "multicast group"),
        ("epgm://no-such-nic0;239.192.1.1:5555", Errno.ENODEV, "network interface"),
        ("epgm://127.0.0.1:5555", Errno.EINVAL, "';'"),
    ],
)
def test_bad_endpoints_are_refused_with_a_reason(endpoint: str, code: int, words: str) -> None:
    ctx = zmq.Context()
    sock = ctx.socket(zmq.SUB)
    try:
        with pytest.raises(zmq.ZMQError) as info:
            sock.connect(endpoint)
        assert info.value.errno == code
        assert words in str(info.value)
    finally:
        sock.close(0)
        ctx.term()


def test_raw_pgm_without_cap_net_raw_names_the_capability() -> None:
    if sys.platform != "linux":
        pytest.skip("raw sockets and capabilities are Linux's here")
    setpriv = shutil.which("setpriv")
    script = (
        f"import sys; sys.path.insert(0, {str(SRC)!r}); import purezmq as zmq\n"
        "s = zmq.Context().socket(zmq.PUB)\n"
        "try:\n"
        "    s.connect('pgm://127.0.0.1;239.192.1.1:5555')\n"
        "except zmq.ZMQError as e:\n"
        "    print(e.errno, e); sys.exit(0)\n"
        "print('opened'); sys.exit(0)\n"
    )
    argv = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        if setpriv is None:
            pytest.skip("needs setpriv to drop CAP_NET_RAW as root")
        argv = [setpriv, "--inh-caps=-all", "--bounding-set=-net_raw", *argv]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "CAP_NET_RAW" in done.stdout and "epgm://" in done.stdout
    assert done.stdout.split()[0] in (str(errno.EPERM), str(errno.EACCES))


RAW_SCRIPT = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import purezmq as zmq
ctx = zmq.Context()
ep = "pgm://127.0.0.1;239.192.1.1:5555"
sub = ctx.socket(zmq.SUB); sub.subscribe(b""); sub.connect(ep)
pub = ctx.socket(zmq.PUB); pub.rate = 100000; pub.connect(ep)
sent = [[b"%d" % i, b"x" * (i * 997)] for i in range(20)]
for msg in sent:
    pub.send_multipart(msg)
got = []
while len(got) < len(sent) and sub.poll(5000):
    got.append(sub.recv_multipart())
print(json.dumps(got == sent))
"""


def test_raw_pgm_between_purezmq_sockets_in_a_namespace() -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("needs root on Linux (a network namespace, CAP_NET_RAW)")
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    setup = "ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo"
    done = subprocess.run(
        [
            "unshare",
            "-n",
            "sh",
            "-c",
            f'{setup} && exec "$0" -c "$1" "$2"',
            sys.executable,
            RAW_SCRIPT,
            str(SRC),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "true"


ASYNC_SCRIPT = r"""
import asyncio, json, sys
sys.path.insert(0, sys.argv[1])
import purezmq as zmq
import purezmq.asyncio as azmq

async def main():
    ctx = azmq.Context()
    ep = "epgm://lo;239.192.1.3:5560"  # the interface by name
    sub = ctx.socket(zmq.SUB)
    sub.subscribe(b"a")
    sub.connect(ep)
    pub = ctx.socket(zmq.XPUB)
    pub.rate = 100000
    pub.bind(ep)  # bind joins the group like connect
    for i in range(50):
        await pub.send_multipart([b"a%d" % i, b"x" * (i * 300)])
        await pub.send_multipart([b"b%d" % i, b"y"])
    got = []
    while len(got) < 50 and await sub.poll(5000):
        got.append((await sub.recv_multipart())[0].decode())
    sub.disconnect(ep)
    pub.unbind(ep)
    sub.connect(ep)
    pub.bind(ep)
    await pub.send(b"again")
    again = (await sub.recv()).decode() if await sub.poll(5000) else None
    sub.close()
    pub.close()
    ctx.term()
    print(json.dumps({"got": got, "again": again}))

asyncio.run(main())
"""


def test_asyncio_xpub_to_sub_filters_and_survives_unbind_and_rebind() -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("needs root on Linux (a network namespace)")
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("needs unshare and ip")
    setup = "ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo"
    done = subprocess.run(
        [
            "unshare",
            "-n",
            "sh",
            "-c",
            f'{setup} && exec "$0" -c "$1" "$2"',
            sys.executable,
            ASYNC_SCRIPT,
            str(SRC),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # The SUB filters locally (nothing goes upstream over multicast): only the "a" topics.
    assert out["got"] == [f"a{i}" for i in range(50)]
    assert out["again"] == "again"


@pytest.mark.parametrize(("udp", "tpdu", "tsdu"), [(True, 1500, 1428), (False, 1500, 1436)])
def test_apdu_size_is_openpgms_mss(udp: bool, tpdu: int, tsdu: int) -> None:
    # libzmq fills each APDU to OpenPGM's PGM_MSS (1428 bytes observed for epgm at 1500).
    from purezmq.transports import pgm

    address = pgm.PgmAddress(udp, "239.192.1.1", 5555, "127.0.0.1")
    assert pgm.max_tsdu(address, tpdu) == tsdu
    assert pgm.max_tsdu(address, tpdu + 500) == tsdu + 500


@pytest.mark.parametrize(("loop", "hops"), [(True, 1), (False, 7)])
def test_sender_socket_takes_multicast_hops_and_loop(loop: bool, hops: int) -> None:
    import socket

    from purezmq.transports import pgm
    from purezmq.transports.base import SocketSettings

    address = pgm.PgmAddress(True, "239.192.1.1", 5555, "127.0.0.1")
    sock = pgm.open_sender(address, SocketSettings(), "test", loop=loop, hops=hops)
    try:
        assert sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL) == hops
        assert bool(sock.getsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP)) is loop
    finally:
        sock.close()
