"""``proxy`` and ``proxy_steerable``: libzmq's built-in devices, on the sync API.

The module is ``_proxy``, not ``proxy``: ``purezmq.proxy`` must be the function (pyzmq's
``zmq.proxy``), and importing a submodule of that name would rebind the package attribute to
the module. Use ``purezmq.proxy`` / ``purezmq.proxy_steerable``.

Semantics follow libzmq 4.3 (``zmq_proxy``, ``zmq_proxy_steerable``) as pyzmq exposes them:

* Every message read from ``frontend`` is sent whole to ``backend`` and vice versa; when both
  are the same socket (a ROUTER "reflector") it is read once and sent back to itself.
* ``capture``, when given, receives a copy of every forwarded message (libzmq sends it before
  the message goes on; multipart messages stay multipart).
* ``proxy`` runs until the Context ends and then raises ``ContextTerminated`` (pyzmq raises
  ``ZMQError(ETERM)`` too: the devices exist to run forever).
* ``proxy_steerable`` also reads ``control``: PAUSE, RESUME, TERMINATE and STATISTICS, with
  libzmq 4.3.5's replies and counters (``_proxy_steering.py``).

A message is moved with ``recv_multipart``/``send_multipart``; a full destination blocks the
forwarding loop until it drains (libzmq 4.3 does the same for sockets that block at HWM;
sockets that drop at HWM, PUB/XPUB/ROUTER, never block).
"""

from __future__ import annotations

from typing import Any

from ._proxy_steering import Counters, Steering, watch_lists
from .constants import PollEvent

_POLLIN = int(PollEvent.POLLIN)


def _forward(
    src: Any, dst: Any, capture: Any, steering: Steering, counts: tuple[Counters, Counters]
) -> None:
    """Move one whole message from ``src`` to ``dst`` (and a copy to ``capture``)."""
    msg = src.recv_multipart()
    if capture is not None:
        capture.send_multipart(msg)
    dst.send_multipart(msg)
    steering.forwarded(msg, *counts)


def _run(frontend: Any, backend: Any, capture: Any, control: Any) -> None:
    # Wait the way the given sockets wait: a green socket names the gevent Poller
    # (``_poller_class``, as in pyzmq), so that a green proxy blocks only its greenlet.
    from .sync import Poller as BlockingPoller

    poller: Any = getattr(frontend, "_poller_class", None) or BlockingPoller
    active, idle = watch_lists(poller, frontend, backend, control)
    steering = Steering()
    front_to_back = (steering.frontend, steering.backend)
    back_to_front = (steering.backend, steering.frontend)
    while True:
        ready = dict((idle if steering.paused else active).poll())
        if control is not None and ready.get(control, 0) & _POLLIN:
            reply = steering.command(control.recv_multipart(), control.type)
            if reply is not None:
                control.send_multipart(reply)
            if steering.terminated:
                return
            # Commands first: a PAUSE read together with traffic takes effect before it.
            continue
        if ready.get(frontend, 0) & _POLLIN:
            _forward(frontend, backend, capture, steering, front_to_back)
        if backend is not frontend and ready.get(backend, 0) & _POLLIN:
            _forward(backend, frontend, capture, steering, back_to_front)


def proxy(frontend: Any, backend: Any, capture: Any = None) -> None:
    """Forward messages between ``frontend`` and ``backend`` until the Context ends.

    Raises ``ContextTerminated`` then (as pyzmq's ``zmq.proxy``).
    """
    _run(frontend, backend, capture, None)


def proxy_steerable(frontend: Any, backend: Any, capture: Any = None, control: Any = None) -> None:
    """``proxy`` steered by commands on ``control``: PAUSE, RESUME, TERMINATE, STATISTICS.

    Returns after TERMINATE; raises ``ContextTerminated`` if the Context ends first.
    """
    _run(frontend, backend, capture, control)


def device(device_type: int, frontend: Any, backend: Any) -> None:
    """libzmq's deprecated ``zmq_device``: ``proxy(frontend, backend)`` whatever the type.

    libzmq ignores QUEUE/FORWARDER/STREAMER since 3.x; pyzmq keeps the name, and so do we.
    """
    del device_type
    _run(frontend, backend, None, None)


__all__ = ["device", "proxy", "proxy_steerable"]
