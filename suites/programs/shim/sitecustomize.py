"""Make ``import zmq`` load purezmq in every Python process started with this directory on
PYTHONPATH: the process itself and, since PYTHONPATH is inherited, its children (workers,
kernels, daemons). Stands in for ``purezmq run -- COMMAND`` where that is not installed."""

from __future__ import annotations

import purezmq

purezmq.install_as_zmq()
