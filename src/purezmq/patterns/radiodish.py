"""RADIO and DISH: group messaging with exact-match groups (RFC 48, docs/protocol/patterns.md §7.2).

In a pipe, a RADIO message is two items, ``[group, body]`` — over ZMTP that is exactly what
goes on the wire (a group frame with MORE, then the body). DISH tells its RADIO peers what it
joined with single-item messages ``[b"\\x01" + group]`` (join) and ``[b"\\x00" + group]``
(leave); a ZMTP connection turns those into JOIN/LEAVE commands and back (RFC 37 §Commands).

RADIO sends only to the pipes that joined the group and drops on a full pipe (or reports mute
under XPUB_NODROP); DISH keeps its groups, sends them again to every new or reconnected peer,
and filters what arrives against them (libzmq ``dish_t`` filters as well as RADIO).

Layer 1b: standard library and layer 0 only.
"""

from __future__ import annotations

import random

from ..constants import Errno, SocketType
from ..error import ZMQError
from .base import Pattern, PatternOptions
from .pipe import Message, Pipe
from .strategies import Distributor, FairQueue

#: libzmq's ``ZMQ_GROUP_MAX_LENGTH`` (4.3.3 and later; 15 before).
GROUP_MAX_LENGTH = 255

JOIN_PREFIX = b"\x01"
LEAVE_PREFIX = b"\x00"


def check_group(group: bytes) -> None:
    """EINVAL for a group libzmq refuses (``zmq_msg_set_group``, ``dish_t::xjoin``)."""
    if len(group) > GROUP_MAX_LENGTH:
        raise ZMQError(
            Errno.EINVAL,
            f"a group is at most {GROUP_MAX_LENGTH} bytes (ZMQ_GROUP_MAX_LENGTH), "
            f"this one has {len(group)}",
        )


class Radio(Pattern):
    """RADIO: ``send([group, body])`` to the peers that joined ``group``; send-only."""

    __slots__ = ("_dist", "_groups", "_udp_pipes")

    socket_type = SocketType.RADIO

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._dist = Distributor()
        #: group -> pipes that joined it (dicts as ordered sets).
        self._groups: dict[bytes, dict[Pipe, None]] = {}
        #: Pipes that take every group (udp:// sessions: no JOIN ever comes back over udp).
        self._udp_pipes: dict[Pipe, None] = {}

    def attach(self, pipe: Pipe) -> bool:
        self._dist.attach(pipe)
        if pipe.subscribe_all:
            self._udp_pipes[pipe] = None
        else:
            self._drain(pipe)
        return True

    def detach(self, pipe: Pipe) -> None:
        self._dist.detach(pipe)
        self._udp_pipes.pop(pipe, None)
        for group in [g for g, pipes in self._groups.items() if pipe in pipes]:
            self._forget(group, pipe)

    def read_activated(self, pipe: Pipe) -> None:
        if pipe in self._dist:
            self._drain(pipe)

    def write_activated(self, pipe: Pipe) -> None:
        self._dist.activated(pipe)

    def _forget(self, group: bytes, pipe: Pipe) -> None:
        pipes = self._groups.get(group)
        if pipes is not None:
            pipes.pop(pipe, None)
            if not pipes:
                del self._groups[group]

    def _drain(self, pipe: Pipe) -> None:
        """Take the peer's joins and leaves; anything else from a DISH means nothing."""
        while True:
            msg = pipe.read()
            if msg is None:
                return
            if len(msg) != 1 or not msg[0]:
                continue
            first = bytes(msg[0])
            if first[:1] == JOIN_PREFIX:
                self._groups.setdefault(first[1:], {})[pipe] = None
            elif first[:1] == LEAVE_PREFIX:
                self._forget(first[1:], pipe)

    def groups(self) -> dict[bytes, int]:
        """How many peers joined each group (for tests and statistics)."""
        return {group: len(pipes) for group, pipes in self._groups.items()}

    def send(self, msg: Message) -> bool:
        if len(msg) != 2:
            raise ZMQError(Errno.EINVAL, "RADIO sends [group, body]")
        pipes: dict[Pipe, None] | None = self._groups.get(bytes(msg[0]))
        if self._udp_pipes:
            pipes = {**pipes, **self._udp_pipes} if pipes else self._udp_pipes
        if not pipes:
            self.stats_out += 1
            return True
        dist = self._dist
        if self.options.xpub_nodrop and not dist.check_hwm(pipes):
            return False
        filled = dist.filled
        self.stats_dropped += dist.send_to(msg, list(pipes))
        self.stats_out += 1
        if dist.filled != filled:
            self.stats_filled += 1
            if self.on_filled is not None:
                self.on_filled()
        return True

    def can_send(self) -> bool:
        return True


class Dish(Pattern):
    """DISH: ``join``/``leave`` groups; ``recv()`` gives ``[group, body]``; receive-only."""

    __slots__ = ("_fq", "_joined", "_pending", "_pipes")

    socket_type = SocketType.DISH

    def __init__(self, options: PatternOptions, *, rng: random.Random | None = None) -> None:
        super().__init__(options, rng=rng)
        self._fq = FairQueue()
        self._pipes: dict[Pipe, None] = {}
        self._joined: dict[bytes, None] = {}
        #: The message ``can_recv`` had to read to answer; handed out first.
        self._pending: Message | None = None

    def attach(self, pipe: Pipe) -> bool:
        self._fq.attach(pipe)
        self._pipes[pipe] = None
        self._send_joins(pipe)
        return True

    def hiccup(self, pipe: Pipe) -> None:
        if pipe in self._pipes:
            self._send_joins(pipe)

    def detach(self, pipe: Pipe) -> None:
        self._fq.detach(pipe)
        self._pipes.pop(pipe, None)

    def read_activated(self, pipe: Pipe) -> None:
        self._fq.activated(pipe)

    def _send_joins(self, pipe: Pipe) -> None:
        write = pipe.write
        for group in self._joined:
            write([JOIN_PREFIX + group])

    def joined(self) -> list[bytes]:
        return list(self._joined)

    def join(self, group: bytes) -> None:
        """Join ``group``; EINVAL when already joined or too long (libzmq ``dish_t``)."""
        check_group(group)
        if group in self._joined:
            raise ZMQError(Errno.EINVAL, f"DISH socket: already joined group {group!r}")
        self._joined[group] = None
        msg = [JOIN_PREFIX + group]
        for pipe in self._pipes:
            pipe.write(msg)

    def leave(self, group: bytes) -> None:
        """Leave ``group``; EINVAL when not joined."""
        check_group(group)
        if group not in self._joined:
            raise ZMQError(Errno.EINVAL, f"DISH socket: group {group!r} was not joined")
        del self._joined[group]
        msg = [LEAVE_PREFIX + group]
        for pipe in self._pipes:
            pipe.write(msg)

    def _next(self) -> Message | None:
        msg = self._pending
        if msg is not None:
            self._pending = None
            return msg
        read = self._fq.read
        joined = self._joined
        while True:
            msg = read()
            if msg is None:
                return None
            if len(msg) == 2 and bytes(msg[0]) in joined:
                return msg
            self.stats_dropped += 1

    def recv(self) -> Message | None:
        msg = self._next()
        if msg is not None:
            self.stats_in += 1
        return msg

    def can_recv(self) -> bool:
        if self._pending is None:
            self._pending = self._next()
        return self._pending is not None

    def can_send(self) -> bool:
        # libzmq ``dish_t::xhas_out``: joins and leaves can always be made.
        return True

    def send(self, msg: Message) -> bool:
        raise ZMQError(Errno.ENOTSUP, "DISH sockets cannot send, they only receive")


__all__ = [
    "GROUP_MAX_LENGTH",
    "JOIN_PREFIX",
    "LEAVE_PREFIX",
    "Dish",
    "Radio",
    "check_group",
]
