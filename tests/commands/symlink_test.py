"""Symlinks out of the work tree (issue 15, cases 4 and 12): a `.memory/` entry, or `.memory/`
itself, that leads outside the repository's work tree is never read (skipped with a warning,
reported by doctor) and never written through."""

from __future__ import annotations

import json
import os
from pathlib import Path

RECORD = (
    "---\nid: 0123abcd4567\ntype: fact\ntitle: Outside record\n"
    "created: 2026-01-15T10:00:00+00:00\n---\n\nroot:x:0:0:root:/root:/bin/bash\n"
)


def _outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd.md").write_text(RECORD)
    return folder


def test_a_record_file_linking_outside_is_skipped_with_a_warning(tmp_path, repo, mem):
    outside = _outside(tmp_path)
    (repo / ".memory" / "facts").mkdir(parents=True)
    (repo / ".memory" / "facts" / "x.md").symlink_to(outside / "passwd.md")
    target = os.path.realpath(outside / "passwd.md")

    result = mem("list")
    assert result.code == 1
    assert result.out == ""
    assert result.err == (
        f"git-mem: warning: skipped .memory/facts/x.md: a symlink to {target}, "
        "outside the work tree\n"
        "git-mem: warning: no memories yet: try git mem save\n"
    )
    assert mem("show", "0123abcd").code == 1
    assert mem("search", "root").out == ""
    doctor = mem("doctor")
    assert f".memory/facts/x.md: a symlink to {target}, outside the work tree\n" in doctor.out


def test_a_linked_folder_leading_outside_is_reported_not_followed(tmp_path, repo, mem):
    outside = _outside(tmp_path)
    (repo / ".memory").mkdir()
    (repo / ".memory" / "notes").symlink_to(outside, target_is_directory=True)
    result = mem("list")
    assert result.err.startswith(
        f"git-mem: warning: skipped .memory/notes: a symlink to {os.path.realpath(outside)}, "
        "outside the work tree\n"
    )


def test_a_link_inside_the_work_tree_is_still_read(repo, mem, g):
    g.write_record(repo, "facts/real.md", "feedbeef0001", title="Real one")
    (repo / "docs").mkdir()
    (repo / "docs" / "kept.md").write_text(RECORD)
    (repo / ".memory" / "facts" / "linked.md").symlink_to(repo / "docs" / "kept.md")
    result = mem("list", "--json")
    assert result.code == 0, result.err
    assert result.err == ""
    assert sorted(row["id"] for row in json.loads(result.out)["records"]) == [
        "0123abcd4567",
        "feedbeef0001",
    ]


def test_memory_dir_linking_outside_is_neither_read_nor_written(tmp_path, repo, mem):
    outside = _outside(tmp_path)
    (outside / "config.toml").write_text("[capture]\nenabled = false\n")
    (repo / ".memory").symlink_to(outside, target_is_directory=True)
    target = os.path.realpath(outside)
    before = sorted(p.name for p in outside.iterdir())

    result = mem("list")
    assert result.code == 1
    assert result.err == (
        f"git-mem: warning: skipped .memory: a symlink to {target}, outside the work tree\n"
        "git-mem: warning: no memories yet: try git mem save\n"
    )

    saved = mem("save", "-m", "Escape attempt")
    assert saved.code == 2
    assert saved.err == (
        f"git-mem: error: refusing to write .memory/facts/{_today()}-escape-attempt.md: "
        f".memory is a symlink to {target}, outside the work tree\n"
    )
    init = mem("init")
    assert init.code == 2
    assert init.err == (
        f"git-mem: error: refusing to write .memory/: it is a symlink to {target}, "
        "outside the work tree\n"
    )
    assert sorted(p.name for p in outside.iterdir()) == before

    # A note is not a file: it still saves.
    assert mem("save", "--commit", "HEAD", "-m", "On the commit").code == 0


def _today() -> str:
    from datetime import datetime

    return datetime.now().astimezone().strftime("%Y-%m-%d")


def test_a_link_added_after_the_manifest_is_caught_on_the_incremental_path(tmp_path, repo, mem, g):
    """The first read builds the manifest; the next asks git's index what changed and stats
    only that: a symlink to outside committed in between is still never read."""
    g.write_record(repo, "facts/real.md", "feedbeef0002", title="Real one")
    g.run("add", ".memory")
    g.run("commit", "-qm", "a record")
    assert mem("list").code == 0  # the manifest now exists
    outside = _outside(tmp_path)
    (repo / ".memory" / "facts" / "x.md").symlink_to(outside / "passwd.md")
    g.run("add", ".memory")
    g.run("commit", "-qm", "a link")
    result = mem("list", "--json")
    assert [r["id"] for r in json.loads(result.out)["records"]] == ["feedbeef0002"]
    target = os.path.realpath(outside / "passwd.md")
    assert result.err == (
        f"git-mem: warning: skipped .memory/facts/x.md: a symlink to {target}, "
        "outside the work tree\n"
    )
    assert mem("show", "0123abcd").code == 1
