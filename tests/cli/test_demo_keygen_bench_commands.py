"""``purezmq demo``, ``keygen`` and ``bench``: every lego passes, failures exit non-zero with a
clear message; the tools are subcommands of ``purezmq``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from purezmq import cli
from purezmq.cli import demo_command


def test_demo_inproc_prints_what_flowed(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "-t", "inproc", "--no-pyzmq"]) == 0
    out = capsys.readouterr().out
    for lego in ("REQ/REP", "fan-out", "fan-in", "PUB/SUB", "ROUTER/DEALER"):
        assert lego in out
    assert "pull[0]=3, pull[1]=3, pull[2]=3" in out
    assert "[alice, bob]" in out
    assert "all legos OK" in out


def test_demo_all_transports_and_libzmq_quietly(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo", "-q"]) == 0
    assert capsys.readouterr().out == ""


def test_demo_failure_exits_1_with_a_message(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(
        a: demo_command.Side, b: demo_command.Side, transport: str, ep: demo_command.Endpoints
    ) -> str:
        raise demo_command.DemoFailure("the fan-in lost a result")

    monkeypatch.setattr(demo_command, "LEGOS", [("PUSH/PULL fan-in", broken)])
    assert cli.main(["demo", "-t", "tcp", "--no-pyzmq"]) == 1
    err = capsys.readouterr().err
    assert "purezmq demo FAILED: PUSH/PULL fan-in over tcp" in err
    assert "lost a result" in err


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "demo" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0


def test_python_dash_m_purezmq_demo() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "purezmq", "demo", "-t", "inproc", "--no-pyzmq"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "all legos OK" in proc.stdout


def test_unexpected_error_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def crash(transports: object, with_pyzmq: bool, quiet: bool) -> None:
        raise OSError("no more file descriptors")

    monkeypatch.setattr(demo_command, "demo", crash)
    assert cli.main(["demo"]) == 1
    assert "FAILED: unexpected OSError: no more file descriptors" in capsys.readouterr().err


def test_bench_is_a_purezmq_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    from purezmq.cli import main

    with pytest.raises(SystemExit) as exc:
        main(["bench", "--help"])
    assert exc.value.code == 0
    assert "purezmq bench" in capsys.readouterr().out


def test_keygen_is_a_purezmq_subcommand(capsys: pytest.CaptureFixture[str]) -> None:
    from purezmq import z85
    from purezmq.cli import main

    assert main(["keygen"]) == 0
    lines = dict(line.split(": ") for line in capsys.readouterr().out.splitlines())
    assert len(z85.decode(lines["public"])) == 32
    assert len(z85.decode(lines["secret"])) == 32


def test_demo_browser_hands_its_options_to_the_browser_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import types

    seen: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        seen.append(list(argv))
        return 0

    fake = types.ModuleType("purezmq.browser.demo")
    fake.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "purezmq.browser.demo", fake)
    assert cli.main(["demo", "--browser", "--port", "8080"]) == 0
    assert seen == [["--port", "8080"]]
