"""What ``import purezmq`` and a first NULL connection load (docs/architecture.md, "Import cost").

``import purezmq`` must stay as light as ``import zmq``: the engine (asyncio, the transports,
the patterns) loads with the first ``Context``, and PyNaCl only when CURVE is used. Each check
runs a fresh interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport json, sys; print(json.dumps(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_import_purezmq_leaves_the_engine_for_later() -> None:
    loaded = _modules_after("import purezmq; purezmq.zmq_version(); purezmq.Again")
    assert "purezmq._engine" not in loaded
    assert "asyncio" not in loaded
    assert not any(m == "nacl" or m.startswith("nacl.") for m in loaded)


def test_a_null_round_trip_does_not_load_pynacl() -> None:
    loaded = _modules_after(
        "import purezmq as z\n"
        "c = z.Context(); rep = c.socket(z.REP); rep.bind('tcp://127.0.0.1:*')\n"
        "req = c.socket(z.REQ); req.connect(rep.last_endpoint.decode())\n"
        "req.send(b'x'); rep.send(rep.recv()); assert req.recv() == b'x'\n"
        "req.close(0); rep.close(0); c.term()"
    )
    assert "purezmq._engine" in loaded
    assert "nacl" not in loaded
