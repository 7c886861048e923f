"""gitmem through the real pre-commit framework, and next to it.

pre-commit clones a repository at a revision and pip-installs it into its own environment, so
the working tree of this checkout is committed into a scratch repository first (uncommitted
changes included) and that is what the test repositories point at. The environment is built
once per session (PRE_COMMIT_HOME is session-scoped); it needs PyPI for the dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import DECISION, VALID

from gitmem.capture.hooks import CHAINED_SUFFIX, shim_text

ROOT = Path(__file__).resolve().parents[2]
PRE_COMMIT = Path(sys.executable).parent / "pre-commit"

pytestmark = pytest.mark.skipif(not PRE_COMMIT.exists(), reason="pre-commit is not installed")


def run(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def ok(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = run(*args, cwd=cwd, env=env)
    assert proc.returncode == 0, f"{args}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="session")
def gitmem_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's working tree as one commit in a scratch repository: (path, sha)."""
    snapshot = tmp_path_factory.mktemp("gitmem-src") / "gitmem"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    ok("git", "init", "-q", "-b", "main", cwd=snapshot, env=env)
    ok("git", "add", "-A", cwd=snapshot, env=env)
    ok(
        "git",
        "-c",
        "user.name=T",
        "-c",
        "user.email=t@e",
        "commit",
        "-q",
        "-m",
        "snapshot",
        cwd=snapshot,
        env=env,
    )
    return snapshot, ok("git", "rev-parse", "HEAD", cwd=snapshot, env=env).strip()


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def pc_env(pre_commit_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRE_COMMIT_HOME", str(pre_commit_home))
    monkeypatch.delenv("PRE_COMMIT_ALLOW_NO_CONFIG", raising=False)


def notes(repo: Path, rev: str = "HEAD") -> str:
    proc = run("git", "notes", "--ref=mem", "show", rev, cwd=repo)
    return proc.stdout if proc.returncode == 0 else ""


def write_config(repo: Path, text: str) -> None:
    (repo / ".pre-commit-config.yaml").write_text(text)
    ok("git", "add", ".pre-commit-config.yaml", cwd=repo)
    ok("git", "commit", "-q", "--no-verify", "-m", "pre-commit config", cwd=repo)


@pytest.mark.slow
def test_gitmem_hooks_through_pre_commit(repo, mem, gitmem_snapshot, pc_env):
    source, sha = gitmem_snapshot
    assert mem("init").code == 0
    write_config(
        repo,
        "default_install_hook_types: [pre-commit, post-commit, post-rewrite]\n"
        f"repos:\n  - repo: {source}\n    rev: {sha}\n    hooks:\n"
        "      - id: gitmem-check\n      - id: gitmem-capture\n      - id: gitmem-rewrite\n",
    )
    installed = ok(
        PRE_COMMIT,
        "install",
        "--hook-type",
        "pre-commit",
        "--hook-type",
        "post-commit",
        "--hook-type",
        "post-rewrite",
        cwd=repo,
    )
    assert "pre-commit installed at .git/hooks/post-rewrite" in installed
    ok(PRE_COMMIT, "install-hooks", cwd=repo)  # the environment: slow once per session

    # A bad record is refused with the precise error.
    bad = repo / ".memory" / "decisions" / "a.md"
    bad.parent.mkdir(parents=True)
    bad.write_text(VALID.replace("type: decision", "type: decisoin"))
    ok("git", "add", ".memory", cwd=repo)
    head = ok("git", "rev-parse", "HEAD", cwd=repo)
    proc = run("git", "commit", "-m", "a decision", cwd=repo)
    assert proc.returncode == 1
    output = proc.stdout + proc.stderr
    assert "gitmem check (memory records valid, no credentials)" in output and "Failed" in output
    assert (
        ".memory/decisions/a.md:3: type: expected one of code, decision, episodic, error, fact, "
        "procedural, user (or a type declared in .memory/config.toml)" in output
    )
    assert ok("git", "rev-parse", "HEAD", cwd=repo) == head

    # A good one goes through, and the decision in the message is captured.
    bad.write_text(VALID)
    ok("git", "add", ".memory", cwd=repo)
    proc = run("git", "commit", "-m", DECISION, cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first = ok("git", "rev-parse", "HEAD", cwd=repo).strip()
    assert "use PostgreSQL over MongoDB for orders" in notes(repo)
    # pre-commit shows a passing hook's output only with `verbose: true`.
    assert "gitmem capture (decisions from the commit message)" in proc.stderr

    # Amend: the record follows to the new commit (gitmem-rewrite, no stdin from pre-commit).
    proc = run("git", "commit", "--amend", "-m", DECISION + "\nWith more context.\n", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    amended = ok("git", "rev-parse", "HEAD", cwd=repo).strip()
    assert notes(repo, first) == ""
    assert notes(repo, amended).count("use PostgreSQL over MongoDB for orders") == 1
    assert amended in notes(repo, amended)

    # Rebase: swap the last two commits; the record moves with its commit.
    ok("git", "commit", "-q", "--allow-empty", "-m", "Later work", cwd=repo)
    swap = {"GIT_SEQUENCE_EDITOR": "sed -i -e '1{h;d}' -e '2G'"}
    proc = run("git", "rebase", "-q", "-i", "HEAD~2", cwd=repo, env=swap)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ok("git", "log", "-1", "--format=%s", cwd=repo) == "Store orders in PostgreSQL\n"
    rebased = ok("git", "rev-parse", "HEAD", cwd=repo).strip()
    assert rebased != amended
    assert notes(repo, amended) == ""
    assert notes(repo, rebased).count("use PostgreSQL over MongoDB for orders") == 1
    assert rebased in notes(repo, rebased)
    log = ok("git", "log", "--notes=mem", "--format=%H %N", cwd=repo)
    assert log.count("use PostgreSQL over MongoDB for orders") == 1


LOCAL_CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: local-post-commit
        name: local post-commit
        language: system
        entry: {script}
        stages: [post-commit]
        always_run: true
        pass_filenames: false
"""


def _local_setup(repo: Path, tmp_path: Path) -> Path:
    """A pre-commit config with one local post-commit hook that logs it ran (no env to build)."""
    log = tmp_path / "local.ran"
    script = tmp_path / "local-hook.sh"
    script.write_text(f'#!/bin/sh\necho ran >> "{log}"\n')
    script.chmod(0o755)
    write_config(repo, LOCAL_CONFIG.format(script=script))
    return log


def _commit_traced(repo: Path, trace: Path, message: str) -> None:
    ok(
        "git",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        message,
        cwd=repo,
        env={"GIT_TRACE": str(trace)},
    )


def _gitmem_ran(trace: Path) -> int:
    return trace.read_text().count("exec: git-mem hook post-commit") if trace.exists() else 0


def test_gitmem_installed_over_pre_commit_keeps_both(repo, mem, tmp_path, pc_env):
    hooks = repo / ".git" / "hooks"
    log = _local_setup(repo, tmp_path)
    foreign = hooks / "post-commit"
    foreign.write_text(f'#!/bin/sh\necho foreign >> "{tmp_path / "foreign.ran"}"\n')
    foreign.chmod(0o755)
    ok(PRE_COMMIT, "install", "--hook-type", "post-commit", cwd=repo)  # foreign -> .legacy
    framework_script = foreign.read_bytes()
    result = mem("hooks", "install", "post-commit")
    assert result.code == 0
    assert (hooks / f"post-commit{CHAINED_SUFFIX}").read_bytes() == framework_script
    status = json.loads(mem("hooks", "status", "--json").out)["hooks"][1]
    assert (status["state"], status["detail"]) == (
        "chained",
        "runs post-commit.before-gitmem first",
    )

    trace = tmp_path / "trace"
    _commit_traced(repo, trace, "one")
    assert log.read_text() == "ran\n"  # pre-commit's hook, from .before-gitmem
    assert (tmp_path / "foreign.ran").read_text() == "foreign\n"  # pre-commit's .legacy
    assert _gitmem_ran(trace) == 1

    assert mem("hooks", "uninstall").code == 0
    assert foreign.read_bytes() == framework_script
    _commit_traced(repo, trace, "two")
    assert log.read_text() == "ran\nran\n"
    assert (tmp_path / "foreign.ran").read_text() == "foreign\nforeign\n"
    assert _gitmem_ran(trace) == 1


def test_pre_commit_installed_over_gitmem_keeps_both(repo, mem, tmp_path, pc_env):
    hooks = repo / ".git" / "hooks"
    log = _local_setup(repo, tmp_path)
    assert mem("hooks", "install", "post-commit").code == 0
    ok(PRE_COMMIT, "install", "--hook-type", "post-commit", cwd=repo)  # our shim -> .legacy
    assert (hooks / "post-commit.legacy").read_text() == shim_text("post-commit")
    status = json.loads(mem("hooks", "status", "--json").out)["hooks"][1]
    assert status["state"] == "installed"
    assert status["path"] == str(hooks / "post-commit.legacy")
    assert status["detail"] == "run by the pre-commit framework's hook"
    before = {p.name: p.read_bytes() for p in hooks.iterdir()}
    assert mem("hooks", "install", "post-commit").out == (
        "post-commit: already installed in .git/hooks/post-commit.legacy\n"
    )
    assert {p.name: p.read_bytes() for p in hooks.iterdir()} == before

    trace = tmp_path / "trace"
    _commit_traced(repo, trace, "one")
    assert log.read_text() == "ran\n"
    assert _gitmem_ran(trace) == 1

    assert mem("hooks", "uninstall", "post-commit").code == 0
    assert not (hooks / "post-commit.legacy").exists()
    _commit_traced(repo, trace, "two")
    assert log.read_text() == "ran\nran\n"
    assert _gitmem_ran(trace) == 1


def test_hooks_status_knows_the_gitmem_hooks_pre_commit_runs(repo, mem, gitmem_snapshot, pc_env):
    source, sha = gitmem_snapshot
    write_config(
        repo,
        f"repos:\n  - repo: {source}\n    rev: {sha}\n    hooks:\n"
        "      - id: gitmem-check\n      - id: gitmem-capture  # decisions as notes\n"
        "  - repo: local\n    hooks:\n      - id: lint\n        name: lint\n"
        "        entry: 'true'\n        language: system\n",
    )
    for hook in ("pre-commit", "post-commit", "post-rewrite"):
        ok(PRE_COMMIT, "install", "--hook-type", hook, cwd=repo)
    framework = "the pre-commit framework runs"
    assert mem("hooks", "status").out == (
        "hooks directory: .git/hooks\n"
        f"pre-commit    installed .git/hooks/pre-commit ({framework} gitmem-check from "
        ".pre-commit-config.yaml)\n"
        f"post-commit   installed .git/hooks/post-commit ({framework} gitmem-capture from "
        ".pre-commit-config.yaml)\n"
        "post-rewrite  foreign   .git/hooks/post-rewrite (the pre-commit framework's hook)\n"
    )
    scripts = {p.name: p.read_bytes() for p in (repo / ".git" / "hooks").iterdir()}
    # Installing a shim as well would capture twice; uninstalling is the config's business.
    assert mem("hooks", "install", "post-commit").out == (
        f"post-commit: already installed: {framework} gitmem-capture from .pre-commit-config.yaml\n"
    )
    assert mem("hooks", "uninstall", "pre-commit").out == (
        f"pre-commit: {framework} gitmem-check from .pre-commit-config.yaml: take "
        "gitmem-check out of that file to stop it\n"
    )
    assert {p.name: p.read_bytes() for p in (repo / ".git" / "hooks").iterdir()} == scripts
    # Installed with another config file: that is the one read.
    (repo / "ci.yaml").write_text("repos:\n  - repo: local\n    hooks:\n      - id: x\n")
    ok(PRE_COMMIT, "install", "-f", "-c", "ci.yaml", "--hook-type", "post-commit", cwd=repo)
    assert mem("hooks", "status", "post-commit").out == (
        "hooks directory: .git/hooks\n"
        "post-commit   foreign   .git/hooks/post-commit (the pre-commit framework's hook)\n"
    )
