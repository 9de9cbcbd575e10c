"""Checks, in every Python process of a program's venv, that ``zmq`` is purezmq.

Loaded from a ``.pth`` file that the suite drops into the venv's site-packages, so it runs at
the start of every interpreter of that venv whatever starts it (a console script, a forked
worker, a kernel). It does nothing unless PUREZMQ_PROGRAMS_LOG names a file. Then:

* an import that would load a module from the real pyzmq is refused (ImportError) and
  written to the log as ``PYZMQ <module> <file>``: the real pyzmq must never win;
* at a normal exit the process writes ``OK <pid> <argv0> <zmq.__file__>`` when it imported
  zmq and that zmq is purezmq, else ``BAD ...``.
"""

from __future__ import annotations

import atexit
import importlib.machinery
import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only what this process imports anyway at start: no startup cost
    from collections.abc import Sequence
    from types import ModuleType

LOG = os.environ.get("PUREZMQ_PROGRAMS_LOG", "")


def _write(line: str) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{line}\n")


def _is_pyzmq_file(path: str | None) -> bool:
    if not path:
        return False
    parts = os.path.normpath(path).split(os.sep)
    # pyzmq lives in <site-packages>/zmq/...; purezmq in <checkout>/src/purezmq/...
    return "zmq" in parts and parts[parts.index("zmq") - 1] in ("site-packages", "dist-packages")


class RefusePyzmq:
    """A meta-path finder (no importlib.abc base: importing it costs every process)."""

    def find_spec(
        self, name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name != "zmq" and not name.startswith("zmq."):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and _is_pyzmq_file(spec.origin):
            _write(f"PYZMQ {os.getpid()} {sys.argv[0] if sys.argv else '?'} {name} {spec.origin}")
            raise ImportError(
                f"purezmq programs suite: {name} would load the real pyzmq "
                f"({spec.origin}); zmq must resolve to purezmq"
            )
        return None


def _report() -> None:
    zmq = sys.modules.get("zmq")
    if zmq is None:
        return
    where = getattr(zmq, "__file__", None) or "?"
    verdict = "OK" if "purezmq" in where and not _is_pyzmq_file(where) else "BAD"
    _write(f"{verdict} {os.getpid()} {sys.argv[0] if sys.argv else '?'} {where}")


if LOG:
    sys.meta_path.insert(0, RefusePyzmq())
    atexit.register(_report)
