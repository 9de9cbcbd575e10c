"""Python imports this at start-up in every process of a pyzmq-suite run (run.py puts this
folder first on PYTHONPATH), so the processes pyzmq's tests start themselves
(``python -m zmq.curve_keygen``, multiprocessing children) get purezmq as ``zmq`` too.
In reference mode it does nothing."""

from __future__ import annotations

import os

if os.environ.get("PYZMQ_SUITE_TARGET") == "purezmq":
    import purezmq

    purezmq.install_as_zmq()
