"""Resource limits: running out of descriptors (EMFILE) while accepting or connecting is
reported as a monitor event and recovered from once descriptors free up; MAXMSGSIZE drops
the offending peer only; thousands of connections and a hundred thousand subscriptions on
one socket.

The descriptor scenarios run in a child interpreter whose RLIMIT_NOFILE is lowered and then
used up; the peer is this test process.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import purezmq
from purezmq.constants import Event

SRC = str(Path(__file__).resolve().parents[2] / "src")
WAIT = 10.0

EXHAUST = """
    import os, resource, struct, sys
    import purezmq
    from purezmq.constants import Event

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))

    def hog():
        fds = []
        while True:
            try:
                fds.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                return fds

    def event(mon, wanted):
        while True:
            frames = mon.recv_multipart()  # bounded by RCVTIMEO
            name = Event(struct.unpack("=hi", frames[0])[0]).name
            value = struct.unpack("=hi", frames[0])[1]
            if name == wanted:
                return value
"""

ACCEPT_SCRIPT = EXHAUST + """
    ctx = purezmq.Context()
    pull = ctx.socket(purezmq.PULL)
    pull.rcvtimeo = 10000
    mon = pull.get_monitor_socket()
    mon.rcvtimeo = 10000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    event(mon, "LISTENING")
    fds = hog()
    print(port, flush=True)
    print("ACCEPT_FAILED", event(mon, "ACCEPT_FAILED"), flush=True)
    for fd in fds:
        os.close(fd)
    event(mon, "ACCEPTED")
    print("got", pull.recv().decode(), flush=True)
    pull.disable_monitor(); mon.close(); pull.close(); ctx.term()
"""

CONNECT_SCRIPT = EXHAUST + """
    ctx = purezmq.Context()
    push = ctx.socket(purezmq.PUSH)
    push.reconnect_ivl = 50
    mon = push.get_monitor_socket()
    mon.rcvtimeo = 10000
    push.bind("tcp://127.0.0.1:*")  # the I/O thread and loop exist before the fds run out
    import purezmq._engine.connecter  # connect() imports it lazily, and an import needs an fd
    fds = hog()
    push.connect(sys.argv[1])
    print("CONNECT_RETRIED", event(mon, "CONNECT_RETRIED"), flush=True)
    for fd in fds:
        os.close(fd)
    push.send(b"after EMFILE")
    event(mon, "HANDSHAKE_SUCCEEDED")
    print("connected", flush=True)
    push.close(linger=5000)
    mon.close()
    ctx.term()
"""


def child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> str:
    """The child's stdout once it exited cleanly (killed and failed if it hangs)."""
    try:
        out, err = proc.communicate(timeout=WAIT * 2)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"child hung: {out!r} {err!r}")
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    return out


def test_emfile_while_accepting_is_reported_and_recovered(pure_ctx: purezmq.Context) -> None:
    proc = child(ACCEPT_SCRIPT)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    push = pure_ctx.socket(purezmq.PUSH)
    push.linger = 5000
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"hello")
    out = finish(proc)
    assert out.splitlines() == [f"ACCEPT_FAILED {errno.EMFILE}", "got hello"]
    push.close()


def test_emfile_while_connecting_is_retried_and_recovered(pure_ctx: purezmq.Context) -> None:
    pull = pure_ctx.socket(purezmq.PULL)
    pull.rcvtimeo = int(WAIT * 1000)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    proc = child(CONNECT_SCRIPT, f"tcp://127.0.0.1:{port}")
    try:
        message = pull.recv()
    finally:
        out = finish(proc)
    assert message == b"after EMFILE"
    lines = out.splitlines()
    # The attempt that could not get a socket counts as a failed one: retried after
    # RECONNECT_IVL (the event's value, with libzmq's random part added).
    assert lines[0].startswith("CONNECT_RETRIED ") and lines[1:] == ["connected"]
    pull.close()


@pytest.mark.parametrize("receiver", ["pure", "lib"])
def test_maxmsgsize_drops_only_the_offending_peer(
    receiver: str, pure_ctx: purezmq.Context, libzmq_ctx: Any
) -> None:
    zmq = pytest.importorskip("zmq")
    ctx = pure_ctx if receiver == "pure" else libzmq_ctx
    pull = ctx.socket(zmq.PULL)
    pull.linger = 0
    pull.setsockopt(zmq.MAXMSGSIZE, 1000)
    pull.rcvtimeo = int(WAIT * 1000)
    mon = pull.get_monitor_socket(zmq.EVENT_DISCONNECTED)
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    good, bad = (pure_ctx.socket(purezmq.PUSH) for _ in range(2))
    for sock in (good, bad):
        sock.linger = 0
        sock.connect(f"tcp://127.0.0.1:{port}")
    good.send(b"good 1")
    assert pull.recv() == b"good 1"
    bad.send(b"small")
    bad.send(bytes(1001))  # over MAXMSGSIZE: this connection is dropped
    assert pull.recv() == b"small"
    assert mon.poll(int(WAIT * 1000))
    frames = mon.recv_multipart()
    assert int.from_bytes(frames[0][:2], "little") == Event.DISCONNECTED
    good.send(b"good 2")
    assert pull.recv() == b"good 2"
    assert not pull.poll(50)
    pull.disable_monitor()
    mon.close()
    for sock in (good, bad, pull):
        sock.close()


SUBSCRIPTIONS = 100_000


def test_a_hundred_thousand_subscriptions_on_one_socket(pure_ctx: purezmq.Context) -> None:
    pub = pure_ctx.socket(purezmq.XPUB)
    pub.linger = 0
    # Subscriptions travel as messages under the HWMs: libzmq (and purezmq) drop those past a
    # full pipe, so a socket holding this many needs unlimited HWMs on that path.
    pub.rcvhwm = 0
    pub.rcvtimeo = int(WAIT * 1000)
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    sub = pure_ctx.socket(purezmq.SUB)
    sub.linger = 0
    sub.rcvtimeo = int(WAIT * 1000)
    sub.sndhwm = 0
    sub.connect(f"tcp://127.0.0.1:{port}")
    started = time.monotonic()
    for n in range(SUBSCRIPTIONS):
        sub.setsockopt(purezmq.SUBSCRIBE, b"t%06d" % n)
    seen = 0
    while seen < SUBSCRIPTIONS:  # XPUB hands every new subscription up: all of them arrived
        assert pub.recv()[:1] == b"\x01"
        seen += 1
    for n in (0, 1, SUBSCRIPTIONS // 2, SUBSCRIPTIONS - 1):
        pub.send(b"t%06d payload" % n)
    pub.send(b"u000000 not subscribed")
    got = [sub.recv() for _ in range(4)]
    assert got == [b"t%06d payload" % n for n in (0, 1, SUBSCRIPTIONS // 2, SUBSCRIPTIONS - 1)]
    assert not sub.poll(50)
    assert time.monotonic() - started < 60
    sub.close()
    pub.close()
