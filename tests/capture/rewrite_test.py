"""Capture through real `git commit` with the installed hooks, and records through rewrites:
amend, rebase, rebase -i squash/fixup/reword, cherry-pick, pull --rebase from a bare remote.

After each: every record is on the new commit exactly once, `commits:` names the new sha, the
old commit's note is gone, nothing was captured twice; cross-checked with plain git.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from importtime import gitmem_loads

from gitmem.store.record import derived_id

AUTHOR = "Test User <test@example.com>"
DATE = "1763731391 +0000"  # every commit here is authored at this time unless told otherwise


def sh(repo: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> str:
    """git with hooks and all; fails the test with git's stderr."""
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **(env or {})},
        input=input,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout + proc.stderr


def commit(
    repo: Path, message: str, *, date: str = DATE, committed: str | None = None, file: str = ""
) -> tuple[str, str]:
    """A real `git commit` (changing `file`, if given); (new sha, git's output)."""
    if file:
        path = repo / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(path.read_text() + "x\n" if path.exists() else "x\n")
        sh(repo, "add", file)
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": committed or date}
    out = sh(repo, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return head(repo), out


def head(repo: Path, rev: str = "HEAD") -> str:
    return sh(repo, "rev-parse", rev).strip()


def note(repo: Path, sha: str) -> list[dict[str, Any]]:
    """The records in the note on `sha`, read by plain git ([] when there is none)."""
    proc = subprocess.run(
        ["git", "notes", "--ref=mem", "show", sha], cwd=repo, capture_output=True, text=True
    )
    if proc.returncode != 0:
        assert "no note found" in proc.stderr
        return []
    return list(yaml.safe_load_all(proc.stdout))


def noted(repo: Path) -> set[str]:
    """Every commit carrying a note on refs/notes/mem."""
    out = sh(repo, "notes", "--ref=mem", "list")
    return {line.split()[1] for line in out.splitlines()}


def cid(kind: str, title: str, author: str = AUTHOR, date: str = DATE) -> str:
    return derived_id("capture", author, date, kind, title)


def summary(repo: Path, sha: str) -> list[tuple[str, str, str, list[str]]]:
    return [(r["id"], r["type"], r["title"], r["commits"]) for r in note(repo, sha)]


def listed(mem) -> list[str]:
    result = mem("list", "--json", "--source", "hook")
    return sorted(row["id"] for row in json.loads(result.out)["records"])


@pytest.fixture
def hooked(repo: Path, mem, g) -> Path:
    """The test repository after `git mem init` and `git mem hooks install`."""
    assert mem("init").code == 0
    assert mem("hooks", "install").code == 0
    assert g.run("config", "notes.rewriteRef") == "refs/notes/mem\n"
    return repo


def clean(repo: Path, g) -> None:
    g.fsck(repo)


# ------------------------------------------------------------------ post-commit


def test_commit_with_a_decision_trailer_is_captured(hooked: Path, mem, g) -> None:
    message = (
        "feat(db): store sessions in PostgreSQL\n\nSessions outgrew Redis memory.\n\n"
        "Decision: Use PostgreSQL for sessions\nMemory-Tags: storage\n"
    )
    sha, out = commit(hooked, message, file="src/db/sessions.py")
    record_id = cid("decision", "Use PostgreSQL for sessions")
    assert out == f"gitmem: captured 1 memory: git mem show {record_id}\n"
    assert note(hooked, sha) == [
        {
            "id": record_id,
            "type": "decision",
            "title": "Use PostgreSQL for sessions",
            "created": note(hooked, sha)[0]["created"],
            "author": AUTHOR,
            "status": "active",
            "tags": ["db", "storage"],
            "source": "hook",
            "commits": [sha],
            "paths": ["src/db/sessions.py"],
            "body": "feat(db): store sessions in PostgreSQL\n\nSessions outgrew Redis memory.\n",
        }
    ]
    raw = sh(hooked, "notes", "--ref=mem", "show", sha)
    assert "created: 2025-11-21T13:23:11+00:00\n" in raw
    assert f"id: {record_id}" in sh(hooked, "log", "--notes=mem", "-1")
    shown = mem("show", record_id, "--json")
    assert shown.code == 0 and json.loads(shown.out)["location"] == f"note:{sha}"
    clean(hooked, g)


def test_ordinary_commits_write_nothing(hooked: Path, g) -> None:
    for message in ("Fix typo", "update deps", "fixing tests"):
        _sha, out = commit(hooked, message)
        assert out == ""
    assert g.proc("rev-parse", "--verify", "-q", "refs/notes/mem").returncode == 1


def test_hook_rerun_and_backfill_write_nothing_new(hooked: Path, mem, g) -> None:
    sha, _ = commit(hooked, "We decided to drop Python 3.8 support")
    tip = head(hooked, "refs/notes/mem")
    rerun = subprocess.run(["git", "mem", "hook", "post-commit"], cwd=hooked, capture_output=True)
    assert rerun.returncode == 0 and rerun.stderr == b""
    backfill = mem("capture")
    assert backfill.out.endswith("captured 0 records on 0 commits, 1 already present\n")
    assert head(hooked, "refs/notes/mem") == tip
    assert summary(hooked, sha) == [
        (cid("decision", "We decided to drop Python 3.8 support"), "decision",
         "We decided to drop Python 3.8 support", [sha])
    ]  # fmt: skip


# ------------------------------------------------------------------ amend


def test_amend_moves_the_record_and_captures_what_the_amend_added(hooked: Path, mem, g) -> None:
    old, _ = commit(hooked, "Cache tokens\n\nDecision: Cache tokens for five minutes\n")
    env = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": "1763731999 +0000"}
    message = (
        "Cache tokens\n\nDecision: Cache tokens for five minutes\nFact: tokens live one hour\n"
    )
    out = sh(hooked, "commit", "-q", "--amend", "--allow-empty", "-m", message, env=env)
    new = head(hooked)
    decision = cid("decision", "Cache tokens for five minutes")
    fact = cid("fact", "tokens live one hour")
    assert out == f"gitmem: captured 1 memory: git mem show {fact}\n"
    assert summary(hooked, new) == [
        (decision, "decision", "Cache tokens for five minutes", [new]),
        (fact, "fact", "tokens live one hour", [new]),
    ]
    assert note(hooked, old) == []
    assert noted(hooked) == {new}
    assert listed(mem) == sorted([decision, fact])
    assert mem("show", decision).code == 0
    clean(hooked, g)


def test_amend_keeps_a_saved_record_byte_for_byte_but_its_commits(hooked: Path, mem) -> None:
    old, _ = commit(hooked, "Tune the pool size")
    saved = mem("save", "--commit", "HEAD", "-t", "fact", "--tag", "perf", "-m", "Pool of 20")
    before = sh(hooked, "notes", "--ref=mem", "show", old)
    sh(
        hooked,
        "commit",
        "-q",
        "--amend",
        "--allow-empty",
        "--no-edit",
        env={"GIT_COMMITTER_DATE": "1763731999 +0000"},
    )
    new = head(hooked)
    after = sh(hooked, "notes", "--ref=mem", "show", new)
    assert after == before.replace(f"commits: [{old}]", f"commits: [{new}]")
    assert after != before
    assert noted(hooked) == {new}
    assert mem("show", saved.saved_id).code == 0


def amend(repo: Path, message: str) -> str:
    env = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": "1763731999 +0000"}
    sh(repo, "commit", "-q", "--amend", "--allow-empty", "-m", message, env=env)
    return head(repo)


def amend_out(repo: Path, message: str) -> tuple[str, str]:
    """amend(), and what git and the hooks printed."""
    env = {"GIT_AUTHOR_DATE": DATE, "GIT_COMMITTER_DATE": "1763731999 +0000"}
    out = sh(repo, "commit", "-q", "--amend", "--allow-empty", "-m", message, env=env)
    return head(repo), out


HISTORY = "the old version stays in the history of refs/notes/mem"


def test_amend_adding_a_body_to_a_one_line_decision_keeps_it_and_says_so(
    hooked: Path, mem, g
) -> None:
    """A one-line `Decision: ...` message is captured; the same subject with a body is not
    (a `Decision:` subject counts only alone). The amend keeps the record and says so."""
    old, out = commit(hooked, "Decision: Use structlog")
    record_id = cid("decision", "Use structlog")
    assert out == f"gitmem: captured 1 memory: git mem show {record_id}\n"
    before = sh(hooked, "notes", "--ref=mem", "show", old)
    new, out = amend_out(hooked, "Decision: Use structlog\n\nIt writes JSON lines.\n")
    assert out == (
        "gitmem: kept 1 memory the new message no longer captures: "
        f"git mem show {record_id} (git mem rm to remove)\n"
    )
    after = sh(hooked, "notes", "--ref=mem", "show", new)
    assert after == before.replace(f"commits: [{old}]", f"commits: [{new}]")
    assert summary(hooked, new) == [(record_id, "decision", "Use structlog", [new])]
    assert note(hooked, old) == []
    assert noted(hooked) == {new}
    assert listed(mem) == [record_id]
    assert mem("list").out.startswith(f"{record_id} ")
    # Amending again, back to a message that captures it: there once, nothing said.
    newer, out = amend_out(hooked, "Decision: Use structlog")
    assert out == ""
    assert summary(hooked, newer) == [(record_id, "decision", "Use structlog", [newer])]
    assert noted(hooked) == {newer}
    clean(hooked, g)


def test_amend_that_rewords_a_decision_replaces_its_record(hooked: Path, mem, g) -> None:
    old, _ = commit(hooked, "Cache tokens\n\nDecision: Cache tokns for five minutes\n")
    new, out = amend_out(hooked, "Cache tokens\n\nDecision: Cache tokens for five minutes\n")
    record_id = cid("decision", "Cache tokens for five minutes")
    assert out == (
        f"gitmem: captured 1 memory: git mem show {record_id}\n"
        "gitmem: removed 1 memory the amend reworded: "
        f"{cid('decision', 'Cache tokns for five minutes')} ({HISTORY})\n"
    )
    assert summary(hooked, new) == [(record_id, "decision", "Cache tokens for five minutes", [new])]
    assert noted(hooked) == {new}
    assert note(hooked, old) == []
    assert listed(mem) == [record_id]
    clean(hooked, g)


def test_amend_adding_no_memory_drops_captures_but_not_edited_or_saved_ones(
    hooked: Path, mem, g
) -> None:
    commit(hooked, "Queue\n\nDecision: Use SQS for jobs\nFact: SQS is at-least-once\n")
    fact = cid("fact", "SQS is at-least-once")
    assert mem("edit", fact, "--add-tag", "aws").code == 0  # edited: a person's now
    saved = mem("save", "--commit", "HEAD", "-m", "Visibility timeout is 30 s").saved_id
    new, out = amend_out(hooked, "Queue\n\nDecision: Use SQS for jobs\nNo-Memory: true\n")
    assert out == (
        "gitmem: removed 1 memory the amend added No-Memory: true to: "
        f"{cid('decision', 'Use SQS for jobs')} ({HISTORY})\n"
    )
    assert [r["id"] for r in note(hooked, new)] == [fact, saved]
    assert note(hooked, new)[0]["commits"] == [new]
    assert noted(hooked) == {new}
    clean(hooked, g)


# ------------------------------------------------------------------ rebase


def _branch_with_two_decisions(repo: Path) -> tuple[str, str]:
    sh(repo, "checkout", "-q", "-b", "feature")
    first, _ = commit(repo, "Pick a queue\n\nDecision: Use SQS for jobs\n", file="jobs.py")
    second, _ = commit(
        repo, "Retry jobs\n\nDecision: Retry failed jobs three times\n",
        date="1763731500 +0000", file="retry.py",
    )  # fmt: skip
    return first, second


def test_rebase_moves_each_record_to_its_new_commit(hooked: Path, mem, g) -> None:
    first, second = _branch_with_two_decisions(hooked)
    sh(hooked, "checkout", "-q", "main")
    commit(hooked, "Unrelated work on main", file="main.txt")
    sh(hooked, "checkout", "-q", "feature")
    sh(hooked, "rebase", "-q", "main")
    new_first, new_second = head(hooked, "HEAD~1"), head(hooked)
    sqs = cid("decision", "Use SQS for jobs")
    retry = cid("decision", "Retry failed jobs three times", date="1763731500 +0000")
    assert summary(hooked, new_first) == [(sqs, "decision", "Use SQS for jobs", [new_first])]
    assert summary(hooked, new_second) == [
        (retry, "decision", "Retry failed jobs three times", [new_second])
    ]
    assert noted(hooked) == {new_first, new_second}
    assert note(hooked, first) == [] and note(hooked, second) == []
    assert listed(mem) == sorted([sqs, retry])
    log = sh(hooked, "log", "--notes=mem", "--format=%H %N", "main..feature")
    assert log.count(f"id: {sqs}") == 1 and log.count(f"id: {retry}") == 1
    clean(hooked, g)


def _rebase_i(repo: Path, script: str, editor: str = "true") -> str:
    return sh(
        repo,
        "rebase",
        "-q",
        "-i",
        "main",
        env={"GIT_SEQUENCE_EDITOR": f"sed -i '{script}'", "GIT_EDITOR": editor},
    )


def test_rebase_keeps_a_one_line_decision_and_a_reword_adding_a_body_says_so(
    hooked: Path, mem, g, tmp_path: Path
) -> None:
    sh(hooked, "checkout", "-q", "-b", "feature")
    first, out = commit(hooked, "Decision: Use structlog", file="log.py")
    record_id = cid("decision", "Use structlog")
    assert out == f"gitmem: captured 1 memory: git mem show {record_id}\n"
    sh(hooked, "checkout", "-q", "main")
    commit(hooked, "Unrelated work on main", file="main.txt")
    sh(hooked, "checkout", "-q", "feature")
    out = sh(hooked, "rebase", "-q", "main")  # the message is the same: the record just moves
    moved = head(hooked)
    assert out == ""
    assert summary(hooked, moved) == [(record_id, "decision", "Use structlog", [moved])]
    editor = tmp_path / "add-body.sh"
    editor.write_text('#!/bin/sh\nprintf "\\nIt writes JSON lines.\\n" >> "$1"\n')
    editor.chmod(0o755)
    env = {"GIT_SEQUENCE_EDITOR": "sed -i 1s/^pick/reword/", "GIT_EDITOR": str(editor)}
    out = sh(hooked, "rebase", "-q", "-i", "main", env=env)
    reworded = head(hooked)
    assert sh(hooked, "log", "-1", "--format=%B") == (
        "Decision: Use structlog\n\nIt writes JSON lines.\n\n"
    )
    assert [line for line in out.splitlines() if line.startswith("gitmem:")] == [
        "gitmem: kept 1 memory the new message no longer captures: "
        f"git mem show {record_id} (git mem rm to remove)"
    ]  # (after git's own summary of the reworded commit)
    assert summary(hooked, reworded) == [(record_id, "decision", "Use structlog", [reworded])]
    assert note(hooked, first) == [] and note(hooked, moved) == []
    assert noted(hooked) == {reworded}
    assert listed(mem) == [record_id]
    clean(hooked, g)


def test_rebase_i_squash_keeps_both_decisions_once(hooked: Path, mem, g) -> None:
    _branch_with_two_decisions(hooked)
    _rebase_i(hooked, "2s/^pick/squash/")
    squashed = head(hooked)
    assert head(hooked, "HEAD~1") == head(hooked, "main")
    sqs = cid("decision", "Use SQS for jobs")
    retry = cid("decision", "Retry failed jobs three times", date="1763731500 +0000")
    assert summary(hooked, squashed) == [
        (sqs, "decision", "Use SQS for jobs", [squashed]),
        (retry, "decision", "Retry failed jobs three times", [squashed]),
    ]
    assert noted(hooked) == {squashed}
    assert listed(mem) == sorted([sqs, retry])
    clean(hooked, g)


def test_rebase_i_fixup_keeps_the_fixups_record(hooked: Path, mem) -> None:
    _branch_with_two_decisions(hooked)
    out = _rebase_i(hooked, "2s/^pick/fixup/")
    fixed = head(hooked)
    retry = cid("decision", "Retry failed jobs three times", date="1763731500 +0000")
    assert out == (  # the fixup's message is gone, its record stays: said so
        "gitmem: kept 1 memory the new message no longer captures: "
        f"git mem show {retry} (git mem rm to remove)\n"
    )
    assert "Retry jobs" not in sh(hooked, "log", "-1", "--format=%B")
    assert [r[0] for r in summary(hooked, fixed)] == [
        cid("decision", "Use SQS for jobs"),
        cid("decision", "Retry failed jobs three times", date="1763731500 +0000"),
    ]
    assert noted(hooked) == {fixed}


def test_rebase_i_reword_that_adds_a_decision_captures_it(hooked: Path, tmp_path: Path) -> None:
    _branch_with_two_decisions(hooked)
    editor = tmp_path / "add-trailer.sh"
    editor.write_text('#!/bin/sh\necho "Fact: SQS visibility timeout is 30 s" >> "$1"\n')
    editor.chmod(0o755)
    _rebase_i(hooked, "1s/^pick/reword/", editor=str(editor))
    reworded = head(hooked, "HEAD~1")
    assert [(r[1], r[2]) for r in summary(hooked, reworded)] == [
        ("decision", "Use SQS for jobs"),
        ("fact", "SQS visibility timeout is 30 s"),
    ]
    assert len(noted(hooked)) == 2


# ------------------------------------------------------------------ cherry-pick


def test_cherry_pick_gets_its_own_record_linked_to_the_original(hooked: Path, mem, g) -> None:
    first, _second = _branch_with_two_decisions(hooked)
    sh(hooked, "checkout", "-q", "main")
    sh(hooked, "cherry-pick", first, env={"GIT_COMMITTER_DATE": "1763739999 +0000"})
    picked = head(hooked)
    original = cid("decision", "Use SQS for jobs")
    copy = derived_id("capture-copy", original, picked)
    [record] = note(hooked, picked)
    assert (record["id"], record["commits"], record["links"]) == (copy, [picked], [original])
    assert summary(hooked, first) == [(original, "decision", "Use SQS for jobs", [first])]
    assert mem("show", original).code == 0 and mem("show", copy).code == 0
    # Capturing again (hook rerun, backfill) finds both where they are.
    assert mem("capture").out.endswith("captured 0 records on 0 commits, 1 already present\n")
    assert mem("capture", "feature").out.endswith("0 records on 0 commits, 2 already present\n")
    clean(hooked, g)


# ------------------------------------------------------------------ pull --rebase


def test_pull_rebase_from_a_bare_remote(hooked: Path, mem, g, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    sh(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    sh(hooked, "remote", "add", "origin", str(remote))
    sh(hooked, "push", "-q", "-u", "origin", "main")
    other = tmp_path / "other"
    sh(tmp_path, "clone", "-q", str(remote), str(other))
    sh(other, "config", "user.name", "Other")
    sh(other, "config", "user.email", "other@example.com")
    commit(other, "Teammate's work", file="theirs.txt")
    sh(other, "push", "-q")
    mine, _ = commit(hooked, "Log in JSON\n\nDecision: Log as JSON lines\n", file="log.py")
    sh(hooked, "pull", "-q", "--rebase")
    rebased = head(hooked)
    assert rebased != mine and head(hooked, "HEAD~1") == head(hooked, "origin/main")
    record_id = cid("decision", "Log as JSON lines")
    assert summary(hooked, rebased) == [(record_id, "decision", "Log as JSON lines", [rebased])]
    assert noted(hooked) == {rebased}
    assert listed(mem) == [record_id]
    clean(hooked, g)


def test_amend_at_a_rebase_edit_stop_is_captured_once(hooked: Path, mem, g) -> None:
    _branch_with_two_decisions(hooked)
    _rebase_i(hooked, "1s/^pick/edit/")
    message = "Pick a queue\n\nDecision: Use SQS for jobs\nFact: SQS is at-least-once\n"
    sh(hooked, "commit", "-q", "--amend", "--allow-empty", "-m", message)
    sh(hooked, "rebase", "--continue", env={"GIT_EDITOR": "true"})
    first, second = head(hooked, "HEAD~1"), head(hooked)
    assert [(r[1], r[2], r[3]) for r in summary(hooked, first)] == [
        ("decision", "Use SQS for jobs", [first]),
        ("fact", "SQS is at-least-once", [first]),
    ]
    assert [(r[2], r[3]) for r in summary(hooked, second)] == [
        ("Retry failed jobs three times", [second])
    ]
    assert noted(hooked) == {first, second}
    assert len(listed(mem)) == 3
    clean(hooked, g)


def test_a_commit_that_captures_nothing_loads_no_heavy_module(hooked: Path) -> None:
    """The post-commit decision is one git call and regexes: no pygit2, yaml, whoosh,
    frontmatter, nor the record module (checked with -X importtime, not with a clock)."""
    commit(hooked, "update deps")
    proc, loaded = gitmem_loads(["hook", "post-commit"], hooked)
    assert proc.returncode == 0
    assert "gitmem.capture.commits" in loaded
    heavy = {
        "pygit2",
        "yaml",
        "whoosh",
        "frontmatter",
        # The record format and what reads or writes it (the old flat `gitmem.record`).
        "gitmem.store.record",
        "gitmem.store.front_matter",
        "gitmem.store.note_stream",
        "gitmem.store.validation",
        "gitmem.store.objects",
        "gitmem.records.store",
        "gitmem.search",
        "gitmem.semantic",
        "numpy",
        "tokenizers",
        "onnxruntime",
    }
    assert not heavy & loaded
    commit(hooked, "We decided to drop Python 3.8 support")
    proc, loaded = gitmem_loads(["hook", "post-commit"], hooked)
    assert {"pygit2", "yaml"} <= loaded  # the same check does see them when something is written
