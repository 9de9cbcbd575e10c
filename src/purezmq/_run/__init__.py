"""The directory ``purezmq run`` puts first on ``PYTHONPATH``: its ``sitecustomize`` installs
purezmq as ``zmq`` in every Python process started under it (see ``purezmq.cli``)."""

from __future__ import annotations

import os

#: This directory: the ``PYTHONPATH`` entry that holds the ``sitecustomize`` module.
SITE_DIR = os.path.dirname(os.path.abspath(__file__))

#: Set in the environment of ``purezmq run``'s command, so its processes know they run under it.
ENV_FLAG = "PUREZMQ_RUN"
