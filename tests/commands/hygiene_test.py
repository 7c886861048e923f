"""Memory hygiene: `git mem prune` retires stale records (never deletes), `save` refuses a
near-duplicate unless --force, `doctor --duplicates` names the pairs."""

from __future__ import annotations

import json

import pytest

OLD, OLDER, FRESH, NOTE_OLD = "aaaa00000001", "aaaa00000002", "aaaa00000003", "aaaa00000004"


@pytest.fixture
def aged(repo, g):
    g.write_record(
        repo, "sessions/sprint.md", OLD, type="episodic", title="Sprint 12 notes",
        created="2025-01-10T10:00:00+00:00", tags="[sprint]",
    )  # fmt: skip
    g.write_record(
        repo, "facts/staging.md", OLDER, title="Staging is reset on Sundays",
        created="2024-06-01T10:00:00+00:00", updated="2026-11-30T10:00:00+00:00",
    )  # fmt: skip
    g.write_record(
        repo, "sessions/recent.md", FRESH, type="episodic", title="Sprint 40 notes",
        created="2026-12-01T10:00:00+00:00",
    )  # fmt: skip
    return repo


def test_prune_dry_run_lists_and_changes_nothing(aged, mem):
    before = (aged / ".memory/sessions/sprint.md").read_text()
    result = mem("prune", "--older-than", "180d", "--dry-run")
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == (
        "would retire 1 record (status: deprecated; kept in history, hidden from search, lists "
        "and context packs):"
    )
    assert lines[1].startswith(f"  {OLD} 2025-01-10 episodic   Sprint 12 notes [sprint]")
    assert len(lines) == 2  # the fact was updated recently, the other sprint is new
    assert (aged / ".memory/sessions/sprint.md").read_text() == before


def test_prune_retires_and_edit_brings_back(aged, mem, ids):
    result = mem("prune", "--older-than", "180d", "--json")
    document = json.loads(result.out)
    assert (result.code, document["count"], document["dry_run"]) == (0, 1, False)
    assert document["records"][0] == {
        "id": OLD,
        "type": "episodic",
        "title": "Sprint 12 notes",
        "location": ".memory/sessions/sprint.md",
        "status": "active",
        "last_changed": "2025-01-10T10:00:00+00:00",
    }
    text = (aged / ".memory/sessions/sprint.md").read_text()
    assert "\nstatus: deprecated\n" in text and "\nupdated: " in text
    assert OLD not in ids()
    assert OLD in ids("--all")
    assert mem("prune", "--older-than", "180d").code == 1  # nothing active left to retire
    assert mem("edit", OLD, "--set", "status=active").code == 0
    assert OLD in ids()


def test_prune_needs_a_criterion_and_spares_deploys(aged, mem, ids):
    refused = mem("prune")
    assert refused.code == 2
    assert refused.err == (
        "git-mem: error: say which memories are stale: --older-than AGE and/or filters such as "
        "--type, --tag, --status (prune never retires everything at once)\n"
    )
    assert mem("deploy", "--env", "production").code == 0
    result = mem("prune", "--older-than", "0d", "--json")
    retired = {record["id"] for record in json.loads(result.out)["records"]}
    assert retired == {OLD, OLDER, FRESH}  # every record but the deploy
    assert len(ids("--type", "episodic")) == 1  # the deploy record


def test_prune_retires_a_note_record(repo, mem, g):
    saved = mem("save", "--commit", "HEAD", "-m", "The nightly job runs at 02:00").saved_id
    result = mem("prune", "--older-than", "0d", "--type", "fact")
    assert result.code == 0 and saved in result.out
    note = g.run("notes", "--ref=mem", "show", "HEAD")
    assert "status: deprecated" in note
    g.fsck(repo)


def test_save_refuses_a_near_duplicate_unless_forced(repo, mem):
    first = mem("save", "-t", "decision", "-m", "Use PostgreSQL for orders", "-m", "JSONB fits.")
    twin = mem("save", "-t", "decision", "-m", "Use PostgreSQL for the orders", "-m", "JSONB fits.")
    assert twin.code == 1
    assert twin.err == (
        f"git-mem: error: not saved: {first.saved_id} ({first.location}) already says nearly the "
        "same: 'Use PostgreSQL for orders'; edit or supersede it, or save anyway with --force\n"
    )
    assert len(list((repo / ".memory/decisions").iterdir())) == 1
    # Another type, or a different text, is not a duplicate; --force saves anyway.
    assert (
        mem("save", "-t", "fact", "-m", "Use PostgreSQL for the orders", "-m", "JSONB fits.").code
        == 0
    )
    other = mem("save", "-t", "decision", "-m", "Use PostgreSQL for the orders",
                "-m",
                "Reporting needs window functions.")  # fmt: skip
    assert other.code == 0
    forced = mem("save", "-t", "decision", "-m", "Use PostgreSQL for orders", "-m", "JSONB fits.",
                 "--force")  # fmt: skip
    assert forced.code == 0


def test_doctor_names_near_duplicates(repo, mem, g):
    assert mem("init").code == 0
    first, second = "bbbb00000001", "bbbb00000002"
    for id, created in (
        (second, "2026-02-01T10:00:00+00:00"),
        (first, "2026-01-01T10:00:00+00:00"),
    ):
        g.write_record(
            repo, f"decisions/{id}.md", id, type="decision", title="Use PostgreSQL for orders",
            created=created, body="JSONB fits.",
        )  # fmt: skip
    assert mem("doctor").code == 0
    result = mem("doctor", "--duplicates")
    assert result.code == 1
    assert result.out.splitlines() == [
        f".memory/decisions/{second}.md: {second}: says nearly the same as {first} "
        f"'Use PostgreSQL for orders' (.memory/decisions/{first}.md, 100% of the words shared); "
        f"keep one: git mem supersede {first} {second}",
        "1 problem in 2 records",
    ]
    assert mem("supersede", first, second).code == 0
    assert mem("doctor", "--duplicates").code == 0


def test_a_near_duplicate_from_the_editor_keeps_the_text(repo, mem, editor):
    mem("save", "-t", "fact", "-m", "Staging resets on Sundays", "-m", "At 03:00 UTC.")
    editor('printf "Staging resets on Sundays\\n\\nAt 03:00 UTC.\\n" > "$1"')
    result = mem("save", "-t", "fact", tty=True)
    assert result.code == 1
    kept = repo / ".git/gitmem/edits/new-fact.md"
    assert result.err.endswith(f"save anyway with --force (your text is kept in {kept})\n")
    assert kept.read_text() == "Staging resets on Sundays\n\nAt 03:00 UTC.\n"


def test_records_that_differ_in_their_numbers_are_not_duplicates(repo, mem):
    assert mem("init").code == 0
    for text in (
        "Worker 0 record 2",
        "Worker 2 record 0",
        "Use PostgreSQL 15",
        "Use PostgreSQL 16",
    ):
        assert mem("save", "-m", text, "-m", "Saved by a worker.").code == 0, text
    assert mem("doctor", "--duplicates").out == "no problems in 4 records\n"
