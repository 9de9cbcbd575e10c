"""Run by ``site`` at interpreter start under ``purezmq run``: ``import zmq`` gets purezmq.

Python imports the first ``sitecustomize`` on ``sys.path``, and ``purezmq run`` put this
directory first; so after installing purezmq this module runs the ``sitecustomize`` that would
have run otherwise (a distribution's or a virtualenv's), under the same name.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys


def _install() -> None:
    try:
        import purezmq
    except ImportError as exc:
        # A Python that cannot import purezmq (another virtualenv...): its zmq stays as is.
        print(
            f"purezmq run: {sys.executable} cannot import purezmq ({exc}); "
            "`import zmq` is not redirected in this process",
            file=sys.stderr,
        )
        return
    purezmq.install_as_zmq()


def _chain() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


_install()
_chain()
