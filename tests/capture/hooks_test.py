"""`git mem hooks install|uninstall|status` and the shims, driven through real `git commit`.

Whether gitmem's hook ran is read from git's own trace (`GIT_TRACE`: the shim's `git mem hook
NAME` shows as `exec: git-mem hook NAME`), so these tests do not depend on what capture does.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from gitmem.capture.hooks import CHAINED_SUFFIX, HOOKS, MARKER, shim_text

ROOT = Path(__file__).resolve().parents[2]


def commit(
    repo: Path, *args: str, trace: Path | None = None, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """A real `git commit` (hooks and all) in `repo`; GIT_TRACE goes to `trace`."""
    env = dict(os.environ)
    if trace is not None:
        env["GIT_TRACE"] = str(trace)
    if path is not None:
        env["PATH"] = path
    return subprocess.run(
        ["git", "commit", *args], cwd=repo, env=env, capture_output=True, text=True
    )


def ran(trace: Path, hook: str) -> int:
    """How many times gitmem's hook `hook` ran, from git's trace."""
    if not trace.exists():
        return 0
    return trace.read_text().count(f"exec: git-mem hook {hook}")


def foreign_hook(path: Path, name: str, body: str = "") -> Path:
    """Someone else's hook: appends `NAME ARGS` (and stdin, for post-rewrite) to a log."""
    log = path.parent / f"{name}.ran"
    stdin = f'cat >> "{log}"\n' if name == "post-rewrite" else ""
    path.write_text(f'#!/bin/sh\necho "{name} $*" >> "{log}"\n{stdin}{body}')
    path.chmod(0o755)
    return log


def test_source_tree_shims_are_the_generated_ones():
    for name in HOOKS:
        path = ROOT / "hooks" / name
        assert path.read_text() == shim_text(name), f"regenerate hooks/{name}"
        assert path.stat().st_mode & stat.S_IXUSR
        assert f"\n{MARKER} {name}\n" in path.read_text()
        assert f'exec git mem hook {name} "$@"' in path.read_text()
        # POSIX sh, not bash: dash parses it.
        sh = shutil.which("dash") or "sh"
        assert subprocess.run([sh, "-n", str(path)]).returncode == 0


def test_install_status_reinstall_uninstall(repo, mem):
    result = mem("hooks", "install")
    assert result.code == 0, result.err
    assert result.out == (
        "installed pre-commit in .git/hooks/pre-commit\n"
        "installed post-commit in .git/hooks/post-commit\n"
        "installed post-rewrite in .git/hooks/post-rewrite\n"
    )
    for name in HOOKS:
        path = repo / ".git" / "hooks" / name
        assert path.read_text() == shim_text(name)
        assert os.access(path, os.X_OK)
    status = json.loads(mem("hooks", "status", "--json").out)
    assert status["hooks_dir"] == str(repo / ".git" / "hooks")
    assert [(h["name"], h["state"], h["chained"]) for h in status["hooks"]] == [
        ("pre-commit", "installed", None),
        ("post-commit", "installed", None),
        ("post-rewrite", "installed", None),
    ]
    before = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (repo / ".git/hooks").iterdir()
    }
    again = mem("hooks", "install")
    assert again.code == 0
    assert again.out == (
        "pre-commit: already installed in .git/hooks/pre-commit\n"
        "post-commit: already installed in .git/hooks/post-commit\n"
        "post-rewrite: already installed in .git/hooks/post-rewrite\n"
    )
    after = {
        p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (repo / ".git/hooks").iterdir()
    }
    assert after == before
    result = mem("hooks", "uninstall")
    assert result.out == (
        "removed pre-commit from .git/hooks/pre-commit\n"
        "removed post-commit from .git/hooks/post-commit\n"
        "removed post-rewrite from .git/hooks/post-rewrite\n"
    )
    assert not any((repo / ".git" / "hooks" / name).exists() for name in HOOKS)
    states = [h["state"] for h in json.loads(mem("hooks", "status", "--json").out)["hooks"]]
    assert states == ["missing", "missing", "missing"]
    assert mem("hooks", "uninstall", "post-commit").out == (
        "post-commit: gitmem's hook is not installed in .git/hooks/post-commit\n"
    )


def test_status_text(repo, mem):
    foreign_hook(repo / ".git" / "hooks" / "post-commit", "post-commit")
    assert mem("hooks", "install", "post-commit").code == 0
    (repo / ".git" / "hooks" / "post-rewrite").write_text("#!/bin/sh\n")
    result = mem("hooks", "status")
    assert result.code == 0
    assert result.out == (
        "hooks directory: .git/hooks\n"
        "pre-commit    missing   .git/hooks/pre-commit\n"
        "post-commit   chained   .git/hooks/post-commit (runs post-commit.before-gitmem first)\n"
        "post-rewrite  foreign   .git/hooks/post-rewrite (not gitmem's)\n"
    )


def test_unknown_hook_name_is_a_usage_error(repo, mem):
    result = mem("hooks", "install", "pre-push")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: unknown hook 'pre-push': expected one of pre-commit, post-commit, "
        "post-rewrite\n"
    )
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_commit_runs_the_shims(repo, mem, tmp_path):
    assert mem("hooks", "install").code == 0
    trace = tmp_path / "trace"
    proc = commit(repo, "-q", "--allow-empty", "-m", "nothing to capture here", trace=trace)
    assert proc.returncode == 0, proc.stderr
    assert ran(trace, "pre-commit") == 0  # nothing under .memory/: the shim decides alone
    assert "git diff --cached --quiet -- .memory/" in trace.read_text()
    assert ran(trace, "post-commit") == 1
    assert ran(trace, "post-rewrite") == 0
    (repo / ".memory").mkdir()
    (repo / ".memory" / "README.md").write_text("# memory\n")
    subprocess.run(["git", "add", ".memory"], cwd=repo, check=True)
    assert commit(repo, "-q", "-m", "memory readme", trace=trace).returncode == 0
    assert ran(trace, "pre-commit") == 1
    proc = commit(repo, "-q", "--amend", "--allow-empty", "-m", "reworded", trace=trace)
    assert proc.returncode == 0, proc.stderr
    assert ran(trace, "post-rewrite") == 1
    assert "exec: git-mem hook post-rewrite amend" in trace.read_text()


def test_foreign_post_commit_runs_after_install_and_after_uninstall(repo, mem, g, tmp_path):
    hook = repo / ".git" / "hooks" / "post-commit"
    log = foreign_hook(hook, "post-commit")
    original = hook.read_bytes()
    result = mem("hooks", "install", "post-commit")
    assert result.out == (
        "installed post-commit in .git/hooks/post-commit; the hook that was there runs first, "
        "as post-commit.before-gitmem\n"
    )
    assert (repo / ".git" / "hooks" / f"post-commit{CHAINED_SUFFIX}").read_bytes() == original
    trace = tmp_path / "trace"
    assert commit(repo, "-q", "--allow-empty", "-m", "one", trace=trace).returncode == 0
    assert log.read_text() == "post-commit \n"
    assert ran(trace, "post-commit") == 1
    # Installing again keeps the chain as it is (no .before-gitmem of our own shim).
    assert mem("hooks", "install").out.splitlines()[1] == (
        "post-commit: already installed in .git/hooks/post-commit"
    )
    assert not (repo / ".git" / "hooks" / f"post-commit{CHAINED_SUFFIX}{CHAINED_SUFFIX}").exists()

    result = mem("hooks", "uninstall", "post-commit")
    assert result.out == (
        "removed post-commit from .git/hooks/post-commit; restored the hook that was there before\n"
    )
    assert hook.read_bytes() == original
    assert os.access(hook, os.X_OK)
    assert not (repo / ".git" / "hooks" / f"post-commit{CHAINED_SUFFIX}").exists()
    assert commit(repo, "-q", "--allow-empty", "-m", "two", trace=trace).returncode == 0
    assert log.read_text() == "post-commit \npost-commit \n"
    assert ran(trace, "post-commit") == 1  # not again
    g.fsck(repo)


def test_failing_foreign_pre_commit_stops_the_commit_first(repo, mem, g, tmp_path):
    hook = repo / ".git" / "hooks" / "pre-commit"
    foreign_hook(hook, "pre-commit", 'echo "lint failed" >&2\nexit 3\n')
    assert mem("hooks", "install", "pre-commit").code == 0
    trace = tmp_path / "trace"
    head = g.run("rev-parse", "HEAD")
    proc = commit(repo, "-q", "--allow-empty", "-m", "x", trace=trace)
    assert proc.returncode != 0
    assert "lint failed" in proc.stderr
    assert ran(trace, "pre-commit") == 0  # gitmem's check never started
    assert g.run("rev-parse", "HEAD") == head


def test_post_rewrite_stdin_reaches_the_chained_hook(repo, mem, g, tmp_path):
    log = foreign_hook(repo / ".git" / "hooks" / "post-rewrite", "post-rewrite")
    assert mem("hooks", "install").code == 0
    old = g.run("rev-parse", "HEAD").strip()
    trace = tmp_path / "trace"
    assert commit(repo, "-q", "--amend", "-m", "amended", trace=trace).returncode == 0
    new = g.run("rev-parse", "HEAD").strip()
    assert log.read_text() == f"post-rewrite amend\n{old} {new}\n"
    assert ran(trace, "post-rewrite") == 1


def test_symlinked_foreign_hook_is_kept_as_a_symlink(repo, mem):
    target = repo / "tools-hook.sh"
    foreign_hook(target, "post-commit")
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.symlink_to(target)
    assert mem("hooks", "install", "post-commit").code == 0
    kept = repo / ".git" / "hooks" / f"post-commit{CHAINED_SUFFIX}"
    assert kept.is_symlink() and os.readlink(kept) == str(target)
    assert not hook.is_symlink() and hook.read_text() == shim_text("post-commit")
    assert mem("hooks", "uninstall", "post-commit").code == 0
    assert hook.is_symlink() and os.readlink(hook) == str(target)


def test_refuses_when_the_chained_name_is_taken(repo, mem):
    hooks = repo / ".git" / "hooks"
    foreign_hook(hooks / "post-commit", "post-commit")
    (hooks / f"post-commit{CHAINED_SUFFIX}").write_text("#!/bin/sh\necho older\n")
    before = {p.name: p.read_bytes() for p in hooks.iterdir()}
    result = mem("hooks", "install", "post-commit")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: .git/hooks/post-commit is not gitmem's and "
        ".git/hooks/post-commit.before-gitmem exists already; move one of them away, then run "
        "`git mem hooks install` again\n"
    )
    assert {p.name: p.read_bytes() for p in hooks.iterdir()} == before


def test_an_older_shim_is_updated(repo, mem):
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text(f"#!/bin/sh\n{MARKER} post-commit\nexec git mem hook post-commit\n")
    hook.chmod(0o755)
    status = json.loads(mem("hooks", "status", "post-commit", "--json").out)["hooks"][0]
    assert status["state"] == "installed"
    assert status["detail"] == "an older shim: `git mem hooks install` updates it"
    assert (
        mem("hooks", "install", "post-commit").out
        == "updated post-commit in .git/hooks/post-commit\n"
    )
    assert hook.read_text() == shim_text("post-commit")


@pytest.mark.parametrize("relative", [True, False])
def test_core_hooks_path_is_honoured(repo, mem, g, tmp_path, relative):
    hooks_dir = repo / "githooks" if relative else tmp_path / "shared-hooks"
    g.run("config", "core.hooksPath", "githooks" if relative else str(hooks_dir))
    (repo / "sub").mkdir()
    os.chdir(repo / "sub")  # a relative hooksPath is relative to the top, not to here
    result = mem("hooks", "install", "post-commit")
    assert result.code == 0, result.err
    assert (hooks_dir / "post-commit").read_text() == shim_text("post-commit")
    assert not (repo / ".git" / "hooks" / "post-commit").exists()
    assert not (repo / "sub" / "githooks").exists()
    trace = tmp_path / "trace"
    assert commit(repo / "sub", "-q", "--allow-empty", "-m", "x", trace=trace).returncode == 0
    assert ran(trace, "post-commit") == 1
    status = json.loads(mem("hooks", "status", "post-commit", "--json").out)
    assert status["hooks_dir"] == str(hooks_dir)
    if relative:
        assert result.err == ""
    else:  # a shared hooks directory: say that it is one
        assert result.err == (
            f"git-mem: warning: {hooks_dir} is outside this repository (core.hooksPath): the "
            "hooks there run for every repository that uses it\n"
        )


def test_linked_worktree_shares_the_hooks(repo, mem, g, tmp_path):
    worktree = tmp_path / "wt"
    g.run("worktree", "add", "-q", "-b", "side", str(worktree))
    os.chdir(worktree)
    result = mem("hooks", "install", "post-commit")
    assert result.code == 0
    assert result.out == f"installed post-commit in {repo / '.git' / 'hooks' / 'post-commit'}\n"
    assert not (repo / ".git" / "worktrees" / "wt" / "hooks").exists()
    trace = tmp_path / "trace"
    assert commit(worktree, "-q", "--allow-empty", "-m", "in wt", trace=trace).returncode == 0
    assert commit(repo, "-q", "--allow-empty", "-m", "in main", trace=trace).returncode == 0
    assert ran(trace, "post-commit") == 2
    os.chdir(repo)
    assert json.loads(mem("hooks", "status", "--json").out)["hooks"][1]["state"] == "installed"


def _path_without_git_mem(tmp_path: Path) -> str:
    """A PATH with git and the shell tools the shims use, but no git-mem."""
    bin_dir = tmp_path / "bin-no-gitmem"
    bin_dir.mkdir()
    for tool in ("git", "sh", "dirname", "cat"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    return str(bin_dir)


def test_shims_without_git_mem_on_path(repo, mem, g, tmp_path):
    assert mem("hooks", "install").code == 0
    path = _path_without_git_mem(tmp_path)
    proc = commit(repo, "-q", "--allow-empty", "-m", "no gitmem here", path=path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == (
        "gitmem: git-mem is not on PATH, nothing captured (post-commit); install gitmem or run "
        "'git mem hooks uninstall'\n"
    )
    proc = commit(repo, "-q", "--amend", "--allow-empty", "-m", "amended", path=path)
    assert proc.returncode == 0
    assert proc.stderr.count("nothing captured (post-rewrite)") == 1
    assert len(proc.stderr.splitlines()) == 2  # post-commit's line and post-rewrite's

    # pre-commit: unchecked memory files do not get in.
    (repo / ".memory").mkdir()
    (repo / ".memory" / "note.md").write_text("anything\n")
    g.run("add", ".memory")
    head = g.run("rev-parse", "HEAD")
    proc = commit(repo, "-q", "-m", "memory", path=path)
    assert proc.returncode == 1
    assert proc.stderr == (
        "gitmem: git-mem is not on PATH, so the staged .memory/ files cannot be checked; "
        "install gitmem or commit with --no-verify\n"
    )
    assert g.run("rev-parse", "HEAD") == head


def test_init_hooks(repo, mem):
    result = mem("init", "--hooks")
    assert result.code == 0, result.err
    assert result.out.splitlines()[-3:] == [
        "installed pre-commit in .git/hooks/pre-commit",
        "installed post-commit in .git/hooks/post-commit",
        "installed post-rewrite in .git/hooks/post-rewrite",
    ]
    assert mem("init", "--hooks").out == "gitmem is already set up here; nothing changed\n"
