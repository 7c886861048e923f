"""What the parser modules share: how a command is added, the filter and record options."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Iterator, Sequence

from gitmem import LaterPattern
from gitmem.store.types import DEFAULT_TYPE, TYPE_NAMES

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import NoReturn


FILTER_HELP = """\
filters (all may be repeated; repeats of one filter are OR-ed, different filters AND-ed):
  --type decision         --tag database        --status accepted
  --author jane           --source hook         --project backend
  --since '2 weeks ago'   --until 2026-11-01    --path src/db/   --commit HEAD~3
"""


if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]


class Parser(argparse.ArgumentParser):
    """argparse, with usage errors in gitmem's one error format (`git-mem: error: ...`, exit 2)
    instead of argparse's `git mem deploy: error: ...`; the usage line above names the command."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"git-mem: error: {suggest_choice(message)}\n")


_INVALID_CHOICE = LaterPattern(
    r"invalid choice: '(?P<word>[^']*)' \(choose from (?P<choices>.*)\)$"
)


def suggest_choice(message: str) -> str:
    """argparse's "invalid choice: 'serach' (choose from ...)" with the list replaced by the
    nearest choices, as git does for a mistyped command; unchanged when nothing is near."""
    found = _INVALID_CHOICE.search(message)
    if not found:
        return message
    import difflib  # only on a usage error

    choices = re.findall(r"'([^']*)'", found["choices"])
    near = difflib.get_close_matches(found["word"], choices, n=2, cutoff=0.6)
    if not near:
        return message
    offer = " or ".join(f"'{choice}'" for choice in near)
    return f"{message[: found.start()]}invalid choice: '{found['word']}' (did you mean {offer}?)"


def formatter(prog: str) -> argparse.HelpFormatter:
    # The width given: argparse makes a formatter for every option it adds, and without one
    # imports shutil (with bz2 and lzma: ~3 ms of every command) to ask the terminal's.
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32, width=_columns() - 2)


def _columns() -> int:
    """`shutil.get_terminal_size().columns`, as argparse asks it: $COLUMNS when it is a
    positive number, else the width of the terminal on standard output, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns > 0:
        return columns
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


@contextlib.contextmanager
def add_command(
    sub: Subparsers,
    name: str,
    *,
    help: str,
    description: str,
    epilog: str,
    aliases: Sequence[str] = (),
    json: str | bool = False,
) -> Iterator[argparse.ArgumentParser]:
    """Add the command (or a command's action) `name`; its options are added in the `with` block.

    `json`: the help of its `--json` option (True: "print the result as JSON"), added after the
    block so that it comes last in the help, as in every command's.
    """
    parser = sub.add_parser(
        name,
        aliases=list(aliases),
        formatter_class=formatter,
        help=help,
        description=description,
        epilog=epilog,
    )
    yield parser
    if json:
        text = "print the result as JSON" if json is True else json
        parser.add_argument("--json", action="store_true", help=text)


def add_global(parser: argparse.ArgumentParser, what: str) -> None:
    """`--global`: the personal memory repository instead of this one (store.personal)."""
    parser.add_argument(
        "-g",
        "--global",
        dest="personal",
        action="store_true",
        help=f"{what} your personal memory ($GITMEM_HOME, else ~/.local/share/gitmem/personal) "
        "instead of this repository's",
    )


def add_filters(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filters")
    group.add_argument(
        "--type", action="append", default=[], metavar="TYPE", help="only records of this type"
    )
    group.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="only records carrying this tag (repeat: all of them)",
    )
    group.add_argument(
        "--status",
        action="append",
        default=[],
        metavar="STATUS",
        help="only records with this status (shows retired ones too)",
    )
    group.add_argument(
        "--author",
        action="append",
        default=[],
        metavar="TEXT",
        help="author name or email contains TEXT",
    )
    group.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="SOURCE",
        help="captured by: cli, hook, ci, mcp, import, session",
    )
    group.add_argument(
        "--project",
        action="append",
        default=[],
        metavar="NAME",
        help="only records of this project",
    )
    group.add_argument("--since", metavar="WHEN", help="created at or after (date or '3 days ago')")
    group.add_argument("--until", metavar="WHEN", help="created at or before")
    group.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="about this file or directory (matches recorded globs and dirs)",
    )
    group.add_argument(
        "--commit",
        action="append",
        default=[],
        metavar="REV",
        help="about this commit (noted on it or listing it in commits)",
    )
    group.add_argument(
        "-a",
        "--all",
        action="store_true",
        # One flag for everything hidden by default: both kinds are "not the project's current
        # memory", --all reads as "show me everything", and each shown record says why it was
        # hidden (its status, or "(on unmerged commit ...)"); --status and --commit narrow.
        help="include superseded, deprecated and rejected records, and records in notes on "
        "commits that neither HEAD nor the default branch (origin/HEAD, else main, else master) "
        "reaches, shown as (on unmerged commit SHA); --commit names such a commit directly",
    )


def add_record_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-t",
        "--type",
        default=DEFAULT_TYPE,
        help=f"{DEFAULT_TYPE} (default), {', '.join(t for t in TYPE_NAMES if t != DEFAULT_TYPE)}, "
        "or a type from .memory/config.toml",
    )
    parser.add_argument("--title", help="one line; default: the first line of the text")
    parser.add_argument(
        "--tag",
        action="append",
        default=[],
        metavar="TAG",
        help="a tag; repeat it or give a comma list (a,b)",
    )
    parser.add_argument(
        "--status", help="active (default), proposed, accepted, superseded, deprecated, rejected"
    )
    parser.add_argument("--summary", help="a one-line summary")
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="PATH",
        help="a file, directory/ or glob this memory is about (repeatable)",
    )
    parser.add_argument(
        "--link",
        action="append",
        default=[],
        metavar="ID",
        help="a related memory (id or unique prefix; repeatable)",
    )
    parser.add_argument(
        "--supersedes",
        action="append",
        default=[],
        metavar="ID",
        help="a memory this one replaces; it is marked superseded (repeatable)",
    )
    parser.add_argument("--project", help="group memories across repositories")
    parser.add_argument(
        "--meta",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="free-form metadata (repeatable), e.g. --meta sprint=42",
    )
    parser.add_argument("--tool", help="the assistant or tool that produced it")


def add_server(parser: argparse.ArgumentParser, what: str) -> None:
    """`--server [URL]`: ask the database `git mem publish` fills instead of this repository."""
    parser.add_argument(
        "--server",
        nargs="?",
        const="",
        metavar="URL",
        help=f"{what} (URL: postgresql://...; default GITMEM_DATABASE_URL or [publish] url)",
    )
