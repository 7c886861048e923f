"""The git-mem(1) man page, rendered from the argparse definitions so it never drifts.

`git mem --help` makes git run `man git-mem`; the page is installed into
`<prefix>/share/man/man1`, which man finds next to the `bin/` on PATH. Regenerate the checked-in
copy with `python -m gitmem.manpage > man/git-mem.1` (a test fails when it is stale).
"""

from __future__ import annotations

import argparse
import os
import sys

from gitmem import __version__
from gitmem.main import build_parser


def _escape(text: str) -> str:
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join("\\&" + ln if ln.startswith((".", "'")) else ln for ln in text.splitlines())


def _options(parser: argparse.ArgumentParser) -> list[str]:
    out = []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS or action.dest == "help":
            continue
        if action.option_strings:
            names = ", ".join(action.option_strings)
            if action.nargs != 0:
                names += " " + str(action.metavar or action.dest.upper())
        else:
            names = str(action.metavar or action.dest)
        out += [".TP", f"\\fB{_escape(names)}\\fR", _escape(action.help or "")]
    return out


def _commands(prefix: str, sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> list[str]:
    """A section per command, and per action of a command that has them (checkpoint save)."""
    lines: list[str] = []
    seen: set[int] = set()
    for name, command in sub.choices.items():
        if id(command) in seen:
            continue  # an alias
        seen.add(id(command))
        usage = command.format_usage().removeprefix("usage: ").strip()
        lines += [".SS " + _escape(f"{prefix} {name}"), ".nf", _escape(usage), ".fi", ".PP"]
        lines += [_escape(command.description or ""), *_options(command)]
        if command.epilog:
            lines += [".PP", ".nf", _escape(command.epilog), ".fi"]
        for action in command._actions:
            if isinstance(action, argparse._SubParsersAction):
                lines += _commands(f"{prefix} {name}", action)
    return lines


def render() -> str:
    # argparse wraps usage lines to the terminal width; the page must not depend on it.
    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        return _render(build_parser())
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved


def _render(parser: argparse.ArgumentParser) -> str:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    lines = [
        f'.TH GIT\\-MEM 1 "" "gitmem {__version__}" "gitmem manual"',
        ".SH NAME",
        "git\\-mem \\- a project's memory kept in its git repository",
        ".SH SYNOPSIS",
        "\\fBgit mem\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]",
        ".SH DESCRIPTION",
        _escape(parser.description or ""),
        ".SH COMMANDS",
    ]
    lines += _commands("git mem", sub)
    lines += [
        ".SH EXIT STATUS",
        "0 success; 1 nothing found or a check failed; 2 usage error or bad input; "
        "128 not a git repository or a fatal git error.",
        ".SH FILES",
        ".TP",
        "\\fI.memory/\\fR",
        "memory files, one folder per type; \\fI.memory/config.toml\\fR holds shared settings",
        ".TP",
        "\\fIrefs/notes/mem\\fR",
        "memories about commits, as git notes",
        ".TP",
        "\\fI$GIT_COMMON_DIR/gitmem/\\fR",
        "local, disposable state (the search index)",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
