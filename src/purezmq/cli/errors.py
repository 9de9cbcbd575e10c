"""Exit statuses of the ``purezmq`` command and the exception that carries one.

The same table is in ``purezmq --help`` and docs/cli.md.
"""

from __future__ import annotations

#: Everything went as asked (``--count`` reached, input exhausted, ``--help``).
OK = 0
#: A failure that is none of the below: an endpoint that cannot be bound, a malformed input
#: line, a ``--transform`` expression that raised.
ERROR = 1
#: Bad usage: an unknown option, a missing argument (argparse's own status).
USAGE = 2
#: ``--timeout`` expired while waiting for a peer or a message.
TIMEOUT = 3
#: The peer refused us: the security handshake failed (ZAP denied the credentials, a wrong
#: CURVE server key, PLAIN against CURVE).
REFUSED = 4
#: Interrupted by Ctrl-C (SIGINT), as shells report it.
INTERRUPTED = 130

EXIT_STATUS_HELP = """exit status:
  0    success (--count reached, input exhausted)
  1    error (endpoint in use, bad input line, a --transform that raised, ...)
  2    bad usage (unknown option, missing argument)
  3    --timeout expired while waiting for a peer or a message
  4    refused: the security handshake failed (credentials denied, wrong server key)
  130  interrupted (Ctrl-C)"""


class CliError(Exception):
    """Ends a subcommand with ``status`` and a one-line ``message`` on stderr."""

    def __init__(self, message: str, status: int = ERROR) -> None:
        super().__init__(message)
        self.status = status


__all__ = [
    "ERROR",
    "EXIT_STATUS_HELP",
    "INTERRUPTED",
    "OK",
    "REFUSED",
    "TIMEOUT",
    "USAGE",
    "CliError",
]
