"""finder.rows_by_id and finder.about_paths (the record page's lookups) answer exactly what a
read of every row answers, on a real repository with files, a note, retired records, paths
in both directions and ids that are not there."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import git, git_mem, write_record

from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.store import git as gitstore

PATHS = {
    "aaaa00000001": "[src/db/]",
    "aaaa00000002": "[src/db/pool.py]",
    "aaaa00000003": "[src/db/pool.py, docs/]",
    "aaaa00000004": "[src/api/]",
    "aaaa00000005": "[src/]",
    "aaaa00000006": "[src/db/]",
}


def build(repo: Path) -> Store:
    for n, (rid, paths) in enumerate(PATHS.items()):
        extra = {"status": "deprecated"} if rid.endswith("4") else {}
        extra |= {"supersedes": "[aaaa00000001]"} if rid.endswith("6") else {}
        write_record(
            repo,
            f"facts/f{n}.md",
            rid,
            created=f"2026-01-{10 + n:02d}T10:00:00+00:00",
            paths=paths,
            links="[aaaa00000002, zzzz00000000]",
            **extra,
        )
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "records", cwd=repo)
    saved = git_mem("save", "--commit", "HEAD", "-m", "A note about the pool", cwd=repo)
    assert saved.returncode == 0, saved.stderr
    return Store(gitstore.discover(repo))


@pytest.mark.slow  # 30 lookups against 30 reads of every row: about a second
def test_lookups_answer_what_reading_every_row_answers(repo: Path) -> None:
    store = build(repo)
    every = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    by_id = {row["id"]: row for row in every}
    wanted = ["aaaa00000001", "aaaa00000003", "zzzz00000000", "aaaa"]
    got = finder.rows_by_id(store, wanted)
    assert sorted(got) == ["aaaa00000001", "aaaa00000003"]  # whole ids only
    for rid, row in got.items():  # the row `records` reads (6 supersedes 1: a status apart)
        fields = ("title", "location", "paths", "links", "status")
        assert {k: row[k] for k in fields} == {k: by_id[rid][k] for k in fields}
    note = next(row for row in every if row["location"].startswith("note:"))
    assert list(finder.rows_by_id(store, [note["id"]])) == [note["id"]]
    for paths in (["src/db/"], ["src/db/pool.py"], ["src/"], ["docs/x.md"], ["nowhere/"]):
        for limit in (1, 2, 20):
            for skip in ("", "aaaa00000002"):
                flt = Filter(paths=paths)
                expected = [r["id"] for r in finder.records(store, flt) if r["id"] != skip]
                rows, complete = finder.about_paths(store, flt, limit, skip)
                assert [r["id"] for r in rows] == expected[:limit], (paths, limit, skip)
                assert complete
    # a budget of candidates read: a part of the answer, and saying so when it may be more
    flt = Filter(paths=["src/db/pool.py"])
    expected = [r["id"] for r in finder.records(store, flt)]
    rows, complete = finder.about_paths(store, flt, 20, budget=2)
    assert not complete and [r["id"] for r in rows] == expected[: len(rows)]
    rows, complete = finder.about_paths(store, flt, 20, budget=100)
    assert complete and [r["id"] for r in rows] == expected
