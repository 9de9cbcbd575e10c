"""purezmq.log: PUBHandler publishes log records that a SUB receives; the log watcher."""

from __future__ import annotations

import datetime
import logging
import logging.config
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

import purezmq
from purezmq.log.handlers import TOPIC_DELIM, PUBHandler, TopicLogger

TIMEOUT_MS = 5000
SYNC = "sync-probe"


@pytest.fixture
def ctx() -> Iterator[purezmq.Context]:
    c = purezmq.Context()
    yield c
    c.destroy(linger=0)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger(f"purezmq-test-{id(object())}")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    yield log
    for h in list(log.handlers):
        log.removeHandler(h)


def _subscriber(ctx: purezmq.Context, addr: str, topic: bytes = b"") -> Any:
    sub = ctx.socket(purezmq.SUB)
    sub.linger = 0
    sub.rcvtimeo = TIMEOUT_MS
    sub.subscribe(topic)
    sub.connect(addr)
    return sub


def _wait_subscribed(log: logging.Logger, sub: Any) -> None:
    """Log probes until one arrives: a PUB drops what it sends before the subscription."""
    for _ in range(500):
        logging.Logger.log(log, logging.CRITICAL, SYNC)  # also for a TopicLogger
        if sub.poll(10):
            return
    pytest.fail("the subscription never reached the PUBHandler's socket")


def _recv(sub: Any) -> list[bytes]:
    """The next record that is not a probe."""
    while True:
        msg = sub.recv_multipart()
        if SYNC.encode() not in msg[1]:
            return list(msg)


def _handler_pair(
    ctx: purezmq.Context, logger: logging.Logger, name: str, root_topic: str = ""
) -> tuple[PUBHandler, Any]:
    pub = ctx.socket(purezmq.PUB)
    pub.linger = 0
    pub.bind(f"inproc://{name}")
    handler = PUBHandler(pub, root_topic=root_topic)
    logger.addHandler(handler)
    sub = _subscriber(ctx, f"inproc://{name}")
    _wait_subscribed(logger, sub)
    return handler, sub


def test_records_arrive_with_root_level_and_subtopic(
    ctx: purezmq.Context, logger: logging.Logger
) -> None:
    handler, sub = _handler_pair(ctx, logger, "log-topics", root_topic="myapp")
    assert handler.ctx is ctx
    logger.info("plain message")
    assert _recv(sub) == [b"myapp.INFO", b"plain message\n"]
    logger.warning("db.conn" + TOPIC_DELIM + "lost %s", "db1")
    topic, body = _recv(sub)
    assert topic == b"myapp.WARNING.db.conn"
    # WARNING's default format names the level and where it was logged.
    assert body.startswith(b"WARNING test_handlers.py:") and body.endswith(
        b" - lost db1\n"
    )
    handler.root_topic = b"other"  # bytes are decoded
    assert handler.root_topic == "other"
    logger.debug("x")
    assert _recv(sub)[0] == b"other.DEBUG"
    handler.setRootTopic("")
    logger.error("no root")
    assert _recv(sub)[0] == b"ERROR"
    sub.close()


def test_formatters_per_level_and_for_all(ctx: purezmq.Context, logger: logging.Logger) -> None:
    handler, sub = _handler_pair(ctx, logger, "log-fmt")
    handler.setFormatter(logging.Formatter("E:%(message)s"), logging.ERROR)
    logger.error("boom")
    assert _recv(sub) == [b"ERROR", b"E:boom"]
    logger.info("unchanged")
    assert _recv(sub) == [b"INFO", b"unchanged\n"]
    handler.setFormatter(logging.Formatter("[%(levelname)s] %(message)s"))
    logger.info("same for all")
    assert _recv(sub) == [b"INFO", b"[INFO] same for all"]
    logger.error("err")
    assert _recv(sub) == [b"ERROR", b"[ERROR] err"]
    # A level without a formatter of its own (a custom level) still publishes.
    logger.log(25, "custom level")
    assert _recv(sub) == [b"Level 25", b"custom level"]
    sub.close()


def test_subtopic_split_leaves_the_record_for_other_handlers(
    ctx: purezmq.Context, logger: logging.Logger
) -> None:
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    _handler, sub = _handler_pair(ctx, logger, "log-copy")
    logger.addHandler(Keep())
    logger.info("a.b::text")
    assert _recv(sub) == [b"INFO.a.b", b"text\n"]
    assert records[-1].msg == "a.b::text"
    sub.close()


def test_handler_binds_its_own_pub_from_an_address(ctx: purezmq.Context) -> None:
    handler = PUBHandler(b"tcp://127.0.0.1:*", context=ctx)  # an address as bytes too
    addr = handler.socket.last_endpoint.decode()
    log = logging.getLogger("purezmq-test-own-pub")
    log.propagate = False
    log.setLevel(logging.INFO)
    log.addHandler(handler)
    try:
        sub = _subscriber(ctx, addr)
        _wait_subscribed(log, sub)
        log.info("over tcp")
        assert _recv(sub) == [b"INFO", b"over tcp\n"]
        assert handler.socket.type == purezmq.PUB and handler.ctx is ctx
        sub.close()
    finally:
        log.removeHandler(handler)
        handler.socket.close(0)


def test_dictconfig_builds_a_pubhandler(ctx: purezmq.Context) -> None:
    pub = ctx.socket(purezmq.PUB)
    pub.linger = 0
    pub.bind("inproc://log-dictconfig")
    logging.config.dictConfig(
        {
            "version": 1,
            "incremental": False,
            "disable_existing_loggers": False,
            "handlers": {
                "zmq": {
                    "class": "purezmq.log.handlers.PUBHandler",
                    "level": logging.DEBUG,
                    "root_topic": "cfg",
                    "interface_or_socket": pub,
                }
            },
            "loggers": {"purezmq-dictconfig": {"level": "DEBUG", "handlers": ["zmq"]}},
        }
    )
    log = logging.getLogger("purezmq-dictconfig")
    log.propagate = False
    try:
        sub = _subscriber(ctx, "inproc://log-dictconfig")
        _wait_subscribed(log, sub)
        log.info("configured")
        assert _recv(sub) == [b"cfg.INFO", b"configured\n"]
        sub.close()
    finally:
        for h in list(log.handlers):
            log.removeHandler(h)


def test_topic_logger_logs_each_method_at_its_own_level(
    ctx: purezmq.Context,
) -> None:
    log = TopicLogger("purezmq-topic-logger")
    log.setLevel(logging.DEBUG)
    handler, sub = _handler_pair(ctx, log, "log-topic-logger")
    handler.setFormatter(logging.Formatter("%(message)s|%(funcName)s"))
    log.debug("t.d", "d%d", 1)
    log.info("t.i", "i")
    log.warning("t.w", "w")
    log.error("t.e", "e")
    log.critical("t.c", "c")
    log.log(logging.INFO, "t.l", "l")
    try:
        raise ValueError("x")
    except ValueError:
        log.exception("t.x", "x")
    got = [_recv(sub) for _ in range(7)]
    fn = "test_topic_logger_logs_each_method_at_its_own_level"
    assert [g[0] for g in got] == [
        b"DEBUG.t.d", b"INFO.t.i", b"WARNING.t.w", b"ERROR.t.e", b"CRITICAL.t.c",
        b"INFO.t.l", b"ERROR.t.x",
    ]
    # The record points at the caller, not at TopicLogger.
    assert got[0][1] == f"d1|{fn}".encode() and got[5][1] == f"l|{fn}".encode()
    log.removeHandler(handler)
    sub.close()


def test_log_watcher_prints_records(ctx: purezmq.Context, logger: logging.Logger) -> None:
    pub = ctx.socket(purezmq.PUB)
    pub.linger = 0
    port = pub.bind_to_random_port("tcp://127.0.0.1")
    handler = PUBHandler(pub, root_topic="app")
    logger.addHandler(handler)
    year_before = datetime.date.today().year
    watcher = subprocess.Popen(
        [sys.executable, "-m", "purezmq.log", f"tcp://127.0.0.1:{port}", "--count", "2",
         "--separator", " :: ", "--topic", "app.WARNING", "--align", "--timestamp",
         "--dateformat", "<%Y>"],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        # Its subscription arrives at some point: publish until two records were printed
        # (the watcher exits then), one warning per round, with an INFO it must filter out.
        for i in range(2000):
            logger.info("filtered out")
            logger.warning("w.x::round %d", i)
            try:
                watcher.wait(0.01)
                break
            except subprocess.TimeoutExpired:
                pass
        out, _ = watcher.communicate(timeout=10)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
    assert watcher.returncode == 0
    lines = out.splitlines()
    assert len(lines) == 2
    years = {f"<{year_before}>", f"<{datetime.date.today().year}>"}  # a new year may begin
    assert all(line.split(" ", 1)[0] in years for line in lines), lines
    assert all(" app.WARNING.w.x :: WARNING" in line for line in lines), lines
    assert all(" - round " in line for line in lines)
