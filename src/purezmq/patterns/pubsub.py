"""Publish-subscribe: PUB, SUB, XPUB and XSUB (RFC 29, docs/protocol/patterns.md §4, zmtp.md §8).

Subscriptions travel through pipes as one-frame messages ``b"\\x01" + topic`` (subscribe) and
``b"\\x00" + topic`` (cancel), whatever the transport (docs/contracts.md): SUB/XSUB write them,
PUB/XPUB read them. Publishers filter (prefix match on the first frame) and drop for full
subscribers; SUB filters again locally, XSUB does not (§4.1).

Every frame of a multipart message may carry a (un)subscription, as in libzmq (``xpub.cpp``
``xread_activated``, ``xsub.cpp`` ``xsend``): XSUB applies each subscribe/cancel frame it sends
and XPUB each one it receives, reporting them one by one, with the other frames handed to the
XPUB application as a message of their own. With ONLY_FIRST_SUBSCRIBE the first frame decides:
when it is no (un)subscription, the rest of the message is plain data even if a frame starts
with 0x00 or 0x01; when it is one, later frames are read as (un)subscriptions still (libzmq
keeps processing then too).

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random
from collections import deque
from operator import itemgetter
from typing import ClassVar

from ..constants import Errno, SocketOption, SocketType
from ..error import ZMQError
from .base import Pattern, PatternOptions
from .pipe import Message, Pipe
from .strategies import Distributor, FairQueue
from .trie import VALUES_REMAIN, MultiTrie, Trie

_first = itemgetter(0)


def _index(flags: list[bool], value: bool, start: int) -> int:
    """The first index from ``start`` holding ``value``; ``len(flags)`` when none does."""
    try:
        return flags.index(value, start)
    except ValueError:
        return len(flags)


def _topic(value: int | bytes) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise ZMQError(Errno.EINVAL, f"a subscription topic must be bytes, not {type(value).__name__}")


class XPub(Pattern):
    """XPUB: fan-out to matching subscribers; hands subscriptions to the application (§4.4).

    Inbound pipes are drained as soon as they are activated (libzmq ``xread_activated``):
    subscriptions must take effect even if the application never calls ``recv``.
    """

    __slots__ = ("_dist", "_last_pipe", "_manual_subs", "_pending", "_pending_pipes", "_subs")

    socket_type = SocketType.XPUB
    #: PUB shares the machinery but keeps nothing for the application.
    _deliver: ClassVar[bool] = True

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._dist = Distributor()
        self._subs: MultiTrie[Pipe] = MultiTrie()
        #: XPUB_MANUAL: what each pipe asked for, to report on detach.
        self._manual_subs: MultiTrie[Pipe] = MultiTrie()
        self._pending: deque[Message] = deque()
        #: The pipe each pending subscription came from (None for other messages).
        self._pending_pipes: deque[Pipe | None] = deque()
        self._last_pipe: Pipe | None = None

    def last_pipe(self) -> Pipe | None:
        return self._last_pipe  # the pipe of the last subscription handed to recv()

    def _manual(self) -> bool:
        # XPUB_MANUAL_LAST_VALUE is manual mode too (libzmq xpub_t::xsetsockopt).
        options = self.options
        return self._deliver and bool(options.xpub_manual or options.xpub_manual_last_value)

    # -- pipes ---------------------------------------------------------------------------------

    def attach(self, pipe: Pipe) -> bool:
        self._dist.attach(pipe)
        if pipe.subscribe_all:
            # pgm/epgm: no subscription ever comes back over multicast, so the pipe takes
            # everything and the application hears of no subscription (libzmq xpub_t).
            self._subs.add(b"", pipe)
        welcome = self.options.xpub_welcome_msg
        if welcome:
            # §4.4: pushed to every new subscriber, before any of its subscriptions count.
            pipe.write([welcome])
        self._drain(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        if pipe not in self._dist:
            return
        # What the peer sent before leaving still counts (docs/protocol/patterns.md §1.3).
        self._drain(pipe)
        if self._manual():
            gone = self._manual_subs.remove_value(pipe, only_last=False)
            self._subs.remove_value(pipe)
        else:
            gone = self._subs.remove_value(pipe, only_last=not self.options.xpub_verboser)
            self._manual_subs.remove_value(pipe)
        self._dist.detach(pipe)
        if self._last_pipe is pipe:
            self._last_pipe = None
        if self._deliver:
            pending = self._pending
            pipes = self._pending_pipes
            for topic in gone:
                pending.append([b"\x00" + topic])
                pipes.append(None)

    def read_activated(self, pipe: Pipe) -> None:
        if pipe in self._dist:
            self._drain(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        self._dist.activated(pipe)

    def _drain(self, pipe: Pipe) -> None:
        read = pipe.read
        upstream = self._upstream
        while True:
            msg = read()
            if msg is None:
                return
            upstream(msg, pipe)

    def _upstream(self, msg: Message, pipe: Pipe) -> None:
        if len(msg) > 1:
            self._upstream_parts(msg, pipe)
            return
        first = msg[0] if msg else b""
        if first and first[0] < 2:
            subscribe = first[0] == 1
            # bytes() is the identity for bytes; a large body arrives as a lent bytearray,
            # which must not become a dict key (``zmtp.bodies``).
            topic = bytes(first[1:])
            report = msg if len(msg) == 1 else [first]
            if self._manual():
                if subscribe:
                    self._manual_subs.add(topic, pipe)
                else:
                    self._manual_subs.remove(topic, pipe)
                self._pending.append(report)
                self._pending_pipes.append(pipe)
                return
            options = self.options
            if subscribe:
                notify = (
                    self._subs.add(topic, pipe)
                    or bool(options.xpub_verbose)
                    or bool(options.xpub_verboser)
                )
            else:
                # libzmq reports an unknown topic's cancel too (rm_result != values_remain).
                notify = self._subs.remove(topic, pipe) != VALUES_REMAIN or bool(
                    options.xpub_verboser
                )
            if notify and self._deliver:
                self._pending.append(report)
                self._pending_pipes.append(pipe)
        else:
            # §4.4: other upstream messages reach the XPUB application unchanged.
            self._user(msg)

    def _upstream_parts(self, msg: Message, pipe: Pipe) -> None:
        """A multipart message from a subscriber, frame by frame (see the module docstring):
        each (un)subscription frame is handled as a one-frame message; runs of other frames
        reach the application as messages of their own, in order."""
        process = True
        data: Message = []
        for i, part in enumerate(msg):
            is_sub = process and bool(part) and part[0] < 2
            if i == 0 and self.options.only_first_subscribe:
                process = is_sub
            if is_sub:
                if data:
                    self._user(data)
                    data = []
                self._upstream([part], pipe)
            else:
                data.append(part)
        if data:
            self._user(data)

    def _user(self, msg: Message) -> None:
        if self._deliver:
            self._pending.append(msg)
            self._pending_pipes.append(None)

    # -- messages ------------------------------------------------------------------------------

    def send(self, msg: Message) -> bool:
        dist = self._dist
        options = self.options
        subs = self._subs
        matched = subs.everyone
        if (
            matched is not None
            and len(matched) == dist.attached
            and not (
                options.invert_matching or options.xpub_nodrop or options.xpub_manual_last_value
            )
        ):
            # Every pipe holds the empty topic and nothing else is subscribed (subscribers
            # are always attached pipes, so equal counts mean the same set): every active
            # pipe takes the message, and no per-pipe match or membership test is needed.
            dropped = dist.send_to_every(msg)
            if dropped:
                self._dropped(dropped)
            self.stats_out += 1
            return True
        if matched is None:
            matched = subs.match(msg[0] if msg else b"")
        targets: dict[Pipe, None] | list[Pipe]
        last = self._last_pipe
        if last is not None and options.xpub_manual_last_value and self._manual():
            # XPUB_MANUAL_LAST_VALUE: the first message after a subscription was handled goes
            # to that subscriber alone (if it matches), the "last value" it asked for; then
            # everyone again (libzmq mark_last_pipe_as_matching).
            self._last_pipe = None
            targets = [last] if last in matched else []
        elif options.invert_matching:
            targets = [pipe for pipe in dist.active if pipe not in matched]
        else:
            targets = matched
        if options.xpub_nodrop and not dist.check_hwm(targets):
            return False
        dropped = dist.send_to(msg, targets)
        if dropped:
            self._dropped(dropped)
        self.stats_out += 1
        return True

    def _dropped(self, count: int) -> None:
        """``count`` subscribers lost the message just sent (full, or asleep since they
        filled up): counted, and ``on_filled`` told when one more queue filled."""
        self.stats_dropped += count
        filled = self._dist.filled
        if filled != self.stats_filled:
            self.stats_filled = filled
            if self.on_filled is not None:
                self.on_filled()

    def recv(self) -> Message | None:
        pending = self._pending
        if not pending:
            return None
        msg = pending.popleft()
        pipe = self._pending_pipes.popleft()
        if pipe is not None and self._manual():
            self._last_pipe = pipe if pipe in self._dist else None
        self.stats_in += 1
        return msg

    def can_send(self) -> bool:
        return True

    def can_recv(self) -> bool:
        return bool(self._pending)

    # -- options -------------------------------------------------------------------------------

    def setsockopt(self, option: int, value: int | bytes) -> bool:
        if option not in (SocketOption.SUBSCRIBE, SocketOption.UNSUBSCRIBE) or not self._deliver:
            return False
        if not self._manual():
            raise ZMQError(
                Errno.EINVAL,
                "XPUB accepts SUBSCRIBE/UNSUBSCRIBE only with XPUB_MANUAL=1 "
                "(they apply to the pipe of the last subscription received)",
            )
        topic = _topic(value)
        pipe = self._last_pipe
        if pipe is not None:
            if option == SocketOption.SUBSCRIBE:
                self._subs.add(topic, pipe)
            else:
                self._subs.remove(topic, pipe)
        return True

    def getsockopt(self, option: int) -> int | bytes | None:
        if option == SocketOption.TOPICS_COUNT:
            return len(self._subs)
        return None


class Pub(XPub):
    """PUB: XPUB that consumes subscriptions silently and cannot receive (§4.2)."""

    __slots__ = ()

    socket_type = SocketType.PUB
    _deliver = False

    def recv(self) -> Message | None:
        return Pattern.recv(self)

    def can_recv(self) -> bool:
        return False


class XSub(Pattern):
    """XSUB: fair-queue in without filtering; user (un)subscriptions fan out upstream (§4.5)."""

    __slots__ = ("_ahead", "_dist", "_fq", "_pending", "_subs")

    socket_type = SocketType.XSUB
    #: SUB filters received messages locally; XSUB does not (§4.1).
    _filter: ClassVar[bool] = False

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._dist = Distributor()
        self._subs = Trie()
        #: A message read ahead by ``can_recv``.
        self._pending: Message | None = None
        #: Messages taken from the pipes but not yet matched: the rest of a batch behind the
        #: first one that did not match, and batches handed back by ``unread``. SUB decides
        #: on a message when a receive reaches it, under the subscriptions of that moment
        #: (libzmq ``xsub_t::xrecv``), so these come before the pipes and are matched then.
        self._ahead: deque[Message] = deque()

    def last_pipe(self) -> Pipe | None:
        return self._fq.last_in

    def attach(self, pipe: Pipe) -> bool:
        self._fq.attach(pipe)
        self._dist.attach(pipe)
        self._send_subscriptions(pipe)
        return True

    def hiccup(self, pipe: Pipe) -> None:
        if pipe in self._dist:
            self._send_subscriptions(pipe)

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)
        self._dist.detach(pipe)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        self._dist.activated(pipe)

    def _send_subscriptions(self, pipe: Pipe) -> None:
        # §4.3: a subscription that does not fit under SNDHWM is dropped silently.
        write = pipe.write
        for topic in self._subs.topics():
            write([b"\x01" + topic])

    # -- sending -------------------------------------------------------------------------------

    def _subscribe(self, topic: bytes, msg: Message) -> None:
        # Every subscribe goes upstream, duplicates included: XPUB_VERBOSE on the far side of a
        # proxy must see them (libzmq xsub.cpp).
        self._subs.add(topic)
        self.stats_dropped += self._dist.send_to_all(msg)

    def _unsubscribe(self, topic: bytes, msg: Message) -> None:
        if self._subs.remove(topic) or self.options.xsub_verbose_unsubscribe:
            self.stats_dropped += self._dist.send_to_all(msg)

    def _send_parts(self, msg: Message) -> None:
        """A multipart message, frame by frame as libzmq ``xsub_t::xsend`` takes it (module
        docstring): (un)subscription frames apply locally, a cancel that removed nothing (and
        no XSUB_VERBOSE_UNSUBSCRIBE) is left out, and the rest goes upstream as one message."""
        process = True
        out: Message = []
        verbose_unsub = bool(self.options.xsub_verbose_unsubscribe)
        for i, part in enumerate(msg):
            if i == 0:
                process = not self.options.only_first_subscribe
            elif not process:
                out.append(part)
                continue
            if part and part[0] == 1:
                self._subs.add(bytes(part[1:]))
                process = True
            elif part and part[0] == 0:
                process = True
                if not (self._subs.remove(bytes(part[1:])) or verbose_unsub):
                    continue
            out.append(part)
        if out:
            self.stats_dropped += self._dist.send_to_all(out)

    def send(self, msg: Message) -> bool:
        if len(msg) > 1:
            self._send_parts(msg)
            self.stats_out += 1
            return True
        first = msg[0] if msg else b""
        if first and first[0] == 1:
            self._subscribe(first[1:], msg)
        elif first and first[0] == 0:
            self._unsubscribe(first[1:], msg)
        else:
            self.stats_dropped += self._dist.send_to_all(msg)
        self.stats_out += 1
        return True

    def can_send(self) -> bool:
        return True

    # -- receiving -----------------------------------------------------------------------------

    def _next(self) -> Message | None:
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        fq = self._fq
        ahead = self._ahead
        if not self._filter:
            return ahead.popleft() if ahead else fq.read()
        match = self._subs.match
        invert = bool(self.options.invert_matching)
        while True:
            msg = ahead.popleft() if ahead else fq.read()
            if msg is None:
                return None
            if match(msg[0] if msg else b"") != invert:
                return msg
            self.stats_dropped += 1

    def recv(self) -> Message | None:
        msg = self._next()
        if msg is not None:
            self.stats_in += 1
        return msg

    def recv_batch(self, limit: int) -> list[Message]:
        """A run of messages as ``recv`` would return them one by one: what one pipe holds
        (``FairQueue.read_batch``), and for SUB only the run that matches now. Messages that
        do not match before it are dropped, as ``recv`` drops them; from the first one after
        it, they wait in ``_ahead`` to be matched by the receive that reaches them."""
        if self._pending is not None:
            msg = self.recv()
            return [] if msg is None else [msg]
        ahead = self._ahead
        while True:
            if ahead:
                batch = list(ahead)
                ahead.clear()
                if len(batch) > limit:
                    ahead.extend(batch[limit:])
                    del batch[limit:]
            else:
                batch = self._fq.read_batch(limit)
                if not batch:
                    return batch
            if not self._filter:
                break
            wanted = not self.options.invert_matching
            if wanted and b"" in self._subs:
                break  # the empty topic matches every message (§4.1): the run is all of it
            n = len(batch)
            try:
                firsts = list(map(_first, batch))
            except IndexError:  # an empty message (inproc) matches as an empty frame
                firsts = [msg[0] if msg else b"" for msg in batch]
            matched = self._subs.matches(firsts)
            # The run: from the first message that matches to the first after it that does not.
            start = _index(matched, wanted, 0)
            end = _index(matched, not wanted, start)
            self.stats_dropped += start
            if end < n:
                ahead.extendleft(reversed(batch[end:]))
            if end > start:
                batch = batch[start:end] if start or end < n else batch
                break
        self.stats_in += len(batch)
        return batch

    def unread(self, messages: list[Message]) -> bool:
        if messages:
            self._ahead.extendleft(reversed(messages))
            self.stats_in -= len(messages)
        return True

    def can_recv(self) -> bool:
        if self._pending is None:
            self._pending = self._next()
        return self._pending is not None

    def getsockopt(self, option: int) -> int | bytes | None:
        if option == SocketOption.TOPICS_COUNT:
            return len(self._subs)
        return None


class Sub(XSub):
    """SUB: XSUB with SUBSCRIBE/UNSUBSCRIBE options and local prefix filtering (§4.3)."""

    __slots__ = ()

    socket_type = SocketType.SUB
    _filter = True

    def send(self, msg: Message) -> bool:
        return Pattern.send(self, msg)

    def can_send(self) -> bool:
        return False

    def setsockopt(self, option: int, value: int | bytes) -> bool:
        if option == SocketOption.SUBSCRIBE:
            topic = _topic(value)
            self._subscribe(topic, [b"\x01" + topic])
            return True
        if option == SocketOption.UNSUBSCRIBE:
            topic = _topic(value)
            self._unsubscribe(topic, [b"\x00" + topic])
            return True
        return False


__all__ = ["Pub", "Sub", "XPub", "XSub"]
