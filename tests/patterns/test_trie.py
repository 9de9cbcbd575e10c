"""Subscription tables against brute-force multiset / set models."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from purezmq.patterns.trie import LAST_VALUE_REMOVED, NOT_FOUND, VALUES_REMAIN, MultiTrie, Trie

topics = st.binary(max_size=4).map(lambda b: bytes(x % 3 + 0x61 for x in b))  # small alphabet
datas = st.binary(max_size=6).map(lambda b: bytes(x % 3 + 0x61 for x in b))


def test_trie_basics() -> None:
    t = Trie()
    assert not t.match(b"anything")
    assert t.add(b"A") and not t.add(b"A")
    assert t.count(b"A") == 2 and len(t) == 1
    assert t.match(b"ABC") and not t.match(b"B")
    assert not t.remove(b"A") and t.remove(b"A") and not t.remove(b"A")
    t.add(b"topicA")
    t.add(b"")
    assert t.topics() == [b"", b"topicA"]  # trie order: prefix first
    assert t.match(b"zzz")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), topics), max_size=60), st.lists(datas, max_size=10))
def test_trie_matches_multiset_model(ops: list[tuple[bool, bytes]], probes: list[bytes]) -> None:
    t = Trie()
    model: Counter[bytes] = Counter()
    for add, topic in ops:
        if add:
            assert t.add(topic) == (model[topic] == 0)
            model[topic] += 1
        else:
            last = model[topic] == 1
            assert t.remove(topic) == last
            if model[topic]:
                model[topic] -= 1
            if not model[topic]:
                del model[topic]
        assert len(t) == len(model)
        # After every change: matching switches between a scan and a lookup by length.
        for data in probes:
            assert t.match(data) == any(data.startswith(k) for k in model)
        # A run at once (a SUB's receive batch), bodies lent or not.
        run: list[bytes | bytearray] = [*probes, *map(bytearray, probes)]
        assert t.matches(run) == [any(d.startswith(k) for k in model) for d in run]
    assert t.items() == sorted(model.items())
    for data in probes + [topic for _, topic in ops]:
        assert t.match(data) == any(data.startswith(k) for k in model)
        # A large body arrives lent, as a bytearray (zmtp.bodies).
        assert t.match(bytearray(data)) == any(data.startswith(k) for k in model)


def test_multitrie_results_and_pipe_removal() -> None:
    m: MultiTrie[str] = MultiTrie()
    assert m.add(b"A", "p1")
    assert not m.add(b"A", "p2")
    assert not m.add(b"A", "p1")  # a set per topic
    assert m.remove(b"A", "p1") == VALUES_REMAIN
    assert m.remove(b"A", "p1") == NOT_FOUND
    assert m.remove(b"A", "p2") == LAST_VALUE_REMOVED
    m.add(b"x", "p1")
    m.add(b"y", "p1")
    m.add(b"y", "p2")
    assert m.remove_value("p1") == [b"x"]
    m.add(b"x", "p1")
    assert m.remove_value("p1", only_last=False) == [b"x"]
    assert m.remove_value("p2", only_last=False) == [b"y"]
    assert len(m) == 0


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("add"), topics, st.integers(0, 3)),
            st.tuples(st.just("add"), st.just(b""), st.integers(0, 3)),
            st.tuples(st.just("rm"), topics, st.integers(0, 3)),
            st.tuples(st.just("drop"), st.just(b""), st.integers(0, 3)),
        ),
        max_size=60,
    ),
    st.lists(datas, max_size=10),
    st.booleans(),
)
def test_multitrie_matches_set_model(
    ops: list[tuple[str, bytes, int]], probes: list[bytes], only_last: bool
) -> None:
    m: MultiTrie[int] = MultiTrie()
    model: dict[bytes, set[int]] = {}
    for op, topic, v in ops:
        if op == "add":
            assert m.add(topic, v) == (topic not in model)
            model.setdefault(topic, set()).add(v)
        elif op == "rm":
            holders = model.get(topic, set())
            expect = (
                NOT_FOUND
                if v not in holders
                else (LAST_VALUE_REMOVED if len(holders) == 1 else VALUES_REMAIN)
            )
            assert m.remove(topic, v) == expect
            holders.discard(v)
            if not holders:
                model.pop(topic, None)
        else:
            mine = sorted(t for t, h in model.items() if v in h)
            gone = m.remove_value(v, only_last=only_last)
            for t in mine:
                model[t].discard(v)
            expect_gone = [t for t in mine if not model[t]] if only_last else mine
            assert gone == expect_gone
            for t in mine:
                if not model[t]:
                    del model[t]
        assert m.topics() == sorted(model)
        # ``everyone``: what every message matches, exactly while the empty topic is alone.
        if list(model) == [b""]:
            assert m.everyone is not None and set(m.everyone) == model[b""]
        else:
            assert m.everyone is None
    for data in probes + [t for _, t, _ in ops]:
        expected = set().union(*(h for t, h in model.items() if data.startswith(t)))
        assert set(m.match(data)) == expected
