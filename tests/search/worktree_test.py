"""Refresh asks git's index what changed in `.memory/` (gitmem.search.worktree): with nothing
changed it looks at no file; whatever git does to the files between two reads (commit, add,
checkout of another branch, stash, restore) or hides from its own status (assume-unchanged,
symlinks, ignored files) is seen by the next read."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import catalog
from gitmem.search import refresh as refreshing
from gitmem.store import git

A, B, C = "aaaa00000001", "aaaa00000002", "aaaa00000003"
HOUR_AGO_NS = (int(time.time()) - 3600) * 1_000_000_000


def refresh(repo: Path) -> catalog.Catalog:
    return refreshing.refresh(git.discover(repo), repo / ".memory", ["fact", "decision"])


def titles(repo: Path) -> dict[str, str]:
    """{id: title} of every record, as the refreshed manifest has them."""
    return {row["id"]: row["title"] for row in refresh(repo).newest([])}


def aged(path: Path) -> Path:
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    return path


@pytest.fixture
def committed(repo: Path, g: Any) -> Path:
    """Two committed records, written an hour ago (no racy re-reads)."""
    aged(g.write_record(repo, "facts/a.md", A, title="Alpha"))
    aged(g.write_record(repo, "facts/b.md", B, title="Bravo"))
    g.run("add", ".memory")
    g.run("commit", "-q", "-m", "records")
    assert titles(repo) == {A: "Alpha", B: "Bravo"}
    return repo


def test_nothing_changed_looks_at_no_file(committed: Path) -> None:
    for _ in range(2):
        found = refresh(committed)
        assert (found.files_checked, found.files_read) == (0, 0)
        assert sorted(row["id"] for row in found.find("aaaa")) == [A, B]


def test_an_in_place_edit_with_the_old_mtime_and_size_is_seen(committed: Path, g: Any) -> None:
    """The ctime, which no one can set back, tells (as it tells git)."""
    path = aged(g.write_record(committed, "facts/c.md", C, title="Charlie"))  # untracked
    assert titles(committed)[C] == "Charlie"
    size = path.stat().st_size
    aged(g.write_record(committed, "facts/c.md", C, title="Charlix"))  # same size, same mtime
    assert path.stat().st_size == size
    assert titles(committed)[C] == "Charlix"


@pytest.mark.slow
def test_a_tracked_in_place_edit_with_the_old_mtime_and_size_is_seen(
    committed: Path, g: Any
) -> None:
    # Git compares whole seconds of the ctime (unless built with USE_NSEC): an edit in the
    # second of the last `git add`, keeping size and mtime, escapes git status too.
    time.sleep(1.1)
    path = committed / ".memory" / "facts" / "b.md"
    size = path.stat().st_size
    aged(g.write_record(committed, "facts/b.md", B, title="Bravx"))
    assert path.stat().st_size == size
    assert titles(committed) == {A: "Alpha", B: "Bravx"}
    found = refresh(committed)
    assert (found.files_checked, found.files_read) == (1, 0)  # listed by git until staged


def test_staged_committed_and_restored(committed: Path, g: Any) -> None:
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha two"))
    g.run("add", ".memory")
    assert titles(committed)[A] == "Alpha two"
    g.run("commit", "-q", "-m", "edit")
    assert titles(committed)[A] == "Alpha two"
    assert refresh(committed).files_checked == 0
    g.run("checkout", "-q", "HEAD~1", "--", ".memory/facts/a.md")  # staged and written back
    assert titles(committed)[A] == "Alpha"
    g.run("reset", "-q", "HEAD", "--", ".memory")  # unstaged: the file still differs from HEAD
    assert titles(committed)[A] == "Alpha"
    g.run("checkout", "-q", "--", ".memory")  # and back to the committed text
    assert titles(committed)[A] == "Alpha two"


def test_a_branch_switch_and_a_stash(committed: Path, g: Any) -> None:
    g.run("checkout", "-q", "-b", "side")
    (committed / ".memory" / "facts" / "a.md").unlink()
    g.write_record(committed, "facts/b.md", B, title="Bravo on side")
    g.write_record(committed, "facts/c.md", C, title="Charlie on side")
    g.run("add", "-A", ".memory")
    g.run("commit", "-q", "-m", "side")
    assert titles(committed) == {B: "Bravo on side", C: "Charlie on side"}
    g.run("checkout", "-q", "-")
    assert titles(committed) == {A: "Alpha", B: "Bravo"}
    g.run("checkout", "-q", "side")
    assert titles(committed) == {B: "Bravo on side", C: "Charlie on side"}
    g.write_record(committed, "facts/c.md", C, title="Charlie stashed")
    assert titles(committed)[C] == "Charlie stashed"
    g.run("stash", "-q")
    assert titles(committed)[C] == "Charlie on side"
    g.run("stash", "pop", "-q")
    assert titles(committed)[C] == "Charlie stashed"


def test_untracked_and_ignored_files_come_and_go(committed: Path, g: Any) -> None:
    (committed / ".gitignore").write_text(".memory/private/\n")
    g.write_record(committed, "private/c.md", C, title="Ignored but read")
    assert titles(committed)[C] == "Ignored but read"
    aged(g.write_record(committed, "private/c.md", C, title="Ignored, edited"))
    assert titles(committed)[C] == "Ignored, edited"
    (committed / ".memory" / "private" / "c.md").unlink()
    assert C not in titles(committed)
    g.write_record(committed, "facts/c.md", C, title="Untracked")
    assert titles(committed)[C] == "Untracked"
    (committed / ".memory" / "facts" / "c.md").unlink()
    assert titles(committed) == {A: "Alpha", B: "Bravo"}


def test_what_git_does_not_vouch_for_is_checked(committed: Path, g: Any) -> None:
    g.run("update-index", "--assume-unchanged", ".memory/facts/a.md")
    assert titles(committed)[A] == "Alpha"
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha hidden from git status"))
    assert g.run("status", "--porcelain") == ""
    assert titles(committed)[A] == "Alpha hidden from git status"
    # A committed symlink: git's blob is the link; what changes is the file it points at.
    target = committed / "shared.md"
    target.write_text((committed / ".memory" / "facts" / "b.md").read_text())
    (committed / ".memory" / "facts" / "b.md").unlink()
    (committed / ".memory" / "facts" / "b.md").symlink_to(target)
    g.run("add", "-A")
    g.run("commit", "-q", "-m", "link")
    assert titles(committed)[B] == "Bravo"
    target.write_text(target.read_text().replace("Bravo", "Bravo via link"))
    aged(target)
    assert titles(committed)[B] == "Bravo via link"


def test_without_the_index_every_file_is_looked_at(
    committed: Path, g: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_INDEX_FILE", str(committed / ".git" / "other-index"))
    assert refresh(committed).files_checked == 2
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, no index"))
    assert titles(committed)[A] == "Alpha, no index"
    monkeypatch.delenv("GIT_INDEX_FILE")
    assert titles(committed)[A] == "Alpha, no index"
    g.run("checkout", "-q", "--", ".memory")
    assert titles(committed)[A] == "Alpha"


def test_a_repository_nested_in_the_memory_folder_is_still_read(committed: Path, g: Any) -> None:
    nested = committed / ".memory" / "vendor"
    nested.mkdir()
    subprocess.run(["git", "init", "-q", str(nested)], check=True)
    g.write_record(committed, "vendor/c.md", C, title="Inside a nested repository")
    assert titles(committed)[C] == "Inside a nested repository"


# ------------------------------------------------------------------ shortcuts (issue 14)

D, E = "aaaa00000004", "aaaa00000005"


def others_runs(trace: Path) -> int:
    """How many `git ls-files --others` the trace file saw since it was last emptied."""
    text = trace.read_text() if trace.exists() else ""
    trace.write_text("")
    return text.count("ls-files --others")


def test_a_file_modified_in_the_second_the_index_was_written_is_seen(
    committed: Path, g: Any
) -> None:
    """Git's racily clean entries: same size, mtime in the index file's own second."""
    path = g.write_record(committed, "facts/c.md", C, title="Charlie")
    g.run("add", ".memory")
    assert titles(committed)[C] == "Charlie"
    mtime = path.stat().st_mtime_ns
    g.write_record(committed, "facts/c.md", C, title="Charlix")
    os.utime(path, ns=(mtime, mtime))
    assert g.run("diff-files", "--name-only") == ".memory/facts/c.md\n"
    assert titles(committed)[C] == "Charlix"


def test_a_change_while_git_is_asked_early_is_seen_by_the_next_read(
    committed: Path, g: Any
) -> None:
    from gitmem.search import worktree

    repo = git.discover(committed)
    worktree.start(repo, committed / ".memory")  # as `show`, `list` and `search` do
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, edited meanwhile"))
    untracked = g.write_record(committed, "facts/c.md", C, title="Charlie, added meanwhile")
    refresh(committed)  # may answer from before the edit: the command started before it
    assert titles(committed) == {
        A: "Alpha, edited meanwhile",
        B: "Bravo",
        C: "Charlie, added meanwhile",
    }
    assert untracked.exists()


@pytest.mark.slow
def test_untracked_files_are_listed_again_only_when_a_folder_changed(
    committed: Path, g: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`git ls-files --others` reads every folder; it is skipped while no folder under
    `.memory/` has changed (mtime and ctime, older than a racy tick), and whatever adds,
    removes or renames a file is seen by the next read."""
    trace = committed.parent / "trace"
    monkeypatch.setenv("GIT_TRACE", str(trace))
    aged(g.write_record(committed, "facts/c.md", C, title="Charlie untracked"))
    assert titles(committed)[C] == "Charlie untracked"
    assert others_runs(trace) == 1  # the folder was just changed: not trusted yet
    time.sleep(2.1)
    assert titles(committed)[C] == "Charlie untracked"
    assert others_runs(trace) == 1  # now the folders are old enough: remembered
    for _ in range(2):
        found = refresh(committed)
        assert (found.files_checked, found.files_read) == (1, 0)  # the untracked one
        assert others_runs(trace) == 0
    # A file added with the folder's mtime put back (touch -d): its ctime still moved.
    folder = committed / ".memory" / "facts"
    before = folder.stat().st_mtime_ns
    aged(g.write_record(committed, "facts/d.md", D, title="Delta, folder mtime restored"))
    os.utime(folder, ns=(before, before))
    assert titles(committed)[D] == "Delta, folder mtime restored"
    assert others_runs(trace) == 1
    # A new sub-folder, and a file in it: its parent's times changed.
    aged(g.write_record(committed, "facts/2026/e.md", E, title="Echo in a new folder"))
    assert titles(committed)[E] == "Echo in a new folder"
    # Removed and renamed untracked files.
    (folder / "d.md").unlink()
    (folder / "c.md").rename(folder / "2026" / "c.md")
    assert titles(committed) == {
        A: "Alpha",
        B: "Bravo",
        C: "Charlie untracked",
        E: "Echo in a new folder",
    }
    assert refresh(committed).find(C)[0]["location"] == ".memory/facts/2026/c.md"
    # Staged: the index file changed, the cache of untracked files is not used.
    time.sleep(2.1)
    assert titles(committed)[E] == "Echo in a new folder"
    others_runs(trace)
    g.run("add", ".memory")
    assert titles(committed)[E] == "Echo in a new folder"
    assert others_runs(trace) == 1
