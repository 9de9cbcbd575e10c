"""``purezmq run [--] COMMAND ARGS``: a pyzmq program, unchanged, on purezmq.

``run`` replaces itself (``execvpe``) with COMMAND, whose environment has purezmq's
``sitecustomize`` directory first on ``PYTHONPATH``: every Python process of the command's
process tree then starts with ``purezmq.install_as_zmq()`` done (docs/dropin.md).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

RUN_USAGE = """usage: purezmq run [--] COMMAND [ARGS...]

Run COMMAND with `import zmq` resolved to purezmq in every Python process it starts
(children included): purezmq's sitecustomize directory goes first on PYTHONPATH.
Python started with -I, -E or -S skips it.

examples:
  purezmq run -- python my_pyzmq_program.py
  purezmq run -- jupyter console
  purezmq run -- pytest tests/

exit status: COMMAND's own, 127 when COMMAND is not found, 126 when it cannot be run."""


def run_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """``environ`` (default: this process's) with purezmq's sitecustomize first on
    ``PYTHONPATH`` and ``PUREZMQ_RUN=1``."""
    from .._run import ENV_FLAG, SITE_DIR

    env = dict(os.environ if environ is None else environ)
    entries = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != SITE_DIR]
    env["PYTHONPATH"] = os.pathsep.join([SITE_DIR, *entries])
    env[ENV_FLAG] = "1"
    return env


def run(argv: Sequence[str]) -> int:
    """``purezmq run [--] COMMAND ARGS``: exec COMMAND; returns only when that fails."""
    command = list(argv)
    if command and command[0] in ("-h", "--help"):
        print(RUN_USAGE)
        return 0
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        print(RUN_USAGE, file=sys.stderr)
        return 2
    # Whatever this process buffered must not be lost when exec replaces it.
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execvpe(command[0], command, run_environment())
    except FileNotFoundError:
        print(f"purezmq run: command not found: {command[0]}", file=sys.stderr)
        return 127
    except PermissionError:
        print(f"purezmq run: permission denied: {command[0]}", file=sys.stderr)
        return 126


main = run

__all__ = ["main", "run", "run_environment"]
