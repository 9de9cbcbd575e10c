"""``monitored_queue``: pyzmq's older relative of ``zmq.proxy``.

Differences from ``proxy`` (as in pyzmq): every message copied to the monitor socket is
prefixed with a frame saying which side it came from (``in_prefix`` for the in-socket,
``out_prefix`` for the out-socket), and two ROUTER sockets may face each other: the first two
frames (the two routing ids) are swapped on the way through, so a reply finds its way back.
"""

from __future__ import annotations

from typing import Any

from ..constants import POLLIN, ROUTER


def _relay(src: Any, dst: Any, mon: Any, prefix: bytes, swap_ids: bool) -> None:
    msg = src.recv_multipart()
    if swap_ids and len(msg) >= 2:
        msg[0], msg[1] = msg[1], msg[0]
    dst.send_multipart(msg)
    mon.send_multipart([prefix, *msg])


def monitored_queue(
    in_socket: Any,
    out_socket: Any,
    mon_socket: Any,
    in_prefix: bytes = b"in",
    out_prefix: bytes = b"out",
) -> None:
    """Forward between ``in_socket`` and ``out_socket``, copying each message, prefixed, to
    ``mon_socket``. Runs until the Context ends (raises ``ContextTerminated`` then)."""
    from ..sync import Poller

    swap_ids = in_socket.type == ROUTER and out_socket.type == ROUTER
    poller = Poller()
    poller.register(in_socket, POLLIN)
    if out_socket is not in_socket:
        poller.register(out_socket, POLLIN)
    while True:
        ready = dict(poller.poll())
        if ready.get(in_socket, 0) & POLLIN:
            _relay(in_socket, out_socket, mon_socket, in_prefix, swap_ids)
        if out_socket is not in_socket and ready.get(out_socket, 0) & POLLIN:
            _relay(out_socket, in_socket, mon_socket, out_prefix, swap_ids)


__all__ = ["monitored_queue"]
