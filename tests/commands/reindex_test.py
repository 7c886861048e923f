"""`git mem reindex [--full]`: output (plain, --json), problems listed, a progress bar on a
terminal and nothing on a pipe."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gitrepo import on_terminal

GIT_MEM = str(Path(sys.executable).parent / "git-mem")


def index_root(repo: Path) -> str:
    return re.escape(str(repo / ".git" / "gitmem" / "index" / "main"))


def many(repo: Path, g: Any, count: int) -> None:
    for n in range(count):
        g.write_record(repo, f"facts/r{n}.md", f"dddd{n:08d}", title=f"Record number {n}")


def test_plain_output(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    many(repo, g, 3)
    mem("save", "--commit", "HEAD", "-m", "a note")
    result = mem("reindex")
    assert (result.code, result.err) == (0, "")
    assert re.fullmatch(
        rf"index up to date: 4 records in \d+\.\d\d s \({index_root(repo)}/ix-[0-9a-f]{{8}}\)\n",
        result.out,
    ), result.out
    before = result.out.rsplit("(", 1)[1]
    result = mem("reindex", "--full")
    assert (result.code, result.err) == (0, "")
    assert re.fullmatch(
        rf"index rebuilt: 4 records in \d+\.\d\d s \({index_root(repo)}/ix-[0-9a-f]{{8}}\)\n",
        result.out,
    ), result.out
    assert result.out.rsplit("(", 1)[1] != before  # a new index directory
    assert not Path(before.rstrip(")\n")).exists()  # and the old one gone


def test_empty_repository(repo: Path, mem: Callable[..., Any]) -> None:
    result = mem("reindex")
    assert result.code == 0
    assert result.out.startswith("index up to date: 0 records in ")


def test_json(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    many(repo, g, 2)
    (repo / ".memory" / "facts" / "bad.md").write_text("no front matter\n")
    for args, full in ((["reindex", "--json"], False), (["reindex", "--full", "--json"], True)):
        result = mem(*args)
        assert (result.code, result.err) == (0, "")
        data = json.loads(result.out)
        assert list(data) == ["records", "full", "seconds", "index", "problems"]
        assert (data["records"], data["full"]) == (2, full)
        assert isinstance(data["seconds"], float) and data["seconds"] >= 0
        assert re.fullmatch(rf"{index_root(repo)}/ix-[0-9a-f]{{8}}", data["index"])
        assert data["problems"] == [
            ".memory/facts/bad.md:1: expected front matter starting with a '---' line"
        ]


def test_problems_are_listed(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    many(repo, g, 1)
    (repo / ".memory" / "facts" / "bad.md").write_text("no front matter\n")
    result = mem("reindex", "--full")
    assert result.code == 0
    assert result.out.splitlines()[1:] == [
        "  skipped .memory/facts/bad.md:1: expected front matter starting with a '---' line"
    ]


def test_reindex_reflects_changes(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    many(repo, g, 2)
    assert mem("reindex").out.startswith("index up to date: 2 records")
    (repo / ".memory" / "facts" / "r0.md").unlink()
    assert mem("reindex").out.startswith("index up to date: 1 records")
    assert mem("search", "record", "--ids").out == "dddd00000001\n"


def test_no_progress_bar_on_a_pipe(repo: Path, g: Any) -> None:
    many(repo, g, 450)  # progress is reported every 200 documents
    proc = subprocess.run(
        [GIT_MEM, "reindex", "--full"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "TERM": "xterm"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("index rebuilt: 450 records in ")


def test_a_progress_bar_on_a_terminal(repo: Path, g: Any) -> None:
    many(repo, g, 450)
    proc, text = on_terminal([GIT_MEM, "reindex", "--full"], repo, stream="stderr")
    assert proc.returncode == 0
    assert proc.stdout.startswith("index rebuilt: 450 records in ")
    assert re.search(r"\r[a-z ]+ \[#{13}-{17}\] 200/450", text), text
    assert re.search(r"\r[a-z ]+ \[#{30}\] 450/450", text), text
    assert text.endswith("\r\033[K")  # the bar is erased when done
