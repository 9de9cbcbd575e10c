"""Run a publisher and a subscriber peer (``epgm_peer.py``) in the current (private) network
namespace: the subscriber first, the publisher once it is ready (or, with ``--late``, the
subscriber once the publisher is a quarter through). Prints the subscriber's JSON line, with
the publisher's under ``pub``.

Usage: netns_run.py SUB_PYTHON SUB_ARGS_JSON PUB_PYTHON PUB_ARGS_JSON [--late]
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PEER = str(Path(__file__).with_name("epgm_peer.py"))


def _start(python: str, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [python, PEER, *args],
        stdin=subprocess.PIPE,  # "go" for a late joiner's source; closed when its peer is done
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_line(proc: subprocess.Popen[str], want: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if line != want:
        _, err = proc.communicate(timeout=30)
        raise SystemExit(f"peer said {line!r}, not {want!r} (exit {proc.returncode}): {err}")


def main() -> None:
    sub_py, sub_args, pub_py, pub_args = sys.argv[1:5]
    late = "--late" in sys.argv[5:]
    if late:
        pub = _start(pub_py, json.loads(pub_args))
        _wait_line(pub, "started")
        sub = _start(sub_py, json.loads(sub_args))
        _wait_line(sub, "ready")
        assert pub.stdin is not None
        pub.stdin.write("go\n")
        pub.stdin.flush()
    else:
        sub = _start(sub_py, json.loads(sub_args))
        _wait_line(sub, "ready")
        pub = _start(pub_py, json.loads(pub_args))
    sub_out, sub_err = sub.communicate(timeout=300)
    pub_out, pub_err = pub.communicate(timeout=300)
    if sub.returncode or pub.returncode:
        raise SystemExit(f"peer failed: sub {sub_err[-2000:]} pub {pub_err[-2000:]}")
    result = json.loads([line for line in sub_out.splitlines() if line.startswith("{")][-1])
    result["pub"] = json.loads([line for line in pub_out.splitlines() if line.startswith("{")][-1])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
