"""The blocking API's classes have every attribute pyzmq 27's have, with the same parameters.

``dir(zmq.X)`` against ``dir(purezmq.X)``: a name pyzmq has and purezmq lacks must be listed in
``INTENTIONALLY_ABSENT`` with the reason, so that a new pyzmq attribute (or one dropped by
mistake) fails here. For methods both have, every parameter pyzmq names must exist in
purezmq's signature, in the same leading order.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

import purezmq

zmq = pytest.importorskip("zmq")

_CYTHON = "Cython's internals of pyzmq's compiled backend"
_GENERIC = "typing.Generic's bookkeeping; purezmq's class takes X[...] through __class_getitem__"
#: ``typing.Generic``'s names that pyzmq's generic classes show on some Pythons only (from 3.12
#: ``Generic`` is a C type and adds neither).
_GENERIC_BEFORE_3_12 = frozenset({"__slots__", "_is_protocol"})
_OPTIONS = "option attributes are properties installed on the class, not looked up on a miss"
_INSTANCE = "an instance attribute in purezmq (set in __init__), not a class attribute"

SHARED_ABSENT = {
    "__pyx_vtable__": _CYTHON,
    "__setstate__": _CYTHON,
    "__getattr__": _OPTIONS,
}

INTENTIONALLY_ABSENT: dict[str, dict[str, str]] = {
    "Socket": {
        **SHARED_ABSENT,
        "__slots__": _GENERIC,
        "__orig_bases__": _GENERIC,
        "__parameters__": _GENERIC,
        "_is_protocol": _GENERIC,
        "_closed": _INSTANCE,
        "_monitor_socket": _INSTANCE,
        "_bind_cm": "pyzmq's private builder of bind()'s context manager",
        "_connect_cm": "pyzmq's private builder of connect()'s context manager",
        "_deserialize": "pyzmq's private helper of recv_* (purezmq's codecs: _base.serialize)",
        "_poller_class": "pyzmq's private hook of Socket.poll (purezmq waits on its own signal)",
        "_type_name": "pyzmq's private repr cache",
    },
    "Context": {
        **SHARED_ABSENT,
        "__slots__": _GENERIC,
        "__orig_bases__": _GENERIC,
        "__parameters__": _GENERIC,
        "_is_protocol": _GENERIC,
        "_add_socket": "pyzmq's private socket list; purezmq's sockets register themselves",
        "_rm_socket": "pyzmq's private socket list; closed sockets leave it when collected",
        "_warn_destroy_close": "purezmq does not warn (ResourceWarning) about unclosed sockets",
    },
    "Frame": {
        **SHARED_ABSENT,
        "__dict__": "purezmq's Frame is slotted (one is made per received frame)",
        "_get_attr_opt": "pyzmq's Frame is an AttributeSetter without any option to set",
        "_set_attr_opt": "pyzmq's Frame is an AttributeSetter without any option to set",
    },
    "MessageTracker": {
        "__dict__": "purezmq's MessageTracker is slotted",
    },
    "Poller": {
        "__annotations__": "pyzmq annotates Poller's attributes in the class body, purezmq's "
        "in __init__",
    },
}

PAIRS = [(name, getattr(zmq, name), getattr(purezmq, name)) for name in INTENTIONALLY_ABSENT]


@pytest.mark.parametrize(("name", "theirs", "ours"), PAIRS, ids=[p[0] for p in PAIRS])
def test_every_pyzmq_attribute_exists_or_is_listed(name: str, theirs: Any, ours: Any) -> None:
    absent = INTENTIONALLY_ABSENT[name]
    missing = sorted(set(dir(theirs)) - set(dir(ours)) - set(absent))
    assert missing == [], f"purezmq.{name} lacks pyzmq's {missing}"


@pytest.mark.parametrize(("name", "theirs", "ours"), PAIRS, ids=[p[0] for p in PAIRS])
def test_listed_absences_are_really_absent(name: str, theirs: Any, ours: Any) -> None:
    """An entry for a name purezmq has since gained (or pyzmq dropped) is stale."""
    listed = INTENTIONALLY_ABSENT[name]
    stale = sorted(
        n
        for n in listed
        if n in dir(ours) or (n not in dir(theirs) and n not in _GENERIC_BEFORE_3_12)
    )
    assert stale == []


def _signature(obj: Any) -> inspect.Signature | None:
    try:
        return inspect.signature(obj)
    except (TypeError, ValueError):
        return None


@pytest.mark.parametrize(("name", "theirs", "ours"), PAIRS, ids=[p[0] for p in PAIRS])
def test_methods_take_pyzmq_parameters(name: str, theirs: Any, ours: Any) -> None:
    mismatches = []
    for attr in sorted(set(dir(theirs)) & set(dir(ours))):
        if attr.startswith("_") and attr != "__init__":
            continue
        their_fn, our_fn = getattr(theirs, attr), getattr(ours, attr)
        if not callable(their_fn) or isinstance(their_fn, type):
            continue
        their_sig, our_sig = _signature(their_fn), _signature(our_fn)
        if their_sig is None or our_sig is None:
            continue
        named = [
            p.name
            for p in their_sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        if any(p.kind == p.VAR_POSITIONAL for p in their_sig.parameters.values()) and not named:
            continue  # Cython's (self, /, *args, **kwargs): nothing to compare
        ours_named = list(our_sig.parameters)
        if [n for n in named if n not in ours_named] or ours_named[: len(named)] != named:
            mismatches.append(f"{attr}{their_sig} vs {our_fn.__qualname__}{our_sig}")
    assert mismatches == []


def test_classes_can_be_subscripted_like_pyzmq_generics() -> None:
    assert purezmq.Socket[bytes].__origin__ is purezmq.Socket  # type: ignore[misc]
    assert purezmq.Context[purezmq.Socket].__origin__ is purezmq.Context  # type: ignore[misc]


@pytest.mark.parametrize("lib", [purezmq, zmq], ids=["purezmq", "pyzmq"])
def test_socket_type_is_the_enum(lib: Any) -> None:
    ctx = lib.Context()
    sock = ctx.socket(lib.DEALER)
    try:
        assert sock.type == lib.DEALER
        assert isinstance(sock.type, lib.SocketType)
        assert sock.type.name == "DEALER"
        with pytest.warns(DeprecationWarning, match="socket_type is deprecated"):
            assert sock.socket_type == lib.DEALER
    finally:
        sock.close()
        ctx.term()
