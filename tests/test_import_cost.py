"""What ``import purezmq`` and a first NULL connection load (docs/architecture.md, "Import cost").

``import purezmq`` must stay as light as ``import zmq``: the engine (asyncio, the transports,
the patterns) loads with the first ``Context``, and PyNaCl only when CURVE is used. A first
NULL connection over tcp, ipc or inproc loads only what it uses: no other mechanism, transport
or socket type, and none of the standard modules that only a rarely used feature needs. Each
check runs a fresh interpreter, since this test process has long imported everything. The
checks are on ``sys.modules``, never on time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _modules_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    # The list is taken before ``json`` (which prints it) is imported.
    report = "\nimport sys; _seen = sorted(sys.modules); import json; print(json.dumps(_seen))"
    out = subprocess.run(
        [sys.executable, "-c", code + report],
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


#: Loaded by a feature, never by a first NULL REQ/REP round trip. (asyncio itself imports
#: ssl, logging, concurrent.futures, inspect and typing, and uvloop a thread pool, so those
#: cannot be listed.)
NOT_FOR_A_FIRST_CONNECTION = (
    # Standard modules: send_json/send_pyobj, TCP_ACCEPT_FILTER and IPv6 literals, ipc://*.
    "json",
    "pickle",
    "ipaddress",
    "tempfile",
    "shutil",
    # Other mechanisms, CURVE keys, transports.
    "purezmq.zmtp.mechanisms._crypto",
    "purezmq.zmtp.mechanisms.curve",
    "purezmq.zmtp.mechanisms.plain",
    "purezmq.z85",
    "purezmq.transports.socks",
    "purezmq.transports.ws",
    "purezmq.transports.udp",
    "purezmq.transports.pgm",
    "purezmq.zmtp.zws",
    # Socket types other than REQ/REP (the draft ones that socket_core imports for its type
    # checks aside).
    "purezmq.patterns.pair",
    "purezmq.patterns.pubsub",
    "purezmq.patterns.trie",
    "purezmq.patterns.stream",
)

_ROUND_TRIP = (
    "import purezmq as z\n"
    "c = z.Context(); rep = c.socket(z.REP); rep.bind({endpoint!r})\n"
    "req = c.socket(z.REQ); req.connect(rep.last_endpoint.decode())\n"
    "req.send(b'x'); rep.send(rep.recv()); assert req.recv() == b'x'\n"
    "req.close(0); rep.close(0); c.term()"
)


@pytest.mark.parametrize("transport", ["tcp", "ipc", "inproc"])
def test_a_first_null_round_trip_loads_only_what_it_uses(
    transport: str, tmp_path: Path
) -> None:
    endpoint = {
        "tcp": "tcp://127.0.0.1:*",
        "ipc": f"ipc://{tmp_path}/first.sock",
        "inproc": "inproc://first",
    }[transport]
    loaded = _modules_after(_ROUND_TRIP.format(endpoint=endpoint))
    assert "purezmq.patterns.reqrep" in loaded  # the round trip ran
    assert sorted(loaded.intersection(NOT_FOR_A_FIRST_CONNECTION)) == []


def test_an_inproc_round_trip_loads_no_wire_protocol_or_transport() -> None:
    loaded = _modules_after(_ROUND_TRIP.format(endpoint="inproc://first"))
    assert "purezmq.patterns.reqrep" in loaded
    wire = {
        "purezmq.zmtp.codec",
        "purezmq.zmtp.connection",
        "purezmq.zmtp.greeting",
        "purezmq.zmtp.mechanisms",
        "purezmq.transports",
        "purezmq._engine.listener",
        "purezmq._engine.connecter",
        "purezmq._engine.peer",
    }
    assert sorted(loaded & wire) == []


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
