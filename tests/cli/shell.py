"""Running ``purezmq`` as a user would: real processes, their stdin/stdout, shell pipelines.

A command that binds ``tcp://127.0.0.1:*`` prints ``bound tcp://127.0.0.1:PORT`` on stderr:
:meth:`Proc.endpoint` waits (bounded) for that line, so a test never guesses a port nor sleeps.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import purezmq

#: How long any single wait of a CLI test may last (s): generous for a loaded machine.
WAIT = 20.0

_SRC = str(Path(purezmq.__file__).resolve().parent.parent)


def environment() -> dict[str, str]:
    """This process's environment with this checkout's purezmq importable and
    ``$PUREZMQ`` the command line (for ``bash -c`` pipelines)."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([_SRC, *paths])
    env["PUREZMQ"] = f"{sys.executable} -m purezmq"
    return env


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "purezmq", *args]


class Proc:
    """A background ``purezmq`` process whose stderr is collected line by line."""

    def __init__(self, args: list[str], stdin: Any = subprocess.DEVNULL, **kwargs: Any) -> None:
        self.popen = subprocess.Popen(
            args,
            stdin=stdin,
            stdout=kwargs.pop("stdout", subprocess.PIPE),
            stderr=subprocess.PIPE,
            env=environment(),
            **kwargs,
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read_stderr, daemon=True)
        self.reader.start()

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for raw in self.popen.stderr:
            with self.changed:
                self.lines.append(raw.decode(errors="replace").rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.lines.append("<EOF>")
            self.changed.notify_all()

    def wait_for(self, pattern: str, timeout: float = WAIT) -> re.Match[str]:
        """The first stderr line matching ``pattern``; fails after ``timeout`` or at exit."""
        regex = re.compile(pattern)
        with self.changed:
            seen = 0
            while True:
                for line in self.lines[seen:]:
                    found = regex.search(line)
                    if found:
                        return found
                    if line == "<EOF>":
                        raise AssertionError(f"{pattern!r} never printed: {self.lines}")
                seen = len(self.lines)
                if not self.changed.wait(timeout):
                    raise AssertionError(f"{pattern!r} not printed in {timeout} s: {self.lines}")

    def endpoint(self) -> str:
        """The endpoint this process bound (from its ``bound ...`` line)."""
        return self.wait_for(r"bound (\S+)").group(1)

    def finish(self, timeout: float = WAIT) -> tuple[int, bytes]:
        """Wait (bounded) for the exit; returns (status, stdout)."""
        chunks: list[bytes] = []
        stdout = self.popen.stdout
        if stdout is not None:
            drain = threading.Thread(target=lambda: chunks.append(stdout.read()), daemon=True)
            drain.start()
            drain.join(timeout)
        try:
            status = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            raise AssertionError(f"still running after {timeout} s: {self.lines}") from None
        self.reader.join(timeout)
        return status, b"".join(chunks)

    def stderr(self) -> str:
        with self.changed:
            return "\n".join(line for line in self.lines if line != "<EOF>")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        self.popen.wait(WAIT)
        for stream in (self.popen.stdout, self.popen.stdin):
            if stream is not None:
                stream.close()
        self.reader.join(WAIT)
        if self.popen.stderr is not None:
            self.popen.stderr.close()


def start(*args: str, stdin: Any = subprocess.DEVNULL) -> Proc:
    """Start ``purezmq ARGS`` in the background."""
    return Proc(command(*args), stdin=stdin)


def run(
    *args: str, input: bytes = b"", timeout: float = WAIT
) -> subprocess.CompletedProcess[bytes]:
    """Run ``purezmq ARGS`` to completion with ``input`` on stdin."""
    return subprocess.run(
        command(*args), input=input, capture_output=True, env=environment(), timeout=timeout
    )


def shell(script: str, timeout: float = WAIT) -> subprocess.CompletedProcess[bytes]:
    """Run a ``bash -c`` script in which ``$PUREZMQ`` is the purezmq command."""
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail; {script}"],
        capture_output=True,
        env=environment(),
        timeout=timeout,
    )
