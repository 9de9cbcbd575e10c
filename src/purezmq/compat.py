"""``install_as_zmq()``: let ``import zmq`` load purezmq (PyMySQL's ``install_as_MySQLdb``).

Existing pyzmq programs then run unchanged::

    import purezmq
    purezmq.install_as_zmq()
    import zmq                      # purezmq, reporting pyzmq's API level as __version__
    import zmq.asyncio              # purezmq.asyncio, the very same module object
    from zmq.devices import ThreadProxy

How (docs/dropin.md has the whole story):

* ``sys.modules["zmq"]`` becomes a thin *facade* module: every attribute read or write goes to
  ``purezmq`` itself, except the version attributes. ``zmq.__version__`` is the pyzmq API
  level purezmq implements (``purezmq.pyzmq_version()``), because programs compare it against
  pyzmq releases; ``purezmq.__version__`` stays purezmq's own version.
* Every other ``zmq.X.Y`` is an alias: a ``sys.meta_path`` finder, placed first, answers any
  ``zmq.*`` import with the module ``purezmq.X.Y`` (``sys.modules["zmq.X.Y"] is
  purezmq.X.Y``). Nothing is listed, so parts added later are covered; a part whose optional
  dependency is missing raises that module's own ImportError when imported.
* The finder comes before the path finders, so an installed pyzmq is never loaded through
  ``zmq``. If pyzmq was imported *before* ``install_as_zmq()``, its ``zmq*`` entries are taken
  out of ``sys.modules`` (a ``RuntimeWarning`` says so): later imports get purezmq, while
  modules that already hold pyzmq objects keep them. The two cannot be mixed: their Contexts
  and sockets are unrelated.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import threading
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

from ._base.naming import set_public_package

#: The package name programs import.
ALIAS = "zmq"
#: The package that answers for it.
TARGET = "purezmq"

#: Attributes the facade keeps for itself: the import system's own, and the version, which
#: reports pyzmq's API level when read as ``zmq``.
_FACADE_OWN = frozenset(
    {
        "__name__",
        "__spec__",
        "__loader__",
        "__package__",
        "__path__",
        "__file__",
        "__cached__",
        "__doc__",
        "__version__",
        "__revision__",
        "__builtins__",
        "__dict__",
        "__class__",
    }
)

_lock = threading.Lock()


def _target_name(fullname: str) -> str:
    return TARGET + fullname[len(ALIAS) :]


class ZmqFacade(ModuleType):
    """``sys.modules["zmq"]``: purezmq under pyzmq's name and version.

    Attribute reads fall through to ``purezmq`` (lazy names and submodules included);
    writes land on ``purezmq`` too, so ``mock.patch("zmq.Context", ...)`` is seen by code
    that reads ``purezmq.Context``.
    """

    def __getattr__(self, name: str) -> Any:
        target = importlib.import_module(TARGET)
        try:
            return getattr(target, name)
        except AttributeError:
            raise AttributeError(f"module {ALIAS!r} has no attribute {name!r}") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FACADE_OWN:
            super().__setattr__(name, value)
        else:
            setattr(importlib.import_module(TARGET), name, value)

    def __delattr__(self, name: str) -> None:
        if name in _FACADE_OWN:
            super().__delattr__(name)
        else:
            delattr(importlib.import_module(TARGET), name)

    def __dir__(self) -> list[str]:
        return sorted({*dir(importlib.import_module(TARGET)), *self.__dict__})


def _make_facade(spec: importlib.machinery.ModuleSpec) -> ZmqFacade:
    target = importlib.import_module(TARGET)
    facade = ZmqFacade(ALIAS, target.__doc__)
    facade.__file__ = target.__file__
    # A package: ``import zmq.X`` needs a ``__path__``. The finder answers every ``zmq.*``
    # name before any path finder looks here.
    facade.__path__ = list(target.__path__)
    facade.__version__ = str(target.pyzmq_version())
    facade.__revision__ = ""
    facade.__spec__ = spec
    facade.__loader__ = spec.loader
    facade.__package__ = ALIAS
    return facade


class AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers ``import zmq.X.Y`` with the module ``purezmq.X.Y`` (and ``zmq`` with a facade)."""

    def __init__(self) -> None:
        # fullname -> the purezmq module's own spec, restored after the import system
        # stamped the alias spec on it (``module_from_spec`` always sets ``__spec__``).
        self._own_specs: dict[str, Any] = {}

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname == ALIAS:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        if not fullname.startswith(ALIAS + "."):
            return None
        try:
            found = importlib.util.find_spec(_target_name(fullname))
        except ModuleNotFoundError:
            found = None
        if found is None:
            # purezmq has no such module: no other finder may load pyzmq's in its place.
            raise ModuleNotFoundError(
                f"No module named {fullname!r} (purezmq stands in for pyzmq and has no "
                f"{_target_name(fullname)!r}; see docs/dropin.md)",
                name=fullname,
            )
        return importlib.machinery.ModuleSpec(
            fullname, self, is_package=found.submodule_search_locations is not None
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        if spec.name == ALIAS:
            return _make_facade(spec)
        target = _target_name(spec.name)
        module = importlib.import_module(target)
        _alias_loaded_submodules(target)
        self._own_specs[spec.name] = module.__spec__
        return module

    def get_code(self, fullname: str) -> Any:
        """The code of ``purezmq.X`` for ``zmq.X``: ``python -m zmq.log`` runs it (runpy)."""
        if fullname == ALIAS:
            return None
        found = importlib.util.find_spec(_target_name(fullname))
        loader = found.loader if found is not None else None
        get_code = getattr(loader, "get_code", None)
        return get_code(_target_name(fullname)) if get_code is not None else None

    def exec_module(self, module: ModuleType) -> None:
        # The module ran when purezmq imported it; give it back its own spec, so that
        # ``purezmq.X.__spec__.name`` stays ``"purezmq.X"``.
        spec = module.__spec__
        if spec is not None and spec.name in self._own_specs:
            module.__spec__ = self._own_specs.pop(spec.name)


_finder = AliasFinder()


def _alias_loaded_submodules(target: str) -> None:
    """Enter the already imported submodules of ``target`` under their ``zmq`` names.

    The import system binds a freshly loaded submodule as an attribute of its parent package.
    A package that imported its submodule and then rebound the name (``purezmq.green`` binds
    ``device`` to the function from ``purezmq.green.device``, as pyzmq does) would lose that
    binding on a later ``import zmq.green.device``; an alias already in ``sys.modules`` is not
    loaded again, so the parent keeps what it chose.
    """
    prefix = target + "."
    for name in [n for n in sys.modules if n.startswith(prefix)]:
        alias = ALIAS + name[len(TARGET) :]
        if alias not in sys.modules:
            sys.modules[alias] = sys.modules[name]


def _evict_pyzmq() -> list[str]:
    """Take an already imported pyzmq's ``zmq*`` entries out of ``sys.modules``."""
    evicted = []
    for name in list(sys.modules):
        if name != ALIAS and not name.startswith(ALIAS + "."):
            continue
        module = sys.modules[name]
        if isinstance(module, ZmqFacade) or getattr(module, "__name__", "").startswith(
            TARGET
        ):
            continue
        del sys.modules[name]
        evicted.append(name)
    return evicted


def install_as_zmq() -> None:
    """Make ``import zmq`` and every ``import zmq.X`` resolve to purezmq. Idempotent.

    Call it before anything imports ``zmq`` (``purezmq run`` does it at interpreter start).
    """
    with _lock:
        if _finder not in sys.meta_path:
            sys.meta_path.insert(0, _finder)
        evicted = _evict_pyzmq()
    if evicted:
        warnings.warn(
            "pyzmq was imported before purezmq.install_as_zmq(): modules that already hold "
            "pyzmq's objects keep them; later imports of zmq get purezmq. Call "
            "install_as_zmq() first (or use `purezmq run`).",
            RuntimeWarning,
            stacklevel=2,
        )
    importlib.import_module(ALIAS)
    # Reprs say ``zmq.Socket`` now, as pyzmq's do.
    set_public_package(ALIAS)


def uninstall_as_zmq() -> None:
    """Undo ``install_as_zmq()``: drop the finder and the ``zmq*`` aliases."""
    set_public_package(TARGET)
    with _lock:
        if _finder in sys.meta_path:
            sys.meta_path.remove(_finder)
        for name in list(sys.modules):
            if name == ALIAS or name.startswith(ALIAS + "."):
                module = sys.modules[name]
                if isinstance(module, ZmqFacade) or getattr(module, "__name__", "").startswith(
                    TARGET
                ):
                    del sys.modules[name]


__all__ = ["AliasFinder", "ZmqFacade", "install_as_zmq", "uninstall_as_zmq"]
