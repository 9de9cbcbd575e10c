"""Request-reply: DEALER, ROUTER, REQ and REP (RFC 28, docs/protocol/patterns.md §3).

Owns the envelopes: REQ adds the empty delimiter (and the REQ_CORRELATE request id) and strips
it from replies; REP remembers everything up to the delimiter and puts it back on the reply;
ROUTER names each peer by a routing id and moves it to or from the first frame. DEALER adds
nothing. Because a pipe delivers whole messages, a REP/REQ always routes a reply straight to the
pipe its request came from or went to; the ROUTER-style routing-id hop inside libzmq's REP is
not needed.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable

from ..constants import Errno, SocketType
from ..error import ZMQError
from .base import Pattern, PatternOptions, PatternStatistics, RoutingIds, peer_identity
from .disconnects import DisconnectReason
from .pipe import Message, Pipe
from .strategies import FairQueue, LoadBalancer

_PROBE: Message = [b""]


class Dealer(Pattern):
    """DEALER: round-robin out (lb), fair-queue in (fq), no envelope (§3.4)."""

    __slots__ = ("_fq", "_lb")

    socket_type = SocketType.DEALER
    one_frame_tuples = True

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._lb = LoadBalancer()

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def attach(self, pipe: Pipe) -> bool:
        if self.options.probe_router:
            # §3.5 PROBE_ROUTER: one empty single-frame message as soon as the peer exists.
            pipe.write(list(_PROBE))
        self._fq.attach(pipe)
        self._lb.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)
        self._lb.detach(pipe)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def read_activator(self) -> Callable[[Pipe], None]:
        return self._fq.activated

    def write_activated(self, pipe: Pipe) -> None:
        self._lb.activated(pipe)

    def sender(self) -> Callable[[Message], bool]:
        # The load balancer counts what it accepted (``statistics``): one call less per send.
        return self._lb.send

    def send(self, msg: Message) -> bool:
        return self._lb.send(msg)

    def statistics(self) -> PatternStatistics:
        return PatternStatistics(self._lb.sent, self.stats_in, self.stats_dropped)

    def recv(self) -> Message | None:
        msg = self._fq.read()
        if msg is not None:
            self.stats_in += 1
        return msg

    def recv_batch(self, limit: int) -> list[Message]:
        batch = self._fq.read_batch(limit)
        self.stats_in += len(batch)
        return batch

    def can_send(self) -> bool:
        return self._lb.has_out()

    def can_recv(self) -> bool:
        return self._fq.has_in()


class Req(Dealer):
    """REQ: a strict send/recv state machine over DEALER routing (§3.2).

    States: idle (may send) → waiting for the reply from ``_reply_pipe`` (may recv) → idle.
    REQ_RELAXED lets a send abandon the outstanding request; REQ_CORRELATE prefixes a 4-byte
    request id in native byte order and accepts only the reply carrying it.
    """

    __slots__ = (
        "_abandoned",
        "_broken",
        "_pending",
        "_receiving_reply",
        "_reply_pipe",
        "_request_id",
    )

    socket_type = SocketType.REQ

    # Replies pass the state machine one by one (DEALER's run from one pipe would skip it).
    recv_batch = Pattern.recv_batch

    def sender(self) -> Callable[[Message], bool]:
        return self.send

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._receiving_reply = False
        self._reply_pipe: Pipe | None = None
        # libzmq starts the id counter at a random value and increments before each request.
        self._request_id = self._rng.getrandbits(32)
        #: A valid reply read ahead by ``can_recv``.
        self._pending: Message | None = None
        #: Pipes that broke the envelope rule; ignored until the engine detaches them.
        self._broken: dict[Pipe, None] = {}
        #: Requests a REQ_RELAXED send gave up waiting for: with the load balancer's count of
        #: requests sent, what ``statistics`` derives the replies received from (no counter
        #: to raise per reply).
        self._abandoned = 0

    def detach(self, pipe: Pipe) -> None:
        self._broken.pop(pipe, None)
        if pipe is self._reply_pipe and not pipe.read_pending():
            # The request is lost; a strict REQ now waits forever, as libzmq does (§3.2). If
            # the reply already arrived (a REP that answers and then closes), it stays readable
            # from the detached pipe and is still the answer.
            self._reply_pipe = None
        super().detach(pipe)

    def send(self, msg: Message) -> bool:
        options = self.options
        if self._receiving_reply and not options.req_relaxed:
            raise self._efsm(
                "a reply is still outstanding; recv() it before sending the next request "
                "(or set REQ_RELAXED to abandon it)"
            )
        if options.req_correlate:
            request_id = (self._request_id + 1) & 0xFFFFFFFF
            out = [request_id.to_bytes(4, sys.byteorder), b"", *msg]
        else:
            request_id = self._request_id
            out = [b"", *msg]
        # Unread replies to earlier requests must not be taken for the answer to this one.
        # Drop them *before* writing: over inproc the peer may answer on another thread before
        # send() returns, and that reply must survive (libzmq req_t::xsend drains first too).
        self._pending = None
        fq = self._fq
        while fq.read() is not None:
            self.stats_dropped += 1
        lb = self._lb
        if not lb.send(out):
            return False
        if self._receiving_reply:
            self._abandoned += 1  # REQ_RELAXED: the reply to the last request is given up
        self._request_id = request_id
        self._reply_pipe = lb.last_out
        self._receiving_reply = True
        # The drain above left every inbound pipe asleep, and nothing is pending: until a
        # reply activates a pipe, recv() returns None (see ``Pattern.recv_gate``).
        self.recv_gate = fq
        return True

    def statistics(self) -> PatternStatistics:
        sent = self._lb.sent
        # Every request sent was answered (received), abandoned, or is outstanding.
        received = sent - self._abandoned - (1 if self._receiving_reply else 0)
        return PatternStatistics(sent, received, self.stats_dropped)

    def _next_reply(self, msg: Message | None = None) -> Message | None:
        """The next valid reply: ``msg`` (just read from ``_fq``) first, if given, then what
        ``_fq`` holds; messages that are no reply to the outstanding request are dropped."""
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        fq = self._fq
        correlate = self.options.req_correlate
        while True:
            if msg is None:
                msg = fq.read()
                if msg is None:
                    return None
            pipe = fq.last_in
            n = len(msg)
            # Session rule (libzmq req_session_t): [optional 4-byte id,] "" (MORE), body…
            if n >= 2 and not msg[0]:
                body_at = 1
            elif n >= 3 and len(msg[0]) == 4 and not msg[1]:
                body_at = 2
            else:
                assert pipe is not None
                self.stats_dropped += 1
                msg = None
                if not pipe.session:
                    continue  # inproc: libzmq's req_t just skips the message.
                # Over a network session libzmq fails the whole connection at the bad message
                # (req_session_t): nothing it sent afterwards is delivered (§3.2).
                self.disconnects.append((pipe, DisconnectReason.PROTOCOL))
                self.stats_dropped += pipe.drop_inbound()
                self._broken[pipe] = None
                if pipe is self._reply_pipe:
                    self._reply_pipe = None
                continue
            if (
                pipe in self._broken
                or pipe is not self._reply_pipe
                or body_at != (2 if correlate else 1)
                or (correlate and msg[0] != self._request_id.to_bytes(4, sys.byteorder))
            ):
                self.stats_dropped += 1
                msg = None
                continue
            return msg[body_at:]

    def recv(self) -> Message | None:
        if not self._receiving_reply:
            raise self._efsm("no request is outstanding; send() a request before recv()")
        if self._pending is None:
            fq = self._fq
            # None at once when no pipe is readable: the usual state of the first recv after
            # send() (whose drain put the reply pipe to sleep), on every request.
            msg = fq.read()
            if msg is None:
                return None
            if (
                len(msg) >= 2
                and not msg[0]
                and fq.last_in is self._reply_pipe
                and not self.options.req_correlate
                and not self._broken
            ):
                # The reply, straight from the peer asked: [b"", body...] (``_next_reply``'s
                # common case inline).
                msg = msg[1:]
            else:
                msg = self._next_reply(msg)
        else:
            msg = self._next_reply()
        if msg is None:
            return None
        self._receiving_reply = False
        self.recv_gate = None  # recv() now raises EFSM
        self._reply_pipe = None
        return msg

    def can_send(self) -> bool:
        if self._receiving_reply and not self.options.req_relaxed:
            return False
        return self._lb.has_out()

    def can_recv(self) -> bool:
        if not self._receiving_reply:
            return False
        if self._pending is None:
            self._pending = self._next_reply()
            if self._pending is not None:
                self.recv_gate = None  # the reply read ahead is what recv() returns
        return self._pending is not None


class Rep(Pattern):
    """REP: fair-queue requests, reply along the saved envelope (§3.3)."""

    __slots__ = (
        "_backtrace",
        "_fq",
        "_pending",
        "_pipes",
        "_replies_dropped",
        "_reply_pipe",
        "_sending_reply",
    )

    socket_type = SocketType.REP

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._pipes: dict[Pipe, None] = {}
        self._sending_reply = False
        self._backtrace: Message = []
        self._reply_pipe: Pipe | None = None
        #: A valid request body read ahead by ``can_recv``.
        self._pending: Message | None = None
        #: Replies lost with their requester: with the requests received, what ``statistics``
        #: derives the replies sent from (no counter to raise per reply).
        self._replies_dropped = 0

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def attach(self, pipe: Pipe) -> bool:
        self._pipes[pipe] = None
        self._fq.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._pipes.pop(pipe, None)
        self._fq.detach(pipe)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def read_activator(self) -> Callable[[Pipe], None]:
        return self._fq.activated

    def _next_request(self) -> Message | None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        fq = self._fq
        while True:
            msg = fq.read()
            if msg is None:
                return None
            body = self._parse_request(msg)
            if body is not None:
                return body

    def _parse_request(self, msg: Message) -> Message | None:
        """Split a request just read from ``_fq`` into its envelope (kept for the reply) and
        its body; None (and dropped) when it has no delimiter."""
        # The delimiter is the first empty frame that is followed by a body frame; a request
        # without one is silently discarded (libzmq rep_t rolls it back).
        delimiter = -1
        for i in range(len(msg) - 1):
            if not msg[i]:
                delimiter = i
                break
        if delimiter < 0:
            self.stats_dropped += 1
            return None
        self._backtrace = msg[: delimiter + 1]
        self._reply_pipe = self._fq.last_in
        return msg[delimiter + 1 :]

    def recv(self) -> Message | None:
        if self._sending_reply:
            raise self._efsm("send() the reply to the last request before receiving the next")
        pending = self._pending
        if pending is not None:
            self._pending = None
            body = pending
        else:
            fq = self._fq
            msg = fq.read()
            if msg is None:
                return None
            if not msg[0] and len(msg) > 1:
                # Straight from a REQ, [b"", body...]: _parse_request's common case inline
                # (one call less per request).
                self._backtrace = msg[:1]
                self._reply_pipe = fq.last_in
                body = msg[1:]
            else:
                parsed = self._parse_request(msg)
                if parsed is None:
                    parsed = self._next_request()  # dropped: read on
                    if parsed is None:
                        return None
                body = parsed
        self._sending_reply = True
        self.stats_in += 1
        return body

    def send(self, msg: Message) -> bool:
        if not self._sending_reply:
            raise self._efsm("there is no request to reply to; recv() a request first")
        self._sending_reply = False
        pipe = self._reply_pipe
        self._reply_pipe = None
        # A requester that is gone or full loses its reply silently (§3.3, ROUTER drop rule).
        if pipe is None or pipe not in self._pipes:
            self._replies_dropped += 1
            self.stats_dropped += 1
            return True
        reply = self._backtrace + msg
        # ``Pipe.write`` inline for a pipe with room (as ``LoadBalancer.send`` does): the same
        # order, append first, then wake a sleeping reader; full or CONFLATE: ``Pipe.write``.
        channel = pipe.outbound
        queue = channel.queue
        if len(queue) < channel.alarm:
            queue.append(reply)
            if channel.reader_asleep:
                channel.reader_asleep = False
                peer = pipe.peer
                peer.on_read_activated(peer)
        elif not pipe.write(reply):
            self._replies_dropped += 1
            self.stats_dropped += 1
        return True

    def statistics(self) -> PatternStatistics:
        # Every request received was answered (sent), answered into the void, or still waits.
        sent = self.stats_in - self._replies_dropped - (1 if self._sending_reply else 0)
        return PatternStatistics(sent, self.stats_in, self.stats_dropped)

    def can_send(self) -> bool:
        return self._sending_reply

    def can_recv(self) -> bool:
        if self._sending_reply:
            return False
        if self._pending is None:
            self._pending = self._next_request()
        return self._pending is not None


class Router(Pattern):
    """ROUTER: routing ids on the first frame (§3.5).

    Id choice at attach: ``pipe.routing_id`` preset by the engine (CONNECT_ROUTING_ID), else
    the peer's non-empty ``Identity``, else a generated ``00`` + uint32. A duplicate id leaves
    the new pipe attached but ignored, unless ROUTER_HANDOVER: then the new pipe takes the id,
    the old one gets a generated id and is queued in ``disconnects`` for the engine to close.
    """

    __slots__ = ("_fq", "_ids", "_ignored", "_out")

    socket_type = SocketType.ROUTER

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._out: dict[bytes, Pipe] = {}
        self._ignored: dict[Pipe, None] = {}
        self._ids = RoutingIds(self._rng)

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def _generate(self) -> bytes:
        out = self._out
        rid = self._ids.generate()
        while rid in out:
            rid = self._ids.generate()
        return rid

    def _identify(self, pipe: Pipe) -> bytes | None:
        out = self._out
        rid = pipe.routing_id
        if rid:
            return None if rid in out else rid
        rid = peer_identity(pipe)
        if not rid:
            return self._generate()
        old = out.get(rid)
        if old is None:
            return rid
        if not self.options.router_handover:
            return None
        # The old pipe stays addressable under a fresh id until the engine has closed it.
        fresh = self._generate()
        old.routing_id = fresh
        out[fresh] = old
        self.disconnects.append((old, DisconnectReason.HANDOVER))
        return rid

    def attach(self, pipe: Pipe) -> bool:
        if self.options.probe_router:
            pipe.write(list(_PROBE))
        rid = self._identify(pipe)
        if rid is None:
            self._ignored[pipe] = None
            return True
        pipe.routing_id = rid
        self._out[rid] = pipe
        self._fq.attach(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        if pipe in self._ignored:
            del self._ignored[pipe]
            return
        out = self._out
        if out.get(pipe.routing_id) is pipe:
            del out[pipe.routing_id]
        self._fq.detach(pipe)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def read_activator(self) -> Callable[[Pipe], None]:
        return self._fq.activated

    def send(self, msg: Message) -> bool:
        if len(msg) < 2:
            # An id without a body routes nothing (libzmq ignores it).
            self.stats_dropped += 1
            return True
        pipe = self._out.get(msg[0])
        if pipe is None:
            if self.options.router_mandatory:
                raise ZMQError(
                    Errno.EHOSTUNREACH,
                    f"ROUTER has no connected peer with routing id {msg[0]!r} "
                    "(ROUTER_MANDATORY is set, so the message was not dropped silently)",
                )
            self.stats_dropped += 1
            return True
        if not pipe.write(msg[1:]):
            if self.options.router_mandatory:
                return False
            self.stats_dropped += 1
            return True
        self.stats_out += 1
        return True

    def recv(self) -> Message | None:
        fq = self._fq
        msg = fq.read()
        if msg is None:
            return None
        self.stats_in += 1
        pipe = fq.last_in
        assert pipe is not None
        return [pipe.routing_id, *msg]

    def can_send(self) -> bool:
        if not self.options.router_mandatory:
            return True
        return any(pipe.check_write() for pipe in self._out.values())

    def can_recv(self) -> bool:
        return self._fq.has_in()

    def peer(self, routing_id: bytes) -> Pipe | None:
        """The pipe currently known by ``routing_id`` (for the engine and tests)."""
        return self._out.get(routing_id)


__all__ = ["Dealer", "Rep", "Req", "Router"]
