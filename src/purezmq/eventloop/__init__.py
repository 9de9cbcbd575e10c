"""tornado integration (pyzmq's ``zmq.eventloop``): ``IOLoop``, ``zmqstream``, ``future``.

Needs tornado ≥ 6 (``pip install 'purezmq[tornado]'``). tornado's ``IOLoop`` runs on asyncio,
so no special loop is needed: ``IOLoop`` is tornado's own, as in pyzmq ≥ 17.

* ``purezmq.eventloop.zmqstream.ZMQStream``: callbacks on a socket's messages (Jupyter's way);
* ``purezmq.eventloop.future``: Context/Socket/Poller whose calls return Futures that tornado
  coroutines await;
* ``purezmq.eventloop.ioloop``: deprecated names (``ZMQIOLoop``, ``install()``).
"""

from __future__ import annotations

from ._tornado import require_tornado

require_tornado()

from tornado.ioloop import IOLoop  # noqa: E402

__all__ = ["IOLoop"]
