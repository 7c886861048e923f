"""`git mem backup create|verify|restore`: exact output, exit codes, the real `git mem` dispatch."""

from __future__ import annotations

import json
import re
import subprocess
from contextlib import chdir
from pathlib import Path

import pytest


@pytest.fixture
def source(repo: Path, mem, g) -> Path:
    assert mem("init").code == 0
    mem("save", "--commit", "HEAD", "-m", "a note")
    (repo / "work.txt").write_text("draft\n")
    assert mem("checkpoint", "save", "--name", "wip", "--stage", "draft").code == 0
    return repo


def test_create_prints_size_and_counts_and_verify_agrees(source, mem, tmp_path, g):
    bundle = tmp_path / "b.bundle"
    result = mem("backup", "create", str(bundle))
    assert result.code == 0, result.err
    size = bundle.stat().st_size
    shown = f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KiB"
    counts = (
        "refs: 3 (branch main, refs/gitmem/checkpoints/wip, refs/notes/mem)\n"
        "records in notes: 1\n"
        "checkpoints: 1 (1 snapshot)\n"
    )
    assert result.out == (
        f"wrote {bundle} ({shown}), checked\n{counts}"
        f"restore with: git mem backup restore {bundle}\n"
    )
    verified = mem("backup", "verify", str(bundle))
    assert verified.code == 0
    assert verified.out == f"{bundle} is a complete bundle ({shown})\n{counts}"
    heads = g.run("bundle", "list-heads", str(bundle))
    assert sorted(line.split()[1] for line in heads.splitlines()) == [
        "refs/gitmem/checkpoints/wip",
        "refs/heads/main",
        "refs/notes/mem",
    ]


def test_create_names_the_file_after_the_repository_and_the_time(source, mem, tmp_path, g):
    result = mem("backup", "create", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    path = Path(data["path"])
    assert path.parent == source / ".git" / "gitmem" / "backups"  # never in the work tree
    assert path.name.startswith("gitmem-backup-repo-") and path.name.endswith("Z.bundle")
    assert data["records"] == 1 and data["checkpoints"] == 1
    assert g.proc("bundle", "verify", str(path)).returncode == 0


def test_restore_into_an_empty_repository_then_again(source, mem, tmp_path, g, monkeypatch):
    bundle = tmp_path / "b.bundle"
    mem("backup", "create", str(bundle))
    tips = {ref: g.run("rev-parse", ref).strip() for ref in ("main", "refs/notes/mem")}
    wip = g.run("rev-parse", "refs/gitmem/checkpoints/wip").strip()
    target = g.make_repo(tmp_path / "target", commit=False)
    monkeypatch.chdir(target)
    dry = mem("backup", "restore", str(bundle), "--dry-run")
    assert dry.code == 0
    assert g.run("for-each-ref") == ""
    assert dry.out.splitlines()[0] == f"dry run, nothing written: restoring {bundle} would do this"
    result = mem("backup", "restore", str(bundle))
    assert result.code == 0, result.err
    assert result.out == (
        f"restored from {bundle}\n"
        "notes: merged: 1 added, 0 removed, 0 updated, 0 conflicts\n"
        f"checkpoint wip: created ({wip[:7]})\n"
        f"branch main: created ({tips['main'][:7]})\n"
        "  (it is HEAD's branch, which had no commits: `git checkout HEAD -- .` checks its "
        "files out)\n"
    )
    assert dry.out.splitlines()[1:] == result.out.splitlines()[1:]
    for ref, tip in tips.items():
        assert g.run("rev-parse", ref).strip() == tip
    again = mem("backup", "restore", str(bundle))
    assert again.out.splitlines()[1:] == [
        "notes: up to date",
        f"checkpoint wip: up to date ({wip[:7]})",
        f"branch main: up to date ({tips['main'][:7]})",
    ]
    assert json.loads(mem("checkpoint", "list", "--json").out)  # X's reader sees the chain
    g.fsck(target)


def test_bad_bundles_are_one_line_errors(source, mem, tmp_path, g):
    bundle = tmp_path / "b.bundle"
    mem("backup", "create", str(bundle))
    truncated = tmp_path / "truncated.bundle"
    truncated.write_bytes(bundle.read_bytes()[:-40])
    text = tmp_path / "notes.txt"
    text.write_text("not a bundle\n")
    before = g.run("for-each-ref")
    for action in ("verify", "restore"):
        result = mem("backup", action, str(text))
        assert (result.code, result.out) == (2, "")
        assert result.err == (
            f"git-mem: error: {text} is not a git bundle (made by `git mem backup create`)\n"
        )
        result = mem("backup", action, str(truncated))
        assert (result.code, result.out) == (128, "")
        assert result.err.startswith(
            f"git-mem: error: {truncated} is damaged or truncated, nothing was written ("
        )
        assert len(result.err.splitlines()) == 1
        missing = mem("backup", action, str(tmp_path / "nope.bundle"))
        assert missing.code == 2
        assert missing.err == f"git-mem: error: no such file: {tmp_path / 'nope.bundle'}\n"
    assert mem("backup", "restore").code == 2
    assert g.run("for-each-ref") == before


def test_detached_head_says_which_branch_is_needed(source, mem, g, tmp_path):
    g.run("checkout", "-q", "--detach")
    result = mem("backup", "create", str(tmp_path / "b.bundle"))
    assert result.code == 2
    assert result.err == (
        "git-mem: error: HEAD is detached: name the branch that holds .memory/ with "
        "--branch BRANCH (e.g. --branch main)\n"
    )
    assert mem("backup", "create", str(tmp_path / "b.bundle"), "--branch", "main").code == 0


def test_git_dispatches_backup_and_verify_works_outside_a_repository(source, g, tmp_path):
    bundle = tmp_path / "b.bundle"
    proc = g.git_mem("backup", "create", str(bundle), cwd=source)
    assert proc.returncode == 0, proc.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    proc = g.git_mem("backup", "verify", str(bundle), "--json", cwd=outside)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["records"] == 1


def test_create_without_a_path_keeps_the_bundle_out_of_the_work_tree(source, mem, g, tmp_path):
    (source / "src").mkdir()
    (source / "src" / "app.py").write_text("print()\n")
    with chdir(source / "src"):
        result = mem("backup", "create")
    assert result.code == 0, result.err
    wrote = result.out.splitlines()[0]
    folder = source / ".git" / "gitmem" / "backups"
    assert re.fullmatch(
        f"wrote {re.escape(str(folder))}/gitmem-backup-repo-\\d{{8}}T\\d{{6}}Z\\.bundle "
        "\\([0-9.]+ (bytes|KiB)\\), checked",
        wrote,
    ), wrote
    (bundle,) = folder.iterdir()
    assert result.out.splitlines()[-1] == f"restore with: git mem backup restore {bundle}"
    # What a user does next: commit everything. The backup is not part of it.
    g.run("add", "-A")
    assert g.run("status", "--porcelain") == (
        "A  .memory/README.md\nA  .memory/config.toml\nA  src/app.py\nA  work.txt\n"
    )


def test_create_outside_any_work_tree_writes_into_the_current_directory(source, g, tmp_path):
    bare = tmp_path / "mirror.git"
    g.run("clone", "-q", "--bare", str(source), str(bare))
    outside = tmp_path / "backups"
    outside.mkdir()
    proc = subprocess.run(
        ["git", "--git-dir", str(bare), "mem", "backup", "create"],
        cwd=outside,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    (bundle,) = outside.iterdir()
    assert bundle.name.startswith("gitmem-backup-mirror-")
    assert proc.stdout.startswith(f"wrote {bundle} (")
