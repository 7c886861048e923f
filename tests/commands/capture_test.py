"""`git mem capture`: backfill over existing history, idempotent, on real repositories."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from gitmem.store.record import derived_id

AUTHOR = "Test User <test@example.com>"

HISTORY = [
    ("Fix typo", ""),
    ("fix(auth): session cookie lost after redirect", "auth.py"),
    ("update deps", "requirements.txt"),
    ("Queue\n\nDecision: Use SQS for jobs\nFact: SQS is at-least-once\n", "jobs.py"),
    ("fixing tests", "tests.py"),
    ("We decided to drop Python 3.8 support", "setup.cfg"),
]


def build_history(repo: Path) -> list[str]:
    """HISTORY as commits, authored a minute apart; their shas, oldest first."""
    shas = []
    for index, (message, path) in enumerate(HISTORY):
        if path:
            (repo / path).write_text(f"{index}\n")
            subprocess.run(["git", "add", path], cwd=repo, check=True)
        date = f"{1763731391 + 60 * index} +0000"
        env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
        subprocess.run(
            ["git", "commit", "-q", "--allow-empty", "-m", message], cwd=repo, env=env, check=True
        )
        shas.append(
            subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True
            ).stdout.strip()
        )
    return shas


def cid(kind: str, title: str, index: int) -> str:
    return derived_id("capture", AUTHOR, f"{1763731391 + 60 * index} +0000", kind, title)


def expected(shas: list[str]) -> list[tuple[str, str, str, str]]:
    """(id, commit, type, title) of what HISTORY captures, oldest first."""
    return [
        (cid("error", "Session cookie lost after redirect", 1), shas[1], "error",
         "Session cookie lost after redirect"),
        (cid("decision", "Use SQS for jobs", 3), shas[3], "decision", "Use SQS for jobs"),
        (cid("fact", "SQS is at-least-once", 3), shas[3], "fact", "SQS is at-least-once"),
        (cid("decision", "We decided to drop Python 3.8 support", 5), shas[5], "decision",
         "We decided to drop Python 3.8 support"),
    ]  # fmt: skip


def notes_of(repo: Path, g) -> dict[str, list[dict]]:
    out = {}
    for line in g.run("notes", "--ref=mem", "list", cwd=repo).splitlines():
        sha = line.split()[1]
        out[sha] = list(yaml.safe_load_all(g.run("notes", "--ref=mem", "show", sha, cwd=repo)))
    return out


def test_backfill_captures_history_once(repo, mem, g):
    shas = build_history(repo)
    result = mem("capture")
    assert result.code == 0, result.err
    lines = [f"captured {i} {c[:12]} {t}: {title}" for i, c, t, title in expected(shas)]
    summary = "scanned 7 commits: captured 4 records on 3 commits, 0 already present"
    assert result.out == "\n".join([*lines, summary]) + "\n"
    assert result.err == ""  # not a terminal: no progress bar
    notes = notes_of(repo, g)
    assert sorted(notes) == sorted([shas[1], shas[3], shas[5]])
    [fix] = notes[shas[1]]
    assert fix == {
        "id": expected(shas)[0][0],
        "type": "error",
        "title": "Session cookie lost after redirect",
        "created": fix["created"],
        "author": AUTHOR,
        "status": "active",
        "tags": ["auth"],
        "source": "hook",
        "commits": [shas[1]],
        "paths": ["auth.py"],
        "body": "",
    }
    assert [r["id"] for r in notes[shas[3]]] == [expected(shas)[1][0], expected(shas)[2][0]]
    assert g.run("log", "--notes=mem", "--format=%N", "-1", shas[5]).startswith("---\nid: ")
    tip = g.run("rev-parse", "refs/notes/mem")
    assert g.run("rev-list", "--count", "refs/notes/mem") == "1\n"  # one notes commit

    again = mem("capture")
    assert again.out == "scanned 7 commits: captured 0 records on 0 commits, 4 already present\n"
    assert g.run("rev-parse", "refs/notes/mem") == tip
    g.fsck(repo)


def test_dry_run_writes_nothing_and_json_is_stable(repo, mem, g):
    shas = build_history(repo)
    dry = mem("capture", "--dry-run", "--json")
    assert json.loads(dry.out) == {
        "dry_run": True,
        "scanned": 7,
        "captured": 4,
        "present": 0,
        "records": [
            {"id": i, "type": t, "title": title, "commit": c} for i, c, t, title in expected(shas)
        ],
    }
    assert g.proc("rev-parse", "--verify", "-q", "refs/notes/mem").returncode == 1
    text = mem("capture", "-n")
    assert text.out.splitlines()[0].startswith("would capture ")
    assert text.out.endswith("would capture 4 records on 3 commits, 0 already present\n")


def test_rev_range_limits_the_scan(repo, mem, g):
    shas = build_history(repo)
    result = mem("capture", "--json", f"{shas[2]}..HEAD")
    data = json.loads(result.out)
    assert (data["scanned"], data["captured"]) == (3, 3)
    assert {r["commit"] for r in data["records"]} == {shas[3], shas[5]}
    bad = mem("capture", "no-such-branch")
    assert bad.code == 2
    assert bad.err.startswith("git-mem: error: git log no-such-branch: ")


def test_backfill_after_a_rewrite_that_lost_the_notes_gives_the_same_ids(repo, mem, g):
    """Ids do not depend on the sha: after a rebase whose notes were lost (no rewriteRef,
    notes never fetched), a backfill writes the same ids on the new commits."""
    build_history(repo)
    first = json.loads(mem("capture", "--json").out)["records"]
    g.run("checkout", "-q", "-b", "side", "HEAD~3")
    g.run("commit", "-q", "--allow-empty", "-m", "side work")
    g.run("checkout", "-q", "main")
    g.run("rebase", "-q", "side")
    g.run("update-ref", "-d", "refs/notes/mem")  # the notes are lost
    new_shas = g.run("rev-list", "--reverse", "HEAD~3..HEAD").split()
    again = json.loads(mem("capture", "--json", "HEAD~3..HEAD").out)["records"]
    assert [r["id"] for r in again] == [r["id"] for r in first[1:]]
    assert [r["commit"] for r in again] == [new_shas[0], new_shas[0], new_shas[2]]


def test_rebase_with_the_old_notes_still_there_links_instead_of_reusing_ids(repo, mem, g):
    """The old commits keep their notes (no rewriteRef): the rebased ones get records of
    their own, linked to the old ones, so no id names two records."""
    build_history(repo)
    first = json.loads(mem("capture", "--json").out)["records"]
    g.run("checkout", "-q", "-b", "side", "HEAD~3")
    g.run("commit", "-q", "--allow-empty", "-m", "side work")
    g.run("checkout", "-q", "main")
    g.run("rebase", "-q", "side")
    again = json.loads(mem("capture", "--json", "HEAD~3..HEAD").out)["records"]
    assert [r["id"] for r in again] == [
        derived_id("capture-copy", old["id"], new["commit"])
        for old, new in zip(first[1:], again, strict=True)
    ]
    doctor = mem("doctor")
    assert "duplicate id" not in doctor.out + doctor.err


def test_two_clones_backfilling_alone_write_the_same_notes_tree(
    repo, mem, g, tmp_path, monkeypatch
):
    build_history(repo)
    clone = tmp_path / "clone"
    g.run("clone", "-q", str(repo), str(clone))
    mem("capture")
    monkeypatch.chdir(clone)
    mem("capture")
    tree = "refs/notes/mem^{tree}"
    assert g.run("rev-parse", tree, cwd=clone) == g.run("rev-parse", tree, cwd=repo)


def test_empty_and_shallow_repositories(tmp_path, mem, g, monkeypatch, repo):
    empty = tmp_path / "empty"
    g.run("init", "-q", str(empty))
    monkeypatch.chdir(empty)
    assert mem("capture").out == (
        "scanned 0 commits: captured 0 records on 0 commits, 0 already present\n"
    )
    build_history(repo)
    shallow = tmp_path / "shallow"
    g.run("clone", "-q", "--depth=2", f"file://{repo}", str(shallow))
    monkeypatch.chdir(shallow)
    result = mem("capture", "--json")
    data = json.loads(result.out)
    assert (data["scanned"], data["captured"]) == (2, 1)
    assert data["records"][0]["title"] == "We decided to drop Python 3.8 support"
    g.fsck(shallow)


def test_bots_merges_and_no_memory_are_skipped(repo, mem, g):
    g.run("checkout", "-q", "-b", "topic")
    g.run("commit", "-q", "--allow-empty", "-m", "We decided to use tabs\n\nNo-Memory: true")
    g.run(
        "-c", "user.name=dependabot[bot]", "commit", "-q", "--allow-empty",
        "-m", "fix: bump lodash, fixes #12",
    )  # fmt: skip
    g.run("checkout", "-q", "main")
    g.run("merge", "-q", "--no-ff", "-m", "Adopt tabs everywhere (topic)", "topic")
    result = mem("capture")
    assert result.out == "scanned 4 commits: captured 0 records on 0 commits, 0 already present\n"
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text("[capture]\nmerges = true\nbots = []\n")
    result = mem("capture", "--json")
    titles = sorted(r["title"] for r in json.loads(result.out)["records"])
    # The issue reference leaves the title for `links` (issue 16).
    assert titles == ["Adopt tabs everywhere (topic)", "Bump lodash"]


def test_explain_says_which_rule_fired_or_why_none_did(repo, mem, g):
    g.run("commit", "-q", "--allow-empty", "-m", "Switch to codecov GHA (#12)")
    g.run("commit", "-q", "--allow-empty", "-m", "Fix #7706 (#7724)")
    g.run("commit", "-q", "--allow-empty", "-m", "fix(auth): cookie lost after redirect\n\nfix #9")
    shas = g.run("rev-list", "-3", "HEAD", cwd=repo).split()
    result = mem("capture", "--explain", "HEAD~3..HEAD")
    assert result.out == (
        f"{shas[0][:12]} fix(auth): cookie lost after redirect\n"
        "  captured error: Cookie lost after redirect (fix-pattern 'fix(auth): cookie')\n"
        f"{shas[1][:12]} Fix #7706 (#7724)\n"
        "  not captured: only an issue reference\n"
        f"{shas[2][:12]} Switch to codecov GHA (#12)\n"
        "  captured decision: Switch to codecov GHA (decision-pattern 'Switch to')\n"
    )
    assert mem("capture", "--explain").out.startswith(f"{shas[0][:12]} fix(auth)")  # HEAD only
    rows = json.loads(mem("capture", "--explain", "--json", "HEAD~1").out)["commits"]
    assert rows == [
        {"commit": shas[1], "subject": "Fix #7706 (#7724)", "records": [],
         "rule": "only an issue reference"},
    ]  # fmt: skip
    assert g.run("notes", "--ref=mem", "list", cwd=repo) == ""  # nothing written


def test_crlf_bodies_are_stored_as_readable_blocks_with_links(repo, mem, g):
    g.run("remote", "add", "origin", "git@github.com:acme/shop.git")
    message = "Switch sessions to Redis (#41)\r\n\r\nMemcached lost them on restart.\r\n"
    tree = g.run("rev-parse", "HEAD^{tree}", cwd=repo).strip()
    sha = g.run("commit-tree", tree, "-p", "HEAD", cwd=repo, input=message).strip()
    g.run("update-ref", "HEAD", sha, cwd=repo)  # `git commit` would strip the CRs
    raw = subprocess.run(["git", "cat-file", "commit", "HEAD"], cwd=repo, capture_output=True)
    assert b"Redis (#41)\r\n\r\nMemcached" in raw.stdout
    mem("capture")
    text = g.run("notes", "--ref=mem", "show", "HEAD", cwd=repo)
    assert "title: Switch sessions to Redis\n" in text
    assert "metadata:\n  issues: ['https://github.com/acme/shop/issues/41']\n" in text
    assert text.endswith("body: |\n  Memcached lost them on restart.\n")
    # The record reads back: doctor finds nothing wrong with it, list shows it.
    doctor = mem("doctor")
    assert "note:" not in doctor.out + doctor.err
    assert "Switch sessions to Redis" in mem("list").out


def test_a_bad_configured_pattern_is_one_warning_not_a_failure(repo, mem, g):
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text("[capture]\nfix_patterns = ['(a)\\1']\n")
    g.run("commit", "-q", "--allow-empty", "-m", "We decided to drop Python 3.8 support")
    result = mem("capture")
    assert result.code == 0
    assert result.err == (
        "git-mem: warning: .memory/config.toml [capture] fix_patterns: '(a)\\\\1': not "
        "supported by the linear-time matcher (invalid escape sequence: \\1); that pattern is "
        "left out\n"
    )
    assert "captured 1 records" in result.out


def test_backfill_in_a_blobless_partial_clone_fetches_no_blob(tmp_path, mem, g, monkeypatch):
    """Only messages and changed paths are read (--no-renames): rename detection would read
    the blobs, and a partial clone would fetch each one from its promisor remote."""
    source = tmp_path / "source"
    g.run("init", "-q", "-b", "main", str(source))
    g.run("config", "user.name", "Test User", cwd=source)
    g.run("config", "user.email", "test@example.com", cwd=source)
    for name, text in (("a.py", "x = 1\n" * 50), ("b.py", "y = 2\n" * 50)):
        (source / name).write_text(text)
    g.run("add", ".", cwd=source)
    g.run("commit", "-q", "-m", "Adopt black for formatting", cwd=source)
    g.run("mv", "a.py", "renamed.py", cwd=source)  # a rename git would detect by content
    g.run("commit", "-q", "-m", "fix: crash on empty input\n\nThe parser read past the end.",
          cwd=source)  # fmt: skip
    bare = tmp_path / "bare.git"
    g.run("clone", "-q", "--bare", str(source), str(bare))
    g.run("config", "uploadpack.allowFilter", "true", cwd=bare)
    clone = tmp_path / "clone"
    g.run("clone", "-q", "--no-checkout", "--filter=blob:none", f"file://{bare}", str(clone))
    g.run("config", "user.name", "Test User", cwd=clone)
    g.run("config", "user.email", "test@example.com", cwd=clone)

    def blobs() -> int:
        out = g.run("cat-file", "--batch-all-objects", "--batch-check", cwd=clone)
        return sum(1 for line in out.splitlines() if line.split()[1] == "blob")

    assert blobs() == 0
    monkeypatch.chdir(clone)
    result = mem("capture")
    assert result.out.endswith(
        "scanned 2 commits: captured 2 records on 2 commits, 0 already present\n"
    )
    notes = notes_of(clone, g)
    [fix] = notes[g.run("rev-parse", "HEAD", cwd=clone).strip()]
    assert fix["paths"] == ["a.py", "renamed.py"]  # delete + add: no rename detection
    # The notes just written are blobs too; nothing else came in.
    noted = g.run("notes", "--ref=mem", "list", cwd=clone).split()[0::2]
    assert blobs() == len(noted) == 2


def test_a_revert_with_a_reason_is_a_fix_unless_it_undoes_the_same_day(repo, mem, g):
    def commit_at(message: str, when: str) -> str:
        env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], env=env, check=True)
        return g.run("rev-parse", "HEAD", cwd=repo).strip()

    why = "These changes to redirect handling appear to have caused #13208; reverting them."
    old = commit_at("Follow redirects for auth", "1763000000 +0000")
    same = commit_at("Retry uploads three times", "1763731391 +0000")
    commit_at(f'Revert "Retry uploads three times"\n\nThis reverts commit {same}.\n\n{why}',
              "1763734991 +0000")  # fmt: skip
    commit_at(f'Revert "Follow redirects for auth"\n\nThis reverts commit {old}.\n\n{why}',
              "1763738591 +0000")  # fmt: skip
    out = mem("capture", "--explain", "HEAD~2..HEAD").out.splitlines()
    assert out[1] == (
        f"  captured error: Revert \"Follow redirects for auth\" (revert-with-reason '{old}')"
    )
    assert out[3] == f"  not captured: revert of a commit from the same day ({same[:12]})"
    titles = [r["title"] for r in json.loads(mem("capture", "--json").out)["records"]]
    assert titles == ['Revert "Follow redirects for auth"']
