"""The backup core on real repositories: bundle → fresh repository → restore, cross-checked with
plain git (`for-each-ref`, `notes list`, `fsck`); bad bundles; merges with newer local state."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gitmem.checkpoints import checkpoint
from gitmem.errors import GitMemError, UsageError
from gitmem.share import backup, hiddenrefs
from gitmem.store import git

ID_LINE = re.compile(r"^id: (\w+)$", re.MULTILINE)
MEMORY_REFS = ("refs/notes/mem", "refs/gitmem/", "refs/heads/")


def at(minute: int) -> datetime:
    return datetime(2026, 11, 22, 1, minute, tzinfo=UTC)


def refs(g, where: Path, *patterns: str) -> dict[str, str]:
    fmt = "--format=%(refname) %(objectname)"
    out = g.run("for-each-ref", fmt, *(patterns or MEMORY_REFS), cwd=where)
    return dict(line.split(" ", 1) for line in out.splitlines())


def note_ids(g, where: Path) -> list[str]:
    """Record ids in refs/notes/mem, read with plain git only."""
    found = []
    for line in g.run("notes", "--ref=mem", "list", cwd=where).splitlines():
        found += ID_LINE.findall(g.run("notes", "--ref=mem", "show", line.split()[1], cwd=where))
    return sorted(found)


def on_disk(where: Path) -> dict[str, int]:
    """Every file under .git with its size: the proof that nothing was written."""
    root = where / ".git"
    return {str(p.relative_to(root)): p.stat().st_size for p in root.rglob("*") if p.is_file()}


def clone(g, source: Path, path: Path) -> Path:
    g.run("clone", "-q", str(source), str(path))
    g.run("config", "user.name", "Other", cwd=path)
    g.run("config", "user.email", "other@example.com", cwd=path)
    return path


def save_note(mem, text: str, rev: str = "HEAD") -> str:
    return mem("save", "--commit", rev, "-m", text).saved_id


def snapshot(where: Path, name: str, minute: int, text: str) -> str:
    (where / "work.txt").write_text(text)
    return checkpoint.save(git.discover(where), name, stage=text, now=at(minute)).commit


@pytest.fixture
def source(repo: Path, mem, g) -> Path:
    """Notes on two commits, a committed .memory/ file, two checkpoint chains, a sessions ref."""
    assert mem("init").code == 0
    save_note(mem, "first note")
    assert mem("save", "-m", "a file record").code == 0
    g.run("add", ".memory")
    g.run("commit", "-q", "-m", "memory")
    save_note(mem, "second note")
    save_note(mem, "third note, same commit")
    snapshot(repo, "wip", 1, "draft one")
    snapshot(repo, "wip", 2, "draft two")
    snapshot(repo, "essay", 3, "essay")
    tree = g.run("mktree", input="").strip()
    session = g.run("commit-tree", tree, "-m", "sessions").strip()
    g.run("update-ref", "refs/gitmem/sessions", session)
    # A mirror of a remote (sync --all): not part of a backup.
    g.run("update-ref", "refs/gitmem/remotes/origin/checkpoints/wip", session)
    return repo


def test_round_trip_into_an_empty_repository_brings_everything_back(source, tmp_path, g):
    repo = git.discover(source)
    info = backup.create(repo, tmp_path / "b.bundle")
    assert info.records == 3 and info.checkpoints == 2 and info.checkpoint_commits == 3
    expected = refs(g, source)
    del expected["refs/gitmem/remotes/origin/checkpoints/wip"]
    assert info.refs == expected
    assert not list(tmp_path.glob(".b.bundle*"))  # the temporary file is gone
    target = g.make_repo(tmp_path / "empty", commit=False)
    result = backup.restore(git.discover(target), tmp_path / "b.bundle")
    assert refs(g, target) == expected
    assert note_ids(g, target) == note_ids(g, source)
    notes = g.run("notes", "--ref=mem", "list", cwd=target)
    assert notes == g.run("notes", "--ref=mem", "list", cwd=source)  # blob ids too
    assert result.notes == "merged" and result.notes_added == 3
    outcomes = {a.ref: a.outcome for a in result.refs}
    assert set(outcomes.values()) == {hiddenrefs.CREATED}
    assert [c.commit for c in checkpoint.chain(git.discover(target), "wip")] == [
        c.commit for c in checkpoint.chain(repo, "wip")
    ]
    assert refs(g, target, "refs/gitmem-restore/") == {}
    g.fsck(target)


def test_round_trip_into_a_fresh_clone(source, tmp_path, g, mem, monkeypatch):
    backup.create(git.discover(source), tmp_path / "b.bundle")
    clone = tmp_path / "clone"
    g.run("clone", "-q", str(source), str(clone))  # a clone has the branch, not the rest
    assert "refs/notes/mem" not in refs(g, clone)
    result = backup.restore(git.discover(clone), tmp_path / "b.bundle")
    assert {a.ref: a.outcome for a in result.refs}["refs/heads/main"] == hiddenrefs.UP_TO_DATE
    mine = refs(g, clone, "refs/notes/mem", "refs/gitmem/", "refs/heads/main")
    theirs = refs(g, source, "refs/notes/mem", "refs/gitmem/", "refs/heads/main")
    del theirs["refs/gitmem/remotes/origin/checkpoints/wip"]
    assert mine == theirs
    monkeypatch.chdir(clone)
    ids = sorted(r["id"] for r in __import__("json").loads(mem("list", "--json").out)["records"])
    monkeypatch.chdir(source)
    assert ids == sorted(
        r["id"] for r in __import__("json").loads(mem("list", "--json").out)["records"]
    )
    g.fsck(clone)


@pytest.mark.parametrize("damage", ["truncated", "not a bundle", "header only"])
def test_a_bad_bundle_is_refused_and_nothing_is_written(source, tmp_path, g, damage):
    good = tmp_path / "b.bundle"
    backup.create(git.discover(source), good)
    data = good.read_bytes()
    bad = tmp_path / "bad.bundle"
    if damage == "truncated":
        bad.write_bytes(data[: len(data) * 2 // 3])
    elif damage == "not a bundle":
        bad.write_text("hello, I am a text file\n")
    else:
        bad.write_bytes(data[: data.index(b"\n\n") + 2])
    target = g.make_repo(tmp_path / "target")
    before = on_disk(target)
    error_type = UsageError if damage == "not a bundle" else GitMemError
    for dry_run in (True, False):
        with pytest.raises(error_type) as caught:
            backup.restore(git.discover(target), bad, dry_run=dry_run)
        assert str(bad) in str(caught.value)
        assert on_disk(target) == before
    with pytest.raises(error_type):
        backup.verify(git.discover(target), bad)
    with pytest.raises(error_type):
        backup.verify(None, bad)  # outside any repository too
    assert on_disk(target) == before
    assert backup.verify(None, good).records == 3


def test_restore_keeps_newer_local_notes_and_merges_diverged_ones(source, tmp_path, g, mem):
    repo = git.discover(source)
    backup.create(repo, tmp_path / "old.bundle")
    other = g.make_repo(tmp_path / "other", commit=False)
    backup.restore(git.discover(other), tmp_path / "old.bundle")
    newer = save_note(mem, "newer, only local")  # cwd is source
    before = refs(g, source)
    result = backup.restore(repo, tmp_path / "old.bundle")
    assert result.notes == hiddenrefs.AHEAD
    assert refs(g, source) == before  # local is ahead everywhere: nothing moved
    # The other repository gains a record of its own, then restores the newer backup.
    g.run("checkout", "-q", "main", cwd=other)
    g.run("commit", "-q", "--allow-empty", "-m", "other's own", cwd=other)
    theirs = g.run("rev-parse", "HEAD", cwd=other).strip()
    blob = g.run("hash-object", "-w", "--stdin", cwd=other, input="id: 0000aaaa0000\n").strip()
    g.run("notes", "--ref=mem", "add", "-C", blob, theirs, cwd=other)
    backup.create(repo, tmp_path / "new.bundle")
    result = backup.restore(git.discover(other), tmp_path / "new.bundle")
    assert result.notes == "merged" and result.notes_added == 1 and result.conflicts == []
    assert newer in note_ids(g, other)
    assert set(note_ids(g, source)) < set(note_ids(g, other))
    tip = g.run("rev-parse", "refs/notes/mem", cwd=other).strip()
    assert len(g.run("rev-parse", f"{tip}^@", cwd=other).split()) == 2  # a merge, as sync does
    g.fsck(other)


def test_diverged_checkpoint_chains_and_branches_keep_both_tips(source, tmp_path, g):
    repo = git.discover(source)
    backup.create(repo, tmp_path / "old.bundle")
    other = clone(g, source, tmp_path / "other")
    backup.restore(git.discover(other), tmp_path / "old.bundle")
    mine = snapshot(other, "wip", 10, "other's draft")
    g.run("commit", "-q", "--allow-empty", "-m", "source side", cwd=source)
    theirs = snapshot(source, "wip", 11, "source's draft")
    g.run("commit", "-q", "--allow-empty", "-m", "other's own", cwd=other)
    g.run("checkout", "-q", "-b", "elsewhere", cwd=other)  # main is no longer checked out
    backup.create(repo, tmp_path / "new.bundle")
    # Not the current branch: restored only because it is named as the one holding .memory/.
    result = backup.restore(git.discover(other), tmp_path / "new.bundle", branch="main")
    by_ref = {a.ref: a for a in result.refs}
    wip = by_ref["refs/gitmem/checkpoints/wip"]
    assert wip.outcome == hiddenrefs.DIVERGED
    assert wip.kept_as == f"refs/gitmem/checkpoints/wip-restored-{theirs[:7]}"
    assert g.run("rev-parse", "refs/gitmem/checkpoints/wip", cwd=other).strip() == mine
    assert g.run("rev-parse", wip.kept_as, cwd=other).strip() == theirs
    assert checkpoint.names(git.discover(other)) == ["essay", "wip", f"wip-restored-{theirs[:7]}"]
    main = by_ref["refs/heads/main"]
    assert main.outcome == hiddenrefs.DIVERGED
    assert g.run("log", "-1", "--format=%s", "main", cwd=other).strip() == "other's own"
    # Restoring the same bundle again changes nothing and creates no second copy.
    before = refs(g, other)
    again = backup.restore(git.discover(other), tmp_path / "new.bundle", branch="main")
    assert refs(g, other) == before
    assert {a.kept_as for a in again.refs if a.kept_as} == {
        a.kept_as for a in result.refs if a.kept_as
    }


def test_a_checked_out_branch_that_is_behind_is_left_alone(source, tmp_path, g):
    other = clone(g, source, tmp_path / "other")
    g.run("commit", "-q", "--allow-empty", "-m", "newer", cwd=source)
    backup.create(git.discover(source), tmp_path / "b.bundle")
    head = g.run("rev-parse", "HEAD", cwd=other).strip()
    result = backup.restore(git.discover(other), tmp_path / "b.bundle")
    main = {a.ref: a for a in result.refs}["refs/heads/main"]
    assert main.outcome == hiddenrefs.CHECKED_OUT
    assert g.run("rev-parse", "HEAD", cwd=other).strip() == head
    assert g.run("status", "--porcelain", cwd=other) == ""
    assert g.run("rev-parse", str(main.kept_as), cwd=other).strip() == main.tip


def test_dry_run_writes_nothing_and_predicts_the_real_run(source, tmp_path, g):
    backup.create(git.discover(source), tmp_path / "b.bundle")
    target = g.make_repo(tmp_path / "target")
    before = on_disk(target)
    dry = backup.restore(git.discover(target), tmp_path / "b.bundle", dry_run=True)
    assert on_disk(target) == before
    real = backup.restore(git.discover(target), tmp_path / "b.bundle")
    assert dry.to_json() | {"dry_run": False} == real.to_json()


def test_create_refuses_a_detached_head_an_unknown_branch_and_an_existing_file(source, tmp_path, g):
    repo = git.discover(source)
    g.run("checkout", "-q", "--detach")
    with pytest.raises(UsageError, match="HEAD is detached: name the branch that holds"):
        backup.create(repo, tmp_path / "b.bundle")
    assert backup.create(repo, tmp_path / "b.bundle", "main").refs["refs/heads/main"]
    with pytest.raises(UsageError, match="already exists"):
        backup.create(repo, tmp_path / "b.bundle", "main")
    with pytest.raises(UsageError, match="no branch 'nope'"):
        backup.create(repo, tmp_path / "c.bundle", "nope")
    assert not (tmp_path / "c.bundle").exists()
    assert sorted(os.listdir(tmp_path)) == sorted(["b.bundle", "home", "repo"])


def test_default_name_says_what_and_when(source, tmp_path):
    repo = git.discover(source)
    name = "gitmem-backup-repo-20261122T010500Z.bundle"
    # Run in the work tree (or the git directory): out of the tree, in local state.
    assert backup.default_path(repo, at(5)) == source / ".git" / "gitmem" / "backups" / name
    inside_git = backup.default_path(repo, at(5), cwd=source / ".git")
    assert inside_git == source / ".git" / "gitmem" / "backups" / name
    # Run elsewhere: right here.
    assert backup.default_path(repo, at(5), cwd=tmp_path) == tmp_path / name


def test_a_repository_without_notes_or_checkpoints_backs_up_its_branch(repo, tmp_path, g):
    info = backup.create(git.discover(repo), tmp_path / "b.bundle")
    head = g.run("rev-parse", "HEAD").strip()
    assert (info.refs, info.records, info.checkpoints) == ({"refs/heads/main": head}, 0, 0)
    bare = tmp_path / "bare.git"
    g.run("init", "-q", "--bare", "-b", "main", str(bare))
    result = backup.restore(git.discover(bare), tmp_path / "b.bundle")
    assert (result.notes, [a.outcome for a in result.refs]) == ("absent", [hiddenrefs.CREATED])
    assert g.run("--git-dir", str(bare), "for-each-ref", "--format=%(refname) %(objectname)") == (
        f"refs/heads/main {head}\n"
    )
