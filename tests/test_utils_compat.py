"""purezmq.utils: pyzmq's small helpers (jsonapi, strtypes, interop, win32, garbage)."""

from __future__ import annotations

import os
import threading

import pytest

import purezmq
from purezmq.utils import garbage, interop, jsonapi, strtypes, win32


def test_jsonapi_dumps_bytes_and_loads_bytes_or_str() -> None:
    data = {"name": "ø", "n": [1, 2.5, None]}
    out = jsonapi.dumps(data, sort_keys=True)
    assert isinstance(out, bytes)
    assert out == b'{"n": [1, 2.5, null], "name": "\\u00f8"}'
    assert jsonapi.loads(out) == data
    assert jsonapi.loads(out.decode()) == data
    assert jsonapi.loads(jsonapi.dumps("ø", ensure_ascii=False)) == "ø"


def test_strtypes_casts_warn_as_deprecated() -> None:
    assert strtypes.bytes is bytes and strtypes.unicode is str and strtypes.basestring == (str,)
    with pytest.warns(DeprecationWarning):
        assert strtypes.cast_bytes("ø") == "ø".encode()
    with pytest.warns(DeprecationWarning):
        assert strtypes.cast_unicode(b"\xc3\xb8") == "ø"
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError):
        strtypes.cast_bytes(3)  # type: ignore[arg-type]
    assert strtypes.b is strtypes.cast_bytes and strtypes.u is strtypes.cast_unicode


def test_cast_int_addr() -> None:
    assert interop.cast_int_addr(1234) == 1234
    with pytest.raises(ValueError, match="Cannot cast"):
        interop.cast_int_addr("0x10")


@pytest.mark.skipif(os.name == "nt", reason="the Windows console handler path")
def test_allow_interrupt_is_a_no_op_context_manager_off_windows() -> None:
    called: list[int] = []
    with win32.allow_interrupt(lambda: called.append(1)):
        pass
    with win32.allow_interrupt():
        pass
    assert called == []


def test_garbage_collector_holds_nothing() -> None:
    event = threading.Event()
    garbage.gc.store(b"buffer", event)
    assert event.is_set() and len(garbage.gc) == 0 and not garbage.gc.is_alive()


def test_submodules_reachable_as_attributes() -> None:
    for name in ("jsonapi", "strtypes", "interop", "win32", "garbage", "monitor", "z85"):
        assert getattr(purezmq.utils, name).__name__ == f"purezmq.utils.{name}"
    with pytest.raises(AttributeError):
        _ = purezmq.utils.nothing_here
