"""Shared fixtures: real git repositories in tmp dirs, isolated from the user's git config.

Most tests drive the CLI in-process through `gitmem.main.main([...])` (fast); a few run
`git mem ...` as a subprocess so git's own dispatch to the `git-mem` script is exercised.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gitmem import main as gitmem_main

VENV_BIN = Path(sys.executable).parent

# Variables that would make git (or gitmem) look somewhere other than the test repository,
# or behave differently from the defaults the tests assume.
_SCRUBBED = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "GIT_NOTES_REF",
    "GIT_NOTES_DISPLAY_REF",
    "EDITOR",
    "VISUAL",
    "NO_COLOR",
    "XDG_CONFIG_HOME",
    "XDG_DATA_HOME",
    "GITMEM_HOME",
    "GITMEM_WATCH",
    "GITMEM_SERVICE_TIMEOUT",
    "GITMEM_SERVICE_FAULT",
    "EMAIL",
)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def saved_id(self) -> str:
        """The id from `saved ID (TYPE) in LOCATION`."""
        assert self.code == 0, self.err
        assert self.out.startswith("saved "), self.out
        return self.out.split()[1]

    @property
    def location(self) -> str:
        """The location from `saved ID (TYPE) in LOCATION`."""
        assert self.code == 0, self.err
        return self.out.rstrip("\n").rsplit(" in ", 1)[1]


def git(*args: str, cwd: Path | str | None = None, input: str | bytes | None = None) -> str:
    """Run the real git binary; fail the test with git's stderr if it fails. Returns stdout."""
    proc = git_proc(*args, cwd=cwd, input=input)
    if proc.returncode != 0:
        pytest.fail(f"git {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc.stdout


def git_proc(
    *args: str, cwd: Path | str | None = None, input: str | bytes | None = None
) -> subprocess.CompletedProcess[Any]:
    """Run git and return the completed process, whatever its exit code (text mode)."""
    if isinstance(input, bytes):
        proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True)
        return subprocess.CompletedProcess(
            proc.args,
            proc.returncode,
            proc.stdout.decode("utf-8", "replace"),
            proc.stderr.decode("utf-8", "replace"),
        )
    return subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, text=True)


def fsck(cwd: Path | str) -> None:
    """`git fsck --strict` must be clean (no errors, no warnings) after every write."""
    proc = git_proc("fsck", "--strict", "--no-dangling", cwd=cwd)
    assert proc.returncode == 0, proc.stderr
    assert "error" not in proc.stderr and "warning" not in proc.stderr, proc.stderr


def make_repo(path: Path, *, commit: bool = True) -> Path:
    """`git init` with an identity in the repository config and (by default) one commit."""
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", str(path))
    git("config", "user.name", "Test User", cwd=path)
    git("config", "user.email", "test@example.com", cwd=path)
    if commit:
        (path / "README").write_text("hello\n")
        git("add", "README", cwd=path)
        git("commit", "-q", "-m", "initial commit", cwd=path)
    return path


_CI_PREFIXES = ("CI", "GITHUB_", "GITLAB_", "CIRCLE", "BUILDKITE", "JENKINS_", "BUILD_", "SYSTEM_")


def _isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    for name in _SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    # The CI this suite runs in must not show through: `git mem deploy` reads these, and the
    # tests decide which CI (if any) they pretend to run in.
    for name in list(os.environ):
        if name.startswith(_CI_PREFIXES) or name in ("TF_BUILD", "JOB_NAME"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    # A read in a repository of more than 5,000 records would start the index service in the
    # background (`auto`) and leave it running after the test; tests/service turns it back on.
    monkeypatch.setenv("GITMEM_SERVICE", "off")
    # The lexical ranking the tests were written for, whether or not the semantic extra is
    # installed; tests/semantic turns it on.
    monkeypatch.setenv("GITMEM_SEMANTIC", "off")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # libgit2 (pygit2, in-process) reads no GIT_CONFIG_* variables: it finds the global and
    # system config through its own search path, fixed from the real HOME when it loaded.
    # Every test sets it to its own home again, so it is not restored.
    import pygit2
    from pygit2.enums import ConfigLevel

    for level in (ConfigLevel.GLOBAL, ConfigLevel.XDG, ConfigLevel.SYSTEM):
        pygit2.settings.search_path[level] = str(home)
    # An editor opened by mistake must fail at once, never wait for a human.
    monkeypatch.setenv("GIT_EDITOR", "false")
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("TERM", "dumb")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test sees the user's git config, editor or repository environment."""
    _isolate(monkeypatch, tmp_path / "home")
    yield


@pytest.fixture(scope="session")
def _template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One `make_repo` per session; each test gets a copy (5 git processes saved per test)."""
    base = tmp_path_factory.mktemp("template")
    with pytest.MonkeyPatch.context() as monkeypatch:
        _isolate(monkeypatch, base / "home")
        return make_repo(base / "repo")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _template_repo: Path) -> Path:
    """A fresh repository with one commit (a copy of `make_repo`'s); cwd is its top level."""
    path = tmp_path / "repo"
    shutil.copytree(_template_repo, path, symlinks=True)
    monkeypatch.chdir(path)
    return path


class _Terminal(io.StringIO):
    """Standard input that says it is a terminal (so `save` opens the editor)."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def mem(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `git mem ARGS` in-process; `stdin=` feeds standard input, `tty=True` makes it look
    like a terminal. Returns code/out/err."""

    def run(*args: str, stdin: str | None = None, tty: bool = False) -> Result:
        capsys.readouterr()  # drop anything printed before
        stream = (_Terminal if tty else io.StringIO)(stdin if stdin is not None else "")
        monkeypatch.setattr(sys, "stdin", stream)
        try:
            code = gitmem_main.main(list(args))
        except SystemExit as exit:  # argparse: -h, usage errors
            code = exit.code if isinstance(exit.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def git_mem(
    *args: str, cwd: Path | str | None = None, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """`git mem ARGS` as a subprocess: git finds `git-mem` on PATH (the venv's bin)."""
    return subprocess.run(
        ["git", "mem", *args], cwd=cwd, input=input, capture_output=True, text=True
    )


def write_record(
    root: Path,
    relpath: str,
    id: str,
    *,
    type: str = "fact",
    title: str | None = None,
    created: str = "2026-01-15T10:00:00+00:00",
    body: str = "Some text.\n",
    **fields: str,
) -> Path:
    """A hand-written `.memory/` file with exactly the front matter given (values as YAML)."""
    lines = [
        "---",
        f"id: {id}",
        f"type: {type}",
        f"title: {title or 'Record ' + id}",
        f"created: {created}",
    ]
    lines += [f"{key}: {value}" for key, value in fields.items()]
    lines += ["---", "", body.rstrip("\n")]
    path = root / ".memory" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> Path:
    """Install a shell script as GIT_EDITOR; it gets the file to edit as $1."""
    path = tmp_path / f"editor-{len(list(tmp_path.glob('editor-*')))}.sh"
    path.write_text("#!/bin/sh\nset -e\n" + script + "\n")
    path.chmod(0o755)
    monkeypatch.setenv("GIT_EDITOR", str(path))
    return path


def list_ids(mem: Callable[..., Result], *args: str) -> list[str]:
    """The ids `git mem list --json ARGS` prints, in order ([] when nothing matches)."""
    result = mem("list", "--json", *args)
    assert result.code in (0, 1), result.err
    data = json.loads(result.out)
    return [row["id"] for row in data["records"]]


# Helpers as fixtures, so test modules need not import this conftest by module name.


class GitHelpers:
    """`run` (stdout, fails the test on error), `proc` (any exit code), `fsck`, `make_repo`."""

    run = staticmethod(git)
    proc = staticmethod(git_proc)
    fsck = staticmethod(fsck)
    make_repo = staticmethod(make_repo)
    git_mem = staticmethod(git_mem)
    write_record = staticmethod(write_record)


@pytest.fixture
def g() -> type[GitHelpers]:
    return GitHelpers


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Path]:
    """`editor(SCRIPT)` installs a shell script as GIT_EDITOR ($1 is the file)."""
    return lambda script: make_editor(tmp_path, monkeypatch, script)


@pytest.fixture
def ids(mem: Callable[..., Result]) -> Callable[..., list[str]]:
    """`ids(ARGS...)`: the ids `git mem list --json ARGS` prints, in order."""
    return lambda *args: list_ids(mem, *args)
