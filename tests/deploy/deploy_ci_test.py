"""`git mem deploy` where CI runs it: depth-1 clones with no notes, no identity, several jobs
pushing to one bare remote at once. Real `git mem` subprocesses (git's dispatch to the venv's
`git-mem`), results cross-checked with plain git on the remote and on a fresh clone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

ID_LINE = re.compile(r"^id: (\w+)$", re.MULTILINE)
JOBS = 4


@pytest.fixture
def remote(tmp_path, g) -> Path:
    """A bare remote with two commits on main and no notes; made by a developer clone."""
    bare = tmp_path / "remote.git"
    g.run("init", "-q", "--bare", "-b", "main", str(bare))
    dev = g.make_repo(tmp_path / "dev")
    g.run("commit", "-q", "--allow-empty", "-m", "release 1.0", cwd=dev)
    g.run("remote", "add", "origin", str(bare), cwd=dev)
    g.run("push", "-q", "origin", "main", cwd=dev)
    return bare


def ci_clone(g, remote: Path, path: Path) -> Path:
    """What a CI checkout does: depth 1 over file://, detached HEAD, no identity at all."""
    g.run("clone", "-q", "--depth", "1", f"file://{remote}", str(path))
    g.run("checkout", "-q", "--detach", cwd=path)
    assert g.run("rev-parse", "--is-shallow-repository", cwd=path).strip() == "true"
    assert g.proc("config", "user.email", cwd=path).returncode != 0
    assert g.proc("rev-parse", "--verify", "--quiet", "refs/notes/mem", cwd=path).stdout == ""
    return path


def github_env(run: int, job: str = "deploy") -> dict[str, str]:
    return {
        **os.environ,
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_RUN_ID": str(run),
        "GITHUB_REPOSITORY": "acme/shop",
        "GITHUB_JOB": job,
        "GITHUB_ACTOR": "jane",
    }


def git_mem(*args: str, cwd: Path, env: dict[str, str] | None = None):
    return subprocess.run(["git", "mem", *args], cwd=cwd, capture_output=True, text=True, env=env)


def remote_ids(g, bare: Path) -> list[str]:
    """Every record id in the remote's refs/notes/mem, with plain git only."""
    ids = []
    for line in g.run("--git-dir", str(bare), "notes", "--ref=mem", "list").splitlines():
        ids += ID_LINE.findall(
            g.run("--git-dir", str(bare), "notes", "--ref=mem", "show", line.split()[1])
        )
    return sorted(ids)


def test_a_shallow_clone_deploys_and_pushes(tmp_path, g, remote):
    job = ci_clone(g, remote, tmp_path / "job")
    sha = g.run("rev-parse", "HEAD", cwd=job).strip()
    result = git_mem("deploy", "--env", "production", "--push", cwd=job, env=github_env(1))
    assert result.returncode == 0, result.stderr
    record_id = result.stdout.split()[2].rstrip(":")
    assert result.stdout == (
        f"recorded deploy {record_id}: {sha[:7]} to production (success)\n"
        "pushed 1 record to origin\n"
    )
    assert remote_ids(g, remote) == [record_id]
    shown = g.run("--git-dir", str(remote), "notes", "--ref=mem", "show", sha)
    assert "author: github-actions <ci@github-actions>" in shown
    assert "run_url: 'https://github.com/acme/shop/actions/runs/1'" in shown
    # Still shallow, and a plain `git push` configuration is untouched.
    assert g.run("rev-parse", "--is-shallow-repository", cwd=job).strip() == "true"
    assert g.proc("config", "--get-all", "remote.origin.push", cwd=job).stdout == ""
    # A second job in a fresh shallow clone (no notes fetched) adds to them, losing nothing.
    second = ci_clone(g, remote, tmp_path / "job2")
    result = git_mem(
        "deploy", "--env", "staging", "--push", "--json", cwd=second, env=github_env(2)
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["push"]["push"] == "pushed"
    assert remote_ids(g, remote) == sorted([record_id, data["id"]])
    assert remote_ids(g, second / ".git") == remote_ids(g, remote)  # the first job's merged in
    g.fsck(remote)
    g.fsck(job)
    g.fsck(second)


@pytest.mark.slow
def test_four_jobs_deploying_at_once_all_land(tmp_path, g, remote):
    clones = [ci_clone(g, remote, tmp_path / f"job{n}") for n in range(JOBS)]
    sha = g.run("rev-parse", "HEAD", cwd=clones[0]).strip()
    gate = tmp_path / "go"
    # Each job waits for the gate, so all four start their deploy in the same instant.
    script = 'while [ ! -e "$GATE" ]; do sleep 0.01; done; exec git mem deploy "$@"'
    procs = []
    for n, clone in enumerate(clones):
        env = {**github_env(100 + n, job=f"deploy-{n}"), "GATE": str(gate)}
        args = ["--env", "production", "--push", "--version", f"1.0.{n}", "--json"]
        procs.append(
            subprocess.Popen(
                ["sh", "-c", script, "job", *args],
                cwd=clone,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    time.sleep(0.2)  # (not a timing assertion: only lets every shell reach its wait loop)
    gate.touch()
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    results = [json.loads(out) for out, _err in outputs]
    ids = sorted(r["id"] for r in results)
    assert len(set(ids)) == JOBS
    assert all(r["push"]["push"] == "pushed" for r in results)
    # All four records sit in the one note on the deployed commit, on the remote.
    assert remote_ids(g, remote) == ids
    note = g.run("--git-dir", str(remote), "notes", "--ref=mem", "show", sha)
    assert sorted(ID_LINE.findall(note)) == ids
    g.fsck(remote)
    # A fifth clone, a developer's: `git mem sync` brings them all, `git mem list` shows them.
    fifth = tmp_path / "fifth"
    g.run("clone", "-q", str(remote), str(fifth))
    g.run("config", "user.name", "Dev", cwd=fifth)
    g.run("config", "user.email", "dev@example.com", cwd=fifth)
    synced = git_mem("sync", cwd=fifth)
    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.splitlines()[0] == f"fetched {JOBS} records from origin"
    listed = git_mem("list", "--tag", "deploy", "--json", cwd=fifth)
    rows = json.loads(listed.stdout)["records"]
    assert sorted(row["id"] for row in rows) == ids
    assert sorted(row["deploy"]["version"] for row in rows) == [f"1.0.{n}" for n in range(JOBS)]
    assert {row["deploy"]["run_id"] for row in rows} == {str(100 + n) for n in range(JOBS)}
    g.fsck(fifth)


def test_without_push_a_missing_or_unreachable_remote_does_not_matter(tmp_path, g, remote):
    job = ci_clone(g, remote, tmp_path / "job")
    g.run("remote", "set-url", "origin", str(tmp_path / "gone.git"), cwd=job)
    result = git_mem("deploy", "--env", "production", cwd=job, env=github_env(7))
    assert result.returncode == 0, result.stderr
    record_id = result.stdout.split()[2].rstrip(":")
    assert ID_LINE.findall(g.run("notes", "--ref=mem", "show", "HEAD", cwd=job)) == [record_id]
    # With --push the record is kept locally and the error says how to push it later.
    result = git_mem("deploy", "--env", "qa", "--push", cwd=job, env=github_env(7))
    assert result.returncode == 128
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("git-mem: error: could not fetch notes from origin: ")
    qa = ID_LINE.findall(g.run("notes", "--ref=mem", "show", "HEAD", cwd=job))[1]
    assert line.endswith(
        f"(deploy {qa} is recorded here; push it later with `git mem sync origin`)"
    )
    g.fsck(job)
    # And a repository with no remote at all records without --push. (`git remote remove`
    # leaves origin/HEAD dangling in a clone, which fsck reports: git's, not ours.)
    g.run("remote", "remove", "origin", cwd=job)
    result = git_mem("deploy", "--env", "dev", cwd=job)
    assert result.returncode == 0, result.stderr
    assert len(ID_LINE.findall(g.run("notes", "--ref=mem", "show", "HEAD", cwd=job))) == 3


@pytest.mark.slow
def test_a_retried_job_in_a_fresh_clone_records_once_without_a_conflict(tmp_path, g, remote):
    """CI re-runs a job in a new depth-1 clone: the record of that run is already on the
    remote, so the retry reads it there and writes nothing (no second copy, no conflict)."""
    first = ci_clone(g, remote, tmp_path / "attempt-1")
    done = git_mem("deploy", "--env", "production", "--push", cwd=first, env=github_env(7))
    assert done.returncode == 0, done.stderr
    record_id = done.stdout.split()[2].rstrip(":")
    notes_tip = g.run("--git-dir", str(remote), "rev-parse", "refs/notes/mem").strip()
    time.sleep(1.1)  # the retry's own `created` differs from the first attempt's
    retry = ci_clone(g, remote, tmp_path / "attempt-2")
    again = git_mem("deploy", "--env", "production", "--push", cwd=retry, env=github_env(7))
    assert again.returncode == 0, again.stderr
    sha = g.run("rev-parse", "HEAD", cwd=retry).strip()
    assert again.stdout == (
        f"already recorded deploy {record_id}: {sha[:7]} to production (success)\n"
        "origin is up to date\n"
    )
    assert remote_ids(g, remote) == [record_id]
    assert g.run("--git-dir", str(remote), "rev-parse", "refs/notes/mem").strip() == notes_tip
