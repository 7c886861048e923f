"""The record filter each front end builds: the CLI's flags, the serve API's query parameters
and the MCP tools' arguments read the same options into the same `Filter` (one builder,
`query.filter_of`, resolved in the repository by `finder.local_filter`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from conftest import git

from gitmem.assist import mcp_arguments
from gitmem.commands import list as list_command
from gitmem.main import build_parser
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.serve.params import FILTERS, Query
from gitmem.store import git as gitcmd


def test_cli_serve_and_mcp_build_the_same_filter(repo: Path) -> None:
    store = Store(gitcmd.discover(repo))
    head = git("rev-parse", "HEAD").strip()
    given = [("type", "decision"), ("tag", "Data-Base"), ("status", "accepted")]
    given += [("author", "jane"), ("source", "cli"), ("project", "api"), ("path", "src/db/")]
    given += [("since", "2026-11-20"), ("until", "2026-11-30"), ("commit", "HEAD")]
    flags = [part for name, value in given for part in (f"--{name}", value)]
    cli = build_parser("list").parse_args(["list", *flags, "--all"])
    served = Query([*given, ("all", "true")], FILTERS)
    expected = Filter(
        types=["decision"],
        tags=["Data-Base"],
        statuses=["accepted"],
        authors=["jane"],
        sources=["cli"],
        projects=["api"],
        paths=["src/db/"],
        commits=[head],
        since=datetime.fromisoformat("2026-11-20").astimezone(),
        until=datetime.fromisoformat("2026-11-30").astimezone(),
        include_retired=True,
        include_unmerged=True,
    )
    assert list_command.make_filter(store, cli) == expected
    assert served.filter(store) == expected
    # The MCP tools take one value of each (and no commit): the same options, the same filter.
    arguments = {"type": "decision", "tags": ["Data-Base"], "status": "accepted"}
    arguments |= {"author": "jane", "source": "cli", "project": "api", "path": "src/db/"}
    arguments |= {"since": "2026-11-20", "until": "2026-11-30", "all": True}
    assert mcp_arguments.make_filter(store, arguments) == Filter(
        **{**vars(expected), "commits": []}
    )


def test_a_database_filter_keeps_paths_and_commits_as_given(repo: Path) -> None:
    """`--server` and the org API ask a database of many repositories: nothing is resolved
    here, and records on unmerged commits are the database's business."""
    cli = build_parser("search").parse_args(
        ["search", "--path", "../elsewhere/", "--commit", "abc1234", "--all", "x"]
    )
    served = Query([("path", "../elsewhere/"), ("commit", "abc1234"), ("all", "1")], FILTERS)
    expected = Filter(paths=["../elsewhere/"], commits=["abc1234"], include_retired=True)
    assert list_command.database_filter(cli) == expected
    assert served.filter_of(served.many("path"), served.many("commit"), unmerged=False) == expected
