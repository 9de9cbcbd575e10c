"""pyzmq 27's public module tree and names, against purezmq's.

The installed pyzmq is the reference: every module of its package must import as ``zmq.X``
after ``install_as_zmq()``, and every public name of it must exist in ``purezmq.X``, except
the absences listed (with their reasons) in ``ABSENT``. ``ELSEWHERE`` lists the parts built
on other branches: skipped while ``purezmq`` lacks them, checked once it has them.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import warnings
from types import ModuleType

import pytest

from ._python import run_python

pytest.importorskip("zmq")

#: Modules and names purezmq does not provide, on purpose. A module is ("zmq.X", None).
ABSENT: dict[tuple[str, str | None], str] = {
    ("zmq.backend.select", None): "pyzmq's chooser between its Cython and CFFI bindings; "
    "purezmq has a single implementation",
    ("zmq", "Enum"): "incidental import in pyzmq's namespace (enum.Enum), not API",
    ("zmq", "IntEnum"): "incidental import in pyzmq's namespace (enum.IntEnum), not API",
    ("zmq", "IntFlag"): "incidental import in pyzmq's namespace (enum.IntFlag), not API",
    ("zmq", "contextmanager"): "incidental import in pyzmq's namespace, not API",
    ("zmq", "os"): "incidental import in pyzmq's namespace, not API",
    ("zmq", "sys"): "incidental import in pyzmq's namespace, not API",
    ("zmq.constants", "Enum"): "incidental import (enum.Enum), not API",
    ("zmq.constants", "TYPE_CHECKING"): "incidental import (typing), not API",
    ("zmq.constants", "errno"): "incidental import (the errno module), not API",
    ("zmq.constants", "sys"): "incidental import, not API",
    ("zmq.error", "EINTR"): "incidental import (errno.EINTR); zmq.EINTR is the constant",
    ("zmq.error", "Literal"): "incidental import (typing), not API",
    ("zmq.utils.garbage", "GarbageCollectorThread"): "purezmq never lends a buffer to the "
    "engine, so no collector thread runs (GarbageCollector holds nothing)",
}

#: Module prefixes built by other branches (the lead enables them after merging).
ELSEWHERE = ("zmq.green", "zmq.asyncio")

#: pyzmq modules that only exist as its binding to libzmq or as its own test suite.
NOT_API = ("zmq.backend.cython", "zmq.backend.cffi", "zmq.tests")

#: Third-party packages some modules need; without them that module's import fails with
#: the missing package's own ImportError.
OPTIONAL_DEPS = frozenset({"tornado", "gevent", "paramiko"})


def pyzmq_modules() -> list[str]:
    """Every module of the installed pyzmq package, private ones (``_x``) left out."""
    spec = importlib.util.find_spec("zmq")
    assert spec is not None and spec.submodule_search_locations
    root = next(iter(spec.submodule_search_locations))
    names = []
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            if not f.endswith(".py"):
                continue
            rel = os.path.relpath(os.path.join(dirpath, f), root)[:-3].replace(os.sep, ".")
            name = "zmq" if rel == "__init__" else "zmq." + rel.removesuffix(".__init__")
            parts = name.split(".")
            if any(p.startswith("_") and p != "__main__" for p in parts):
                continue
            if name.startswith(NOT_API):
                continue
            names.append(name)
    return sorted(names)


def _purezmq_has(name: str) -> bool:
    target = "pure" + name
    try:
        return importlib.util.find_spec(target) is not None
    except ModuleNotFoundError:
        return False


def _expected_modules() -> list[str]:
    out = []
    for name in pyzmq_modules():
        if (name, None) in ABSENT:
            continue
        if name.startswith(ELSEWHERE) and not _purezmq_has(name):
            continue
        out.append(name)
    return out


def test_pyzmq_module_list_is_sane() -> None:
    names = pyzmq_modules()
    for expected in ("zmq", "zmq.devices.basedevice", "zmq.log.handlers", "zmq.ssh.tunnel",
                     "zmq.sugar.stopwatch", "zmq.utils.win32", "zmq.decorators"):
        assert expected in names
    assert not [n for n in names if n.startswith(NOT_API)]


def test_every_pyzmq_module_imports_as_zmq_after_install() -> None:
    names = _expected_modules()
    out = run_python(
        """
        import importlib, json, sys
        import purezmq
        purezmq.install_as_zmq()
        report = {}
        for name in sys.argv[1:]:
            try:
                module = importlib.import_module(name)
            except ImportError as exc:
                report[name] = ["ImportError", exc.name or "", str(exc)]
                continue
            target = "pure" + name
            same = module is sys.modules.get(target) or name == "zmq"
            report[name] = ["ok" if same else "not the purezmq module", "", ""]
        print(json.dumps(report))
        """,
        *names,
    )
    report = json.loads(out.stdout)
    failures = {}
    for name, (status, missing, message) in report.items():
        if status == "ok":
            continue
        if status == "ImportError" and missing.split(".")[0] in OPTIONAL_DEPS:
            continue  # that module's own dependency is not installed here
        failures[name] = f"{status}: {message}"
    assert not failures, failures
    assert set(report) == set(names)


def _public_names(module: ModuleType, everything: bool) -> set[str]:
    """``__all__``, or the names the module defines; with ``everything`` all of ``dir``."""
    if everything:
        names = {n for n in dir(module) if not n.startswith("_")}
        return names | set(getattr(module, "__all__", ()))
    if hasattr(module, "__all__"):
        return set(module.__all__)
    return {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
    }


def _missing_names(elsewhere: bool) -> tuple[dict[str, list[str]], int]:
    """Public names of pyzmq modules absent from purezmq's (this branch's, or others')."""
    missing: dict[str, list[str]] = {}
    checked = 0
    for name in _expected_modules():
        if name.endswith("__main__") or name.startswith(ELSEWHERE) != elsewhere:
            continue
        # Deprecated modules (zmq.eventloop.ioloop, zmq.auth.ioloop) warn on import, in both.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            try:
                reference = importlib.import_module(name)  # the real pyzmq, in this process
            except ImportError:
                continue  # a pyzmq module whose optional dependency is missing here
            ours = importlib.import_module("pure" + name)
        everything = name in ("zmq", "zmq.constants", "zmq.error")
        for attr in sorted(_public_names(reference, everything)):
            if (name, attr) in ABSENT:
                continue
            checked += 1
            if not hasattr(ours, attr):
                missing.setdefault(name, []).append(attr)
    return missing, checked


def test_public_names_of_every_module_exist_in_purezmq() -> None:
    missing, checked = _missing_names(elsewhere=False)
    assert not missing, missing
    assert checked > 500  # the constants alone are several hundred names


def test_public_names_of_modules_built_elsewhere() -> None:
    missing, _checked = _missing_names(elsewhere=True)
    if missing:
        pytest.skip(f"built on another branch, still missing: {missing}")


def test_listed_absences_are_still_absent() -> None:
    # An absence that purezmq now provides must leave the list.
    stale = []
    for (name, attr), _reason in ABSENT.items():
        if attr is None:
            if _purezmq_has(name):
                stale.append(name)
        elif hasattr(importlib.import_module("pure" + name), attr):
            stale.append(f"{name}.{attr}")
    assert not stale, stale
