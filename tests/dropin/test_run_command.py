"""``purezmq run -- COMMAND``: an unchanged pyzmq program, and the Python processes it starts,
import purezmq as ``zmq`` (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import purezmq
from purezmq._run import SITE_DIR
from purezmq.cli import run_environment

pytest.importorskip("zmq")  # purezmq must win over the installed pyzmq

#: Prints what ``zmq`` is in this process.
WHO = (
    "import zmq, purezmq; "
    "print(type(zmq).__name__, zmq.__version__, zmq.Context.__module__.split('.')[0], "
    "purezmq.__version__)"
)


def _purezmq_run(
    *command: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "purezmq", "run", *command],
        capture_output=True, text=True, timeout=60, env=env,
    )


def test_a_python_command_gets_purezmq_as_zmq() -> None:
    done = _purezmq_run("--", sys.executable, "-c", WHO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "ZmqFacade", purezmq.pyzmq_version(), "purezmq", purezmq.__version__
    ]


def test_children_of_children_get_purezmq_too() -> None:
    grandchild = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {WHO!r}])"
    child = textwrap.dedent(
        f"""
        import subprocess, sys
        exec({WHO!r})
        subprocess.run([sys.executable, "-c", {grandchild!r}], check=True)
        """
    )
    done = _purezmq_run(sys.executable, "-c", child)  # "--" is optional
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and all(line.split()[2] == "purezmq" for line in lines), lines


def test_a_pyzmq_program_runs_unchanged(tmp_path: Path) -> None:
    program = tmp_path / "pyzmq_program.py"
    program.write_text(
        textwrap.dedent(
            """
            import zmq
            from zmq.devices import ThreadDevice

            ctx = zmq.Context.instance()
            dev = ThreadDevice(zmq.QUEUE, zmq.PULL, zmq.PUSH)
            in_port = dev.bind_in_to_random_port("tcp://127.0.0.1")
            out_port = dev.bind_out_to_random_port("tcp://127.0.0.1")
            dev.start()
            push = ctx.socket(zmq.PUSH)
            push.connect(f"tcp://127.0.0.1:{in_port}")
            pull = ctx.socket(zmq.PULL)
            pull.rcvtimeo = 10000
            pull.connect(f"tcp://127.0.0.1:{out_port}")
            push.send_string("hello from an unchanged program")
            print(pull.recv_string(), zmq.Socket.__module__.split(".")[0])
            """
        )
    )
    done = _purezmq_run("--", sys.executable, str(program))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hello from an unchanged program purezmq"


def test_an_existing_sitecustomize_still_runs(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(
        "import os\nos.environ['OTHER_SITECUSTOMIZE'] = 'ran'\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")])
    script = WHO + "; import os; print(os.environ.get('OTHER_SITECUSTOMIZE'))"
    done = _purezmq_run("--", sys.executable, "-c", script, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[2:] == ["purezmq", purezmq.__version__, "ran"]


def test_environment_puts_the_site_dir_first_once() -> None:
    env = run_environment({"PYTHONPATH": os.pathsep.join([SITE_DIR, "/a", "/b"])})
    assert env["PYTHONPATH"].split(os.pathsep) == [SITE_DIR, "/a", "/b"]
    assert env["PUREZMQ_RUN"] == "1"
    assert run_environment({})["PYTHONPATH"] == SITE_DIR


def test_errors_and_usage() -> None:
    missing = _purezmq_run("--", "no-such-command-purezmq")
    assert missing.returncode == 127 and "command not found" in missing.stderr
    empty = _purezmq_run()
    assert empty.returncode == 2 and "usage: purezmq run" in empty.stderr
    helped = _purezmq_run("--help")
    assert helped.returncode == 0 and "usage: purezmq run" in helped.stdout


def test_cli_version_is_purezmq_own() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "purezmq", "--version"], capture_output=True, text=True,
        timeout=60,
    )
    assert done.stdout.strip() == f"purezmq {purezmq.__version__}"


def test_python_dash_m_runs_purezmq_modules_under_pyzmq_names() -> None:
    pytest.importorskip("nacl")
    keys = _purezmq_run("--", sys.executable, "-m", "zmq.curve_keygen", "--json")
    assert keys.returncode == 0, keys.stderr
    pair = json.loads(keys.stdout)
    assert len(pair["public"]) == len(pair["secret"]) == 40
    assert purezmq.curve_public(pair["secret"].encode()) == pair["public"].encode()
    watcher = _purezmq_run("--", sys.executable, "-m", "zmq.log", "--help")
    assert watcher.returncode == 0 and "--count" in watcher.stdout  # purezmq's watcher
