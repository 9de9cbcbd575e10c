"""purezmq.install_as_zmq(): ``import zmq`` resolves to purezmq (checked in a fresh interpreter,
so that the pyzmq the test suite imports is not there already)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent(
    """
    import purezmq
    purezmq.install_as_zmq()

    # ---- a small program written for pyzmq, unchanged ----
    import threading

    import zmq
    import zmq.asyncio
    import zmq.auth
    import zmq.constants
    import zmq.error
    from zmq.utils.monitor import recv_monitor_message

    assert zmq.Context is purezmq.Context, zmq.Context
    assert zmq.asyncio is purezmq.asyncio and zmq.asyncio.Context is purezmq.asyncio.Context
    assert zmq.auth is purezmq.auth and zmq.error is purezmq.error
    assert zmq.constants is purezmq.constants
    assert recv_monitor_message is purezmq.utils.monitor.recv_monitor_message
    assert zmq.proxy is purezmq.proxy
    assert zmq.ZMQError is purezmq.ZMQError and zmq.REQ == 3

    ctx = zmq.Context.instance()
    rep = ctx.socket(zmq.REP)
    port = rep.bind_to_random_port("tcp://127.0.0.1")
    rep.setsockopt(zmq.RCVTIMEO, 5000)

    def serve():
        for _ in range(3):
            rep.send_string(rep.recv_string().upper())

    t = threading.Thread(target=serve)
    t.start()
    req = ctx.socket(zmq.REQ)
    req.connect(f"tcp://127.0.0.1:{port}")
    req.setsockopt(zmq.RCVTIMEO, 5000)
    for word in ("a", "bc", "def"):
        req.send_string(word)
        assert req.recv_string() == word.upper()
    t.join()
    try:
        rep.recv(zmq.NOBLOCK)
    except zmq.Again:
        pass
    req.close()
    rep.close()
    ctx.term()

    import sys
    assert "zmq.backend" not in sys.modules  # pyzmq itself was never loaded
    print("ok")
    """
)


def test_install_as_zmq_runs_a_pyzmq_program() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_install_as_zmq_is_idempotent_and_exported() -> None:
    out = subprocess.run(
        [sys.executable, "-c",
         "import purezmq, sys; purezmq.install_as_zmq(); purezmq.install_as_zmq(); "
         "import zmq.utils.monitor; assert sys.modules['zmq'] is purezmq; print('ok')"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
