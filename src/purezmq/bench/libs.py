"""The libraries under test, named so that a worker can load either one.

A benchmark cell runs one *implementation*: a library (``purezmq``, ``pyzmq``, ``pyomq``) and
an API (``sync``, ``asyncio``, or ``uvloop`` = the asyncio API on a uvloop loop). Workers import
the library by name only once they run, so a broken purezmq fails its own cells and nothing else.
``floor-asyncio`` is no ZeroMQ library: a bare asyncio ``BufferedProtocol`` echo
(``bench/floor.py``), the least a request/reply round trip can cost on an asyncio loop.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

LIBS = ("purezmq", "pyzmq", "pyomq", "floor")
APIS = ("sync", "asyncio", "uvloop")
#: The libraries ``--compare`` may add beside purezmq.
COMPARABLE = ("pyzmq", "pyomq", "floor")

#: The module each library is imported as.
MODULES = {"purezmq": "purezmq", "pyzmq": "zmq", "pyomq": "pyomq", "floor": "asyncio"}


def importable(lib: str) -> bool:
    """Whether ``lib`` can be measured here (pyomq is optional; nothing declares it)."""
    try:
        return importlib.util.find_spec(MODULES[lib]) is not None
    except (ImportError, ValueError):
        return False


T = TypeVar("T")


@dataclass(frozen=True, order=True)
class Impl:
    """A library and one of its APIs, e.g. ``purezmq-asyncio`` or ``pyzmq-sync``."""

    lib: str
    api: str

    @property
    def label(self) -> str:
        return f"{self.lib}-{self.api}"

    @property
    def is_async(self) -> bool:
        return self.api != "sync"

    @classmethod
    def parse(cls, label: str) -> Impl:
        lib, _, api = label.partition("-")
        if lib not in LIBS or api not in APIS:
            raise ValueError(f"unknown implementation {label!r} (e.g. purezmq-sync, pyzmq-asyncio)")
        return cls(lib, api)


def load(impl: Impl) -> tuple[Any, Any]:
    """Import ``impl``'s library; return ``(module with the constants, Context class)``."""
    if impl.lib == "floor":
        return None, None
    base = importlib.import_module(MODULES[impl.lib])
    if impl.is_async:
        aio = importlib.import_module(MODULES[impl.lib] + ".asyncio")
        return base, aio.Context
    return base, base.Context


def run_async(impl: Impl, main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``main()`` on a fresh loop of the kind ``impl`` asks for.

    An exception that escapes a loop callback (the library's own, typically) ends the worker
    with that error at once: otherwise it is only logged and the cell hangs until its timeout.
    """

    async def guarded() -> T:
        asyncio.get_running_loop().set_exception_handler(_fatal)
        return await main()

    if impl.api == "uvloop":
        import uvloop

        if sys.version_info >= (3, 11):
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(guarded())
        # 3.10 has no Runner: the policy is the only way to make asyncio.run use uvloop.
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return asyncio.run(guarded())


def _fatal(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    loop.default_exception_handler(context)
    sys.stderr.flush()
    os._exit(1)


def curve_keypair(zmq: Any) -> tuple[bytes, bytes]:
    """A CURVE key pair (Z85 public, Z85 secret) from the library under test itself."""
    make: Any = getattr(zmq, "curve_keypair", None)
    if make is None and zmq.__name__ == "purezmq":
        # Until the top level re-exports it (pyzmq has zmq.curve_keypair).
        make = importlib.import_module("purezmq._curve_keys").curve_keypair
    public, secret = make()
    return bytes(public), bytes(secret)


def versions() -> dict[str, str]:
    """Versions of whatever is importable, for the record (never raises)."""
    out: dict[str, str] = {}
    try:
        import zmq

        out["pyzmq"] = str(zmq.__version__)
        out["libzmq"] = str(zmq.zmq_version())
    except Exception:
        pass
    try:
        pz = importlib.import_module("purezmq")
        out["purezmq"] = str(getattr(pz, "__version__", "?"))
    except Exception as exc:
        out["purezmq"] = f"import failed: {exc!r}"
    try:
        om = importlib.import_module("pyomq")
        out["pyomq"] = str(getattr(om, "__version__", "?"))
    except Exception:
        pass
    try:
        import uvloop

        out["uvloop"] = str(getattr(uvloop, "__version__", "?"))
    except Exception:
        pass
    return out
