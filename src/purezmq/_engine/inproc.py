"""inproc:// — sockets of one Context joined by a pipe pair, with no bytes and no I/O thread.

Owns the per-``ContextCore`` registry of bound names, the connects waiting for a bind (modern
libzmq completes a connect made before the bind, ``ctx_t::pend_connection``), and the pipe
parameters libzmq gives inproc pipes:

* HWM per direction = sender's SNDHWM + receiver's RCVHWM, 0 (unlimited) if either is 0
  (docs/protocol/patterns.md §1.1, libzmq ``socket_base_t::connect_internal``).
* Peer metadata instead of ZMTP properties: ``Socket-Type`` and, when the peer's ROUTING_ID is
  set, ``Identity`` (libzmq sends the routing id as the first inproc message; here the receiving
  ROUTER finds it in ``pipe.metadata`` as for a tcp peer). The connecting socket's
  CONNECT_ROUTING_ID names the bound peer in the connector's ROUTER (``pipe.routing_id``).

Thread affinity: every function is called on the thread that owns the *calling* socket; the
registry is shared by all sockets of the Context, so it is guarded by one ``threading.Lock``
(control plane only: bind/connect/close, never per message). The other socket's pattern is
reached only through its mailbox (``SocketCore._post``), never touched directly.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..constants import Errno, SocketType
from ..error import ZMQError
from ..patterns.pipe import Pipe, pipe_pair
from . import notices

if TYPE_CHECKING:
    from .socket_core import SocketCore

# Types for which libzmq's CONFLATE applies (``get_effective_conflate_option``).
_CONFLATE_TYPES = frozenset(
    {SocketType.DEALER, SocketType.PULL, SocketType.PUSH, SocketType.PUB, SocketType.SUB}
)


def _sum_hwm(snd: int, rcv: int) -> int:
    """libzmq: the inproc limit is the sum of both sides' limits; 0 on either side = none."""
    if snd <= 0 or rcv <= 0:
        return 0
    return snd + rcv


def _conflate(core: SocketCore) -> bool:
    return bool(core.options.conflate) and core.socket_type in _CONFLATE_TYPES


def _metadata(core: SocketCore) -> dict[str, bytes]:
    meta = {"Socket-Type": core.socket_type.name.encode()}
    rid = core.options.routing_id
    if rid:
        meta["Identity"] = bytes(rid)
    return meta


class InprocBinding:
    """What ``bind("inproc://name")`` returns: ``endpoint`` and ``close(linger)``."""

    __slots__ = ("core", "endpoint", "name", "registry")

    def __init__(self, registry: InprocRegistry, core: SocketCore, name: str) -> None:
        self.registry = registry
        self.core = core
        self.name = name
        self.endpoint = f"inproc://{name}"

    def close(self, linger: int | None = None) -> None:
        """Unregister the name. As in libzmq (``term_endpoint``), existing pipes stay up."""
        self.registry.unregister(self)


class InprocConnection:
    """What ``connect("inproc://name")`` returns: one pipe, pending until the name is bound."""

    __slots__ = ("binder", "core", "early", "end", "endpoint", "name", "registry")

    def __init__(self, registry: InprocRegistry, core: SocketCore, name: str, end: Pipe) -> None:
        self.registry = registry
        self.core = core
        self.name = name
        self.endpoint = f"inproc://{name}"
        #: The connecting socket's end of the pipe.
        self.end = end
        #: The bound socket, once joined.
        self.binder: SocketCore | None = None
        #: The connector attached its end at connect() (not deferred to the bind).
        self.early = True

    def close(self, linger: int | None = None) -> None:
        """Disconnect: drop the pending entry, if any, and terminate the pipe on both sides."""
        self.registry.forget_pending(self)
        self.core.close_pipe(self.end)
        binder = self.binder
        if binder is not None:
            # The connector may not have learnt its peer yet (the _PEER command is still in its
            # mailbox): tell the binder directly. A second TERM for the same end is harmless.
            binder.post_term(self.end.peer)


class InprocRegistry:
    """Names bound in one Context, and connects waiting for them."""

    __slots__ = ("_bound", "_lock", "_pending")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bound: dict[str, InprocBinding] = {}
        self._pending: dict[str, list[InprocConnection]] = {}

    def reset_after_fork(self) -> None:
        """The child must not wait on a lock a parent thread held at fork time."""
        self._lock = threading.Lock()

    def bind(self, core: SocketCore, name: str) -> InprocBinding:
        """Register ``name`` for ``core`` (owner thread) and complete waiting connects."""
        if not name:
            raise ZMQError(Errno.EINVAL, "inproc endpoint needs a name: inproc://name")
        binding = InprocBinding(self, core, name)
        with self._lock:
            if name in self._bound:
                raise ZMQError(
                    Errno.EADDRINUSE, f"inproc://{name} is already bound in this Context"
                )
            self._bound[name] = binding
            waiting = self._pending.pop(name, [])
        for conn in waiting:
            self._join(conn, core)
        return binding

    def lookup(self, name: str) -> SocketCore | None:
        """The socket bound at ``inproc://name``, or None (any thread; the ZAP client uses it
        to find the handler at ``inproc://zeromq.zap.01``)."""
        with self._lock:
            binding = self._bound.get(name)
        return None if binding is None else binding.core

    def unregister(self, binding: InprocBinding) -> None:
        with self._lock:
            if self._bound.get(binding.name) is binding:
                del self._bound[binding.name]

    def connect(self, core: SocketCore, name: str) -> InprocConnection:
        """Create the pipe for a connect (owner thread); join it now or when ``name`` is bound."""
        if not name:
            raise ZMQError(Errno.EINVAL, "inproc endpoint needs a name: inproc://name")
        opts = core.options
        conflate = _conflate(core)
        # Until the binder is known, each direction holds only our own side's share (libzmq
        # ``pend_connection``); ``_join`` raises it to the sum.
        c_end, _ = pipe_pair(
            opts.sndhwm, opts.rcvhwm, conflate_ab=conflate, conflate_ba=conflate
        )
        # CONNECT_ROUTING_ID names the peer in our ROUTER, and applies to this connect only
        # (libzmq clears it, as the network side's connecter does).
        connect_rid = opts.connect_routing_id
        if connect_rid:
            c_end.routing_id = connect_rid
            opts.connect_routing_id = b""
        greeting = notices.hello(core.socket_type, opts)
        if greeting is not None:
            c_end.force_write([greeting])  # before anything the socket queues (libzmq)
        conn = InprocConnection(self, core, name, c_end)
        # The connecting side gets its end at once, so messages can be queued before the peer
        # exists (docs/protocol/patterns.md §1.1, RFC 28 for ROUTER) — except for a ROUTER without
        # CONNECT_ROUTING_ID, which needs the peer's routing id; it gets its end at the bind.
        conn.early = core.socket_type != SocketType.ROUTER or bool(connect_rid)
        with self._lock:
            binding = self._bound.get(name)
            if binding is None:
                self._pending.setdefault(name, []).append(conn)
        if binding is None:
            if conn.early:
                core.attach_local(c_end, None)
        else:
            self._join(conn, binding.core, connector_is_caller=True)
        return conn

    def forget_pending(self, conn: InprocConnection) -> None:
        with self._lock:
            waiting = self._pending.get(conn.name)
            if waiting is not None and conn in waiting:
                waiting.remove(conn)
                if not waiting:
                    del self._pending[conn.name]

    def forget_socket(self, core: SocketCore) -> None:
        """``core`` is closing: drop its names and its waiting connects."""
        with self._lock:
            for name in [n for n, b in self._bound.items() if b.core is core]:
                del self._bound[name]
            for name in list(self._pending):
                kept = [c for c in self._pending[name] if c.core is not core]
                if kept:
                    self._pending[name] = kept
                else:
                    del self._pending[name]

    def _join(
        self, conn: InprocConnection, binder: SocketCore, *, connector_is_caller: bool = False
    ) -> None:
        """Give both sockets their ends of ``conn``'s pipe, with the final HWMs and metadata."""
        connector = conn.core
        conn.binder = binder
        c_end = conn.end
        b_end = c_end.peer
        co, bo = connector.options, binder.options
        c_end.set_hwms(_sum_hwm(co.sndhwm, bo.rcvhwm), _sum_hwm(bo.sndhwm, co.rcvhwm))
        # What each side knows about the other (set before attach, docs/contracts.md §Pipes).
        c_end.peer_type = int(binder.socket_type)
        c_end.metadata = _metadata(binder)
        b_end.peer_type = int(connector.socket_type)
        b_end.metadata = _metadata(connector)
        greeting = notices.hello(binder.socket_type, bo)
        if greeting is not None:
            b_end.force_write([greeting])
        # The other socket's pattern runs on its own thread: hand it its end through its
        # mailbox. The calling socket (connect() on its owner thread) attaches at once, as
        # libzmq does, so that e.g. a SUB's subscriptions are in the pipe when connect returns.
        if connector_is_caller:
            binder.post_attach(b_end, connector)
            connector.attach_local(c_end, binder)
            return
        binder.attach_local(b_end, connector)
        if conn.early:
            connector.set_inproc_peer(c_end, binder)
        else:
            connector.post_attach(c_end, binder)  # deferred at connect: needed the peer's id


__all__ = ["InprocBinding", "InprocConnection", "InprocRegistry"]
