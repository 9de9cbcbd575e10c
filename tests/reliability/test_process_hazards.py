"""Process hazards: a forked child and its parent's Context, Ctrl-C in a blocking call over
tcp, interpreter exit with sockets still open, and ``asyncio.run`` ending with sockets open.

Each scenario runs in a fresh interpreter (``subprocess``), bounded by a timeout; a clean
exit means return code 0 and nothing on stderr — no traceback, no "Exception ignored", no
"Task was destroyed but it is pending".
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import purezmq

SRC = str(Path(__file__).resolve().parents[2] / "src")
EXIT_TIMEOUT = 15.0


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    try:
        return subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=EXIT_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the interpreter did not exit within {EXIT_TIMEOUT} s: {exc.stderr!r}")


def assert_clean_exit(proc: subprocess.CompletedProcess[str], stdout: str) -> None:
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "", proc.stderr
    assert proc.stdout.strip() == stdout


FORK_SCRIPT = """
    import os, warnings
    import purezmq

    ctx = purezmq.Context()
    pull = ctx.socket(purezmq.PULL)
    pull.rcvtimeo = 5000
    port = pull.bind_to_random_port("tcp://127.0.0.1")
    push = ctx.socket(purezmq.PUSH)
    push.connect(f"tcp://127.0.0.1:{port}")
    push.send(b"parent before fork")
    assert pull.recv() == b"parent before fork"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
        pid = os.fork()
    if pid == 0:
        code = 0
        try:
            push.send(b"child through the parent's socket")
            code = 10  # must not get here
        except purezmq.ZMQError as exc:
            if "fork" not in str(exc):
                code = 11
        try:
            ctx.socket(purezmq.PUSH)
            code = 12
        except purezmq.ZMQError as exc:
            if "fork" not in str(exc):
                code = 13
        own = purezmq.Context()
        sock = own.socket(purezmq.PUSH)
        sock.connect(f"tcp://127.0.0.1:{port}")
        sock.send(b"child with its own context")
        sock.close(linger=5000)
        own.term()
        os._exit(code)
    assert pull.recv() == b"child with its own context"
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, os.waitstatus_to_exitcode(status)
    push.send(b"parent after fork")
    assert pull.recv() == b"parent after fork"
    push.close(); pull.close(); ctx.term()
    print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_forked_child_gets_a_clear_error_and_builds_its_own_context() -> None:
    proc = run_script(FORK_SCRIPT)
    assert_clean_exit(proc, "ok")


EXIT_SCRIPT = """
    import sys, threading
    import purezmq

    ctx = purezmq.Context()
    router = ctx.socket(purezmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = ctx.socket(purezmq.DEALER)
    dealer.connect(f"tcp://127.0.0.1:{port}")
    dealer.send(b"ping")
    assert router.recv_multipart()[1] == b"ping"
    # Messages still queued toward a peer that never comes (default LINGER would wait forever
    # in term(); exit must not call term() for the user).
    lonely = ctx.socket(purezmq.PUSH)
    lonely.connect("tcp://127.0.0.1:1")
    lonely.send(b"never delivered")
    # A thread blocked in recv at exit.
    blocked = ctx.socket(purezmq.PULL)
    blocked.bind("inproc://blocked")
    threading.Thread(target=blocked.recv, daemon=True).start()
    print("exiting")
    sys.exit(0 if sys.argv[1] == "exit" else None)
"""


@pytest.mark.parametrize("how", ["exit", "fall-off"])
def test_interpreter_exit_with_open_sockets_is_quiet_and_prompt(how: str) -> None:
    proc = run_script(EXIT_SCRIPT, how)
    assert_clean_exit(proc, "exiting")


ASYNCIO_SCRIPT = """
    import asyncio
    import purezmq, purezmq.asyncio

    async def main():
        ctx = purezmq.asyncio.Context()
        pull = ctx.socket(purezmq.PULL)
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = ctx.socket(purezmq.PUSH)
        push.connect(f"tcp://127.0.0.1:{port}")
        await push.send(b"one")
        assert await pull.recv() == b"one"
        pending = pull.recv()  # a receive still waiting when the loop ends
        lonely = ctx.socket(purezmq.PUSH)
        lonely.connect("tcp://127.0.0.1:1")
        await lonely.send(b"queued")
        print("returning")
        return pending

    asyncio.run(main())
    # A second loop in the same process may use purezmq again.
    async def again():
        ctx = purezmq.asyncio.Context()
        a, b = ctx.socket(purezmq.PAIR), ctx.socket(purezmq.PAIR)
        a.bind("inproc://again"); b.connect("inproc://again")
        await a.send(b"x")
        assert await b.recv() == b"x"
        a.close(); b.close()
        print("again")
    asyncio.run(again())
"""


def test_asyncio_run_ending_with_sockets_open() -> None:
    proc = run_script(ASYNCIO_SCRIPT)
    assert_clean_exit(proc, "returning\nagain")


@pytest.mark.parametrize("call", ["recv", "send"])
def test_ctrl_c_in_a_blocking_tcp_call_leaves_the_socket_usable(call: str) -> None:
    ctx = purezmq.Context()
    try:
        pull = ctx.socket(purezmq.PULL)
        pull.linger = 0
        pull.rcvhwm = 1
        pull.rcvbuf = 4096
        port = pull.bind_to_random_port("tcp://127.0.0.1")
        push = ctx.socket(purezmq.PUSH)
        push.linger = 0
        push.sndhwm = 1
        push.sndbuf = 4096
        push.connect(f"tcp://127.0.0.1:{port}")
        push.send(b"first")
        assert pull.recv() == b"first"
        if call == "send":
            # Fill the path until a send would block (bounded: each poll waits 200 ms).
            while push.poll(200, purezmq.POLLOUT):
                push.send(bytes(65536))
        main = threading.get_ident()
        timer = threading.Timer(0.2, signal.pthread_kill, (main, signal.SIGINT))
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            timer.start()
            with pytest.raises(KeyboardInterrupt):
                if call == "recv":
                    pull.recv()
                else:
                    push.send(b"blocked")
        finally:
            timer.join(5)
            signal.signal(signal.SIGINT, previous)
        pull.rcvtimeo = 5000
        push.sndtimeo = 5000
        if call == "send":
            while pull.poll(200):
                assert pull.recv() == bytes(65536)
        push.send(b"after ctrl-c")
        assert pull.recv() == b"after ctrl-c"
        push.close()
        pull.close()
    finally:
        ctx.destroy(linger=0)
