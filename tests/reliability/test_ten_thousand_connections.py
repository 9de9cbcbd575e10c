"""Ten thousand connections on one ROUTER: each a raw ZMTP peer (greeting, READY, one
message), all handshaken and routed at once, and a reply reaching a sample of them.

The ROUTER lives in a child interpreter with RLIMIT_NOFILE raised to its hard limit; the
peers are plain sockets of this test process. Skips where the limits cannot hold both sides.
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from purezmq.options import MAX_HANDSHAKES_DEFAULT
from purezmq.testing.raw import GREETING_SIZE, greeting, read_exactly, ready

SRC = str(Path(__file__).resolve().parents[2] / "src")
CONNECTIONS = 10_000
SAMPLE = 100  # every 100th peer reads its reply

SERVER = """
    import resource, sys
    import purezmq

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    count, sample = int(sys.argv[1]), int(sys.argv[2])
    ctx = purezmq.Context()
    router = ctx.socket(purezmq.ROUTER)
    router.linger = 5000
    router.backlog = 4096
    router.rcvtimeo = 30000
    router.sndhwm = router.rcvhwm = 0
    print(router.bind_to_random_port("tcp://127.0.0.1"), flush=True)
    ids = {}
    for _ in range(count):
        routing_id, body = router.recv_multipart()
        ids[int(body)] = routing_id
    with open("/proc/self/status") as status:
        rss = next(line.split()[1] for line in status if line.startswith("VmRSS"))
    for n in range(0, count, sample):
        router.send_multipart([ids[n], b"reply %d" % n])
    stats = router._core.statistics()
    print(
        len(ids), len(set(ids.values())), rss, stats.handshaking_peak, stats.handshakes_refused,
        flush=True,
    )
    sys.stdin.read()  # until the peers have read their replies
    router.close()
    ctx.term()
"""


def message(n: int) -> bytes:
    body = b"%d" % n
    return bytes((0, len(body))) + body


def read_first_message(sock: socket.socket) -> bytes:
    """Skip the greeting and command frames (37/ZMTP §2.3); the body of the first message."""
    read_exactly(sock, GREETING_SIZE)
    while True:
        flags = read_exactly(sock, 1)[0]
        size = read_exactly(sock, 8 if flags & 0x02 else 1)
        body = read_exactly(sock, int.from_bytes(size, "big"))
        if not flags & 0x04:
            return body


def test_ten_thousand_connections_on_one_router() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < CONNECTIONS + 200:
        pytest.skip(f"RLIMIT_NOFILE hard limit {hard} < {CONNECTIONS + 200}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    peers: list[socket.socket] = []
    server = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(SERVER), str(CONNECTIONS), str(SAMPLE)],
        env={**os.environ, "PYTHONPATH": SRC},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None and server.stdin is not None
        port = int(server.stdout.readline())
        started = time.monotonic()
        hello = greeting() + ready(b"DEALER")
        for n in range(CONNECTIONS):
            peer = socket.create_connection(("127.0.0.1", port), timeout=30)
            peer.sendall(hello + message(n))
            peers.append(peer)
        received, distinct, rss_kb, peak, refused = map(int, server.stdout.readline().split())
        assert (received, distinct) == (CONNECTIONS, CONNECTIONS)
        # The default MAX_HANDSHAKES turned none of them away.
        assert refused == 0 and 0 < peak <= MAX_HANDSHAKES_DEFAULT
        for n in range(0, CONNECTIONS, SAMPLE):
            assert read_first_message(peers[n]) == b"reply %d" % n
        elapsed = time.monotonic() - started
        print(
            f"{CONNECTIONS} connections in {elapsed:.1f} s, ROUTER process RSS {rss_kb} kB, "
            f"at most {peak} in their handshake at once"
        )
    finally:
        for peer in peers:
            peer.close()
        try:
            _, err = server.communicate(timeout=30)  # closes its stdin: the server ends
        except subprocess.TimeoutExpired:
            server.kill()
            _, err = server.communicate()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert server.returncode == 0, err
    assert "Traceback" not in err, err
