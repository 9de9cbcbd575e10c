"""``install_as_zmq()``: let ``import zmq`` load purezmq (PyMySQL's ``install_as_MySQLdb``).

Existing pyzmq programs then run unchanged::

    import purezmq
    purezmq.install_as_zmq()
    import zmq            # purezmq
    import zmq.asyncio    # purezmq.asyncio

It works by entering purezmq's modules into ``sys.modules`` under pyzmq's names, so it must run
before anything imports ``zmq``: modules that already hold pyzmq objects keep them (mixing the
two in one program does not work: their Contexts and sockets are unrelated). If pyzmq was
already imported, its ``zmq*`` entries are replaced for later imports only.
"""

from __future__ import annotations

import importlib
import sys

#: pyzmq module name -> purezmq module it resolves to. Parents come before children, so
#: ``import zmq.utils.monitor`` finds ``zmq`` and ``zmq.utils`` already there.
ALIASES: dict[str, str] = {
    "zmq": "purezmq",
    "zmq.constants": "purezmq.constants",
    "zmq.error": "purezmq.error",
    "zmq.sugar": "purezmq.sync",
    "zmq.asyncio": "purezmq.asyncio",
    "zmq.auth": "purezmq.auth",
    "zmq.auth.base": "purezmq.auth.base",
    "zmq.auth.certs": "purezmq.auth.certs",
    "zmq.auth.thread": "purezmq.auth.thread",
    "zmq.auth.asyncio": "purezmq.auth.asyncio",
    "zmq.utils": "purezmq.utils",
    "zmq.utils.monitor": "purezmq.utils.monitor",
    "zmq.utils.z85": "purezmq.utils.z85",
    # Only with tornado installed (the ``tornado`` extra); skipped otherwise.
    "zmq.eventloop": "purezmq.eventloop",
    "zmq.eventloop.zmqstream": "purezmq.eventloop.zmqstream",
    "zmq.eventloop.future": "purezmq.eventloop.future",
}


def install_as_zmq() -> None:
    """Make ``import zmq`` (and ``zmq.asyncio``, ``zmq.auth``, ``zmq.utils.monitor``,
    ``zmq.error``, ``zmq.constants``) resolve to purezmq's modules. Idempotent."""
    for name, target in ALIASES.items():
        try:
            module = importlib.import_module(target)
        except ImportError:
            # An optional part missing from this install: leave that name alone.
            continue
        sys.modules[name] = module
        # ``import zmq.auth`` binds the package's attribute from sys.modules["zmq"]; make
        # ``zmq.auth`` reachable as an attribute too, as after importing the real pyzmq.
        parent, _, child = name.rpartition(".")
        if parent and parent in sys.modules and not hasattr(sys.modules[parent], child):
            setattr(sys.modules[parent], child, module)


__all__ = ["ALIASES", "install_as_zmq"]
