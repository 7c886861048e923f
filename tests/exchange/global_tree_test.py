"""`git mem import --format global ~/.global/memory/<project>/`: every kind of file in the tree,
imported once."""

from __future__ import annotations

import json

import pytest
from exchange_test import ADR_TOOLS


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / ".global" / "memory" / "shop"
    (root / "decisions").mkdir(parents=True)
    for name, text in ADR_TOOLS.items():
        (root / "decisions" / name).write_text(text)
    (root / "learnings.md").write_text("# Staging resets on Sundays\n\nAt 03:00 UTC.\n")
    (root / "bugs").mkdir()
    (root / "bugs" / "flaky-sync.md").write_text("# Flaky sync test\n\nA race on the ref.\n")
    (root / "devlog.md").write_text(
        "# Dev log\n\n## 2025-01-10 Payment retries\n\nAdded backoff.\n\n"
        "## 2025-01-11\n\nRemoved the old client.\n"
    )
    (root / "project-summary.md").write_text("A web shop: Django, PostgreSQL, Celery.\n")
    (root / "sessions").mkdir()
    (root / "sessions" / "s1.json").write_text(json.dumps({"messages": [
        {"role": "user", "content": "why do payments retry?", "timestamp": "2025-01-10T09:00:00Z"},
        {"role": "assistant", "content": "The gateway drops 1% of calls.",
         "timestamp": "2025-01-10T09:00:05Z"},
    ]}))  # fmt: skip
    (root / "checkpoints").mkdir()
    (root / "checkpoints" / "c1.json").write_text(json.dumps({
        "name": "payments", "timestamp": "2025-01-10T12:00:00Z", "stage": "retries done",
        "notes": "Backoff in place; next: alerts", "done": ["backoff"], "todo": ["alerts"],
    }))  # fmt: skip
    return root


def test_every_kind_of_file_is_imported_once(repo, mem, tree):
    dry = mem("import", "--format", "global", str(tree), "--dry-run")
    assert dry.code == 0, dry.err
    assert dry.out.splitlines()[-1] == (
        "would import 8 records (0 already here), 2 messages in 1 session, 1 checkpoint (0 "
        "already here)"
    )
    assert not (repo / ".memory").exists()
    done = mem("import", "--format", "global", str(tree), "--json")
    assert done.code == 0, done.err
    document = json.loads(done.out)
    assert document["records"]["new"] == 8
    assert (document["sessions"]["messages"], document["checkpoints"]["new"]) == (2, 1)
    listed = json.loads(mem("list", "--all", "--json").out)["records"]
    kinds = sorted((r["type"], r["title"]) for r in listed)
    assert kinds == [
        ("decision", "Record architecture decisions"),
        ("decision", "Use MongoDB"),
        ("decision", "Use PostgreSQL"),
        ("episodic", "Dev log 2025-01-11"),
        ("episodic", "Payment retries"),
        ("error", "Flaky sync test"),
        ("fact", "Project summary: shop"),
        ("fact", "Staging resets on Sundays"),
    ]
    retries = next(r for r in listed if r["title"] == "Payment retries")
    assert retries["created"] == "2025-01-10T00:00:00+00:00"
    shown = json.loads(mem("checkpoint", "show", "payments", "--json").out)
    assert (shown["stage"], shown["notes"]) == ("retries done", "Backoff in place; next: alerts")
    assert shown["timestamp"].startswith("2025-01-10T12:00:00")
    sessions = json.loads(mem("session", "list", "--json").out)["sessions"]
    assert len(sessions) == 1
    again = mem("import", "--format", "global", str(tree))
    assert again.out.splitlines()[-1] == (
        "imported 0 records (8 already here), 0 messages in 1 session, 0 checkpoints (1 already "
        "here)"
    )
