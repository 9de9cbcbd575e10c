"""``PUBHandler``: a ``logging.Handler`` that publishes records on a PUB socket, and
``TopicLogger``, a Logger whose methods take a topic before the message.

Each record goes out as two frames, ``[topic, message]``::

    topic   = "<root_topic>.<LEVELNAME>[.<subtopic>]"   (root_topic and its dot only when set)
    message = the record formatted with the formatter of its level (UTF-8)

A message written ``"sub.topic::text"`` carries its own subtopic: ``sub.topic`` is appended to
the topic and ``text`` is what gets formatted (``TOPIC_DELIM`` is ``"::"``). Subscribers
filter by prefix: ``""`` for everything, ``"myapp.ERROR"`` for one level of one root.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from ..constants import PUB
from ..sync import Context, Socket

#: Separates a subtopic from the message text in a logged string (``"sub::text"``).
TOPIC_DELIM = "::"

_WITH_LOCATION = "%(levelname)s %(filename)s:%(lineno)d - %(message)s\n"

#: pyzmq's formats: INFO is the bare message, other levels say where they were logged.
_DEFAULT_FORMATS: dict[int, str] = {
    logging.DEBUG: _WITH_LOCATION,
    logging.INFO: "%(message)s\n",
    logging.WARNING: _WITH_LOCATION,
    logging.ERROR: "%(levelname)s %(filename)s:%(lineno)d - %(message)s - %(exc_info)s\n",
    logging.CRITICAL: _WITH_LOCATION,
}


class PUBHandler(logging.Handler):
    """Publish log records on a PUB socket.

    ``PUBHandler(interface_or_socket, context=None, root_topic="")``: give a socket (a PUB
    already bound or connected) or an address to bind a new PUB to, in ``context`` (a new
    Context when none is given). Usable from ``logging.config.dictConfig`` too.
    """

    socket: Socket
    ctx: Any

    def __init__(
        self,
        interface_or_socket: str | bytes | Socket,
        context: Any = None,
        root_topic: str = "",
    ) -> None:
        super().__init__()
        self._root_topic = ""
        self.root_topic = root_topic
        #: The formatter of each level; ``setFormatter(fmt, level)`` changes one.
        self.formatters: dict[int, logging.Formatter | None] = {
            level: logging.Formatter(fmt) for level, fmt in _DEFAULT_FORMATS.items()
        }
        if isinstance(interface_or_socket, (str, bytes)):
            self.ctx = context if context is not None else Context()
            self.socket = self.ctx.socket(PUB)
            self.socket.bind(
                interface_or_socket.decode("utf-8")
                if isinstance(interface_or_socket, bytes)
                else interface_or_socket
            )
        else:
            self.socket = interface_or_socket
            self.ctx = interface_or_socket.context

    @property
    def root_topic(self) -> str:
        """The first part of every topic ("" for none)."""
        return self._root_topic

    @root_topic.setter
    def root_topic(self, value: str | bytes) -> None:
        self.setRootTopic(value)

    def setRootTopic(self, root_topic: str | bytes) -> None:
        """Set the topic every message starts with (bytes are decoded as UTF-8).

        With the default ``""`` topics start with the level name (``"INFO"``...).
        """
        if isinstance(root_topic, bytes):
            root_topic = root_topic.decode("utf-8")
        self._root_topic = root_topic

    def setFormatter(self, fmt: logging.Formatter | None, level: int = logging.NOTSET) -> None:
        """Use ``fmt`` for records of ``level``, or for every level when none is given."""
        if level == logging.NOTSET:
            for known in list(self.formatters):
                self.formatters[known] = fmt
        else:
            self.formatters[level] = fmt

    def format(self, record: logging.LogRecord) -> str:
        """Format ``record`` with the formatter of its level (a level without one of its
        own, such as a custom level, uses the logging module's default)."""
        formatter = self.formatters.get(record.levelno)
        if formatter is None:
            return super().format(record)
        return formatter.format(record)

    def emit(self, record: logging.LogRecord) -> None:
        """Publish ``record`` as ``[topic, formatted message]``."""
        subtopic = ""
        text = str(record.msg)
        if TOPIC_DELIM in text:
            subtopic, rest = text.split(TOPIC_DELIM, 1)
            # Other handlers see the record unchanged.
            record = copy.copy(record)
            record.msg = rest
        try:
            body = self.format(record).encode("utf-8")
        except Exception:
            self.handleError(record)
            return
        parts = [p for p in (self.root_topic, record.levelname, subtopic) if p]
        self.socket.send_multipart([".".join(parts).encode("utf-8", "replace"), body])


class TopicLogger(logging.Logger):
    """A Logger whose methods take a topic first: ``log.error("db.conn", "lost %s", host)``.

    The record's message becomes ``"db.conn::lost %s"``, which ``PUBHandler`` publishes under
    the topic ``<root>.ERROR.db.conn``. Install with ``logging.setLoggerClass(TopicLogger)``.
    """

    def log(  # type: ignore[override]
        self, level: int, topic: str, msg: str, *args: Any, **kwargs: Any
    ) -> None:
        """Log ``msg % args`` at ``level`` under ``topic``."""
        if self.isEnabledFor(level):
            kwargs.setdefault("stacklevel", 1)
            kwargs["stacklevel"] += 1
            super().log(level, f"{topic}{TOPIC_DELIM}{msg}", *args, **kwargs)

    def _at(self, level: int, topic: str, msg: str, args: Any, kwargs: Any) -> None:
        if self.isEnabledFor(level):
            kwargs.setdefault("stacklevel", 1)
            kwargs["stacklevel"] += 2
            super().log(level, f"{topic}{TOPIC_DELIM}{msg}", *args, **kwargs)

    def debug(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._at(logging.DEBUG, topic, msg, args, kwargs)

    def info(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._at(logging.INFO, topic, msg, args, kwargs)

    def warning(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._at(logging.WARNING, topic, msg, args, kwargs)

    warn = warning  # type: ignore[assignment]

    def error(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._at(logging.ERROR, topic, msg, args, kwargs)

    def exception(  # type: ignore[override]
        self, topic: str, msg: str, *args: Any, exc_info: Any = True, **kwargs: Any
    ) -> None:
        self._at(logging.ERROR, topic, msg, args, {**kwargs, "exc_info": exc_info})

    def critical(self, topic: str, msg: str, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        self._at(logging.CRITICAL, topic, msg, args, kwargs)

    fatal = critical  # type: ignore[assignment]


__all__ = ["PUBHandler", "TopicLogger", "TOPIC_DELIM"]
