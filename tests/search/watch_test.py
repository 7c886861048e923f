"""gitmem.search.watch on real folders: what a request is told changed, and when it is told
"lost track" instead. Every change here completes before `changed()` is asked: the events must
already be in the kernel's queue (no waiting, no sleeping)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gitmem.search.watch import Unavailable, Watcher


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "work" / ".memory" / "facts").mkdir(parents=True)
    (tmp_path / "work" / ".memory" / "facts" / "a.md").write_text("a\n")
    return tmp_path / "work"


def test_edits_new_files_and_new_nested_folders(tree: Path) -> None:
    watcher = Watcher(tree)
    try:
        assert watcher.changed() == set()
        (tree / ".memory/facts/a.md").write_text("changed\n")
        (tree / ".memory/facts/b.md").write_text("new\n")
        assert watcher.changed() == {"facts/a.md", "facts/b.md"}
        assert watcher.changed() == set()  # drained
        # Folders made and written at once: files written before their folder's watch
        # existed are found by listing the new folder.
        deep = tree / ".memory/decisions/2026/q1"
        deep.mkdir(parents=True)
        (deep / "c.md").write_text("c\n")
        assert watcher.changed() == {"decisions/2026/q1/c.md"}
        (deep / "d.md").write_text("d\n")  # now watched
        os.rename(tree / ".memory/facts/b.md", tree / "outside.md")
        (tree / ".memory/facts/a.md").unlink()
        assert watcher.changed() == {"decisions/2026/q1/d.md", "facts/b.md", "facts/a.md"}
        (tree / "unrelated.txt").write_text("not memory\n")
        assert watcher.changed() == set()
    finally:
        watcher.close()
        watcher.close()
    assert watcher.changed() is None  # closed: nothing can be vouched for


def test_lost_track(tree: Path) -> None:
    watcher = Watcher(tree)
    (tree / ".memory/facts").rename(tree / ".memory/moved")  # its files' paths changed
    assert watcher.changed() is None
    watcher.close()
    watcher = Watcher(tree)
    shutil.rmtree(tree / ".memory")
    assert watcher.changed() is None
    watcher.close()
    watcher = Watcher(tree)  # no .memory: watching for it to appear
    (tree / ".memory").mkdir()
    assert watcher.changed() is None
    watcher.close()


def test_unavailable_says_why(tree: Path) -> None:
    with pytest.raises(Unavailable, match=r"^cannot watch .*/gone: No such file or directory$"):
        Watcher(tree / "gone")
    shutil.rmtree(tree / ".memory")
    (tree / ".memory").symlink_to(tree.parent)
    with pytest.raises(Unavailable, match=r"^\.memory is a symlink: its target is not watched$"):
        Watcher(tree)


@pytest.mark.slow
def test_a_queue_overflow_is_lost_track(tree: Path) -> None:
    limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
    if limit > 65536:
        pytest.skip(f"a queue of {limit} events takes too long to fill in a unit test")
    watcher = Watcher(tree)
    try:
        folder = tree / ".memory/facts"
        for i in range(limit // 2):  # create, modify and close-write: three events each
            (folder / f"f{i}.md").write_bytes(b"x")
        assert watcher.changed() is None
    finally:
        watcher.close()
