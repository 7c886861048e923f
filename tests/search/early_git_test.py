"""`show`, `list` and `search` start `git diff-files` and `git rev-parse` before their parser
and store load (`main._start_git`, `worktree.start_early`, `git.start_discovery`): each read
takes those answers (one of each git process per command), and still sees every change made
just before it; an answer no command took never serves a later one."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from importtime import gitmem_loads

from gitmem import main
from gitmem.search import refresh as refreshing
from gitmem.search import worktree
from gitmem.store import git

A, B, C = "aaaa00000001", "aaaa00000002", "aaaa00000003"
HOUR_AGO_NS = (int(time.time()) - 3600) * 1_000_000_000


def aged(path: Path) -> Path:
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    return path


@pytest.fixture
def committed(repo: Path, g: Any, mem: Callable[..., Any]) -> Path:
    """Two committed records, written an hour ago, and a first read (the index built)."""
    aged(g.write_record(repo, "facts/a.md", A, title="Alpha"))
    aged(g.write_record(repo, "facts/b.md", B, title="Bravo"))
    g.run("add", ".memory")
    g.run("commit", "-q", "-m", "records")
    assert mem("list").code == 0
    return repo


@pytest.fixture
def trace(committed: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """`trace()`: the git commands run since the last call (GIT_TRACE)."""
    path = committed.parent / "trace"
    monkeypatch.setenv("GIT_TRACE", str(path))

    def runs() -> list[str]:
        text = path.read_text() if path.exists() else ""
        path.write_text("")
        return [line.split("git ", 1)[1].split(" ", 1)[0] for line in text.splitlines()
                if "trace: built-in: git " in line]  # fmt: skip

    return runs


def counts(runs: list[str]) -> tuple[int, int]:
    return runs.count("diff-files"), runs.count("rev-parse")


def lines(result: Any) -> list[str]:
    assert result.code == 0, result.err
    return [line.rstrip() for line in result.out.splitlines()]


def test_each_read_sees_a_change_made_just_before_it(
    committed: Path, g: Any, mem: Callable[..., Any], trace: Callable[[], list[str]]
) -> None:
    trace()
    # A tracked file edited in place, its old mtime put back.
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, edited"))
    assert lines(mem("show", A))[:2] == [f"{A} fact active", "Alpha, edited"]
    # One diff-files and one rev-parse: the ones started before the parser loaded.
    assert counts(trace()) == (1, 1), trace
    # An untracked file added.
    aged(g.write_record(committed, "facts/c.md", C, title="Charlie, added"))
    assert lines(mem("list")) == [
        f"{C} 2026-01-15 fact       Charlie, added  .memory/facts/c.md",
        f"{B} 2026-01-15 fact       Bravo  .memory/facts/b.md",
        f"{A} 2026-01-15 fact       Alpha, edited  .memory/facts/a.md",
    ]
    assert counts(trace()) == (1, 1)
    # A tracked file renamed.
    (committed / ".memory/facts/b.md").rename(committed / ".memory/facts/b2.md")
    assert lines(mem("show", B))[-3] == "location:   .memory/facts/b2.md"
    # A tracked file deleted.
    (committed / ".memory/facts/a.md").unlink()
    result = mem("show", A)
    assert (result.code, result.out) == (1, "")
    assert result.err == f"git-mem: error: no memory with an id starting '{A}'\n"
    # An untracked file's body edited: search finds the new word.
    aged(g.write_record(committed, "facts/c.md", C, title="Charlie, added", body="Zebrafish."))
    assert lines(mem("search", "zebrafish", "--ids")) == [C]
    assert counts(trace()) == (3, 3)  # one of each per command


def test_from_a_subfolder_the_same_answers(
    committed: Path, g: Any, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    aged(g.write_record(committed, "facts/b.md", B, title="Bravo, edited here"))
    monkeypatch.chdir(committed / ".memory" / "facts")
    assert lines(mem("show", B))[:2] == [f"{B} fact active", "Bravo, edited here"]
    assert lines(mem("list", "--limit", "1"))[0].startswith(f"{B} 2026-01-15 fact       Bravo")


def test_git_asked_for_a_command_that_failed_answers_no_later_one(
    committed: Path, g: Any, mem: Callable[..., Any], trace: Callable[[], list[str]]
) -> None:
    # The command fails after git was asked, before it took the answers.
    assert mem("list", "--limit", "0").code == 2
    assert worktree._early and git._started
    worktree._early[0].modified.wait()  # git has answered, before the edit below
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, edited after"))
    main._forget_git()  # as the next command does first, whatever it is
    assert not worktree._early and not git._started
    repo = git.discover()
    worktree.start(repo, committed / ".memory")
    found = refreshing.refresh(repo, committed / ".memory", ["fact"])
    assert {row["id"]: row["title"] for row in found.newest([])}[A] == "Alpha, edited after"


def test_a_repository_git_finds_elsewhere_is_the_one_read(
    committed: Path, g: Any, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIT_DIR set: the early start is skipped; a `.git` git does not use (core.worktree
    elsewhere) is never taken for the repository."""
    other = committed.parent / "other"
    other.mkdir()
    g.run("init", "-q", cwd=other)
    monkeypatch.chdir(other)
    monkeypatch.setenv("GIT_DIR", str(committed / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(committed))
    assert [line.split()[0] for line in lines(mem("list"))] == [B, A]
    assert not worktree._early


PROBE = """
import sys
from gitmem import main
from gitmem.search import worktree
answer = worktree._answer
loaded = []
def waiting(proc):
    loaded.append(sorted(n for n in ("json", "whoosh.searching", "yaml") if n in sys.modules))
    return answer(proc)
worktree._answer = waiting
code = main.main(sys.argv[1:])
print(loaded[0], code, file=sys.stderr)
"""


@pytest.mark.parametrize(
    ("argv", "loaded"),
    [
        (["search", "alpha"], "['json', 'whoosh.searching'] 0"),
        (["show", A], "[] 0"),
        (["list"], "['json'] 0"),
    ],
)
def test_what_a_read_needs_after_git_answers_is_loaded_before(
    committed: Path, argv: list[str], loaded: str
) -> None:
    """While git stats the work tree, `search` loads the engine (at 100k files git answers
    after Python is ready), `list` the JSON decoder of its rows; `show` reads a record gitmem
    wrote without PyYAML (store/plain_yaml), and its row without JSON; `list` reads no record:
    neither loads PyYAML."""
    import subprocess

    run = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=committed, capture_output=True, text=True
    )
    assert run.stderr.splitlines()[-1] == loaded, run.stderr


# Reading and writing a record's text: `list` and `search` with nothing changed read rows only.
RECORD_FORMAT = ("gitmem.store.front_matter", "gitmem.store.note_stream")


@pytest.mark.parametrize(
    ("argv", "unused"),
    [
        (["show", A], ("gitmem.search.engine", "gitmem.store.compose", "shlex", "typing")),
        (["list"], ("gitmem.store.compose", "shlex", "typing", *RECORD_FORMAT)),
        (["search", "alpha"], ("typing", *RECORD_FORMAT)),
        (["search", "--type", "fact", "--limit", "3", "alpha"], ("typing",)),  # argparse
    ],
)
def test_reads_load_no_module_they_do_not_use(
    committed: Path, argv: list[str], unused: tuple[str, ...]
) -> None:
    """`show` loads no engine module (its types only), `list` without `--path` no path
    handling, neither `typing` (their modules import it for mypy only: `TYPE_CHECKING = False`)
    (-X importtime, no clock)."""

    proc, loaded = gitmem_loads(argv, committed, GITMEM_SERVICE="off")
    assert proc.returncode == 0, proc.stderr
    assert "gitmem.records.store" in loaded
    assert not loaded & set(unused)


def test_the_config_parsed_last_time_is_reused_until_its_text_changes(
    committed: Path, g: Any, mem: Callable[..., Any]
) -> None:
    """`.memory/config.toml` is parsed once per text: a later read loads no TOML parser, and
    any edit (even one keeping the file's size and mtime) is read at once."""

    config = committed / ".memory" / "config.toml"
    config.write_text('[types]\nrunbook = "runbooks"\n')
    aged(g.write_record(committed, "runbooks/r.md", C, type="runbook", title="Restart"))

    def run(*argv: str) -> tuple[str, bool]:
        proc, _loaded = gitmem_loads(list(argv), committed, GITMEM_SERVICE="off")
        return proc.stdout, "| tomllib\n" in proc.stderr.replace("  ", "")

    out, parsed = run("list", "--type", "runbook")
    assert (out.split()[0], parsed) == (C, True)
    out, parsed = run("list", "--type", "runbook")
    assert (out.split()[0], parsed) == (C, False)  # the same text: the last parse
    # Another type name of the same length, the old mtime put back: a new text, parsed.
    config.write_text('[types]\nrunbooc = "runbooks"\n')
    aged(config)
    aged(g.write_record(committed, "runbooks/r.md", C, type="runbooc", title="Restart"))
    out, parsed = run("list", "--type", "runbooc")
    assert (out.split()[0], parsed) == (C, True)
    # A broken config is refused, whatever was parsed before.
    config.write_text("[types\n")
    assert mem("list").err.startswith("git-mem: error: .memory/config.toml: ")


def test_a_linked_worktree_reads_its_own_files(
    committed: Path,
    g: Any,
    mem: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
    trace: Callable[[], list[str]],
) -> None:
    """In a linked worktree (`.git` a `gitdir:` file) the early answers are that worktree's,
    taken (one of each git process), and never the main worktree's, nor the other way round."""
    linked = committed.parent / "linked"
    g.run("worktree", "add", "-q", str(linked), "-b", "side")
    aged(g.write_record(linked, "facts/a.md", A, title="Alpha, in the linked worktree"))
    aged(g.write_record(committed, "facts/b.md", B, title="Bravo, in the main worktree"))
    trace()
    monkeypatch.chdir(linked / ".memory")
    assert lines(mem("show", A))[1] == "Alpha, in the linked worktree"
    assert lines(mem("show", B))[1] == "Bravo"
    assert counts(trace()) == (2, 2)
    monkeypatch.chdir(committed)
    assert lines(mem("show", A))[1] == "Alpha"
    assert lines(mem("show", B))[1] == "Bravo, in the main worktree"
    assert counts(trace()) == (2, 2)


# ------------------------------------------------------- started from gitmem/__init__ (early.py)


def test_the_console_script_starts_git_before_gitmem_loads_and_reads_see_every_change(
    committed: Path, g: Any, trace: Callable[[], list[str]]
) -> None:
    """`git mem show|list|search` (git runs the `git-mem` script): `diff-files` is started by
    `gitmem/__init__` (`gitmem.early`) and taken, one of each git process per command, and each
    sees a change made just before it."""
    from conftest import git_mem

    trace()
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, edited"))
    shown = git_mem("show", A, cwd=committed)
    assert shown.stdout.splitlines()[:2] == [f"{A} fact active", "Alpha, edited"], shown.stderr
    assert counts(trace()) == (1, 1)
    aged(g.write_record(committed, "facts/c.md", C, title="Charlie, added"))
    listed = git_mem("list", cwd=committed)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == [C, B, A]
    (committed / ".memory/facts/b.md").rename(committed / ".memory/facts/b2.md")
    assert git_mem("show", B, cwd=committed).stdout.splitlines()[-3] == (
        "location:   .memory/facts/b2.md"
    )
    aged(g.write_record(committed, "facts/c.md", C, title="Charlie, added", body="Zebrafish."))
    assert git_mem("search", "zebrafish", "--ids", cwd=committed).stdout.split() == [C]
    assert counts(trace()) == (3, 3)


def test_early_starts_only_for_a_read_here_with_no_service_socket(
    committed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    from gitmem import early

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    monkeypatch.delenv("GITMEM_SERVICE")
    for argv in (["save", "-m", "x"], ["list", "--global"], ["search", "--repos=..", "x"], []):
        early.start(argv)
        assert not early._started, argv
    early.start(["list"])
    assert len(early._started) == 1
    early.forget()  # git stopped and reaped
    assert not early._started
    # A service's socket is there: it answers, or the client starts git itself when it failed.
    where = early.find_repository(str(committed))
    assert where is not None
    path = early.socket_path(where.common_dir)
    os.makedirs(os.path.dirname(path), mode=0o700)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(path)
        early.start(["list"])
        assert not early._started
        monkeypatch.setenv("GITMEM_SERVICE", "off")
        early.start(["list"])
        assert len(early._started) == 1
        early.forget()


def test_git_started_for_another_command_or_environment_is_not_taken(
    committed: Path, g: Any, mem: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `gitmem.early` started is taken only by the command it was started for, from the
    same directory with the same environment; otherwise it is dropped and git asked again."""
    from gitmem import early

    early.start(["list"])
    started = early._started[0]
    os.waitpid(started.proc.pid, os.WNOHANG)  # still ours to reap
    aged(g.write_record(committed, "facts/a.md", A, title="Alpha, after git started"))
    # main(argv) is not the process's entry: it forgets what early started (another command).
    assert lines(mem("show", A))[1] == "Alpha, after git started"
    assert not early._started
    early.start(["show", A])
    monkeypatch.setenv("GITMEM_TEST_CHANGED", "1")
    where = early.find_repository(str(committed))
    assert where is not None
    assert early.take(["show", A], where) is None  # the environment changed: dropped
    assert not early._started


@pytest.mark.parametrize(
    ("argv0", "started"), [("/usr/bin/git-mem", "1"), ("gitmem", "1"), ("other-tool", "0")]
)
def test_importing_gitmem_starts_git_only_as_the_console_script(
    committed: Path, argv0: str, started: str
) -> None:
    import subprocess

    code = (
        f"import sys; sys.argv = [{argv0!r}, 'list']; import gitmem; "
        "from gitmem import early; print(len(early._started))"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=committed, capture_output=True)
    assert run.stdout.decode().strip() == started, run.stderr


def test_the_console_script_starts_git_before_pathlib_loads(committed: Path) -> None:
    """The installed `git-mem` (pip's entry-point wrapper, which imports `re` first: see
    pyproject.toml for why it is not a script written out): `gitmem.early` loads before
    `pathlib` and the rest of gitmem (-X importtime's order, no clock)."""
    import subprocess

    from conftest import VENV_BIN

    run = subprocess.run(
        [sys.executable, "-X", "importtime", str(VENV_BIN / "git-mem"), "list"],
        cwd=committed,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    order = [line.rsplit("|", 1)[1].strip() for line in run.stderr.splitlines() if "|" in line]
    assert order.index("gitmem.early") < order.index("pathlib") < order.index("gitmem.main")
