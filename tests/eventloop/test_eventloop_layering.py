"""The tornado flavours are built on public names only (DESIGN: no front-end imports another
front-end's internals): the asyncio and blocking front-ends' packages, layer 0, and their own
modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "purezmq"
ALLOWED = {
    "purezmq.constants",
    "purezmq.error",
    "purezmq.asyncio",
    "purezmq.sync",
    "purezmq.auth.asyncio",
}


def _purezmq_imports(path: Path) -> set[str]:
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
            if node.module is None:  # ``from .. import asyncio``: the names are modules
                names.update(f"{module}.{alias.name}" for alias in node.names)
            else:
                names.add(module)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("purezmq"):
            names.add(str(node.module))
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("purezmq"))
    return names


@pytest.mark.parametrize(
    "path",
    [*sorted((SRC / "eventloop").glob("*.py")), SRC / "auth" / "ioloop.py"],
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_tornado_flavours_import_only_public_front_end_names(path: Path) -> None:
    for name in _purezmq_imports(path):
        own = name.startswith("purezmq.eventloop")
        assert own or name in ALLOWED, f"{path.name} imports {name}"
