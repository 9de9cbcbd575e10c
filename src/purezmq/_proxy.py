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
* ``proxy_steerable`` also reads ``control``: ``PAUSE`` stops forwarding (messages wait in the
  sockets' queues, as in libzmq), ``RESUME`` restarts it, ``TERMINATE`` makes the call return,
  ``STATISTICS`` replies with eight frames of native-endian uint64 (libzmq's layout): frontend
  messages in, bytes in, messages out, bytes out, then the same four for the backend. Unknown
  commands are ignored (libzmq prints "E: invalid command sent to proxy").

A message is moved with ``recv_multipart``/``send_multipart``; a full destination blocks the
forwarding loop until it drains (libzmq 4.3 does the same for sockets that block at HWM;
sockets that drop at HWM, PUB/XPUB/ROUTER, never block).
"""

from __future__ import annotations

import struct
from typing import Any

from .constants import PollEvent

_POLLIN = int(PollEvent.POLLIN)

#: STATISTICS reply layout (libzmq ``zmq_proxy_stats_t`` sent frame by frame, host order).
_U64 = struct.Struct("=Q")


class _Stats:
    """libzmq's per-socket counters (``zmq_socket_stats_t``)."""

    __slots__ = ("bytes_in", "bytes_out", "msg_in", "msg_out")

    def __init__(self) -> None:
        self.msg_in = 0
        self.bytes_in = 0
        self.msg_out = 0
        self.bytes_out = 0

    def frames(self) -> list[bytes]:
        return [_U64.pack(v) for v in (self.msg_in, self.bytes_in, self.msg_out, self.bytes_out)]


def _forward(src: Any, dst: Any, capture: Any, src_stats: _Stats, dst_stats: _Stats) -> None:
    """Move one whole message from ``src`` to ``dst`` (and a copy to ``capture``)."""
    msg = src.recv_multipart()
    size = sum(len(f) for f in msg)
    src_stats.msg_in += 1
    src_stats.bytes_in += size
    if capture is not None:
        capture.send_multipart(msg)
    dst.send_multipart(msg)
    dst_stats.msg_out += 1
    dst_stats.bytes_out += size


def _run(frontend: Any, backend: Any, capture: Any, control: Any) -> None:
    # Wait the way the given sockets wait: a green socket names the gevent Poller
    # (``_poller_class``, as in pyzmq), so that a green proxy blocks only its greenlet.
    from .sync import Poller as BlockingPoller

    Poller: Any = getattr(frontend, "_poller_class", None) or BlockingPoller
    # Two watch lists: everything while forwarding, the control socket alone while paused
    # (libzmq polls only ``control`` in its paused state, so queues fill up behind).
    active = Poller()
    active.register(frontend, _POLLIN)
    if backend is not frontend:
        active.register(backend, _POLLIN)
    idle = Poller()
    if control is not None:
        active.register(control, _POLLIN)
        idle.register(control, _POLLIN)
    f_stats, b_stats = _Stats(), _Stats()
    paused = False
    while True:
        ready = dict((idle if paused else active).poll())
        if control is not None and ready.get(control, 0) & _POLLIN:
            command = control.recv_multipart()
            word = command[0] if len(command) == 1 else b""
            if word == b"PAUSE":
                paused = True
            elif word == b"RESUME":
                paused = False
            elif word == b"TERMINATE":
                return
            elif word == b"STATISTICS":
                control.send_multipart(f_stats.frames() + b_stats.frames())
            # Commands first: a PAUSE read together with traffic takes effect before it.
            continue
        if ready.get(frontend, 0) & _POLLIN:
            _forward(frontend, backend, capture, f_stats, b_stats)
        if backend is not frontend and ready.get(backend, 0) & _POLLIN:
            _forward(backend, frontend, capture, b_stats, f_stats)


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
