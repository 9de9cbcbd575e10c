"""``purezmq.green`` in a program that ran ``gevent.monkey.patch_all()`` (gunicorn's gevent
workers, locust...): threads are greenlets there, the engine's I/O thread included. Each case
runs in a fresh interpreter, since patching cannot be undone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("gevent")

GUARD = 30.0

PRELUDE = """
from gevent import monkey
monkey.patch_all()
import gevent
import purezmq.green as zmq

def finish(*greenlets):
    gevent.joinall(list(greenlets), timeout=10, raise_error=True)
    assert all(g.ready() for g in greenlets), "stuck"
"""


def _run(body: str) -> None:
    code = PRELUDE + textwrap.dedent(body) + "\nprint('ok')\n"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=GUARD
    )
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stdout + out.stderr


@pytest.mark.parametrize("transport", ["tcp", "inproc"])
def test_req_rep_between_greenlets_after_patch_all(transport: str) -> None:
    _run(
        f"""
        ctx = zmq.Context()
        rep = ctx.socket(zmq.REP)
        if {transport!r} == "tcp":
            endpoint = "tcp://127.0.0.1:%d" % rep.bind_to_random_port("tcp://127.0.0.1")
        else:
            endpoint = "inproc://patched"
            rep.bind(endpoint)
        req = ctx.socket(zmq.REQ)
        req.connect(endpoint)

        def serve():
            for _ in range(100):
                rep.send(rep.recv())

        def ask():
            for i in range(100):
                req.send(b"%d" % i)
                assert req.recv() == b"%d" % i

        finish(gevent.spawn(serve), gevent.spawn(ask))
        ctx.destroy(linger=0)
        """
    )


def test_recv_yields_and_term_wakes_it_after_patch_all() -> None:
    _run(
        """
        ctx = zmq.Context()
        pull = ctx.socket(zmq.PULL)
        pull.bind("tcp://127.0.0.1:*")
        turns = [0]

        def count():
            while True:
                turns[0] += 1
                gevent.sleep(0)

        counter = gevent.spawn(count)

        def receive():
            try:
                pull.recv()
            except zmq.ContextTerminated:
                return "ETERM"
            finally:
                pull.close()

        waiter = gevent.spawn(receive)
        while turns[0] < 100:
            gevent.sleep(0)
        assert not waiter.ready()
        finish(gevent.spawn(ctx.term))
        finish(waiter)
        assert waiter.value == "ETERM", waiter.value
        counter.kill()
        """
    )
