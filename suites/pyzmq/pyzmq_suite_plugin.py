"""pytest plugin for running pyzmq's test suite (loaded by run.py with ``-p``).

In purezmq mode ``sitecustomize`` beside this file has already called ``install_as_zmq()``;
this plugin calls it again (it is idempotent) in case another ``sitecustomize`` came first on
the path, and checks that ``zmq`` is purezmq before pyzmq's conftest imports it: plugins named
with ``-p`` are imported before any ``conftest.py``.

It also
- puts pyzmq's own per-test SIGALRM guard (``BaseZMQTestCase.test_timeout_seconds``, 60 s
  unless ``ZMQ_TEST_TIMEOUT`` is set) at the run's per-test timeout: that guard and
  pytest-timeout share the process's one real-time timer, so the guard would otherwise replace
  pytest-timeout's shorter limit in every unittest-style test;
- takes the log handlers a test of test_log.py left on its logger off again: a test that
  fails before its ``removeHandler`` line otherwise leaves a handler whose socket is closed,
  and every later test logging there fails with ENOTSOCK (with pyzmq as well);
- records each test's outcome as a JSON line in ``$PYZMQ_SUITE_RESULTS``, as it happens, so a
  run stopped by its time limit still reports what ran. A module that fails to import is
  recorded as one failure under its own node id.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

TARGET = os.environ.get("PYZMQ_SUITE_TARGET", "purezmq")

if TARGET == "purezmq":
    import purezmq

    purezmq.install_as_zmq()


def _crash_message(report: Any) -> str:
    """The one line that says why a test failed or was skipped (for grouping failures)."""
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple):  # a skip: (file, line, reason)
        return str(longrepr[2])
    crash = getattr(longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    lines = str(longrepr).strip().splitlines()
    errors = [line for line in lines if line.startswith("E ")]
    return (errors or lines or [""])[-1]


def _record(report: Any, outcome: str) -> None:
    path = os.environ.get("PYZMQ_SUITE_RESULTS")
    if not path:
        return
    record = {
        "nodeid": report.nodeid,
        "outcome": outcome,
        "when": getattr(report, "when", "collect"),
        "duration": getattr(report, "duration", 0.0),
        "message": _crash_message(report) if outcome != "passed" else "",
    }
    with Path(path).open("a") as results:
        results.write(json.dumps(record) + "\n")


def pytest_report_header(config: Any) -> list[str]:
    import zmq

    versions = ", ".join(
        f"{name}() = {getattr(zmq, name)()}"
        for name in ("zmq_version", "pyzmq_version")
        if hasattr(zmq, name)
    )
    return [
        f"pyzmq-suite target: {TARGET}; zmq.Context is {zmq.Context.__module__}.Context, "
        f"zmq from {zmq.__file__}; {versions}"
    ]


def pytest_configure(config: Any) -> None:
    import zmq

    # zmq may be purezmq itself or a facade module over it: its classes tell.
    if TARGET == "purezmq" and not zmq.Context.__module__.startswith("purezmq"):
        raise RuntimeError(f"install_as_zmq() did not take: zmq.Context is {zmq.Context}")


#: Tests given longer than the per-test limit, in seconds: test_large_send moves one
#: 2 GiB + 1 byte message over tcp, 10 s with libzmq here, 17-31 s with purezmq on a shared
#: machine. Both limits move: pytest-timeout's marker and pyzmq's own guard.
LONG_TESTS = {"test_large_send": 120}


def pytest_collection_modifyitems(items: list[Any]) -> None:
    for item in items:
        limit = LONG_TESTS.get(getattr(item, "originalname", None) or item.name)
        if limit:
            item.add_marker(pytest.mark.timeout(limit))


def pytest_runtest_setup(item: Any) -> None:
    limit = LONG_TESTS.get(item.name)
    if limit and hasattr(item.cls, "test_timeout_seconds"):
        item.cls.test_timeout_seconds = limit


def pytest_runtest_teardown(item: Any) -> None:
    if item.name in LONG_TESTS and "test_timeout_seconds" in vars(item.cls or object):
        del item.cls.test_timeout_seconds


def pytest_collection_finish(session: Any) -> None:
    utils = sys.modules.get("zmq_test_utils")
    timeout = os.environ.get("PYZMQ_SUITE_TEST_TIMEOUT")
    if utils is not None and timeout:
        utils.BaseZMQTestCase.test_timeout_seconds = int(timeout)


#: The logger pyzmq's test_log.py attaches its PUBHandlers to.
TEST_LOGGER = "zmqtest"


@pytest.fixture(autouse=True)
def _detach_leftover_log_handlers() -> Iterator[None]:
    logger = logging.getLogger(TEST_LOGGER)
    before = list(logger.handlers)
    yield
    for handler in logger.handlers[:]:
        if handler not in before:
            logger.removeHandler(handler)


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        _record(report, "failed")


_outcomes: dict[str, str] = {}


def pytest_runtest_logreport(report: Any) -> None:
    """One outcome per test: a failed setup or teardown fails the test."""
    if report.when == "call" or report.failed or (report.when == "setup" and report.skipped):
        if report.nodeid in _outcomes and _outcomes[report.nodeid] == "failed":
            return
        outcome = report.outcome
        if hasattr(report, "wasxfail"):
            outcome = "xfailed" if report.skipped else "failed"
        _outcomes[report.nodeid] = outcome
        _record(report, outcome)
