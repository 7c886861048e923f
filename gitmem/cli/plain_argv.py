"""The commonest command lines of `show`, `list` and `search`, read without argparse.

`git mem show ID`, `git mem list` (or `ls`, maybe with `--limit N`/`-n N`) and `git mem search
WORDS` (no word starting with `-`) give exactly the namespace their argparse parsers give
(tests/cli/plain_argv_test.py compares them, so an option added to a parser fails that test
until it is added here). Importing argparse, building a command's parser and its gettext calls
(which load `locale`) cost ~4 ms, a tenth of a one-shot `git mem show`. Anything else (an
option, `-h`, a word starting with `-`, a bad value) is argparse's, with its errors and help.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Any


class Namespace:
    """What a command reads of `argparse.Namespace`: its attributes (and `vars`)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"Namespace({shown})"


def _no_filters() -> dict[str, Any]:
    """The filter options' values when none is given (cli.common.add_filters)."""
    lists = ("type", "tag", "status", "author", "source", "project", "path", "commit")
    return {**{name: [] for name in lists}, "since": None, "until": None, "all": False}


def parsed(argv: list[str]) -> Namespace | None:
    """The namespace argparse would give for `argv`, when it is one of the plain forms; None
    for anything else."""
    if not argv:
        return None
    command, rest = argv[0], argv[1:]
    if command == "show" and len(rest) == 1 and not rest[0].startswith("-"):
        return Namespace(command="show", personal=False, id=rest[0], raw=False, json=False)
    if command in ("list", "ls"):
        if not rest:
            limit = None
        elif len(rest) == 2 and rest[0] in ("--limit", "-n"):
            limit = _plain_number(rest[1])
            if limit is None:
                return None
        else:
            return None
        return Namespace(command=command, personal=False, **_no_filters(), limit=limit, json=False)
    if command == "search" and rest and not any(word.startswith("-") for word in rest):
        return Namespace(
            command="search",
            personal=False,
            repos=None,
            workspace=False,
            query=list(rest),
            sessions=False,
            everything=False,
            **_no_filters(),
            limit=10,
            sort="relevance",
            server=None,
            match="any",
            json=False,
            ids=False,
        )
    return None


def _plain_number(text: str) -> int | None:
    """The number `text` is when it is decimal digits only, as argparse's `type=int` reads it;
    None for anything else, and for more digits than `int` converts (sys.get_int_max_str_digits:
    argparse says "invalid int value", here `int` would raise)."""
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:
        return None
