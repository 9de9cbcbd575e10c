"""The ``purezmq`` command line (docs/cli.md).

One subcommand per socket type (``purezmq push --connect tcp://host:5557`` sends stdin's lines,
``purezmq pull --bind tcp://*:5557`` prints what arrives), plus ``proxy``, ``monitor``,
``keygen``, ``bench``, ``demo``, ``run -- COMMAND`` (a pyzmq program on purezmq) and
``completion``. The subcommands and their modules are listed in :mod:`purezmq.cli.registry`;
only the module of the subcommand that runs is imported.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..error import ZMQError
from . import errors, registry
from .run_command import run, run_environment

DESCRIPTION = "ZeroMQ in pure Python: sockets on the command line, and tools."

EPILOG = f"""examples:
  purezmq pull --bind tcp://127.0.0.1:5557 --count 100 | wc -l
  seq 100 | purezmq push --connect tcp://127.0.0.1:5557
  purezmq rep --bind tcp://127.0.0.1:5555 --echo
  echo hello | purezmq req --connect tcp://127.0.0.1:5555
  purezmq <command> --help     options and examples of one command

{errors.EXIT_STATUS_HELP}"""


def build_parser(
    selected: registry.Command | None = None, *, complete: bool = False
) -> argparse.ArgumentParser:
    """The ``purezmq`` parser. Only ``selected``'s options are added (each other subcommand
    is a bare name, so that its module is not imported), or every one's with ``complete``."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="purezmq",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"purezmq {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in registry.all_commands():
        fill = complete or (selected is not None and command.name == selected.name)
        if command.own_argv:
            sub_parser = sub.add_parser(command.name, help=command.help, add_help=False)
            if fill and complete:
                _add_own_argv_options(command, sub_parser)
            continue
        sub_parser = sub.add_parser(
            command.name,
            help=command.help,
            description=command.help,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if fill:
            module = registry.load(command)
            if command.variant is None:
                module.add_arguments(sub_parser)
            else:
                module.add_arguments(sub_parser, command.variant)
    return parser


def _add_own_argv_options(command: registry.Command, parser: argparse.ArgumentParser) -> None:
    # For completion only: copy the options of a command that parses its own arguments.
    build = getattr(registry.load(command), "build_parser", None)
    if build is None:
        return
    for action in build()._actions:
        if action.option_strings and "-h" not in action.option_strings:
            parser.add_argument(*action.option_strings, help=action.help, action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``purezmq`` console script; returns the exit status."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    selected = registry.find(args_list[0]) if args_list else None
    try:
        if selected is not None and selected.name == "demo" and "--browser" in args_list:
            from .demo_command import browser_demo

            return browser_demo([a for a in args_list[1:] if a != "--browser"])
        if selected is not None and selected.own_argv:
            # These commands own their whole argument parsing (and their own --help).
            return int(registry.load(selected).main(args_list[1:]))
        args = build_parser(selected).parse_args(args_list)
        if selected is None or args.command is None:
            build_parser().print_help()
            return errors.USAGE
        return int(registry.load(selected).main(args))
    except errors.CliError as exc:
        print(f"purezmq {args_list[0]}: {exc}", file=sys.stderr)
        return exc.status
    except ZMQError as exc:  # a socket call refused (EHOSTUNREACH, EINVAL...): one line
        print(f"purezmq {args_list[0]}: {exc}", file=sys.stderr)
        return errors.ERROR
    except KeyboardInterrupt:
        return errors.INTERRUPTED


__all__ = ["build_parser", "main", "run", "run_environment"]
