"""Which subcommands ``purezmq`` has and which module implements each.

A subcommand's module is imported only when that subcommand runs (or when ``--help`` and
``completion`` need its options), so ``purezmq push`` never imports the benchmark or the demo.

A module either exposes ``add_arguments(parser)`` and ``main(args: argparse.Namespace) -> int``
(the ``purezmq`` parser parses for it), or, with ``own_argv``, ``main(argv: list[str]) -> int``
that parses its own arguments (``bench``, ``keygen``, ``run``).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Command:
    """One ``purezmq`` subcommand."""

    name: str
    #: The implementing module's import path.
    module: str
    help: str
    #: Passed to the module's ``add_arguments(parser, variant)``: the socket type's name for the
    #: socket subcommands, which share one module.
    variant: str | None = None
    #: The module's ``main(argv)`` parses its own arguments.
    own_argv: bool = False


#: Socket types, in the order ``--help`` lists them, with a one-line summary each.
SOCKET_COMMANDS: dict[str, str] = {
    "req": "send each input line as a request and print the reply",
    "rep": "print each request and reply (--echo, --transform, --data or stdin)",
    "pub": "publish each input line (topic = leading bytes)",
    "sub": "print the messages of the --subscribe'd topics",
    "push": "send each input line to one of the pullers, round robin",
    "pull": "print every message pushed to it",
    "dealer": "send input lines round robin, print whatever arrives",
    "router": "print messages with the sender's identity first; first input frame routes",
    "pair": "send input lines to the one peer, print what it sends",
    "xpub": "publish input lines, print the (un)subscriptions that arrive",
    "xsub": "send input lines upstream (\\x01topic subscribes), print what arrives",
    "client": "draft CLIENT: send each input line, print the reply",
    "server": "draft SERVER: print requests and reply to their routing id",
    "radio": "draft RADIO: send input lines to --group (or the first frame's group)",
    "dish": "draft DISH: print the messages of the --join'ed groups",
    "scatter": "draft SCATTER: send input lines round robin",
    "gather": "draft GATHER: print every message scattered to it",
    "peer": "draft PEER: first frame is the routing id, both ways",
    "channel": "draft CHANNEL: send input lines to the one peer, print what it sends",
    "stream": "raw TCP: first frame is the connection id, both ways",
}

_SOCKET_MODULE = "purezmq.cli.socket_command"

#: Every built-in subcommand.
COMMANDS: tuple[Command, ...] = (
    *(Command(name, _SOCKET_MODULE, text, variant=name) for name, text in SOCKET_COMMANDS.items()),
    Command("proxy", "purezmq.cli.proxy_command", "forward messages between two sockets"),
    Command("monitor", "purezmq.cli.monitor_command", "connect to ENDPOINT and print every event"),
    Command(
        "keygen", "purezmq._keygen", "make a CURVE key pair, or certificate files", own_argv=True
    ),
    Command(
        "bench", "purezmq.bench", "throughput and latency, beside pyzmq with --compare",
        own_argv=True,
    ),
    Command("demo", "purezmq.cli.demo_command", "run every ØMQ lego over inproc, ipc and tcp"),
    Command(
        "run", "purezmq.cli.run_command", "run a pyzmq program on purezmq: run -- COMMAND",
        own_argv=True,
    ),
    Command("completion", "purezmq.cli.completion", "print a bash or zsh completion script"),
    Command(
        "beacon", "purezmq.cli.beacon_command",
        "publish and listen for UDP discovery beacons (czmq zbeacon)",
    ),
)

#: Subcommands implemented outside this package: name -> (module, help). The module exposes
#: ``add_arguments(parser)`` and ``main(args) -> int``; a module that is not installed leaves
#: its subcommand out. An entry is one line, e.g.
#: ``"beacon": ("purezmq.beacon.command", "announce and discover peers on the LAN"),``
EXTERNAL: dict[str, tuple[str, str]] = {}


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # its parent package is missing
        return False


def all_commands() -> list[Command]:
    """The built-in subcommands, then the external ones that are installed."""
    external = [Command(n, m, h) for n, (m, h) in EXTERNAL.items() if _installed(m)]
    return [*COMMANDS, *external]


def find(name: str) -> Command | None:
    """The subcommand called ``name`` (external ones only when installed)."""
    for command in COMMANDS:
        if command.name == name:
            return command
    if name in EXTERNAL and _installed(EXTERNAL[name][0]):
        return Command(name, *EXTERNAL[name])
    return None


def load(command: Command) -> ModuleType:
    """Import the module of ``command``."""
    return importlib.import_module(command.module)


__all__ = ["COMMANDS", "EXTERNAL", "SOCKET_COMMANDS", "Command", "all_commands", "find", "load"]
