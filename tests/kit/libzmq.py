"""purezmq and real libzmq (through pyzmq) side by side: sockets of either library, endpoints,
and their monitor events, for tests that prove purezmq against the reference.

Both libraries share pyzmq's API, so every helper takes a socket or context of either.
"""

from __future__ import annotations

import os
import socket
import struct
import time
from typing import Any

import zmq

import purezmq
from purezmq.constants import Event

#: The two libraries by the short names tests parametrise over.
LIBS: dict[str, Any] = {"pure": purezmq, "lib": zmq}

#: Seconds any one wait may take (also each socket's RCVTIMEO/SNDTIMEO from ``make_socket``).
TIMEOUT = 5.0

#: A monitor event as read from a monitor socket: event, value, endpoint.
MonitorEvent = tuple[Event, int, bytes]


def ctx_of(which: str, pure_ctx: Any, libzmq_ctx: Any) -> Any:
    """The context of library ``which`` ("pure" or "lib")."""
    return pure_ctx if which == "pure" else libzmq_ctx


def bounded(sock: Any, timeout: float = TIMEOUT, **options: Any) -> Any:
    """``sock`` (either library) with LINGER 0, blocking calls bounded by ``timeout`` seconds and
    ``options`` set in order, named as libzmq's constants (``ROUTING_ID=b"me"``)."""
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.RCVTIMEO, int(timeout * 1000))
    sock.setsockopt(zmq.SNDTIMEO, int(timeout * 1000))
    for name, value in options.items():
        sock.setsockopt(getattr(zmq, name.upper()), value)
    return sock


def make_socket(ctx: Any, which: str, kind: str, timeout: float = TIMEOUT) -> Any:
    """A socket of type ``kind`` ("PUSH"...) of library ``which`` made ``bounded``."""
    return bounded(ctx.socket(getattr(LIBS[which], kind)), timeout)


def free_tcp_port() -> int:
    """A port nobody listens on right now (to connect before the bind)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def endpoint_for(transport: str, ipc_dir: str, name: str = "sock") -> str:
    """An endpoint to bind: any free tcp port, or the ipc path ``name`` in ``ipc_dir``."""
    if transport == "tcp":
        return "tcp://127.0.0.1:*"
    return f"ipc://{os.path.join(ipc_dir, name)}"


def free_endpoint(transport: str, ipc_dir: str, name: str = "sock") -> str:
    """A concrete endpoint nobody listens on yet (to connect before the bind)."""
    if transport == "tcp":
        return f"tcp://127.0.0.1:{free_tcp_port()}"
    return endpoint_for(transport, ipc_dir, name)


def last_endpoint(sock: Any) -> str:
    """The endpoint ``sock`` last bound, as text (a tcp ``*`` port resolved)."""
    address = sock.getsockopt(zmq.LAST_ENDPOINT)
    return address.decode() if isinstance(address, bytes) else str(address)


def bind_fixed(sock: Any, transport: str, ipc_dir: str) -> str:
    """Bind ``sock`` and return the concrete endpoint, for a socket that binds it again later
    (a tcp port chosen now is reused)."""
    sock.bind(endpoint_for(transport, ipc_dir))
    return last_endpoint(sock)


def close_bound(sock: Any) -> None:
    """Close a bound socket and wait until its listener is gone (CLOSED, then MONITOR_STOPPED).

    libzmq unlinks an ipc socket file from its I/O thread after zmq_close returns: rebinding the
    path before that would see the new file unlinked by the old listener.
    """
    mon = sock.get_monitor_socket(zmq.EVENT_CLOSED | zmq.EVENT_MONITOR_STOPPED)
    sock.close()
    events = events_until(mon, Event.MONITOR_STOPPED)
    assert event_names(events) == ["CLOSED", "MONITOR_STOPPED"], events
    mon.close()


def next_event(mon: Any, deadline: float) -> MonitorEvent:
    """The next event of monitor socket ``mon``; fails when ``deadline`` (monotonic) passes."""
    left = deadline - time.monotonic()
    if left <= 0 or not mon.poll(int(left * 1000) + 1):
        raise AssertionError("timed out waiting for a monitor event")
    frames = mon.recv_multipart()
    event, value = struct.unpack("=hi", frames[0])
    return Event(event), value, bytes(frames[1])


def events_until(mon: Any, last: Event, count: int = 1) -> list[MonitorEvent]:
    """Monitor events up to and including the ``count``-th ``last`` (bounded by TIMEOUT)."""
    deadline = time.monotonic() + TIMEOUT
    out: list[MonitorEvent] = []
    while count:
        out.append(next_event(mon, deadline))
        if out[-1][0] == last:
            count -= 1
    return out


def event_names(events: list[MonitorEvent]) -> list[str]:
    """The names of ``events``, to compare sequences in assertions."""
    return [str(e.name) for e, _, _ in events]


def close_monitored(sock: Any, mon: Any) -> None:
    """Stop the monitor, then close both. libzmq sends monitor events with a blocking send from
    its I/O thread: closing the monitor PAIR before the monitored socket can leave that thread
    stuck on the next event (and the whole libzmq context with it)."""
    sock.disable_monitor()
    mon.close()
    sock.close()
