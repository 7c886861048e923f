"""`git mem report decisions|activity|errors|timeline`: exact Markdown for a small fixture,
the JSON shape, --since/--until, an empty repository, -o and bad input."""

# ruff: noqa: E501  (the expected Markdown tables are wider than a code line)

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.record import Memory

ANN = "Ann <ann@example.com>"
BOB = "Bob <bob@example.com>"


@pytest.fixture
def fixture(repo: Path, g: Any) -> Path:
    """Four decisions (a supersedes chain of three, one rejected), four errors (two of them
    about the same tag and path), a fact, and a procedure kept in a note."""
    w = g.write_record
    w(
        repo,
        "decisions/a.md",
        "aaaa00000001",
        type="decision",
        title="Use MySQL",
        created="2026-01-05T10:00:00+00:00",
        author=ANN,
        status="accepted",
        tags="[database]",
        paths="[src/db/]",
    )
    w(
        repo,
        "decisions/b.md",
        "aaaa00000002",
        type="decision",
        title="Use PostgreSQL",
        created="2026-01-12T10:00:00+00:00",
        author=ANN,
        status="accepted",
        tags="[database, postgresql]",
        supersedes="[aaaa00000001]",
    )
    w(
        repo,
        "decisions/c.md",
        "aaaa00000003",
        type="decision",
        title="Use PostgreSQL 16",
        created="2026-01-20T09:30:00+00:00",
        author=BOB,
        status="accepted",
        tags="[database]",
        supersedes="[aaaa00000002]",
    )
    w(
        repo,
        "decisions/d.md",
        "aaaa00000004",
        type="decision",
        title="Deploy on Fridays",
        created="2026-01-14T16:00:00+00:00",
        author=BOB,
        status="rejected",
    )
    w(
        repo,
        "errors/a.md",
        "bbbb00000001",
        type="error",
        title="Flaky login test",
        created="2026-01-06T08:00:00+00:00",
        author=ANN,
        tags="[flaky, auth]",
        paths="[tests/auth/]",
    )
    w(
        repo,
        "errors/b.md",
        "bbbb00000002",
        type="error",
        title="Flaky login test again",
        created="2026-01-13T08:00:00+00:00",
        author=BOB,
        tags="[flaky]",
        paths="[tests/auth/]",
    )
    w(
        repo,
        "errors/c.md",
        "bbbb00000003",
        type="error",
        title="Pool exhausted",
        created="2026-01-21T12:00:00+00:00",
        author=ANN,
        tags="[database]",
        paths="[src/db/pool.py]",
    )
    w(
        repo,
        "errors/d.md",
        "bbbb00000004",
        type="error",
        title="Odd | crash",
        created="2026-01-22T12:00:00+00:00",
        author=ANN,
    )
    w(
        repo,
        "facts/a.md",
        "cccc00000001",
        title="Port is 5432",
        created="2026-01-07T11:00:00+00:00",
        author=BOB,
        tags="[database]",
    )
    note = Memory(
        id="dddd00000001",
        type="procedural",
        title="Release steps",
        created="2026-01-15T10:00:00+00:00",
        author=ANN,
        tags=["release"],
    )
    head = g.run("rev-parse", "HEAD", cwd=repo).strip()
    Store(git.discover(repo)).save_note(note, head)
    return repo


def markdown(mem: Callable[..., Any], *args: str) -> str:
    result = mem("report", *args)
    assert result.code == 0, result.err
    assert result.err == ""
    return str(result.out)


def document(mem: Callable[..., Any], *args: str) -> dict[str, Any]:
    result = mem("report", *args, "--format", "json")
    assert result.code == 0, result.err
    data: dict[str, Any] = json.loads(result.out)
    return data


DECISIONS = """\
# Decision index

4 decisions: 1 accepted, 1 rejected, 2 superseded.

| date | id | title | status | author | tags | paths |
|---|---|---|---|---|---|---|
| 2026-01-05 | aaaa00000001 | [Use MySQL](.memory/decisions/a.md) | superseded by aaaa00000002 | Ann \\<ann@<!-- -->example.com\\> | database | src/db/ |
| 2026-01-12 | aaaa00000002 | [Use PostgreSQL](.memory/decisions/b.md) | superseded by aaaa00000003 | Ann \\<ann@<!-- -->example.com\\> | database, postgresql |  |
| 2026-01-14 | aaaa00000004 | [Deploy on Fridays](.memory/decisions/d.md) | rejected | Bob \\<bob@<!-- -->example.com\\> |  |  |
| 2026-01-20 | aaaa00000003 | [Use PostgreSQL 16](.memory/decisions/c.md) | accepted | Bob \\<bob@<!-- -->example.com\\> | database |  |

## Supersedes chains

- aaaa00000001 Use MySQL -\\> aaaa00000002 Use PostgreSQL -\\> aaaa00000003 Use PostgreSQL 16
"""

ACTIVITY = """\
# Activity

10 records over 3 weeks.

## Per week

| week | from | total | decision | error | fact | procedural |
|---|---|---|---|---|---|---|
| 2026-W02 | 2026-01-05 | 3 | 1 | 1 | 1 | 0 |
| 2026-W03 | 2026-01-12 | 4 | 2 | 1 | 0 | 1 |
| 2026-W04 | 2026-01-19 | 3 | 1 | 2 | 0 | 0 |

## By author

| author | records |
|---|---|
| Ann \\<ann@<!-- -->example.com\\> | 6 |
| Bob \\<bob@<!-- -->example.com\\> | 4 |

## Most active tags

| tag | records |
|---|---|
| database | 5 |
| flaky | 2 |
| auth | 1 |
| postgresql | 1 |
| release | 1 |

## Most active paths

| path | records |
|---|---|
| tests/auth/ | 2 |
| src/db/ | 1 |
| src/db/pool.py | 1 |
"""

ERRORS = """\
# Errors

4 error records, recurring ones first.

## By tag

| tag | records | last | which |
|---|---|---|---|
| flaky | 2 | 2026-01-13 | bbbb00000002 2026-01-13 Flaky login test again (active); bbbb00000001 2026-01-06 Flaky login test (active) |
| auth | 1 | 2026-01-06 | bbbb00000001 2026-01-06 Flaky login test (active) |
| database | 1 | 2026-01-21 | bbbb00000003 2026-01-21 Pool exhausted (active) |

## By path

| path | records | last | which |
|---|---|---|---|
| tests/auth/ | 2 | 2026-01-13 | bbbb00000002 2026-01-13 Flaky login test again (active); bbbb00000001 2026-01-06 Flaky login test (active) |
| src/db/pool.py | 1 | 2026-01-21 | bbbb00000003 2026-01-21 Pool exhausted (active) |

## Without tag or path

- bbbb00000004 2026-01-22 Odd \\| crash (active)
"""

TIMELINE = """\
# Timeline

| date | type | title | id | author |
|---|---|---|---|---|
| 2026-01-05 10:00 | decision | [Use MySQL](.memory/decisions/a.md) | aaaa00000001 | Ann \\<ann@<!-- -->example.com\\> |
| 2026-01-06 08:00 | error | [Flaky login test](.memory/errors/a.md) | bbbb00000001 | Ann \\<ann@<!-- -->example.com\\> |
| 2026-01-07 11:00 | fact | [Port is 5432](.memory/facts/a.md) | cccc00000001 | Bob \\<bob@<!-- -->example.com\\> |
| 2026-01-12 10:00 | decision | [Use PostgreSQL](.memory/decisions/b.md) | aaaa00000002 | Ann \\<ann@<!-- -->example.com\\> |
| 2026-01-13 08:00 | error | [Flaky login test again](.memory/errors/b.md) | bbbb00000002 | Bob \\<bob@<!-- -->example.com\\> |
| 2026-01-14 16:00 | decision | [Deploy on Fridays](.memory/decisions/d.md) | aaaa00000004 | Bob \\<bob@<!-- -->example.com\\> |
| 2026-01-15 10:00 | procedural | Release steps | dddd00000001 | Ann \\<ann@<!-- -->example.com\\> |
| 2026-01-20 09:30 | decision | [Use PostgreSQL 16](.memory/decisions/c.md) | aaaa00000003 | Bob \\<bob@<!-- -->example.com\\> |
| 2026-01-21 12:00 | error | [Pool exhausted](.memory/errors/c.md) | bbbb00000003 | Ann \\<ann@<!-- -->example.com\\> |
| 2026-01-22 12:00 | error | [Odd \\| crash](.memory/errors/d.md) | bbbb00000004 | Ann \\<ann@<!-- -->example.com\\> |
"""

ACTIVITY_WINDOW = """\
# Activity

Records created since 2026-01-10T00:00:00+00:00 and until 2026-01-16T00:00:00+00:00.

4 records over 1 week.

## Per week

| week | from | total | decision | error | procedural |
|---|---|---|---|---|---|
| 2026-W03 | 2026-01-12 | 4 | 2 | 1 | 1 |

## By author

| author | records |
|---|---|
| Ann \\<ann@<!-- -->example.com\\> | 2 |
| Bob \\<bob@<!-- -->example.com\\> | 2 |

## Most active tags

| tag | records |
|---|---|
| database | 1 |
| flaky | 1 |
| postgresql | 1 |
| release | 1 |

## Most active paths

| path | records |
|---|---|
| tests/auth/ | 1 |
"""


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("decisions", DECISIONS),
        ("activity", ACTIVITY),
        ("errors", ERRORS),
        ("timeline", TIMELINE),
    ],
)
def test_markdown(mem: Callable[..., Any], fixture: Path, kind: str, expected: str) -> None:
    assert markdown(mem, kind) == expected


def test_markdown_within_a_window(mem: Callable[..., Any], fixture: Path) -> None:
    since, until = "2026-01-10T00:00:00+00:00", "2026-01-16T00:00:00+00:00"
    assert markdown(mem, "activity", "--since", since, "--until", until) == ACTIVITY_WINDOW


def test_json_documents(mem: Callable[..., Any], fixture: Path) -> None:
    decisions = document(mem, "decisions")
    assert decisions["report"] == "decisions" and decisions["schema"] == 1
    assert decisions["by_status"] == {"accepted": 1, "rejected": 1, "superseded": 2}
    assert [d["id"] for d in decisions["decisions"]] == [
        "aaaa00000001",
        "aaaa00000002",
        "aaaa00000004",
        "aaaa00000003",
    ]
    first = decisions["decisions"][0]
    assert first == {
        "id": "aaaa00000001",
        "created": "2026-01-05T10:00:00+00:00",
        "type": "decision",
        "title": "Use MySQL",
        "status": "superseded",  # effective: aaaa00000002 supersedes it
        "author": ANN,
        "location": ".memory/decisions/a.md",
        "tags": ["database"],
        "paths": ["src/db/"],
        "supersedes": [],
        "superseded_by": ["aaaa00000002"],
    }
    assert [[link["id"] for link in chain] for chain in decisions["chains"]] == [
        ["aaaa00000001", "aaaa00000002", "aaaa00000003"]
    ]

    activity = document(mem, "activity")
    assert [(w["week"], w["start"], w["total"]) for w in activity["weeks"]] == [
        ("2026-W02", "2026-01-05", 3),
        ("2026-W03", "2026-01-12", 4),
        ("2026-W04", "2026-01-19", 3),
    ]
    assert activity["weeks"][1]["by_author"] == {ANN: 2, BOB: 2}
    assert activity["types"][:2] == [
        {"name": "decision", "count": 4},
        {"name": "error", "count": 4},
    ]

    errors = document(mem, "errors")
    assert [(group["name"], group["count"]) for group in errors["by_tag"]] == [
        ("flaky", 2),
        ("auth", 1),
        ("database", 1),
    ]
    assert [entry["id"] for entry in errors["ungrouped"]] == ["bbbb00000004"]

    timeline = document(mem, "timeline", "--until", "2026-01-07T11:00:00+00:00")
    assert timeline["window"] == {"since": None, "until": "2026-01-07T11:00:00+00:00"}
    assert [entry["id"] for entry in timeline["records"]] == [
        "aaaa00000001",
        "bbbb00000001",
        "cccc00000001",  # created exactly at --until: included
    ]


def test_empty_weeks_are_kept_for_the_chart(mem: Callable[..., Any], repo: Path, g: Any) -> None:
    g.write_record(repo, "facts/a.md", "eeee00000001", created="2026-01-05T10:00:00+00:00")
    g.write_record(repo, "facts/b.md", "eeee00000002", created="2026-01-26T10:00:00+00:00")
    weeks = document(mem, "activity")["weeks"]
    assert [(w["week"], w["total"]) for w in weeks] == [
        ("2026-W02", 1),
        ("2026-W03", 0),
        ("2026-W04", 0),
        ("2026-W05", 1),
    ]
    page = mem("report", "activity", "--format", "html").out
    assert page.count('<rect class="bar"') == 2  # empty weeks: a label, no bar


def test_a_big_group_names_its_newest_five(mem: Callable[..., Any], repo: Path, g: Any) -> None:
    for n in range(1, 8):
        g.write_record(
            repo,
            f"errors/{n}.md",
            f"ffff0000000{n}",
            type="error",
            title=f"Timeout {n}",
            created=f"2026-02-0{n}T10:00:00+00:00",
            tags="[net]",
        )
    table = markdown(mem, "errors").split("## By tag\n\n")[1]
    assert table.splitlines()[2] == (
        "| net | 7 | 2026-02-07 | ffff00000007 2026-02-07 Timeout 7 (active); "
        "ffff00000006 2026-02-06 Timeout 6 (active); ffff00000005 2026-02-05 Timeout 5 (active); "
        "ffff00000004 2026-02-04 Timeout 4 (active); ffff00000003 2026-02-03 Timeout 3 (active); "
        "and 2 more |"
    )
    assert len(document(mem, "errors")["by_tag"][0]["records"]) == 7


EMPTY = {
    "deploys": "# Deploy report\n\nNo deploys recorded.\n",
    "decisions": "# Decision index\n\nNo decisions recorded.\n",
    "activity": "# Activity\n\nNo records.\n",
    "errors": "# Errors\n\nNo error records.\n",
    "timeline": "# Timeline\n\nNo records.\n",
}


@pytest.mark.parametrize("kind", sorted(EMPTY))
def test_an_empty_repository_gives_an_empty_report(
    mem: Callable[..., Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, g: Any, kind: str
) -> None:
    """No records, not even a commit: every format answers, exit 0."""
    monkeypatch.chdir(g.make_repo(tmp_path / "empty", commit=False))
    assert markdown(mem, kind) == EMPTY[kind]
    data = document(mem, kind)
    assert data["report"] == kind
    page = mem("report", kind, "--format", "html")
    assert page.code == 0 and page.out.startswith("<!DOCTYPE html>")
    assert "<rect" not in page.out


def test_output_file(mem: Callable[..., Any], fixture: Path, tmp_path: Path) -> None:
    target = tmp_path / "decisions.md"
    result = mem("report", "decisions", "-o", str(target))
    assert (result.code, result.out) == (0, "")
    assert result.err == f"wrote decisions report to {target}\n"
    assert target.read_text() == DECISIONS


def test_html_escapes_and_links(mem: Callable[..., Any], fixture: Path) -> None:
    page = mem("report", "timeline", "--format", "html").out
    assert "<td>Odd | crash</td>" not in page  # it lives in a file: a link
    assert '<a href=".memory/errors/d.md">Odd | crash</a>' in page
    assert "<td>Ann &lt;ann@example.com&gt;</td>" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_bad_input(mem: Callable[..., Any], fixture: Path) -> None:
    result = mem("report", "decisions", "--env", "production")
    assert (result.code, result.err) == (
        2,
        "git-mem: error: --env applies only to the deploys report\n",
    )
    result = mem("report", "timeline", "--since", "someday")
    assert result.code == 2
    assert result.err.startswith("git-mem: error: cannot read 'someday' as a date")
    result = mem("report", "incidents")
    assert result.code == 2 and "invalid choice: 'incidents'" in result.err
    result = mem("report", "timeline", "-o", str(fixture / "no" / "such" / "dir" / "x.md"))
    assert result.code == 2
    assert result.err.startswith("git-mem: error: cannot write ")
    assert result.err.endswith("x.md: No such file or directory\n")


def test_chains_fork_and_cycles(mem: Callable[..., Any], repo: Path, g: Any) -> None:
    """One decision replacing two gives two chains; a supersedes cycle ends, chain-less."""
    w = g.write_record
    w(repo, "decisions/a.md", "gggg00000001", type="decision", created="2026-03-01T10:00:00+00:00")
    w(repo, "decisions/b.md", "gggg00000002", type="decision", created="2026-03-02T10:00:00+00:00")
    w(
        repo,
        "decisions/c.md",
        "gggg00000003",
        type="decision",
        created="2026-03-03T10:00:00+00:00",
        supersedes="[gggg00000001, gggg00000002]",
    )
    w(
        repo,
        "decisions/x.md",
        "gggg0000000x",
        type="decision",
        created="2026-03-04T10:00:00+00:00",
        supersedes="[gggg0000000y]",
    )
    w(
        repo,
        "decisions/y.md",
        "gggg0000000y",
        type="decision",
        created="2026-03-05T10:00:00+00:00",
        supersedes="[gggg0000000x]",
    )
    data = document(mem, "decisions")
    assert [[link["id"] for link in chain] for chain in data["chains"]] == [
        ["gggg00000001", "gggg00000003"],
        ["gggg00000002", "gggg00000003"],
    ]
    assert data["by_status"] == {"active": 1, "superseded": 4}
    text = markdown(mem, "decisions")
    assert text.endswith(
        "## Supersedes chains\n\n"
        "- gggg00000001 Record gggg00000001 -\\> gggg00000003 Record gggg00000003\n"
        "- gggg00000002 Record gggg00000002 -\\> gggg00000003 Record gggg00000003\n"
    )
