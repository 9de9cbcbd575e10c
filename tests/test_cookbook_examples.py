"""The cookbook's examples (``examples/``, shown in the documentation) run and print what the
documentation says they print."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: example -> lines its output must contain (threads may interleave the order).
EXPECTED: dict[str, list[str]] = {
    "req_rep.py": ["Hello, Ada", "Hello, Grace", "Hello, Linus"],
    "dealer_rep.py": [f"request {n} handled by server-" for n in range(4)],
    "req_router.py": ["alice got: HELLO FROM ALICE", "bob got: HELLO FROM BOB"],
    "dealer_router.py": ["job 2 done\njob 1 done\njob 0 done"],
    "dealer_dealer.py": ["right got [b'ping', b'1']", "left got [b'ping', b'2']"],
    "router_router.py": [
        "hub got b'hello hub' from b'node-1'",
        "node got [b'hub', b'hello node-1']",
        "sending to an unknown peer:",
    ],
    "pipeline.py": ["sum of squares below 20: 2470"],
    "pubsub_envelope.py": [
        "publisher saw subscription: b'\\x01weather'",
        "[weather] sunny, 21 C\n[weather.alerts] storm at 18:00",
    ],
    "broker.py": [f"request {n} -> answered by worker-" for n in range(4)],
    "pubsub_proxy.py": [
        "[b'news', b'purezmq speaks ZMTP 3.1']\n[b'news', b'and it forwards through proxies']"
    ],
    "curve_certificates.py": [
        "server got: b'hello, encrypted'\nclient got: b'welcome'",
        "stranger: no answer (refused by the authenticator)",
    ],
    "draft_sockets.py": [
        "ada got: HELLO FROM ADA / BYE FROM ADA",
        "grace got: HELLO FROM GRACE / BYE FROM GRACE",
        "[weather] sunny, 21 C",
    ],
    "asyncio_req_rep.py": [
        "{'answer': 10}\n{'answer': 11}\n{'answer': 12}",
        "nothing yet\nb'late but not lost'",
    ],
    "actor_ticker.py": [
        "tick 1\ntick 2\ntick 3\nticker stopped: True",
        "async tick 1\nasync tick 2\nasync tick 3\nasync ticker stopped: True",
    ],
    "actor_workers.py": [
        "\n".join(f"{n}^2 = {n * n} by worker-{i % 3}" for i, n in enumerate(range(3, 9))),
        "worker failed: worker-0 cannot square a negative job: -1\npool closed: True",
    ],
}


def test_every_example_is_checked() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_and_prints_what_the_docs_say(name: str) -> None:
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / name)],
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    for expected in EXPECTED[name]:
        assert expected in done.stdout, f"{expected!r} not in:\n{done.stdout}"
