"""docs/architecture.md §1: imports point down only; the sans-IO layers touch no I/O, threads
or clock; front-ends reach the layers below only through the engine; and modules use only the
public names of other modules."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "purezmq"
FORBIDDEN_IN_SANS_IO = {"asyncio", "socket", "threading", "selectors", "ssl", "time"}
LAYER0 = {"constants", "error", "socket_types", "endpoint", "options", "z85", "_typing", "_lazy"}


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by one file (relative imports resolved)."""
    return _imports_of_source(path.read_text(), path)


def _files(subpackage: str) -> list[Path]:
    root = SRC / subpackage
    if root.is_dir():
        return sorted(root.rglob("*.py"))
    single = SRC / f"{subpackage}.py"
    return [single] if single.exists() else []


@pytest.mark.parametrize("layer", ["zmtp", "patterns"])
def test_sans_io_layers_import_no_io(layer: str) -> None:
    for path in _files(layer):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in FORBIDDEN_IN_SANS_IO, f"{path} imports {name}"


@pytest.mark.parametrize(("layer", "other"), [("zmtp", "patterns"), ("patterns", "zmtp")])
def test_zmtp_and_patterns_are_siblings(layer: str, other: str) -> None:
    for path in _files(layer):
        for name in _imports(path):
            assert not name.startswith(f"purezmq.{other}"), f"{path} imports {name}"


def test_layer0_imports_only_layer0() -> None:
    for module in LAYER0:
        for path in _files(module):
            for name in _imports(path):
                if name.startswith("purezmq."):
                    assert name.split(".")[1] in LAYER0, f"{path} imports {name}"


def test_crypto_library_is_confined() -> None:
    for path in SRC.rglob("*.py"):
        if path.name == "_crypto.py":
            continue
        for name in _imports(path):
            assert not name.startswith("nacl"), f"{path} imports {name}; only _crypto.py may"


FRONT_ENDS = ("sync", "asyncio", "green", "eventloop")


def test_front_end_base_imports_no_front_end() -> None:
    """The shared base (``purezmq._base``) is below every front-end: it imports none."""
    for path in _files("_base"):
        for name in _imports(path):
            parts = name.split(".")
            assert not (parts[0] == "purezmq" and len(parts) > 1 and parts[1] in FRONT_ENDS), (
                f"{path} imports {name}"
            )


#: Modules that exist only to give another front-end's public module a second name, as pyzmq
#: has them (``zmq.green.eventloop`` is ``zmq.eventloop``).
ALIAS_MODULES = frozenset(
    {"green/eventloop/__init__.py", "green/eventloop/ioloop.py", "green/eventloop/zmqstream.py"}
)


@pytest.mark.parametrize("front_end", FRONT_ENDS)
def test_front_ends_do_not_reach_into_each_other(front_end: str) -> None:
    """A front-end may use another only through its package's public names
    (``from purezmq import sync``), never its modules (``purezmq.sync.socket``)."""
    for path in _files(front_end):
        if path.relative_to(SRC).as_posix() in ALIAS_MODULES:
            continue
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] != "purezmq" or len(parts) < 3 or parts[1] == front_end:
                continue
            if parts[1] in FRONT_ENDS:
                # ``from purezmq.sync import Context`` names a package attribute: allowed.
                module_path = SRC / parts[1] / f"{parts[2]}.py"
                subpackage = SRC / parts[1] / parts[2]
                assert not module_path.exists() and not subpackage.is_dir(), (
                    f"{path} imports {name}"
                )


def test_only_applications_import_the_test_kit() -> None:
    """``purezmq.testing`` is layer 5 (docs/architecture.md §1): the library never depends on
    its own test kit."""
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "testing"):
            continue
        for name in _imports(path):
            assert not name.startswith("purezmq.testing"), f"{path} imports {name}"


TESTS = Path(__file__).resolve().parent
#: Words that say when or why a test file was written, not what it checks.
HISTORY_WORDS = {
    "followup", "followups", "regression", "regressions", "session", "sessions", "issue",
    "issues", "round", "rounds", "wave", "phase", "misc", "fix", "fixes", "bug", "bugs", "todo",
    "tmp", "wip",
}  # fmt: skip


def history_words(filename: str) -> list[str]:
    """The words of a test file's name that narrate history: one of ``HISTORY_WORDS``, alone
    or numbered (``session7``, ``round_2``)."""
    words = Path(filename).stem.removeprefix("test_").split("_")
    return [w for w in words if w.rstrip("0123456789") in HISTORY_WORDS]


@pytest.mark.parametrize(
    "name",
    ["test_followups_stream.py", "test_regressions.py", "test_session7.py", "test_round_2.py"],
)
def test_history_words_are_recognised(name: str) -> None:
    assert history_words(name)


def test_test_files_are_named_for_behaviour() -> None:
    """Test files are named for the behaviour they check (``test_zmqstream_callbacks.py``),
    never for when or why they were written (``test_followups.py``, ``test_session7.py``)."""
    offenders = {
        str(path.relative_to(TESTS)): words
        for path in TESTS.rglob("test_*.py")
        if (words := history_words(path.name))
    }
    assert not offenders, f"rename for the behaviour checked: {offenders}"


# -- the front-end rule ----------------------------------------------------------------------

#: The layers below the engine (docs/architecture.md §1): a front-end (or the shared base)
#: reaches the wire, the routing and the transports only through the engine, which translates.
BELOW_THE_ENGINE = frozenset({"zmtp", "patterns", "transports"})


def front_end_rule_violations(path: Path, names: set[str]) -> list[str]:
    """The imports of a front-end module (``path``, imports ``names``) below the engine."""
    return [
        f"{path.relative_to(SRC).as_posix()} imports {name}"
        for name in sorted(names)
        if name.startswith("purezmq.") and name.split(".")[1] in BELOW_THE_ENGINE
    ]


@pytest.mark.parametrize("front_end", ["_base", *FRONT_ENDS])
def test_front_ends_import_nothing_below_the_engine(front_end: str) -> None:
    offenders = [
        v for path in _files(front_end) for v in front_end_rule_violations(path, _imports(path))
    ]
    assert not offenders, offenders


def test_front_end_rule_catches_a_planted_import() -> None:
    planted = SRC / "sync" / "planted.py"
    names = _imports_of_source("from ..zmtp.codec import encode_frame\n", planted)
    assert front_end_rule_violations(planted, names) == [
        "sync/planted.py imports purezmq.zmtp.codec",
        "sync/planted.py imports purezmq.zmtp.codec.encode_frame",
    ]


# -- the private-name rule -------------------------------------------------------------------

#: Private attributes of the pyzmq-shaped public classes (``Socket``, ``Context``, ``Frame``)
#: that the front-end packages read across their modules. They stay private so that those
#: classes' namespaces are pyzmq's (tests/api/test_api_surface_matches_pyzmq.py).
FRONT_END_INTERNALS = frozenset(
    {"_core", "_signal", "_signal_fileno", "_events", "_events_now", "_loop_owned",
     "_received", "_orphans", "_payload"}
)  # fmt: skip
#: Private names that are not ours: pyzmq's (``zmq.sugar.tracker._FINISHED_TRACKER``, part of
#: the drop-in's module tree), asyncio's (a loop's ``_thread_id``: which thread runs it) and
#: argparse's (a parser's ``_actions``: shell completion and per-command help read them; argparse
#: has no public way to list a parser's options).
FOREIGN_PRIVATE_NAMES = frozenset({"_FINISHED_TRACKER", "_thread_id", "_actions"})


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _imports_of_source(source: str, path: Path) -> set[str]:
    """``_imports`` for a source text that claims to live at ``path``."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
                names.add(mod)
                names.update(f"{mod}.{alias.name}" for alias in node.names)
            elif node.module:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _defined_here(tree: ast.AST) -> set[str]:
    """Every name a module defines or stores: functions, classes, attributes it assigns,
    ``__slots__`` entries, parameters."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)  # ``__slots__ = ("_x", ...)``
    return names


def _is_module(dotted: str) -> bool:
    """Whether ``purezmq.a.b`` names a module or package of ours (not an attribute)."""
    rel = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    return (SRC / rel).is_dir() or (SRC / rel).with_suffix(".py").exists()


def private_name_uses(source: str, path: Path) -> list[str]:
    """Where the module at ``path`` uses another module's private name: imports one
    (``from .x import _helper``) or reads one off another object (``core._mailbox``).

    Allowed: ``self._x``/``cls._x``/``super()._x``; names the module itself defines (its own
    classes' attributes, read off another instance); private *modules* (``_engine``,
    ``_crypto``: private to the package, not to a module); other libraries' modules (``os``,
    ``asyncio``); and the two documented lists above.
    """
    tree = ast.parse(source)
    where = path.relative_to(SRC).as_posix()
    own = _defined_here(tree)
    front_end = path.relative_to(SRC).parts[0] in {"_base", *FRONT_ENDS}
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    foreign_modules: set[str] = set()
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if not alias.name.startswith("purezmq"):
                    foreign_modules.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                module = ".".join(
                    base[: len(base) - node.level + 1] + ([node.module] if node.module else [])
                )
            else:
                module = node.module or ""
            for alias in node.names:
                if not module.startswith("purezmq"):
                    foreign_modules.add(alias.asname or alias.name)
                elif (
                    _private(alias.name)
                    and alias.name not in FOREIGN_PRIVATE_NAMES
                    and not _is_module(f"{module}.{alias.name}")
                ):
                    found.append(f"{where}:{node.lineno}: imports {module}.{alias.name}")
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        value = node.value
        if isinstance(value, ast.Name) and value.id in {"self", "cls", *foreign_modules}:
            continue
        if isinstance(value, ast.Call) and getattr(value.func, "id", None) == "super":
            continue
        if node.attr in own or node.attr in FOREIGN_PRIVATE_NAMES:
            continue
        if front_end and node.attr in FRONT_END_INTERNALS:
            continue
        found.append(f"{where}:{node.lineno}: uses {ast.unparse(node)}")
    return found


def test_modules_use_only_public_names_of_other_modules() -> None:
    """docs/architecture.md: only call another module's public names; give the method a
    public name on the class that owns it."""
    offenders = [
        use
        for path in sorted(SRC.rglob("*.py"))
        for use in private_name_uses(path.read_text(), path)
    ]
    assert not offenders, offenders


PLANTED_PRIVATE_USES = """
from .socket_core import _BACKLOG_MARK
from . import wakeup

def drain(core, loop):
    core._take_disconnects()
    wakeup._by_loop.clear()
    return _BACKLOG_MARK
"""


def test_private_name_rule_catches_planted_uses() -> None:
    planted = SRC / "_engine" / "planted.py"
    assert private_name_uses(PLANTED_PRIVATE_USES, planted) == [
        "_engine/planted.py:2: imports purezmq._engine.socket_core._BACKLOG_MARK",
        "_engine/planted.py:6: uses core._take_disconnects",
        "_engine/planted.py:7: uses wakeup._by_loop",
    ]


def test_private_name_rule_allows_own_and_private_modules() -> None:
    source = (
        "from ..zmtp.mechanisms import _crypto\n"
        "import asyncio\n"
        "class A:\n"
        "    __slots__ = ('_x',)\n"
        "    def same(self, other: 'A') -> int:\n"
        "        asyncio._get_running_loop()\n"
        "        return self._x + other._x + super().__hash__()\n"
    )
    assert private_name_uses(source, SRC / "_engine" / "planted.py") == []
