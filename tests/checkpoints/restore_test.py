"""`git mem checkpoint resume` on real repositories: byte-identical restores, dry runs, refusals,
crafted snapshots that try to write outside the target, missing blobs, verification."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from gitmem.checkpoints import checkpoint
from gitmem.store import git

REF = "refs/gitmem/checkpoints/"
BINARY = bytes(range(256)) * 3


def tree_state(root: Path) -> dict[str, tuple[bytes | str, int]]:
    """Every file and symlink below `root` (outside .git) with its bytes and mode."""
    found: dict[str, tuple[bytes | str, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel == ".git" or rel.startswith(".git/"):
            continue
        mode = os.lstat(path).st_mode
        if path.is_symlink():
            found[rel] = (os.readlink(path), mode)
        elif path.is_file():
            found[rel] = (path.read_bytes(), mode)
    return found


@pytest.fixture
def work(repo: Path, g) -> Path:
    """Committed text, binary and executable files, an untracked file, one checkpoint `work`."""
    (repo / "src" / "deep").mkdir(parents=True)
    (repo / "src" / "deep" / "notes.md").write_text("one two three\n")
    (repo / "data.bin").write_bytes(BINARY)
    (repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (repo / "run.sh").chmod(0o755)
    g.run("add", ".")
    g.run("commit", "-q", "-m", "work")
    (repo / "scratch.txt").write_text("untracked thoughts\n")
    return repo


def save(mem, name: str = "work", *args: str) -> str:
    result = mem("checkpoint", "save", "--name", name, *args)
    assert result.code == 0, result.err
    return result.out


def tip(g, name: str = "work") -> str:
    return g.run("rev-parse", REF + name).strip()


def test_resume_restores_edited_and_deleted_files_byte_for_byte(work, mem, g):
    save(mem, "work", "--stage", "draft")
    saved = tree_state(work)
    # Edits committed (so git can give them back), files deleted, the exec bit dropped.
    (work / "README").write_text("rewritten\n")
    (work / "data.bin").write_bytes(b"other")
    g.run("commit", "-q", "-am", "later")
    (work / "src" / "deep" / "notes.md").unlink()
    (work / "src" / "deep").rmdir()
    (work / "scratch.txt").unlink()
    (work / "run.sh").unlink()
    index = (work / ".git" / "index").read_bytes()
    head = g.run("rev-parse", "HEAD")

    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--report", "../report.md")
    assert result.code == 0, result.err
    assert tree_state(work) == saved
    assert stat.S_IMODE(os.stat(work / "run.sh").st_mode) & 0o111
    assert (work / ".git" / "index").read_bytes() == index
    assert g.run("rev-parse", "HEAD") == head
    commit = tip(g)
    assert result.out.splitlines() == [
        f"checkpoint work@{json.loads(g.run('log', '-1', '--format=%b', commit))['timestamp']}"
        f" (draft) {commit[:12]} -> {work}",
        "  overwrite       README  verified",
        "  overwrite       data.bin  verified",
        "  restore-deleted run.sh  verified",
        "  restore-deleted scratch.txt  verified",
        "  restore-deleted src/deep/notes.md  verified",
        "restored 5 files, 0 unchanged, 5 verified",
    ]
    report = (work.parent / "report.md").read_text()
    assert f"commit `{commit}`" in report
    assert "- restored: 5, unchanged: 0, skipped: 0, missing: 0" in report
    assert "- verified: 5, failed verification: 0" in report
    for path, action in [
        ("README", "overwrite"),
        ("data.bin", "overwrite"),
        ("run.sh", "restore-deleted"),
        ("scratch.txt", "restore-deleted"),
        ("src/deep/notes.md", "restore-deleted"),
    ]:
        assert f"| `{path}` | {action} | yes |  |" in report
    # Resuming again changes nothing and says so.
    again = mem("checkpoint", "resume", "--name", "work", "--latest")
    assert again.code == 0, again.err
    assert again.out.splitlines()[-1] == "restored 0 files, 5 unchanged, 5 verified"
    g.fsck(work)


def test_dry_run_says_what_would_change_and_writes_nothing(work, mem, g):
    save(mem)
    (work / "README").write_text("committed edit\n")
    g.run("commit", "-q", "-am", "edit")
    (work / "scratch.txt").unlink()
    (work / "extra.txt").write_text("not in the checkpoint\n")
    before = tree_state(work)
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--dry-run")
    assert result.code == 0, result.err
    assert result.out.splitlines()[1:] == [
        "  overwrite       README",
        "  unchanged       data.bin",
        "  unchanged       run.sh",
        "  restore-deleted scratch.txt",
        "  unchanged       src/deep/notes.md",
        "would write 2 files (1 restore-deleted, 1 overwrite, 3 unchanged)",
    ]
    assert result.out.splitlines()[0].endswith("(dry run: nothing written)")
    assert tree_state(work) == before
    data = json.loads(mem("checkpoint", "resume", "--name", "work", "--latest", "-n", "--json").out)
    assert data["dry_run"] is True
    assert data["counts"]["restore-deleted"] == 1
    assert tree_state(work) == before


def test_uncommitted_work_is_named_and_kept_unless_force(work, mem, g):
    save(mem)
    (work / "README").write_text("modified, not committed\n")
    (work / "scratch.txt").write_text("untracked and different\n")
    (work / "data.bin").write_bytes(b"staged")
    g.run("add", "data.bin")
    before = tree_state(work)
    result = mem("checkpoint", "resume", "--name", "work", "--latest")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        "git-mem: error: would overwrite files with work git cannot give back: "
        "README (uncommitted changes), data.bin (uncommitted changes), "
        "scratch.txt (untracked); commit or move them, or use --force\n"
    )
    assert tree_state(work) == before
    dry = mem("checkpoint", "resume", "--name", "work", "--latest", "--dry-run")
    assert dry.code == 1
    assert "  overwrite       README  (uncommitted changes: needs --force)" in dry.out
    assert "README, data.bin, scratch.txt hold uncommitted work" in dry.err
    forced = mem("checkpoint", "resume", "--name", "work", "--latest", "--force")
    assert forced.code == 0, forced.err
    assert "  overwrite       scratch.txt  verified  (had untracked)" in forced.out
    assert (work / "README").read_text() == "hello\n"
    assert (work / "scratch.txt").read_text() == "untracked thoughts\n"
    assert (work / "data.bin").read_bytes() == BINARY


def test_target_directory_is_created_and_its_own_files_protected(work, mem, g, tmp_path):
    save(mem)
    saved = tree_state(work)
    target = tmp_path / "elsewhere" / "copy"
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--target", str(target))
    assert result.code == 0, result.err
    assert tree_state(target) == saved
    assert "  create          src/deep/notes.md  verified" in result.out
    # Outside the work tree git cannot give anything back: a differing file needs --force.
    (target / "README").write_text("mine\n")
    refused = mem("checkpoint", "resume", "--name", "work", "--latest", "--target", str(target))
    assert refused.code == 1
    assert "README (not in this repository's work tree)" in refused.err
    assert (target / "README").read_text() == "mine\n"
    forced = mem(
        "checkpoint", "resume", "--name", "work", "--latest", "--target", str(target), "--force"
    )
    assert forced.code == 0, forced.err
    assert tree_state(target) == saved


def test_timestamp_and_at_pick_older_checkpoints(work, mem, g):
    save(mem)
    first = tip(g)
    (work / "README").write_text("second version\n")
    g.run("commit", "-q", "-am", "v2")
    # Same-second checkpoints share a timestamp: give the second one its own.
    later = datetime(2026, 11, 22, 1, 30, 0, tzinfo=UTC)
    checkpoint.save(git.discover(work), "work", now=later)
    second_stamp = "2026-11-22T01:30"
    result = mem("checkpoint", "resume", "--name", "work", "--at", first[:8])
    assert result.code == 0, result.err
    assert (work / "README").read_text() == "hello\n"
    g.run("checkout", "-q", "README")  # back to the committed version
    result = mem("checkpoint", "resume", "--name", "work", "--timestamp", second_stamp)
    assert result.code == 0, result.err
    assert "restored 0 files" in result.out
    unknown = mem("checkpoint", "resume", "--name", "work", "--at", "abcdef12")
    assert unknown.code == 1
    assert unknown.err.startswith("git-mem: error: --at abcdef12 is not a checkpoint of work; ")
    assert first[:12] in unknown.err
    nobody = mem("checkpoint", "resume", "--name", "nobody", "--latest")
    assert nobody.code == 1
    assert nobody.err == "git-mem: error: no checkpoint named 'nobody'; checkpoints: work\n"
    neither = mem("checkpoint", "resume", "--name", "work")
    assert neither.code == 2
    assert "one of the arguments --latest --timestamp --at is required" in neither.err


# --------------------------------------------------------------------------- crafted snapshots


def crafted(g, repo: Path, tree: str, files: list[tuple[str, bytes]], name: str = "evil") -> str:
    """A checkpoint commit made with plain git around `tree`, metadata listing `files`."""
    meta = {
        "gitmem_checkpoint": 1,
        "name": name,
        "timestamp": "2026-11-22T01:05:00+00:00",
        "stage": None,
        "notes": None,
        "metadata": {},
        "progress": {"done": [], "todo": []},
        "head": None,
        "scope": {"files": None, "context": None},
        "files": [
            {
                "path": path,
                "size": len(data),
                "mtime": "2026-11-22T01:00:00+00:00",
                "sha256": hashlib.sha256(data).hexdigest(),
                "words": 1,
            }
            for path, data in files
        ],
        "totals": {"files": len(files), "words": len(files), "bytes": 0},
    }
    message = f"checkpoint {name}\n\n{json.dumps(meta, indent=2, sort_keys=True)}\n"
    commit = g.run("commit-tree", tree, input=message, cwd=repo).strip()
    g.run("update-ref", REF + name, commit, cwd=repo)
    return commit


def blob(g, repo: Path, data: bytes) -> str:
    return g.run("hash-object", "-w", "--stdin", input=data, cwd=repo).strip()


def mktree(g, repo: Path, lines: list[str]) -> str:
    return g.run("mktree", input="".join(line + "\n" for line in lines), cwd=repo).strip()


def test_dot_dot_escape_is_refused_and_nothing_written(repo, mem, g, tmp_path):
    good = blob(g, repo, b"harmless\n")
    evil = blob(g, repo, b"escaped!\n")
    up = mktree(g, repo, [f"100644 blob {evil}\tescape"])
    # A first, harmless file sorts before '..': it must not be written either.
    root = mktree(g, repo, [f"040000 tree {up}\t..", f"100644 blob {good}\taaa.txt"])
    crafted(g, repo, root, [("aaa.txt", b"harmless\n"), ("../escape", b"escaped!\n")])
    before = tree_state(tmp_path)
    for extra in ([], ["--force"], ["--target", str(tmp_path / "t" / "u")], ["--dry-run"]):
        result = mem("checkpoint", "resume", "--name", "evil", "--latest", *extra)
        assert result.code == 128, result
        assert result.err == (
            "git-mem: error: refusing to resume: '../escape' contains '..'; nothing was written\n"
        )
        assert result.out == ""
        assert tree_state(tmp_path) == before
    assert not (tmp_path / "t").exists()


def test_absolute_path_is_refused(repo, mem, g, tmp_path):
    data = b"owned\n"
    oid = blob(g, repo, data)
    # git mktree refuses a slash in a name; a tree object written literally does not.
    raw = f"100644 /{tmp_path}/owned\0".encode() + bytes.fromhex(oid)
    tree = g.run("hash-object", "-t", "tree", "-w", "--literally", "--stdin", input=raw, cwd=repo)
    crafted(g, repo, tree.strip(), [(f"/{tmp_path}/owned", data)])
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force")
    assert result.code == 128
    assert f"'/{tmp_path}/owned' is an absolute path; nothing was written" in result.err
    assert not (tmp_path / "owned").exists()


def test_symlinks_that_lead_outside_are_refused(repo, mem, g, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    data = b"payload\n"
    oid = blob(g, repo, data)
    sub = mktree(g, repo, [f"100644 blob {oid}\tfile"])
    crafted(g, repo, mktree(g, repo, [f"040000 tree {sub}\tlinked"]), [("linked/file", data)])
    # A directory in the target that is a symlink to somewhere else.
    (repo / "linked").symlink_to(outside)
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force")
    assert result.code == 128
    assert "'linked/file' goes through the symlink linked; nothing was written" in result.err
    assert list(outside.iterdir()) == []
    # A file in the target that is a symlink pointing outside.
    (repo / "linked").unlink()
    crafted(g, repo, mktree(g, repo, [f"100644 blob {oid}\tlink"]), [("link", data)], "evil2")
    (repo / "link").symlink_to(outside / "target")
    result = mem("checkpoint", "resume", "--name", "evil2", "--latest", "--force")
    assert result.code == 128
    assert "'link' is a symlink pointing outside the target" in result.err
    assert not (outside / "target").exists()
    # A snapshot whose own symlink points outside, and a file stored beneath it.
    target = blob(g, repo, str(outside).encode())
    tree = mktree(g, repo, [f"120000 blob {target}\tout"])
    crafted(g, repo, tree, [], "evil3")
    result = mem("checkpoint", "resume", "--name", "evil3", "--latest", "--target", "t")
    assert result.code == 128
    assert f"'out' is a symlink to the absolute path {outside}" in result.err
    assert not (repo / "t").exists()


def test_git_dir_paths_are_refused(repo, mem, g):
    oid = blob(g, repo, b"#!/bin/sh\necho owned\n")
    hooks = mktree(g, repo, [f"100755 blob {oid}\tpost-commit"])
    git_dir = mktree(g, repo, [f"040000 tree {hooks}\thooks"])
    crafted(g, repo, mktree(g, repo, [f"040000 tree {git_dir}\t.git"]), [])
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force")
    assert result.code == 128
    assert "'.git/hooks/post-commit' is inside a .git directory" in result.err
    assert not (repo / ".git" / "hooks" / "post-commit").exists()


# --------------------------------------------------------------------------- damaged snapshots


def test_missing_blob_is_named_and_the_rest_restored(work, mem, g):
    (work / "lost.txt").write_text("this blob will be lost\n")
    save(mem)
    lost = g.run("rev-parse", f"{REF}work:lost.txt").strip()
    (work / ".git" / "objects" / lost[:2] / lost[2:]).unlink()  # as a partial clone lacks it
    (work / "lost.txt").unlink()
    (work / "scratch.txt").unlink()
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--report", "r.md")
    assert result.code == 1
    assert (
        "  missing         lost.txt  (its blob is not in this repository and could not be fetched)"
        in result.out
    )
    assert "  restore-deleted scratch.txt  verified" in result.out
    assert result.err == (
        "git-mem: warning: not restored: lost.txt: "
        "its blob is not in this repository and could not be fetched\n"
    )
    assert (work / "scratch.txt").read_text() == "untracked thoughts\n"
    assert not (work / "lost.txt").exists()
    report = (work / "r.md").read_text()
    assert report.endswith(
        "## Not restored (missing blobs)\n\n"
        "- `lost.txt`: its blob is not in this repository and could not be fetched\n"
    )


def test_content_that_does_not_match_its_sha256_is_not_written(repo, mem, g):
    oid = blob(g, repo, b"tampered\n")
    crafted(g, repo, mktree(g, repo, [f"100644 blob {oid}\tf.txt"]), [("f.txt", b"original\n")])
    result = mem("checkpoint", "resume", "--name", "evil", "--latest")
    assert result.code == 1
    assert "FAILED verification" in result.out
    assert not (repo / "f.txt").exists()
    unchecked = mem("checkpoint", "resume", "--name", "evil", "--latest", "--no-verify")
    assert unchecked.code == 0, unchecked.err
    assert (
        unchecked.out.splitlines()[-1] == "restored 1 file, 0 unchanged, not verified (--no-verify)"
    )
    assert (repo / "f.txt").read_bytes() == b"tampered\n"


def test_report_and_dry_run_exclude_each_other(work, mem):
    save(mem)
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "-n", "--report", "r.md")
    assert result.code == 2
    assert "--report writes a file and --dry-run writes nothing" in result.err
    assert not (work / "r.md").exists()


def test_partial_clone_whose_remote_is_gone(work, mem, g, tmp_path, monkeypatch):
    """A blob:none clone lacks the blobs it never checked out; with the promisor remote gone
    those files are named and the rest restored."""
    save(mem)
    g.run("config", "uploadpack.allowFilter", "true")
    clone = tmp_path / "clone"
    g.run("clone", "-q", "--filter=blob:none", "--no-checkout", f"file://{work}", str(clone))
    g.run("fetch", "-q", "origin", f"{REF}*:{REF}*", cwd=clone)
    g.run("checkout", "-q", "main", cwd=clone)  # fetches the blobs of main's files only
    work.rename(tmp_path / "gone")
    monkeypatch.chdir(clone)
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--target", "../out")
    assert result.code == 1
    assert result.err == (
        "git-mem: warning: not restored: scratch.txt: "
        "its blob is not in this repository and could not be fetched\n"
    )
    out = tmp_path / "out"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        "README",
        "data.bin",
        "run.sh",
        "src/deep/notes.md",
    ]
    assert (out / "data.bin").read_bytes() == BINARY


def test_symlinks_inside_the_snapshot_come_back_as_symlinks(work, mem, g):
    (work / "latest").symlink_to("src/deep/notes.md")
    save(mem)
    (work / "latest").unlink()
    (work / "latest").write_text("a file now, untracked\n")
    refused = mem("checkpoint", "resume", "--name", "work", "--latest")
    assert refused.code == 1
    assert "latest (untracked)" in refused.err
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--force")
    assert result.code == 0, result.err
    assert "  overwrite       latest  (had untracked)" in result.out
    assert os.readlink(work / "latest") == "src/deep/notes.md"
    assert (work / "latest").read_text() == "one two three\n"


def test_resume_into_a_subdirectory_of_the_work_tree_checks_git_status_there(work, mem, g):
    save(mem)
    (work / "old").mkdir()
    (work / "old" / "README").write_text("committed in old/\n")
    g.run("add", "old")
    g.run("commit", "-q", "-m", "old")
    (work / "old" / "run.sh").write_text("untracked in old/\n")
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--target", "old")
    assert result.code == 1
    assert result.err == (
        "git-mem: error: would overwrite files with work git cannot give back: "
        "run.sh (untracked); commit or move them, or use --force\n"
    )
    (work / "old" / "run.sh").unlink()
    result = mem("checkpoint", "resume", "--name", "work", "--latest", "--target", "old")
    assert result.code == 0, result.err
    assert "  overwrite       README  verified" in result.out  # committed: git has it
    assert (work / "old" / "README").read_text() == "hello\n"


# ------------------------------------------------ chained symlinks (issue 15, case 11)


def _chain(g, repo: Path, links: dict[str, str]) -> str:
    """A tree `sub/` holding the given symlinks (name -> link text)."""
    lines = [f"120000 blob {blob(g, repo, text.encode())}\t{name}" for name, text in links.items()]
    return mktree(g, repo, [f"040000 tree {mktree(g, repo, lines)}\tsub"])


@pytest.mark.parametrize("target", [None, "t"])
def test_chained_symlinks_that_lead_outside_are_refused(repo, mem, g, tmp_path, target):
    # Each link looks harmless alone: l2/../victim normalises to sub/victim; but l2 is '..',
    # so following l1 lands beside the target.
    crafted(g, repo, _chain(g, repo, {"l1": "l2/../victim", "l2": ".."}), [])
    before = tree_state(tmp_path)
    extra = ["--target", target] if target else []
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force", *extra)
    assert result.code == 128
    assert result.err == (
        "git-mem: error: refusing to resume: 'sub/l1' is a symlink leading outside the target "
        "(l2/../victim, once every link is followed); nothing was written\n"
    )
    assert tree_state(tmp_path) == before


def test_a_link_already_on_disk_counts_in_the_chain(repo, mem, g, tmp_path):
    crafted(g, repo, _chain(g, repo, {"l1": "l2/../../victim"}), [])
    (repo / "sub").mkdir()
    (repo / "sub" / "l2").symlink_to("deeper")  # harmless alone: sub/deeper
    (repo / "sub" / "deeper").mkdir()
    ok = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force", "--dry-run")
    assert ok.code == 0, ok.err  # sub/l2/../../victim = victim, inside the work tree
    (repo / "sub" / "l2").unlink()
    (repo / "sub" / "l2").symlink_to("..")  # now l1 leads to the work tree's parent
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--force")
    assert result.code == 128
    assert "'sub/l1' is a symlink leading outside the target (l2/../../victim" in result.err
    assert not (repo / "sub" / "l1").exists()


def test_chains_that_stay_inside_and_loops(repo, mem, g, tmp_path):
    crafted(g, repo, _chain(g, repo, {"a": "b", "b": "c/file", "loop": "loop"}), [])
    result = mem("checkpoint", "resume", "--name", "evil", "--latest", "--target", "t")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: refusing to resume: 'sub/loop' is a symlink in a loop (loop); "
        "nothing was written\n"
    )
    crafted(g, repo, _chain(g, repo, {"a": "b", "b": "c/file"}), [], "fine")
    result = mem("checkpoint", "resume", "--name", "fine", "--latest", "--target", "t")
    assert result.code == 0, result.err
    assert os.readlink(repo / "t" / "sub" / "a") == "b"
