"""``purezmq completion bash|zsh``: a shell completion script generated from the parsers.

bash: ``eval "$(purezmq completion bash)"`` (in ~/.bashrc), or save the output as
``/etc/bash_completion.d/purezmq``. zsh: ``eval "$(purezmq completion zsh)"`` in ~/.zshrc
(the bash script, through zsh's ``bashcompinit``).
"""

from __future__ import annotations

import argparse
import shlex

SHELLS = ("bash", "zsh")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``completion`` options."""
    parser.epilog = """examples:
  eval "$(purezmq completion bash)"        (add it to ~/.bashrc)
  eval "$(purezmq completion zsh)"         (add it to ~/.zshrc)"""
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete for")


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _words(words: list[str]) -> str:
    return shlex.quote(" ".join(words))


def bash_script() -> str:
    """The bash completion function for every subcommand's options and option values."""
    from . import build_parser

    top = build_parser(complete=True)
    commands = _subparsers(top)
    option_cases = []
    value_cases = []
    for name, sub in commands.items():
        options: list[str] = []
        for action in sub._actions:
            options.extend(action.option_strings)
            if action.option_strings and action.choices:
                pattern = "|".join(f"{name}:{opt}" for opt in action.option_strings)
                value_cases.append(f"        {pattern}) words={_words(list(action.choices))};;")
            elif not action.option_strings and action.choices and action.dest != "help":
                value_cases.append(f"        {name}:*) positional={_words(list(action.choices))};;")
        option_cases.append(f"        {name}) words={_words(options)};;")
    lines = [
        "# purezmq completion for bash: eval \"$(purezmq completion bash)\"",
        "_purezmq() {",
        '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    local cmd="${COMP_WORDS[1]}" words="" positional=""',
        "    if [[ $COMP_CWORD -eq 1 ]]; then",
        f'        COMPREPLY=($(compgen -W {_words([*commands, "--help", "--version"])} -- "$cur"))',
        "        return",
        "    fi",
        '    case "$cmd:$prev" in',
        *value_cases,
        "    esac",
        '    if [[ -n $words && $prev == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "        return",
        "    fi",
        '    if [[ -n $positional && $cur != -* ]]; then',
        '        COMPREPLY=($(compgen -W "$positional" -- "$cur"))',
        "        return",
        "    fi",
        '    case "$cmd" in',
        *option_cases,
        "    esac",
        '    if [[ $cur == -* ]]; then',
        '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "    else",
        '        COMPREPLY=($(compgen -f -- "$cur"))',
        "    fi",
        "}",
        "complete -o filenames -F _purezmq purezmq",
    ]
    return "\n".join(lines) + "\n"


def zsh_script() -> str:
    """zsh runs the bash completion through ``bashcompinit``."""
    return (
        "# purezmq completion for zsh: eval \"$(purezmq completion zsh)\"\n"
        "autoload -U +X bashcompinit && bashcompinit\n" + bash_script()
    )


def main(args: argparse.Namespace) -> int:
    """Print the script for ``args.shell``."""
    print(bash_script() if args.shell == "bash" else zsh_script(), end="")
    return 0


__all__ = ["SHELLS", "add_arguments", "bash_script", "main", "zsh_script"]
