"""Packages whose names load with their first use (PEP 562).

A package lists where each of its public names lives; ``lazy_names`` gives it the module-level
``__getattr__`` and ``__dir__`` that import the submodule on first access and keep the value in
the package's namespace, so the hook runs once per name. It keeps a first ``Context`` from
loading what its sockets never use (docs/architecture.md §3, "Import cost").

Layer 0: the standard library only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_names(
    package: str, locations: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__, __dir__`` for ``package``: ``locations`` maps a name to the submodule
    (relative to ``package``) that defines it; ``namespace`` is the package's ``globals()``."""

    def __getattr__(name: str) -> Any:
        module = locations.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(f"{package}.{module}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *locations})

    return __getattr__, __dir__
