"""SSH tunnels for ØMQ connections (pyzmq's ``zmq.ssh``): see ``purezmq.ssh.tunnel``."""

from __future__ import annotations

from . import tunnel as tunnel
from .tunnel import *  # noqa: F403
from .tunnel import __all__ as __all__
