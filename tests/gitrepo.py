"""Shared test helpers: plain git, generated history, a team of clones, sample inputs."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

# A valid memory file, and a commit message the default capture rules turn into a decision.
VALID = """\
---
id: 7k3q9x2m4pva
type: decision
title: Use PostgreSQL over MongoDB
created: 2026-11-20T14:03:11+00:00
---

JSONB covers the flexible parts.
"""
DECISION = "Store orders in PostgreSQL\n\nDecision: use PostgreSQL over MongoDB for orders\n"


def sh(cwd: Path, *args: str, input: bytes | None = None, check: bool = True) -> str:
    """Run the real git binary; stdout, or an AssertionError with git's stderr."""
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr.decode()}")
    return proc.stdout.decode()


def init_repo(path: Path, *, bare: bool = False, commit: bool = True) -> Path:
    sh(path.parent, "init", "-q", "-b", "main", *(["--bare"] if bare else []), path.name)
    sh(path, "config", "user.name", "Test User")
    sh(path, "config", "user.email", "test@example.com")
    if commit and not bare:
        sh(path, "commit", "-q", "--allow-empty", "-m", "initial")
    return path


def make_commits(repo: Path, count: int, branch: str = "many") -> list[str]:
    """`count` commits on `branch`, written in one `git fast-import` run; oldest first."""
    stream = []
    for i in range(count):
        message = f"commit {i}\n".encode()
        stream.append(
            f"commit refs/heads/{branch}\ncommitter Test <t@e> {1_700_000_000 + i} +0000\n"
            f"data {len(message)}\n".encode()
            + message
            + b"\n"
        )
    sh(repo, "fast-import", "--quiet", input=b"".join(stream))
    return sh(repo, "rev-list", "--reverse", f"refs/heads/{branch}").split()


def assert_fsck_clean(repo: Path) -> None:
    """`git fsck --strict` finds nothing but dangling objects (left by CAS retries)."""
    proc = subprocess.run(
        ["git", "fsck", "--strict", "--no-progress"], cwd=repo, capture_output=True, text=True
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert not [ln for ln in output.splitlines() if not ln.startswith("dangling ")], output


def on_terminal(
    argv: list[str], cwd: Path, stream: str = "stdout"
) -> tuple[subprocess.CompletedProcess[str], str]:
    """Run `argv` with `stream` ("stdout" or "stderr") on a pseudo-terminal, the other on a
    pipe; the process, and what it wrote to the terminal."""
    primary, secondary = pty.openpty()
    try:
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, stream: secondary}
        proc = subprocess.run(
            argv, cwd=cwd, text=True, env={**os.environ, "TERM": "xterm"}, timeout=120, **pipes
        )
        os.close(secondary)
        secondary = -1
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # Linux: EIO once the writer has gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if secondary != -1:
            os.close(secondary)
        os.close(primary)
    return proc, shown.decode()


class Team:
    """A bare remote on disk (`main` with `commits` empty commits) and clones of it, each with
    its own identity (`a` -> A <a@example.com>); `mem(where, ...)` runs `git mem` there.

    Built by the sync tests' `team` fixtures, which add what each of them checks."""

    def __init__(self, root: Path, g, monkeypatch, mem, *, commits: int = 1, init: bool = False):  # type: ignore[no-untyped-def]
        self.root, self.g, self.monkeypatch, self._mem = root, g, monkeypatch, mem
        self.init = init
        self.remote = root / "remote.git"
        g.run("init", "-q", "--bare", "-b", "main", str(self.remote))
        first = self.clone("a")
        for n in range(commits):
            g.run("commit", "-q", "--allow-empty", "-m", f"commit {n + 1}", cwd=first)
        g.run("push", "-q", "origin", "main", cwd=first)

    def clone(self, name: str, *options: str) -> Path:
        """A clone named `name`; git clone `options` (e.g. --depth 1) go through file://."""
        path = self.root / name
        source = f"file://{self.remote}" if options else str(self.remote)
        self.g.run("clone", "-q", *options, source, str(path))
        self.g.run("config", "user.name", name.upper(), cwd=path)
        self.g.run("config", "user.email", f"{name}@example.com", cwd=path)
        if self.init:
            self.mem(path, "init")
        return path

    def mem(self, where: Path, *args: str):  # type: ignore[no-untyped-def]
        self.monkeypatch.chdir(where)
        return self._mem(*args)

    def tip(self, where: Path, ref: str) -> str:
        return self.g.run("rev-parse", "--verify", "-q", ref, cwd=where).strip()  # type: ignore[no-any-return]

    def remote_tip(self, ref: str) -> str:
        return self.g.run("--git-dir", str(self.remote), "rev-parse", ref).strip()  # type: ignore[no-any-return]
