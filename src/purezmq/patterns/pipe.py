"""Pipes: bounded single-producer/single-consumer queues of whole messages.

A pipe is a duplex channel between two *ends*. One end belongs to a socket's routing pattern;
the other to whatever feeds it: a ZMTP peer on the engine's loop, or another socket's pattern
for inproc. The two ends may live on different threads.

Theory of operation (libzmq's ``ypipe``/``pipe_t`` rules, in Python terms):

* Each direction is a ``collections.deque`` of whole messages. ``deque.append`` and
  ``deque.popleft`` are atomic under the GIL, and ``len(deque)`` is read atomically, so one writer
  and one reader need no lock. Multipart messages are atomic by construction: a message is one
  item.
* HWM counts messages (libzmq, docs/protocol/patterns.md §1.1); 0 means unlimited. A writer that
  finds the queue at HWM gets ``False`` and is then *asleep as writer*. The reader wakes it only
  once the queue has drained to LWM = (HWM + 1) // 2 (libzmq ``compute_lwm``): hysteresis, so that a
  loaded pipe costs one wake-up per HWM/2 messages, not one per message.
* A reader that finds the queue empty gets ``None`` and is then *asleep as reader*. The next
  write wakes it once; later writes see the flag cleared and pay nothing.
* Lost wake-ups are impossible: the sleeper sets its flag *before* re-checking the queue, and the
  other side changes the queue *before* reading the flag. Whichever runs second sees the other's
  change. A spurious wake-up (both sides noticing) only costs one extra check.
* A writer far ahead of its reader (a queue past ``set_backlog``'s mark, under a large HWM) calls
  its ``on_backlog`` hook once per ``BACKLOG_STEP`` messages: a sender that never blocks can
  then let the reader's thread run (the engine passes the GIL to its I/O thread).
* The callbacks run on the *other* side's thread. Their owner (the engine) makes them
  thread-safe; this module never blocks and never imports ``threading``.

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from itertools import repeat
from typing import Any

from .disconnects import Disconnectable

Message = list[bytes]
Activation = Callable[["Pipe"], None]

_popleft = deque.popleft

#: Past the backlog mark, a writer's ``on_backlog`` hook runs once per this many messages.
BACKLOG_STEP = 1024
#: ``_Channel.alarm`` when neither an HWM nor a backlog mark is set.
_NEVER = 1 << 62


def _nothing(pipe: Pipe) -> None:
    """Default activation callback: nobody is listening yet."""


def compute_lwm(hwm: int) -> int:
    """Low-water mark for a high-water mark (libzmq ``pipe.cpp: compute_lwm``)."""
    return (hwm + 1) // 2


class _Channel:
    """One direction of a pipe. Not used directly: see ``Pipe``."""

    __slots__ = (
        "alarm",
        "backlog",
        "closed",
        "conflate",
        "hwm",
        "lwm",
        "queue",
        "reader_asleep",
        "writer_asleep",
    )

    def __init__(self, hwm: int, conflate: bool) -> None:
        self.queue: deque[Any] = deque()
        self.hwm = hwm
        self.lwm = compute_lwm(hwm)
        #: Queue length past which the writer runs its ``on_backlog`` hook (0: never).
        self.backlog = 0
        self.conflate = conflate
        #: Queue length from which ``write`` leaves its fast path: the HWM or the backlog mark
        #: (0 under CONFLATE, whose every write takes ``write``'s own path).
        self.alarm = 0
        self.update_alarm()
        self.reader_asleep = False
        self.writer_asleep = False
        #: Set by the writer when it will write no more (its end was closed).
        self.closed = False

    def update_alarm(self) -> None:
        marks = [mark for mark in (self.hwm, self.backlog) if mark]
        self.alarm = 0 if self.conflate else min(marks) if marks else _NEVER


class Pipe:
    """One end of a duplex pipe; create pairs with ``pipe_pair``.

    The end's owner reads what the other end wrote and writes what the other end will read.
    """

    __slots__ = (
        "connection",
        "inbound",
        "metadata",
        "on_backlog",
        "on_read_activated",
        "on_write_activated",
        "outbound",
        "peer",
        "peer_closed",
        "peer_type",
        "routing_id",
        "session",
        "subscribe_all",
    )

    def __init__(self, inbound: _Channel, outbound: _Channel) -> None:
        self.inbound = inbound
        self.outbound = outbound
        #: The other end of this pipe.
        self.peer: Pipe = self
        #: The other end will write no more (what is queued can still be read). A plain
        #: attribute, not a property over the channel: the engine asks it after every flush
        #: and every read activation. Set by the other end's ``close()``.
        self.peer_closed = False
        #: Called (on the writer's thread) when a message arrives while this end slept as reader.
        self.on_read_activated: Activation = _nothing
        #: Called (on the reader's thread) when our outbound queue drained to LWM while this end
        #: slept as writer.
        self.on_write_activated: Activation = _nothing
        #: Called (on our thread, from ``write``) while our outbound queue is past its backlog
        #: mark, once per ``BACKLOG_STEP`` messages (see ``set_backlog``).
        self.on_backlog: Callable[[], None] | None = None
        #: Routing id a ROUTER (or SERVER/PEER/STREAM) pattern knows this pipe by.
        self.routing_id: bytes = b""
        #: Properties of the peer (``Socket-Type``, ``Identity``, ``User-Id``…) as bytes values.
        self.metadata: dict[str, bytes] = {}
        #: The peer's socket type number, or -1 when unknown.
        self.peer_type: int = -1
        #: The network connection feeding the other end of this pipe (set by the engine on its
        #: end), which the socket side asks to drop the connection; None for inproc.
        self.connection: Disconnectable | None = None
        #: A network session (tcp, ipc…) feeds the other end, not another socket (inproc).
        #: Some rules are a session's in libzmq: e.g. a REQ drops a tcp peer's connection on a
        #: malformed reply but merely skips the message over inproc.
        self.session = False
        #: The other end takes every message whatever its subscriptions (a udp:// session, which
        #: cannot tell what its receivers joined: libzmq ``attach_pipe``'s subscribe_to_all).
        self.subscribe_all = False

    # -- reading ------------------------------------------------------------------------------

    def read(self) -> Any:
        """Pop the next whole message, or return None (and sleep as reader) when empty."""
        channel = self.inbound
        queue = channel.queue
        if not queue:
            channel.reader_asleep = True
            if not queue:
                return None
            channel.reader_asleep = False
        msg = queue.popleft()
        if channel.writer_asleep and len(queue) <= channel.lwm:
            self.wake_writer()
        return msg

    def wake_writer(self) -> None:
        """The inbound queue drained to LWM under a writer asleep at HWM: wake it (reader)."""
        self.inbound.writer_asleep = False
        self.peer.on_write_activated(self.peer)

    def read_many(self, limit: int) -> list[Any]:
        """Pop up to ``limit`` whole messages at once (the engine's batched flush).

        Same rules as ``read``: an empty result means this end now sleeps as reader; the writer
        is woken once if the queue drained to LWM. The writer only appends, so the ``limit``
        messages counted are there to pop (CONFLATE's clear is the exception: handled).
        """
        channel = self.inbound
        queue = channel.queue
        if not queue:
            channel.reader_asleep = True
            if not queue:
                return []
            channel.reader_asleep = False
        n = min(limit, len(queue))
        out: list[Any]
        if n > 1 and not channel.conflate:
            # All n in one C-level loop: 11.5 ns a message against 27.5 for a Python loop.
            out = list(map(_popleft, repeat(queue, n)))
        elif n > 0:
            try:
                out = [queue.popleft()]
            except IndexError:  # a CONFLATE writer cleared the queue meanwhile
                out = []
        else:
            out = []
        if channel.writer_asleep and len(queue) <= channel.lwm:
            channel.writer_asleep = False
            self.peer.on_write_activated(self.peer)
        return out

    def read_turn(self, limit: int) -> list[Any]:
        """``read_many(limit)`` (``limit`` > 1) for a reader that writes out what it read at
        once: when it returns exactly one message, the queue was left empty and this end
        already sleeps as reader, as the empty ``read_many`` after it would leave it (a call
        less per message of a request/reply turn)."""
        channel = self.inbound
        queue = channel.queue
        if len(queue) != 1 or channel.conflate:
            out = self.read_many(limit)
            if len(out) != 1:
                return out
        else:
            out = [queue.popleft()]
            if channel.writer_asleep:  # the queue is empty: at or below any LWM
                channel.writer_asleep = False
                self.peer.on_write_activated(self.peer)
        # As ``read_many`` on an empty queue: asleep first, then look again.
        channel.reader_asleep = True
        if queue:
            channel.reader_asleep = False
            out.extend(self.read_many(limit - 1))
        return out

    def check_read(self) -> bool:
        """Whether a message is ready; when not, this end sleeps as reader (like ``read``)."""
        channel = self.inbound
        if channel.queue:
            return True
        channel.reader_asleep = True
        if channel.queue:
            channel.reader_asleep = False
            return True
        return False

    def read_pending(self) -> int:
        """How many messages wait to be read."""
        return len(self.inbound.queue)

    # -- writing ------------------------------------------------------------------------------

    def write(self, msg: Any) -> bool:
        """Queue a whole message for the other end; False (and sleep as writer) at HWM."""
        channel = self.outbound
        queue = channel.queue
        if channel.conflate:
            # CONFLATE keeps only the newest message (libzmq ``dbuffer``); never full.
            queue.clear()
        elif len(queue) >= channel.alarm and self._full(channel, queue):
            return False
        queue.append(msg)
        if channel.reader_asleep:
            channel.reader_asleep = False
            self.peer.on_read_activated(self.peer)
        return True

    def _full(self, channel: _Channel, queue: deque[Any]) -> bool:
        """``write``'s slow path (the queue reached HWM or the backlog mark): True at HWM (the
        end then sleeps as writer); past the backlog mark, run ``on_backlog`` every
        ``BACKLOG_STEP`` messages."""
        hwm = channel.hwm
        if hwm and len(queue) >= hwm:
            channel.writer_asleep = True
            if len(queue) >= hwm:
                return True
            channel.writer_asleep = False
            return False
        past = len(queue) - channel.backlog
        if channel.backlog and past >= 0 and not past % BACKLOG_STEP:
            hook = self.on_backlog
            if hook is not None:
                hook()
        return False

    def write_many(self, msgs: list[Any]) -> int:
        """Queue whole messages in order, as many as fit; returns how many (the rest met HWM,
        and then this end sleeps as writer exactly as after a refused ``write``).

        The reader only pops, so room counted here cannot shrink before an ``extend``
        (atomic under the GIL for a list); the reader is woken at most once per ``extend``,
        after the queue changed, as in ``write``. A batch larger than the room left is
        queued in slices as large as the room, not message by message: an engine whose
        reader lags reads thousands of small messages per read, most past RCVHWM.
        """
        channel = self.outbound
        queue = channel.queue
        hwm = channel.hwm
        if channel.conflate or (channel.backlog and hwm and len(queue) + len(msgs) > hwm):
            # One at a time: CONFLATE keeps only the newest; past the HWM, ``write`` runs
            # the backlog hook on its way.
            written = 0
            for msg in msgs:
                if not self.write(msg):
                    break
                written += 1
            return written
        if not hwm or len(queue) + len(msgs) <= hwm:
            queue.extend(msgs)
            written = len(msgs)
        else:
            written = 0
            total = len(msgs)
            while written < total:
                room = hwm - len(queue)
                if room <= 0:
                    # As ``_full``: asleep as writer first, then re-check (the reader may
                    # have drained meanwhile, and then saw no sleeping writer to wake).
                    channel.writer_asleep = True
                    if len(queue) >= hwm:
                        break
                    channel.writer_asleep = False
                    continue
                queue.extend(msgs[written : written + room])
                written = min(total, written + room)
                if channel.reader_asleep:
                    channel.reader_asleep = False
                    self.peer.on_read_activated(self.peer)
            return written
        if channel.reader_asleep:
            channel.reader_asleep = False
            self.peer.on_read_activated(self.peer)
        return written

    def check_write(self) -> bool:
        """Whether one more message fits; when not, this end sleeps as writer."""
        channel = self.outbound
        if channel.conflate or not channel.hwm or len(channel.queue) < channel.hwm:
            return True
        channel.writer_asleep = True
        if len(channel.queue) < channel.hwm:
            channel.writer_asleep = False
            return True
        return False

    def write_pending(self) -> int:
        """How many messages we wrote that the other end has not read yet."""
        return len(self.outbound.queue)

    def set_hwms(self, outbound: int, inbound: int) -> None:
        """Change the limits (SNDHWM/RCVHWM set after the pipe exists)."""
        self.outbound.hwm = outbound
        self.outbound.lwm = compute_lwm(outbound)
        self.outbound.update_alarm()
        self.inbound.hwm = inbound
        self.inbound.lwm = compute_lwm(inbound)
        self.inbound.update_alarm()

    def set_backlog(self, mark: int, hook: Callable[[], None] | None) -> None:
        """Call ``hook`` from ``write`` while more than ``mark`` messages we wrote wait to be
        read (once per ``BACKLOG_STEP``); ``mark=0`` turns it off. Only matters under an HWM
        above ``mark`` (or none): below, the writer blocks or drops at HWM instead."""
        self.on_backlog = hook
        self.outbound.backlog = mark
        self.outbound.update_alarm()

    # -- ending -------------------------------------------------------------------------------

    def close(self) -> None:
        """Say we will write no more; wakes the other end if it sleeps as reader."""
        channel = self.outbound
        channel.closed = True
        # Before reading ``reader_asleep``: a reader woken below must see it.
        self.peer.peer_closed = True
        if channel.reader_asleep:
            channel.reader_asleep = False
            self.peer.on_read_activated(self.peer)

    def force_write(self, msg: Any) -> None:
        """Queue a message whatever the HWM: the engine's own notices (libzmq writes its
        hello, disconnect and hiccup messages to a pipe without checking the limit)."""
        channel = self.outbound
        channel.queue.append(msg)
        if channel.reader_asleep:
            channel.reader_asleep = False
            self.peer.on_read_activated(self.peer)

    def drop_inbound(self) -> int:
        """Discard everything queued for us (LINGER/disconnect rules); returns how many."""
        n = len(self.inbound.queue)
        self.inbound.queue.clear()
        if self.inbound.writer_asleep:
            self.inbound.writer_asleep = False
            self.peer.on_write_activated(self.peer)
        return n

    def drop_outbound(self) -> int:
        """Take back everything we queued that was not read yet; returns how many."""
        n = len(self.outbound.queue)
        self.outbound.queue.clear()
        return n

    def __repr__(self) -> str:
        return (
            f"<Pipe id={self.routing_id!r} in={len(self.inbound.queue)} "
            f"out={len(self.outbound.queue)}/{self.outbound.hwm or 'inf'}>"
        )


def pipe_pair(
    hwm_ab: int, hwm_ba: int, *, conflate_ab: bool = False, conflate_ba: bool = False
) -> tuple[Pipe, Pipe]:
    """Create a duplex pipe; returns ends ``(a, b)``.

    ``hwm_ab`` bounds what ``a`` writes for ``b``; ``hwm_ba`` the other direction. For a tcp peer
    the socket's end writes with its SNDHWM and the engine's end with the socket's RCVHWM; for
    inproc each direction gets the sender's SNDHWM plus the receiver's RCVHWM (libzmq).
    """
    ab = _Channel(hwm_ab, conflate_ab)
    ba = _Channel(hwm_ba, conflate_ba)
    a = Pipe(ba, ab)
    b = Pipe(ab, ba)
    a.peer = b
    b.peer = a
    return a, b


__all__ = ["Message", "Pipe", "compute_lwm", "pipe_pair"]
