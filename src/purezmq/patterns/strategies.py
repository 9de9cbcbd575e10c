"""Routing strategies shared by the socket types: fair-queue, load-balance, distribute.

These are libzmq's ``fq_t``, ``lb_t`` and ``dist_t`` (docs/protocol/patterns.md §1.2) over
whole-message pipes. Because a pipe item is a whole multipart message, atomicity needs no "more"
tracking: the round-robin cursor simply advances after every message.

``FairQueue`` and ``LoadBalancer`` keep libzmq's array layout: ``pipes[:active]`` are active,
the rest sleep. Deactivating swaps the pipe to the end of the active region, so it is O(1) and
the cursor never has to search.

Layer 1b: standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .pipe import Message, Pipe


class _PipeArray:
    """Pipes in an array whose prefix ``[:active]`` is the active region (libzmq ``array_t``)."""

    __slots__ = ("_current", "_index", "_pipes", "active")

    def __init__(self) -> None:
        self._pipes: list[Pipe] = []
        self._index: dict[Pipe, int] = {}
        #: How many pipes lead the array as active (``pipes[:active]``); the rest sleep as
        #: reader (FairQueue) or writer (LoadBalancer) and are activated through ``activated``.
        self.active = 0
        self._current = 0

    def _swap(self, i: int, j: int) -> None:
        if i != j:
            pipes = self._pipes
            a = pipes[i]
            b = pipes[j]
            pipes[i] = b
            pipes[j] = a
            self._index[a] = j
            self._index[b] = i

    def _add(self, pipe: Pipe) -> None:
        """Append ``pipe`` and make it active."""
        if pipe in self._index:
            return
        self._index[pipe] = len(self._pipes)
        self._pipes.append(pipe)
        self.activated(pipe)

    def _remove(self, pipe: Pipe) -> None:
        index = self._index.get(pipe)
        if index is None:
            return
        if index < self.active:
            self.active -= 1
            self._swap(index, self.active)
            if self._current == self.active:
                self._current = 0
            index = self.active
        last = len(self._pipes) - 1
        self._swap(index, last)
        self._pipes.pop()
        del self._index[pipe]

    def _deactivate_current(self) -> None:
        active = self.active - 1
        self.active = active
        current = self._current
        # The swap call is skipped when it would be a no-op: with one peer (request/reply)
        # every round trip deactivates and reactivates the same pipe.
        if current == active:
            self._current = 0
        else:
            self._swap(current, active)

    def activated(self, pipe: Pipe) -> None:
        """Move ``pipe`` into the active region (no-op if unknown or already active)."""
        index = self._index.get(pipe)
        active = self.active
        if index is None or index < active:
            return
        if index != active:
            self._swap(index, active)
        self.active = active + 1

    def __contains__(self, pipe: Pipe) -> bool:
        return pipe in self._index

    def __len__(self) -> int:
        return len(self._pipes)

    @property
    def active_count(self) -> int:
        return self.active

    def pipes(self) -> list[Pipe]:
        return list(self._pipes)


class FairQueue(_PipeArray):
    """Round-robin reading over the pipes that have a message ready (libzmq ``fq_t``).

    ``detach`` keeps a pipe that still holds messages until they are read: what a peer sent
    before it went away stays readable (docs/protocol/patterns.md §1.3).
    """

    __slots__ = ("_draining", "last_in", "on_drained")

    def __init__(self) -> None:
        super().__init__()
        self._draining: set[Pipe] = set()
        #: Called when a detached pipe has been read empty and is forgotten (STREAM uses it to
        #: deliver the disconnect notification after the peer's last data).
        self.on_drained: Callable[[Pipe], None] | None = None
        #: The pipe the last message returned by ``read`` came from.
        self.last_in: Pipe | None = None

    def attach(self, pipe: Pipe) -> None:
        self._draining.discard(pipe)
        self._add(pipe)

    def detach(self, pipe: Pipe) -> None:
        if pipe not in self._index:
            return
        if pipe.read_pending():
            self._draining.add(pipe)
            # It may be asleep with messages whose wake-up the engine will no longer forward.
            self.activated(pipe)
        else:
            self._forget(pipe)

    def _forget(self, pipe: Pipe) -> None:
        self._draining.discard(pipe)
        self._remove(pipe)
        if self.on_drained is not None:
            self.on_drained(pipe)

    def read(self) -> Message | None:
        """The next whole message, round-robin; None when every pipe is empty."""
        pipes = self._pipes
        while self.active:
            pipe = pipes[self._current]
            # Pipe.read inline (one call less per message received, and per empty read before
            # a blocking receive); the same order: pop first, then look for a writer asleep
            # at HWM; an empty pipe sleeps as reader, then looks again.
            channel = pipe.inbound
            queue = channel.queue
            if queue:
                msg = queue.popleft()
                if channel.writer_asleep and len(queue) <= channel.lwm:
                    pipe.wake_writer()
                active = self.active
                if active > 1:
                    # The next active pipe, round-robin, as in ``LoadBalancer.send`` (with one
                    # pipe ``current`` stays 0).
                    current = self._current + 1
                    self._current = 0 if current == active else current
                self.last_in = pipe
                return msg  # type: ignore[no-any-return]
            channel.reader_asleep = True
            if queue:
                # The writer appended before it could see the reader asleep: read it.
                channel.reader_asleep = False
                continue
            if self._draining and pipe in self._draining:
                self._forget(pipe)
            else:
                # _deactivate_current inline: the empty read before every blocking recv.
                active = self.active - 1
                self.active = active
                current = self._current
                if current == active:
                    self._current = 0
                else:
                    self._swap(current, active)
        return None

    def read_batch(self, limit: int) -> list[Message]:
        """Up to ``limit`` whole messages, in the order ``read`` would return them: while one
        pipe alone is readable, as many as it holds (up to ``limit``) in one go; with several,
        one message, so that they still take turns message by message."""
        if self.active == 1:
            pipe = self._pipes[self._current]
            if pipe.read_pending():
                batch: list[Message] = pipe.read_many(limit)
                self.last_in = pipe
                return batch
        msg = self.read()
        return [] if msg is None else [msg]

    def has_in(self) -> bool:
        """Whether some pipe has a message ready; sleeps the empty ones (libzmq ``has_in``)."""
        pipes = self._pipes
        while self.active:
            pipe = pipes[self._current]
            if pipe.check_read():
                return True
            if self._draining and pipe in self._draining:
                self._forget(pipe)
            else:
                self._deactivate_current()
        return False


class LoadBalancer(_PipeArray):
    """Round-robin writing over the pipes that accept a message (libzmq ``lb_t``)."""

    __slots__ = ("_sole", "last_out", "sent")

    def __init__(self) -> None:
        super().__init__()
        #: The pipe the last message accepted by ``send`` went to.
        self.last_out: Pipe | None = None
        #: Messages ``send`` accepted (a pattern that only load-balances counts with this).
        self.sent = 0
        #: The only active pipe, when exactly one is (``_pipes[0]``; the cursor is then 0):
        #: ``send``'s short path, with no cursor or array to read (a PUSH or DEALER with one
        #: peer, the common stream). None otherwise. Kept by every change of the active region.
        self._sole: Pipe | None = None

    def _note_active(self) -> None:
        self._sole = self._pipes[0] if self.active == 1 else None

    def attach(self, pipe: Pipe) -> None:
        self._add(pipe)
        self._note_active()

    def detach(self, pipe: Pipe) -> None:
        self._remove(pipe)
        self._note_active()
        if self.last_out is pipe:
            # A detached pipe must not stay referenced: it holds what was queued on it.
            self.last_out = None

    def activated(self, pipe: Pipe) -> None:
        super().activated(pipe)
        self._note_active()

    def _deactivate_current(self) -> None:
        super()._deactivate_current()
        self._note_active()

    def send(self, msg: Message) -> bool:
        """Write to the next pipe with room; False (mute) when every pipe is full or none exist."""
        pipe = self._sole
        if pipe is not None:
            # One active pipe with room: the loop below, less its cursor and array.
            channel = pipe.outbound
            queue = channel.queue
            if len(queue) < channel.alarm:
                queue.append(msg)
                if channel.reader_asleep:
                    channel.reader_asleep = False
                    peer = pipe.peer
                    peer.on_read_activated(peer)
                self.last_out = pipe
                self.sent += 1
                return True
        active = self.active
        while active:
            current = self._current
            pipe = self._pipes[current]
            # Pipe.write inline for a pipe with room (one call less per message sent); the same
            # order: append first, then wake a sleeping reader. Full, past its backlog mark or
            # CONFLATE (whose ``alarm`` is 0): Pipe.write.
            channel = pipe.outbound
            queue = channel.queue
            if len(queue) < channel.alarm:
                queue.append(msg)
                if channel.reader_asleep:
                    channel.reader_asleep = False
                    peer = pipe.peer
                    peer.on_read_activated(peer)
            elif not pipe.write(msg):
                self._deactivate_current()
                active = self.active
                continue
            self.last_out = pipe
            if active > 1:
                # The next active pipe, round-robin: ``(current + 1) % active`` without a
                # division (``current`` is always below ``active``; with one pipe, it stays 0).
                # Activations reach the pattern through the owner's mailbox, never from within
                # the append above, so ``active`` is still the count.
                current += 1
                self._current = 0 if current == active else current
            self.sent += 1
            return True
        return False

    def has_out(self) -> bool:
        """Whether some pipe would accept a message; sleeps the full ones."""
        pipes = self._pipes
        while self.active:
            if pipes[self._current].check_write():
                return True
            self._deactivate_current()
        return False


class Distributor:
    """Copy a message to every (matching) pipe (libzmq ``dist_t``).

    Full pipes are skipped, so the message is lost for them (PUB's mute action), and they sleep
    until ``activated``. With NODROP the caller first asks ``check_hwm`` and reports mute
    instead. The same list object goes to every pipe: messages are immutable by convention.
    """

    __slots__ = ("_active", "_all", "_fast", "_room", "attached", "filled")

    def __init__(self) -> None:
        # dicts as insertion-ordered sets: deterministic delivery order.
        self._all: dict[Pipe, None] = {}
        self._active: dict[Pipe, None] = {}
        #: ``send_to_every``'s view of ``_active``: (queue, channel, pipe) of each, made on first
        #: use after the active set changed; None = to be made again. A publisher pays this
        #: loop once per subscriber per message, so it reads no dict and no pipe attribute.
        self._fast: list[tuple[Any, Any, Pipe]] | None = None
        #: Messages every queue of ``_fast`` takes before one may reach its alarm.
        self._room = 0
        #: How many pipes are attached (``len(self)`` without a method call: a publisher asks
        #: it per message).
        self.attached = 0
        #: How many times a pipe filled up (a write failed at HWM) and was put to sleep.
        self.filled = 0

    def attach(self, pipe: Pipe) -> None:
        self._all[pipe] = None
        self._active[pipe] = None
        self._fast = None
        self.attached = len(self._all)

    def detach(self, pipe: Pipe) -> None:
        self._all.pop(pipe, None)
        self._active.pop(pipe, None)
        self._fast = None
        self.attached = len(self._all)

    def activated(self, pipe: Pipe) -> None:
        if pipe in self._all:
            self._active[pipe] = None
            self._fast = None

    def __contains__(self, pipe: Pipe) -> bool:
        return pipe in self._all

    def __len__(self) -> int:
        return len(self._all)

    @property
    def active(self) -> dict[Pipe, None]:
        """Pipes that accepted their last message (read-only view)."""
        return self._active

    def pipes(self) -> list[Pipe]:
        return list(self._all)

    def send_to_all(self, msg: Message) -> int:
        """Write to every active pipe; returns how many pipes dropped it."""
        return self.send_to(msg, self._active)

    def send_to_every(self, msg: Message) -> int:
        """``send_to(msg, pipes)`` when ``pipes`` are all the attached pipes: returns how many
        lost it, those asleep since they filled up included."""
        fast = self._fast
        if fast is None:
            active = self._active
            if any(pipe.outbound.conflate for pipe in active):
                # CONFLATE empties the queue on every write: ``Pipe.write``'s business.
                return self.send_to(msg, self._all)
            fast = self._fast = [(pipe.outbound.queue, pipe.outbound, pipe) for pipe in active]
            self._room = 0
        asleep = self.attached - len(fast)
        room = self._room
        if room <= 0:
            # Every queue only shrinks meanwhile (its reader pops): the least room left below
            # the alarm (HWM or backlog mark) is how many messages go in without a look.
            room = min([channel.alarm - len(queue) for queue, channel, _ in fast], default=1)
            if room <= 0:
                return asleep + self._send_past_alarm(msg, fast)
        self._room = room - 1
        for queue, channel, pipe in fast:
            queue.append(msg)
            if channel.reader_asleep:
                channel.reader_asleep = False
                peer = pipe.peer
                peer.on_read_activated(peer)
        return asleep

    def _send_past_alarm(self, msg: Message, fast: list[tuple[Any, Any, Pipe]]) -> int:
        """``send_to_every`` when some queue reached its alarm: those take the message through
        ``Pipe.write`` (HWM, backlog hook) *before* any other queue does, so that a backlog
        hook that hands the GIL to the reader's thread finds the same messages in every queue
        (the I/O thread then flushes the same run to every subscriber: framed once)."""
        failed: list[Pipe] | None = None
        roomy: list[tuple[Any, Any, Pipe]] = []
        for entry in fast:
            queue, channel, pipe = entry
            if len(queue) < channel.alarm:
                roomy.append(entry)
            elif not pipe.write(msg):
                if failed is None:
                    failed = []
                failed.append(pipe)
        for queue, channel, pipe in roomy:
            queue.append(msg)
            if channel.reader_asleep:
                channel.reader_asleep = False
                peer = pipe.peer
                peer.on_read_activated(peer)
        if failed is None:
            return 0
        return self._deactivate(failed)

    def send_to(self, msg: Message, pipes: Iterable[Pipe]) -> int:
        """Write to each of ``pipes`` that is active; returns how many lost it (full/asleep)."""
        self._room = 0  # queues grow here too: ``send_to_every`` looks at them again
        active = self._active
        failed: list[Pipe] | None = None
        asleep = 0
        for pipe in pipes:
            if pipe not in active:
                asleep += 1
                continue
            # Pipe.write inline for a pipe with room, as in LoadBalancer.send: a publisher pays
            # this once per subscriber per message. Full, past its backlog mark or CONFLATE:
            # Pipe.write.
            channel = pipe.outbound
            queue = channel.queue
            if len(queue) < channel.alarm and not channel.conflate:
                queue.append(msg)
                if channel.reader_asleep:
                    channel.reader_asleep = False
                    peer = pipe.peer
                    peer.on_read_activated(peer)
            elif not pipe.write(msg):
                if failed is None:
                    failed = []
                failed.append(pipe)
        if failed is None:
            return asleep
        return asleep + self._deactivate(failed)

    def _deactivate(self, failed: list[Pipe]) -> int:
        """The pipes ``failed`` met their HWM: asleep until ``activated``; returns how many."""
        self.filled += len(failed)
        active = self._active
        for pipe in failed:
            active.pop(pipe, None)
        self._fast = None
        return len(failed)

    def check_hwm(self, pipes: Iterable[Pipe]) -> bool:
        """Whether every active pipe among ``pipes`` has room (XPUB_NODROP's pre-check)."""
        active = self._active
        return all(pipe.check_write() for pipe in pipes if pipe in active)


__all__ = ["Distributor", "FairQueue", "LoadBalancer"]
