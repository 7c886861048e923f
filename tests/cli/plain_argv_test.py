"""cli.plain_argv: the plain command lines of show, list and search give exactly argparse's
namespace (so an option added to those parsers fails here until plain_argv knows it), anything
else is left to argparse; and such a command loads no argparse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from importtime import gitmem_loads

from gitmem.cli import plain_argv
from gitmem.main import _command_in, _query_after_options, build_parser

PLAIN = [
    ["show", "0039p2"], ["show", "0039p2s9nfcb"], ["show", "x y"], ["show", ""], ["list"],
    ["ls"], ["list", "--limit", "20"], ["list", "-n", "5"], ["ls", "-n", "0"],
    ["list", "--limit", "007"], ["search", "deploy"], ["search", "why", "postgres?"],
    ["search", "tag:deploy", "OR", "type:decision"], ["search", '"connection pool"', "x"],
    ["search", "a=b", "caf\u00e9"],
]  # fmt: skip
OTHER = [
    [], ["show"], ["show", "-h"], ["show", "0039p2", "--raw"], ["show", "--json", "0039p2"],
    ["show", "-g", "0039p2"], ["show", "a", "b"], ["show", "-0039"], ["list", "--json"],
    ["list", "--limit"], ["list", "--limit", "x"], ["list", "--limit", "-1"],
    ["list", "--limit=20"], ["list", "-n20"], ["list", "--lim", "20"], ["list", "--all"],
    ["list", "--limit", "\u0663"], ["list", "--type", "fact"], ["search"],
    ["search", "-redis", "postgres"], ["search", "a", "--limit", "3"], ["search", "--", "a"],
    ["search", "a", "-"], ["save", "-m", "x"], ["lst"], ["-h"], ["--version"],
    # More digits than `int` converts (sys.get_int_max_str_digits): argparse's usage error.
    ["list", "-n", "9" * 5000], ["ls", "--limit", "0" * 4301],
]  # fmt: skip


def argparse_namespace(argv: list[str]) -> dict[str, Any]:
    parser = build_parser(_command_in(argv))
    if argv[0] == "search":
        argv = _query_after_options(parser, argv)
    return vars(parser.parse_args(argv))


@pytest.mark.parametrize("argv", PLAIN)
def test_plain_command_lines_read_as_argparse_reads_them(argv: list[str]) -> None:
    mine = plain_argv.parsed(argv)
    assert mine is not None
    assert vars(mine) == argparse_namespace(argv)


@pytest.mark.parametrize("argv", OTHER)
def test_anything_else_is_left_to_argparse(argv: list[str]) -> None:
    assert plain_argv.parsed(argv) is None


def test_the_lists_are_fresh_each_time() -> None:
    first, second = plain_argv.parsed(["list"]), plain_argv.parsed(["list"])
    assert first is not None and second is not None
    first.tag.append("x")
    assert second.tag == []


@pytest.mark.parametrize("argv", [["list", "--limit", "5"], ["search", "postgresql"]])
def test_a_plain_read_loads_no_argparse(repo: Path, mem: Any, argv: list[str]) -> None:
    mem("save", "-m", "Use PostgreSQL")
    proc, loaded = gitmem_loads(argv, repo, GITMEM_SERVICE="off")
    assert proc.returncode == 0, proc.stderr
    assert "Use PostgreSQL" in proc.stdout
    assert "gitmem.cli.plain_argv" in loaded
    assert not loaded & {"argparse", "gettext", "gitmem.cli.common"}
