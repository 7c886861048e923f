"""The decision index reads only the decisions and the records that supersede or are
superseded (`data.collect_decisions`): its document is the one every record gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gitmem.records.store import Store
from gitmem.reports import kinds
from gitmem.reports.data import Source, Window, collect, collect_decisions
from gitmem.reports.report import build
from gitmem.store import git


def test_the_same_document_as_from_every_record(repo: Path, g: Any) -> None:
    """A chain running through facts (a fact superseded by a decision, that fact superseding
    an older one), a fact superseding a decision, records superseding nothing, a retired one."""
    w = g.write_record
    w(repo, "facts/old.md", "ffff00000001", type="fact", title="Oldest fact")
    w(repo, "facts/mid.md", "ffff00000002", type="fact", title="Mid", supersedes="[ffff00000001]")
    w(repo, "decisions/a.md", "dddd00000001", type="decision", supersedes="[ffff00000002]")
    w(repo, "decisions/b.md", "dddd00000002", type="decision", status="rejected")
    w(repo, "facts/over.md", "ffff00000003", type="fact", supersedes="[dddd00000002]")
    w(repo, "facts/plain.md", "ffff00000004", type="fact", title="Unrelated")
    w(repo, "errors/e.md", "eeee00000001", type="error", title="Unrelated too")
    store = Store(git.discover(repo))
    read = collect_decisions(store)
    assert sorted(row["id"] for row in read.rows) == [
        "dddd00000001",
        "dddd00000002",
        "ffff00000001",
        "ffff00000002",
        "ffff00000003",
    ]
    full = kinds.decisions(Source(store.repo, collect(store), Window()))
    assert build(store, "decisions", Window()) == full
    assert [[link["title"] for link in chain] for chain in full["chains"]] == [
        ["Oldest fact", "Mid", "Record dddd00000001"]
    ]
