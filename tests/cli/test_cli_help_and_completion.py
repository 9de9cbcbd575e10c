"""``--help`` of every subcommand has examples and the exit statuses; completion scripts work
in bash; a subcommand imports only what it needs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from purezmq.cli import main, registry

from .shell import environment, run


@pytest.mark.parametrize("kind", list(registry.SOCKET_COMMANDS))
def test_every_socket_type_help_has_examples_and_exit_statuses(
    kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([kind, "--help"])
    assert exc.value.code == 0
    text = capsys.readouterr().out
    assert f"usage: purezmq {kind}" in text
    assert f"purezmq {kind} " in text.split("examples:")[1]
    assert "--bind" in text and "--connect" in text and "--curve-server" in text
    assert "3    --timeout expired" in text
    assert ("--subscribe" in text) == (kind in ("sub", "xsub"))
    assert ("--join" in text) == (kind == "dish")
    assert ("--echo" in text) == (kind in ("rep", "server"))


@pytest.mark.parametrize("name", ["proxy", "monitor", "completion"])
def test_tool_help_has_examples(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([name, "--help"])
    assert f"purezmq {name} " in capsys.readouterr().out.split("examples:")[1]


def test_top_level_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    text = capsys.readouterr().out
    for command in registry.COMMANDS:
        assert command.name in text
    assert "exit status:" in text


def test_an_absent_external_subcommand_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.EXTERNAL, "absent", ("purezmq.no_such_module", "discover"))
    assert registry.find("absent") is None
    assert "absent" not in [c.name for c in registry.all_commands()]
    monkeypatch.setitem(registry.EXTERNAL, "fake", ("purezmq.cli.completion", "a test"))
    found = registry.find("fake")
    assert found is not None and found.module == "purezmq.cli.completion"


def _complete(words: list[str]) -> list[str]:
    script = run("completion", "bash").stdout.decode()
    line = " ".join(f"'{w}'" for w in words)
    result = subprocess.run(
        ["bash", "-c", f'{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words) - 1}; '
         '_purezmq; printf "%s\\n" "${COMPREPLY[@]}"'],
        capture_output=True, text=True, timeout=20,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_bash_completion_of_commands_options_and_values() -> None:
    assert sorted(_complete(["purezmq", "pu"])) == ["pub", "pull", "push"]
    assert "--subscribe" in _complete(["purezmq", "sub", "--"])
    assert "--subscribe" not in _complete(["purezmq", "pull", "--"])
    assert _complete(["purezmq", "pull", "--format", "j"]) == ["json"]
    assert _complete(["purezmq", "completion", ""]) == ["bash", "zsh"]


def test_zsh_script_reuses_the_bash_function() -> None:
    zsh = run("completion", "zsh").stdout.decode()
    assert "bashcompinit" in zsh and "complete -o filenames -F _purezmq purezmq" in zsh


def test_a_socket_command_does_not_import_the_tools() -> None:
    probe = (
        "import sys; from purezmq.cli import main; "
        "main(['pull', '--bind', 'tcp://127.0.0.1:*', '--timeout', '0.01', '-q']); "
        "print(sorted(m for m in sys.modules if m.startswith(('purezmq.bench', "
        "'purezmq.cli.demo', 'purezmq.cli.proxy', 'purezmq.auth'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=environment(),
        timeout=20,
    )
    assert result.stdout.strip() == "[]", result.stderr


@pytest.mark.parametrize("name", ["keygen", "run", "demo"])
def test_tools_with_their_own_parsers_have_examples(name: str) -> None:
    result = run(name, "--help")
    assert result.returncode == 0
    assert f"purezmq {name}" in result.stdout.decode().split("examples:")[1]
