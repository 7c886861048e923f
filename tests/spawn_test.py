"""`gitmem.spawn.Spawned`: git started without `subprocess` for the read path (real git)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitmem.spawn import Spawned


def test_output_errors_exit_code_and_directory(repo: Path, tmp_path: Path) -> None:
    top = Spawned(["rev-parse", "--show-toplevel"], cwd=repo / ".git" / "..", errors=True)
    assert top.communicate() == (f"{repo}\n".encode(), b"")
    assert top.returncode == 0
    bad = Spawned(["rev-parse", "--verify", "--quiet", "no-such-ref"], cwd=repo, errors=True)
    assert bad.communicate() == (b"", b"")
    assert bad.wait() == 1
    outside = Spawned(["rev-parse", "--git-dir"], cwd=tmp_path / "..", errors=True)
    out, err = outside.communicate()
    assert (out, outside.returncode) == (b"", 128)
    assert err.startswith(b"fatal: not a git repository")
    quiet = Spawned(["rev-parse", "--git-dir"], cwd=tmp_path / "..")  # errors discarded
    assert quiet.communicate() == (b"", b"") and quiet.returncode == 128


def test_a_large_answer_and_the_environment(repo: Path) -> None:
    names = [f"f{i:05}-{'x' * 60}" for i in range(3000)]  # ~200 kB: more than a pipe holds
    listed = Spawned(["ls-files", "--others", "-z"], cwd=repo, env={"GIT_DIR": "/nowhere"})
    assert listed.communicate()[0] == b"" and listed.returncode == 128
    for name in names:
        (repo / name).touch()
    listed = Spawned(["ls-files", "--others", "-z"], cwd=repo)
    assert listed.communicate()[0].split(b"\0")[:-1] == [name.encode() for name in names]


def test_no_git_on_the_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError):
        Spawned(["--version"])


def test_a_process_dropped_unasked_is_reaped(repo: Path) -> None:
    """A command that fails between starting git and reading its answer leaves no zombie."""
    import gc
    import os

    proc = Spawned(["cat-file", "--batch"], cwd=repo)  # runs until its input ends: never here
    pid = proc.pid
    del proc
    gc.collect()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def test_a_forked_child_leaves_its_parents_git_alone(repo: Path) -> None:
    """The bulk index writers are forked: one dropping its copy must not stop the parent's git."""
    import gc
    import os

    proc = Spawned(["-c", "alias.wait=!sleep 2", "wait"], cwd=repo)
    child = os.fork()
    if child == 0:
        del proc
        gc.collect()
        os._exit(0)
    os.waitpid(child, 0)
    assert os.waitpid(proc.pid, os.WNOHANG) == (0, 0)  # still running
    proc.kill()
    assert proc.wait() == -9
