"""DESIGN.md §1: imports point down only; the sans-IO layers touch no I/O, threads or clock."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "purezmq"
FORBIDDEN_IN_SANS_IO = {"asyncio", "socket", "threading", "selectors", "ssl", "time"}
LAYER0 = {"constants", "error", "socket_types", "endpoint", "options", "z85", "_typing"}


def _imports(path: Path) -> set[str]:
    """Absolute module names imported by one file (relative imports resolved)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    if path.name == "__init__.py":
        package = ".".join(path.relative_to(SRC.parent).parts[:-1])
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                mod = ".".join([*base, node.module] if node.module else base)
                names.add(mod)
                names.update(f"{mod}.{alias.name}" for alias in node.names)
            elif node.module:
                names.add(node.module)
    return names


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
