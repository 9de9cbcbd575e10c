"""Run a script in a fresh interpreter: install_as_zmq changes sys.modules for good, and the
test process itself imports the real pyzmq as ``zmq`` for the interop tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap


def run_python(
    script: str, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """``python -c script args...``; fails the test on a non-zero exit, showing stderr."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done
