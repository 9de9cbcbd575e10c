"""Subscription tables: a counted prefix set (SUB/XSUB) and a topic → pipes map (PUB/XPUB).

Spec patterns.md §4.1: a message matches when some subscription is a byte prefix of its first
frame; the empty subscription matches everything; subscriptions are a multiset on the
subscriber side. libzmq stores them in a byte trie (``trie_t``, ``mtrie_t``). In Python a
node-per-byte trie is slow, so these tables index topics by their *length*: a message matches
iff ``data[:n]`` is a subscribed topic for one of the few distinct lengths ``n`` in use, one
hash lookup per length. With few topics a direct ``startswith`` scan is cheaper still and is
used instead. Results are the same as libzmq's trie; iteration order is libzmq's trie order
(bytewise sorted, a prefix before its extensions).

Layer 1b: standard library only.
"""

from __future__ import annotations

from collections.abc import Hashable
from operator import methodcaller
from typing import Generic, TypeVar

V = TypeVar("V", bound=Hashable)

#: Below this many distinct topics, matching scans them with ``startswith`` (no slicing).
_SCAN_LIMIT = 8

#: ``MultiTrie.remove`` results (libzmq ``mtrie_t::rm_result``).
NOT_FOUND = 0
LAST_VALUE_REMOVED = 1
VALUES_REMAIN = 2


class _Lengths:
    """A counted set of topic lengths, for the prefix lookup."""

    __slots__ = ("counts",)

    def __init__(self) -> None:
        self.counts: dict[int, int] = {}

    def add(self, n: int) -> None:
        self.counts[n] = self.counts.get(n, 0) + 1

    def remove(self, n: int) -> None:
        left = self.counts[n] - 1
        if left:
            self.counts[n] = left
        else:
            del self.counts[n]


class Trie:
    """A multiset of subscription prefixes (libzmq ``trie_t``, used by SUB and XSUB)."""

    __slots__ = ("_counts", "_lengths", "_scan")

    def __init__(self) -> None:
        self._counts: dict[bytes, int] = {}
        self._lengths = _Lengths()
        #: The topics as a tuple while there are few: ``data.startswith(_scan)`` matches in
        #: one C call (SUB filters every message it receives). None: look up by length.
        self._scan: tuple[bytes, ...] | None = ()

    def _topics_changed(self) -> None:
        counts = self._counts
        self._scan = tuple(counts) if len(counts) <= _SCAN_LIMIT else None

    def add(self, topic: bytes) -> bool:
        """Add one reference; True when the topic is new."""
        count = self._counts.get(topic, 0)
        self._counts[topic] = count + 1
        if count:
            return False
        self._lengths.add(len(topic))
        self._topics_changed()
        return True

    def remove(self, topic: bytes) -> bool:
        """Remove one reference; True when that was the last one (False if absent or held)."""
        count = self._counts.get(topic, 0)
        if not count:
            return False
        if count > 1:
            self._counts[topic] = count - 1
            return False
        del self._counts[topic]
        self._lengths.remove(len(topic))
        self._topics_changed()
        return True

    def count(self, topic: bytes) -> int:
        """How many references ``topic`` holds."""
        return self._counts.get(topic, 0)

    def __contains__(self, topic: bytes) -> bool:
        return topic in self._counts

    def __len__(self) -> int:
        """Distinct topics (libzmq ``num_prefixes``, TOPICS_COUNT)."""
        return len(self._counts)

    def match(self, data: bytes | bytearray) -> bool:
        """Whether some subscribed topic is a prefix of ``data``."""
        scan = self._scan
        if scan is not None:
            return data.startswith(scan)
        counts = self._counts
        n = len(data)
        if type(data) is not bytes:
            # A lent body (a bytearray, ``zmtp.bodies``): slices must be hashable.
            data = bytes(data[: max(self._lengths.counts)])
        return any(length <= n and data[:length] in counts for length in self._lengths.counts)

    def matches(self, firsts: list[bytes | bytearray]) -> list[bool]:
        """``match`` for each of ``firsts`` (a run of messages' first frames), in C calls
        while there are few topics: a SUB filters every message it receives."""
        scan = self._scan
        if scan is None:
            return list(map(self.match, firsts))
        if b"" in self._counts:
            return [True] * len(firsts)  # the empty topic matches everything (§4.1)
        return list(map(methodcaller("startswith", scan), firsts))

    def topics(self) -> list[bytes]:
        """Distinct topics in trie order (what a SUB resends after (re)connecting)."""
        return sorted(self._counts)

    def items(self) -> list[tuple[bytes, int]]:
        """``(topic, references)`` in trie order."""
        return sorted(self._counts.items())


class MultiTrie(Generic[V]):
    """Topic → set of subscribers (libzmq ``mtrie_t``, used by PUB and XPUB).

    A subscriber holds a topic at most once (libzmq keeps a set of pipes per prefix): the
    counting happened on the subscriber's side, which sends one CANCEL per topic it drops.
    """

    __slots__ = ("_by_topic", "_by_value", "_lengths", "everyone")

    def __init__(self) -> None:
        self._by_topic: dict[bytes, dict[V, None]] = {}
        self._by_value: dict[V, dict[bytes, None]] = {}
        self._lengths = _Lengths()
        #: When the empty topic is the only one: its holders, which every message matches
        #: (``match``'s answer for any data, found without a call); else None. Do not mutate.
        self.everyone: dict[V, None] | None = None

    def _topics_changed(self) -> None:
        by_topic = self._by_topic
        self.everyone = by_topic.get(b"") if len(by_topic) == 1 else None

    def add(self, topic: bytes, value: V) -> bool:
        """Subscribe ``value`` to ``topic``; True when the topic had no subscriber before."""
        holders = self._by_topic.get(topic)
        first = holders is None
        if holders is None:
            holders = self._by_topic[topic] = {}
            self._lengths.add(len(topic))
            self._topics_changed()
        holders[value] = None
        held = self._by_value.get(value)
        if held is None:
            held = self._by_value[value] = {}
        held[topic] = None
        return first

    def remove(self, topic: bytes, value: V) -> int:
        """Unsubscribe; ``NOT_FOUND``, ``LAST_VALUE_REMOVED`` or ``VALUES_REMAIN``."""
        holders = self._by_topic.get(topic)
        if holders is None or value not in holders:
            return NOT_FOUND
        del holders[value]
        held = self._by_value[value]
        del held[topic]
        if not held:
            del self._by_value[value]
        if holders:
            return VALUES_REMAIN
        del self._by_topic[topic]
        self._lengths.remove(len(topic))
        self._topics_changed()
        return LAST_VALUE_REMOVED

    def remove_value(self, value: V, *, only_last: bool = True) -> list[bytes]:
        """Drop every subscription of ``value`` (a pipe went away).

        Returns, in trie order, the topics nobody holds any more (``only_last``), or every topic
        ``value`` held (``only_last=False``, XPUB_VERBOSER).
        """
        held = self._by_value.pop(value, None)
        if held is None:
            return []
        out: list[bytes] = []
        for topic in sorted(held):
            holders = self._by_topic[topic]
            del holders[value]
            if not holders:
                del self._by_topic[topic]
                self._lengths.remove(len(topic))
                out.append(topic)
            elif not only_last:
                out.append(topic)
        self._topics_changed()
        return out

    def match(self, data: bytes) -> dict[V, None]:
        """Subscribers holding some prefix of ``data``, as an ordered set. Do not mutate it.

        The common case (one matching topic) returns the stored set itself: no allocation.
        """
        by_topic = self._by_topic
        found: dict[V, None] | None = None
        merged = False
        if len(by_topic) <= _SCAN_LIMIT:
            for topic, holders in by_topic.items():
                if data.startswith(topic):
                    if found is None:
                        found = holders
                    elif merged:
                        found.update(holders)
                    else:
                        found = {**found, **holders}
                        merged = True
        else:
            n = len(data)
            for length in self._lengths.counts:
                if length <= n:
                    got = by_topic.get(data[:length])
                    if got is None:
                        continue
                    if found is None:
                        found = got
                    elif merged:
                        found.update(got)
                    else:
                        found = {**found, **got}
                        merged = True
        return found if found is not None else {}

    def topics(self) -> list[bytes]:
        """Distinct topics in trie order."""
        return sorted(self._by_topic)

    def topics_of(self, value: V) -> list[bytes]:
        """Topics ``value`` holds, in trie order."""
        return sorted(self._by_value.get(value, ()))

    def holders(self, topic: bytes) -> list[V]:
        """Who holds exactly ``topic``."""
        return list(self._by_topic.get(topic, ()))

    def __len__(self) -> int:
        """Distinct topics (TOPICS_COUNT)."""
        return len(self._by_topic)


__all__ = ["LAST_VALUE_REMOVED", "NOT_FOUND", "VALUES_REMAIN", "MultiTrie", "Trie"]
