"""The module names pyzmq 27 has under ``zmq.eventloop``, and the error without tornado."""

from __future__ import annotations

import importlib
import sys

import pytest

tornado_ioloop = pytest.importorskip("tornado.ioloop")

_MODULES = (
    "purezmq.eventloop",
    "purezmq.eventloop.ioloop",
    "purezmq.eventloop.zmqstream",
    "purezmq.eventloop.future",
)


def test_eventloop_ioloop_is_tornados() -> None:
    import purezmq.eventloop

    assert purezmq.eventloop.IOLoop is tornado_ioloop.IOLoop


def test_deprecated_ioloop_module_warns_and_keeps_the_old_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delitem(sys.modules, "purezmq.eventloop.ioloop", raising=False)
    with pytest.warns(DeprecationWarning, match="deprecated in pyzmq 17"):
        ioloop = importlib.import_module("purezmq.eventloop.ioloop")
    assert ioloop.ZMQIOLoop is tornado_ioloop.IOLoop
    assert ioloop.IOLoop is tornado_ioloop.IOLoop
    assert ioloop.PeriodicCallback is tornado_ioloop.PeriodicCallback
    with pytest.warns(DeprecationWarning):
        ioloop.install()


@pytest.mark.parametrize("name", _MODULES)
def test_without_tornado_importing_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    for mod in (*_MODULES, "tornado", "tornado.ioloop"):
        monkeypatch.delitem(sys.modules, mod, raising=False)
    monkeypatch.setitem(sys.modules, "tornado", None)
    with pytest.raises(ImportError, match=r"pip install 'purezmq\[tornado\]'"):
        importlib.import_module(name)
