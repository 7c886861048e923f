"""`git mem checkpoint prune` on real chains with controlled timestamps: exactly what the policy
says is kept, the survivors are re-chained with their trees, messages and dates intact, the ref
moves by compare-and-swap (or goes when emptied) and no other ref is touched."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gitmem.checkpoints import checkpoint, prune
from gitmem.store import git

REF = "refs/gitmem/checkpoints/"
NOW = datetime.now(UTC).replace(microsecond=0)
# (days ago, stage), oldest first
HISTORY = [(60, "final"), (40, "draft"), (20, "draft"), (10, "final"), (3, "draft"), (1, "draft")]


def build_chain(repo: Path, name: str = "work", history=HISTORY) -> list[str]:
    """A checkpoint per (days ago, stage), each with different content; commits oldest first."""
    info = git.discover(repo)
    commits = []
    for days, stage in history:
        (repo / "progress.txt").write_text(f"{name} {days} days ago\n")
        saved = checkpoint.save(info, name, stage=stage, now=NOW - timedelta(days=days))
        commits.append(saved.commit)
    return commits


def chain_details(g, ref: str) -> list[str]:
    """Per commit newest first: tree, author and committer lines, the whole message."""
    out = g.run("log", "--format=%T|%an|%ae|%ad|%cn|%ce|%cd|%B%x00", "--date=raw", ref)
    return [entry.strip("\n") for entry in out.split("\0") if entry.strip()]


def other_refs(g) -> list[str]:
    out = g.run("for-each-ref", "--format=%(refname) %(objectname)")
    return [line for line in out.splitlines() if not line.startswith(REF + "work ")]


@pytest.fixture
def chain(repo: Path, g) -> list[str]:
    commits = build_chain(repo)
    build_chain(repo, "other", [(90, "draft")])
    # The user's other refs: a branch, a note, a tag.
    g.run("notes", "--ref=mem", "add", "-m", "a note", "HEAD")
    g.run("tag", "v1")
    return commits


def test_policy_keeps_exactly_the_union_of_its_rules(repo, chain, mem, g):
    before = chain_details(g, REF + "work")  # newest first
    others = other_refs(g)
    result = mem(
        "checkpoint",
        "prune",
        "--name",
        "work",
        "--keep-last",
        "1",
        "--older-than",
        "15",
        "--keep-stage",
        "final",
    )
    assert result.code == 0, result.err
    new_tip = g.run("rev-parse", REF + "work").strip()
    after = chain_details(g, REF + "work")
    # Kept: 1 day (last 1, newer), 3 days (newer), 10 days (newer, final), 60 days (final).
    assert after == [before[0], before[1], before[2], before[5]]
    assert g.run("rev-list", "--count", REF + "work").strip() == "4"
    # The oldest survivor was already in place: the very same commit.
    assert g.run("rev-list", "--max-parents=0", REF + "work").strip() == chain[0]
    assert other_refs(g) == others
    stamps = {
        c: (NOW - timedelta(days=d)).isoformat() for c, (d, _) in zip(chain, HISTORY, strict=True)
    }
    assert result.out.splitlines() == [
        "work: 6 checkpoints, keep 4, drop 2",
        f"  keep  {chain[5][:12]}  {stamps[chain[5]]}  draft  keep-last 1, newer than 15 days",
        f"  keep  {chain[4][:12]}  {stamps[chain[4]]}  draft  newer than 15 days",
        f"  keep  {chain[3][:12]}  {stamps[chain[3]]}  final  newer than 15 days, stage final",
        f"  drop  {chain[2][:12]}  {stamps[chain[2]]}  draft  "
        "not in the last 1, older than 15 days, stage draft not kept",
        f"  drop  {chain[1][:12]}  {stamps[chain[1]]}  draft  "
        "not in the last 1, older than 15 days, stage draft not kept",
        f"  keep  {chain[0][:12]}  {stamps[chain[0]]}  final  stage final",
        f"  {REF}work {chain[5][:12]} -> {new_tip[:12]} "
        f"(undo until the next git gc: git update-ref {REF}work {chain[5]})",
    ]
    # The survivors still read as checkpoints, and resume still works on them.
    kept = checkpoint.chain(git.discover(repo), "work")
    assert [c.stage for c in kept] == ["draft", "draft", "final", "final"]
    g.fsck(repo)


def test_each_rule_alone(repo, chain, g):
    info = git.discover(repo)
    cases = [
        (prune.Policy(keep_last=2), [5, 4]),
        (prune.Policy(older_than=15), [5, 4, 3]),
        (prune.Policy(keep_stages=("final",)), [3, 0]),
        (prune.Policy(keep_last=0, older_than=0), []),
    ]
    for policy, kept in cases:
        verdicts = prune.judge(checkpoint.chain(info, "work"), policy, NOW)
        assert [v.checkpoint.commit for v in verdicts if v.kept] == [chain[i] for i in kept]


def test_dry_run_writes_nothing(repo, chain, mem, g):
    refs = g.run("for-each-ref")
    objects = g.run("count-objects", "-v")
    result = mem("checkpoint", "prune", "--keep-last", "2", "--dry-run")
    assert result.code == 0, result.err
    assert "work: 6 checkpoints, keep 2, drop 4" in result.out
    assert f"  {REF}work would be rewritten (dry run: nothing written)" in result.out
    assert "other: 1 checkpoint, keep 1, drop 0" in result.out
    assert f"  {REF}other unchanged" in result.out
    assert g.run("for-each-ref") == refs
    assert g.run("count-objects", "-v") == objects


def test_an_emptied_chain_loses_its_ref_and_nothing_else(repo, chain, mem, g):
    others = other_refs(g)
    data = json.loads(
        mem("checkpoint", "prune", "--name", "work", "--keep-stage", "none", "--json").out
    )
    assert data["chains"][0]["ref_deleted"] is True
    assert data["chains"][0]["new_tip"] is None
    assert data["chains"][0]["dropped"] == 6
    assert g.proc("rev-parse", "--verify", "--quiet", REF + "work").returncode == 1
    assert other_refs(g) == others
    listed = mem("checkpoint", "list", "--json")
    assert [n["name"] for n in json.loads(listed.out)["names"]] == ["other"]


def test_all_names_by_default_and_json(repo, chain, mem, g):
    before = chain_details(g, REF + "work")
    result = mem("checkpoint", "prune", "--older-than", "30", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [c["name"] for c in data["chains"]] == ["other", "work"]
    other, work = data["chains"]
    assert other["ref_deleted"] is True
    assert [c["kept"] for c in work["checkpoints"]] == [True, True, True, True, False, False]
    assert work["checkpoints"][4]["dropped_because"] == ["older than 30 days"]
    assert work["checkpoints"][0]["kept_by"] == ["newer than 30 days"]
    assert work["new_tip"] == g.run("rev-parse", REF + "work").strip()
    # The oldest two went: every survivor is a copy (new parents) with the same content.
    assert chain_details(g, REF + "work") == before[:4]
    new = g.run("rev-list", REF + "work").split()
    assert not set(new) & set(chain)
    assert [c["new_commit"] for c in work["checkpoints"][:4]] == new
    g.fsck(repo)


def test_bad_input(repo, chain, mem, g):
    result = mem("checkpoint", "prune", "--name", "work")
    assert result.code == 2
    assert result.err.startswith("git-mem: error: give at least one rule (--keep-last N")
    result = mem("checkpoint", "prune", "--name", "nobody", "--keep-last", "1")
    assert result.code == 1
    assert result.err == (
        "git-mem: error: no checkpoint named 'nobody'; checkpoints: other, work\n"
    )
    result = mem("checkpoint", "prune", "--keep-last", "-1")
    assert result.code == 2
    assert "--keep-last must be 0 or more" in result.err
    assert g.run("rev-list", "--count", REF + "work").strip() == "6"


@pytest.mark.slow
def test_concurrent_saves_survive_concurrent_prunes(repo, chain, g):
    """Savers and pruners race on one ref: every save the policy keeps must survive (a prune
    that moved the ref without compare-and-swap would drop saves made while it rewrote)."""
    savers = [
        subprocess.Popen(
            [
                "sh",
                "-c",
                f"for i in 1 2 3 4 5; do git mem checkpoint save --name work --stage keep "
                f"--notes s{n}-$i --files progress.txt >/dev/null || exit 1; done",
            ],
            cwd=repo,
        )
        for n in range(3)
    ]
    pruner = subprocess.Popen(
        [
            "sh",
            "-c",
            "for i in 1 2 3 4 5; do git mem checkpoint prune --name work --keep-stage keep "
            "--keep-stage final >/dev/null || exit 1; done",
        ],
        cwd=repo,
    )
    assert [p.wait() for p in [*savers, pruner]] == [0, 0, 0, 0]
    prune.prune(git.discover(repo), prune.Policy(keep_stages=("keep", "final")), "work")
    found = checkpoint.chain(git.discover(repo), "work")
    assert sorted(c.notes for c in found if c.stage == "keep") == sorted(
        f"s{n}-{i}" for n in range(3) for i in range(1, 6)
    )
    assert [c.stage for c in found if c.stage != "keep"] == ["final", "final"]
    g.fsck(repo)
