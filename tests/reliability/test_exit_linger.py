"""LINGER holds at interpreter exit: a program that sends and then falls off its end without
``close()``/``term()`` (the Guide's syncpub) still delivers every message, to purezmq and to
libzmq (pyzmq) subscribers; and an exit never hangs on a peer that is gone
(docs/lifecycle.md).

The programs run in a subprocess (``sys.executable``); every wait is bounded (RCVTIMEO, poll
timeouts, ``communicate(timeout=...)``).
"""

from __future__ import annotations

import gc
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import purezmq
from purezmq._engine.context import EXIT_STALL

zmq = pytest.importorskip("zmq")

LIBS = {"pure": purezmq, "lib": zmq}
SRC = str(Path(purezmq.__file__).resolve().parent.parent)
N = 20_000
WAIT_MS = 10_000

# The Guide's syncpub, made deterministic: until the subscriber syncs, it publishes probes
# (so the subscriber can tell that its subscription arrived) instead of sleeping.
SYNCPUB_BODY = """\
ctx = zmq.Context()
pub = ctx.socket(zmq.PUB)
pub.sndhwm = 1_100_000
pub.bind("tcp://127.0.0.1:*")
sync = ctx.socket(zmq.REP)
sync.bind("tcp://127.0.0.1:*")
print(pub.last_endpoint.decode(), sync.last_endpoint.decode(), flush=True)
while not sync.poll(10):
    pub.send(b"WAIT")
sync.recv()
sync.send(b"")
for i in range(N):
    pub.send(b"%d" % i)
pub.send(b"END")
"""


def program(body: str, *, in_main: bool, n: int = N) -> str:
    """``body`` at module level (the script falls off its end), or in ``main()`` (its Context
    is collected when ``main`` returns, before the interpreter exits)."""
    head = f"import sys, threading, time\nimport purezmq as zmq\nN = {n}\n"
    if in_main:
        return head + "def main():\n" + textwrap.indent(body, "    ") + "main()\n"
    return head + body


def start(code: str) -> subprocess.Popen[str]:
    env = {"PYTHONPATH": SRC, "PATH": "/usr/bin:/bin"}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def finish(proc: subprocess.Popen[str], timeout: float = 30) -> tuple[str, str, float]:
    started = time.monotonic()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the program did not exit: hung at exit?") from None
    return out, err, time.monotonic() - started


@pytest.fixture
def ctxs() -> Iterator[dict[str, Any]]:
    made: dict[str, Any] = {}
    yield made
    for ctx in made.values():
        ctx.destroy(linger=0)


def subscribe_and_sync(lib: Any, ctx: Any, pub_ep: str, sync_ep: str) -> Any:
    sub = ctx.socket(lib.SUB)
    sub.setsockopt(lib.RCVTIMEO, WAIT_MS)
    sub.setsockopt(lib.SUBSCRIBE, b"")
    sub.connect(pub_ep)
    assert sub.recv() == b"WAIT"  # the subscription reached the publisher
    req = ctx.socket(lib.REQ)
    req.setsockopt(lib.RCVTIMEO, WAIT_MS)
    req.connect(sync_ep)
    req.send(b"")
    req.recv()
    req.close(0)
    return sub


def receive_until_end(sub: Any) -> list[int]:
    got: list[int] = []
    while True:
        msg = sub.recv()
        if msg == b"END":
            return got
        if msg != b"WAIT":
            got.append(int(msg))


@pytest.mark.parametrize("in_main", [False, True], ids=["falls-off-script", "returns-from-main"])
@pytest.mark.parametrize("which", list(LIBS))
def test_publisher_that_exits_without_closing_delivers_everything(
    which: str, in_main: bool, ctxs: dict[str, Any]
) -> None:
    lib = LIBS[which]
    ctx = ctxs[which] = lib.Context()
    proc = start(program(SYNCPUB_BODY, in_main=in_main))
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, f"the publisher did not start: {proc.communicate()[1]}"
    pub_ep, sync_ep = line.split()
    sub = subscribe_and_sync(lib, ctx, pub_ep, sync_ep)
    got = receive_until_end(sub)
    _, err, _ = finish(proc)
    assert proc.returncode == 0, err
    assert err == ""
    assert len(got) == N and got == list(range(N))
    sub.close(0)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


PUSH_TO_NOBODY = """\
ctx = zmq.Context()
push = ctx.socket(zmq.PUSH)
push.connect(sys.argv[1] if len(sys.argv) > 1 else ENDPOINT)
for i in range(3):
    push.send(b"%d" % i)
print("sent", flush=True)
"""


def test_exit_does_not_hang_on_a_peer_that_never_comes() -> None:
    """LINGER=-1 with messages queued for nobody: libzmq's term() would wait forever; at exit
    purezmq waits only while something moves, then exits (pyzmq never waits at exit)."""
    body = f"ENDPOINT = 'tcp://127.0.0.1:{free_port()}'\n" + PUSH_TO_NOBODY
    proc = start(program(body, in_main=False))
    out, err, _ = finish(proc, timeout=EXIT_STALL + 20)
    assert proc.returncode == 0 and err == "" and out == "sent\n"


def test_exit_waits_for_a_peer_that_comes_while_the_flush_waits() -> None:
    """LINGER=-1 at exit keeps connecting for the queued messages: a PULL bound just after
    the program finished still receives them."""
    port = free_port()
    body = f"ENDPOINT = 'tcp://127.0.0.1:{port}'\n" + PUSH_TO_NOBODY.replace(
        "push = ctx.socket(zmq.PUSH)\n", "push = ctx.socket(zmq.PUSH)\npush.reconnect_ivl = 20\n"
    )
    proc = start(program(body, in_main=True))
    assert proc.stdout is not None
    assert proc.stdout.readline() == "sent\n"
    with purezmq.Context() as ctx, ctx.socket(purezmq.PULL) as pull:
        pull.rcvtimeo = WAIT_MS
        pull.linger = 0
        pull.bind(f"tcp://127.0.0.1:{port}")
        assert [pull.recv() for _ in range(3)] == [b"0", b"1", b"2"]
    _, err, _ = finish(proc)
    assert proc.returncode == 0 and err == ""


def test_finite_linger_at_exit_is_honoured_not_exceeded() -> None:
    body = f"ENDPOINT = 'tcp://127.0.0.1:{free_port()}'\n" + PUSH_TO_NOBODY.replace(
        "push = ctx.socket(zmq.PUSH)\n", "push = ctx.socket(zmq.PUSH)\npush.linger = 300\n"
    )
    proc = start(program(body, in_main=False))
    _, err, elapsed = finish(proc)
    assert proc.returncode == 0 and err == ""
    assert elapsed < EXIT_STALL + 10  # LINGER expired on its own; no stall wait after it


def test_exit_leaves_a_daemon_thread_blocked_in_recv_alone() -> None:
    """A daemon worker blocked in recv at exit: no error, no hang (as with pyzmq)."""
    body = """\
ctx = zmq.Context()
pull = ctx.socket(zmq.PULL)
pull.bind("tcp://127.0.0.1:*")
started = threading.Event()
def worker():
    sock = ctx.socket(zmq.PULL)
    sock.bind("inproc://work")
    started.set()
    sock.recv()
threading.Thread(target=worker, daemon=True).start()
assert started.wait(10)
print("ready", flush=True)
"""
    proc = start(program(body, in_main=False))
    out, err, _ = finish(proc)
    assert proc.returncode == 0 and err == "" and out == "ready\n"


def test_a_collected_context_flushes_then_stops_its_io_thread() -> None:
    """A Context collected while open (pyzmq destroys it): its sockets' messages still go out
    (with their LINGER) and its I/O thread then stops -- nothing blocks the finalizer."""
    with purezmq.Context() as rctx, rctx.socket(purezmq.PULL) as pull:
        pull.rcvtimeo = WAIT_MS
        pull.linger = 0
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        ctx = purezmq.Context()
        push = ctx.socket(purezmq.PUSH)
        push.sndhwm = 0
        push.connect(f"tcp://127.0.0.1:{port}")
        for i in range(N):
            push.send(b"%d" % i)
        io_thread = ctx._core._io_thread_obj
        assert io_thread is not None and io_thread.is_alive()
        del push, ctx
        gc.collect()
        assert [int(pull.recv()) for _ in range(N)] == list(range(N))
        io_thread.join(WAIT_MS / 1000)
        assert not io_thread.is_alive(), "the collected Context's I/O thread never stopped"


def test_a_collected_context_leaves_its_shadows_sockets_working() -> None:
    """The original Context is collected while a shadow still uses the engine: the shadow's
    sockets keep working, new ones are refused (EFAULT), and the I/O thread stops once the
    shadow's sockets are closed. (A shadow made from the handle, as pyzmq's from an address,
    does not keep the original alive; ``Context(shadow=ctx)`` does, as in pyzmq.)"""
    ctx = purezmq.Context()
    shadow = purezmq.Context.shadow(ctx.underlying)
    pull = shadow.socket(purezmq.PULL)
    pull.rcvtimeo = WAIT_MS
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = shadow.socket(purezmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    io_thread = ctx._core._io_thread_obj
    assert io_thread is not None
    del ctx
    gc.collect()
    push.send(b"still here")
    assert pull.recv() == b"still here"
    with pytest.raises(purezmq.ZMQError) as refused:
        shadow.socket(purezmq.PAIR)
    assert refused.value.errno == purezmq.EFAULT  # as a libzmq context pointer that is gone
    assert io_thread.is_alive()
    push.close()
    pull.close()
    io_thread.join(WAIT_MS / 1000)
    assert not io_thread.is_alive(), "the I/O thread outlived the last socket"
