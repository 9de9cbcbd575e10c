"""zmq.js's own tests under Node (``browser/unit.test.mjs``, ``node --test``): the bytes of
the NULL, ZWS2.0 and PLAIN handshakes, libzmq's mangled PLAIN ERROR, each socket type's
rules (REQ turns and ECONNRESET, REP envelopes, SUB subscriptions and resubscription, PUB
filtering, CLIENT single frames), timeouts, close() and the async iterator — against a
scripted WebSocket, no server."""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from purezmq.browser import module_path

from ..kit.browser import HERE, NODE, NODE_MISSING


@pytest.mark.skipif(bool(NODE_MISSING), reason=str(NODE_MISSING))
def test_zmqjs_unit_tests_pass_under_node():
    done = subprocess.run(
        [str(NODE), "--test", str(HERE / "unit.test.mjs")],
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "ZMQ_JS": module_path().as_uri()},
    )
    report = done.stdout
    failed = [line for line in report.splitlines() if line.startswith("not ok")]
    assert done.returncode == 0 and not failed, report + done.stderr
    passed = re.search(r"^# pass (\d+)", report, re.MULTILINE)
    assert passed is not None and int(passed.group(1)) >= 12, report
