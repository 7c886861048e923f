"""`git mem sync --all`: checkpoint chains between real clones of a bare remote, never forced.
Every outcome is cross-checked with plain git on the clones and on the remote."""

from __future__ import annotations

import json
from pathlib import Path

import gitrepo
import pytest

WIP = "refs/gitmem/checkpoints/wip"


class Team(gitrepo.Team):
    def checkpoint(self, where: Path, text: str) -> str:
        (where / "work.txt").write_text(text)
        result = self.mem(where, "checkpoint", "save", "--name", "wip", "--stage", text)
        assert result.code == 0, result.err
        return self.tip(where, WIP)

    def sync(self, where: Path, *args: str) -> list[str]:
        result = self.mem(where, "sync", *args)
        assert result.code == 0, result.err
        return result.out.splitlines()


@pytest.fixture
def team(tmp_path, g, monkeypatch, mem) -> Team:
    return Team(tmp_path, g, monkeypatch, mem)


def test_all_pushes_and_fetches_checkpoints_and_plain_sync_does_not(team, g):
    a, b = team.root / "a", team.clone("b")
    first = team.checkpoint(a, "draft one")
    team.sync(a)
    assert g.run("--git-dir", str(team.remote), "for-each-ref", "refs/gitmem/") == ""
    lines = team.sync(a, "--all")
    assert lines[-1] == "checkpoint wip: pushed to origin"
    assert team.remote_tip(WIP) == first
    lines = team.sync(b, "--all")
    assert lines[-1] == f"checkpoint wip: created ({first[:7]})"
    assert team.tip(b, WIP) == first
    assert team.tip(b, "refs/gitmem/remotes/origin/checkpoints/wip") == first
    assert team.sync(b, "--all")[-1] == "checkpoints: up to date with origin"
    # b goes on; a fast-forwards to it.
    second = team.checkpoint(b, "draft two")
    assert team.sync(b, "--all")[-1] == "checkpoint wip: pushed to origin"
    assert team.sync(a, "--all")[-1] == f"checkpoint wip: fast-forwarded ({second[:7]})"
    assert team.tip(a, WIP) == team.remote_tip(WIP) == second
    assert g.run("rev-parse", f"{second}^", cwd=a).strip() == first
    for clone in (a, b):
        assert g.proc("config", "--get-all", "remote.origin.push", cwd=clone).stdout == ""
        g.fsck(clone)
    g.fsck(team.remote)


def test_a_diverged_chain_keeps_both_tips_and_is_never_forced(team, g):
    a, b = team.root / "a", team.clone("b")
    base = team.checkpoint(a, "base")
    team.sync(a, "--all")
    team.sync(b, "--all")
    mine = team.checkpoint(a, "a's way")
    theirs = team.checkpoint(b, "b's way")
    team.sync(b, "--all")
    lines = team.sync(a, "--all")
    kept = f"refs/gitmem/checkpoints/wip-restored-{theirs[:7]}"
    assert lines[-1] == (
        f"checkpoint wip: diverged from origin; yours stays, theirs ({theirs[:7]}) is {kept}; "
        "both are listed by `git mem checkpoint list`; keep one and delete the other with "
        f"`git update-ref -d {WIP}` or `git update-ref -d {kept}`"
    )
    assert team.tip(a, WIP) == mine
    assert team.tip(a, kept) == theirs
    assert team.remote_tip(WIP) == theirs  # a's tip was not forced over b's
    listed = json.loads(team.mem(a, "checkpoint", "list", "--json").out)
    assert {"wip", f"wip-restored-{theirs[:7]}"} <= set(json.dumps(listed).split('"'))
    # The copy is not pushed, and syncing again neither duplicates nor forces anything.
    assert g.run("--git-dir", str(team.remote), "for-each-ref", "--format=%(refname)") == (
        "refs/gitmem/checkpoints/wip\nrefs/heads/main\n"
    )
    team.sync(a, "--all")
    assert team.remote_tip(WIP) == theirs
    # a picks b's chain: drops its own, and the next sync takes theirs.
    g.run("update-ref", "-d", WIP, cwd=a)
    assert team.sync(a, "--all")[-1] == f"checkpoint wip: created ({theirs[:7]})"
    assert g.run("merge-base", "--is-ancestor", base, WIP, cwd=a) == ""
    g.fsck(a)


def test_no_push_fetches_only_and_json_reports_the_checkpoints(team, g):
    a, b = team.root / "a", team.clone("b")
    tip = team.checkpoint(a, "draft")
    team.sync(a, "--all")
    team.checkpoint(b, "b's own")
    result = team.mem(b, "sync", "--all", "--no-push", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)["checkpoints"]
    assert data["remote"] == "origin" and data["pushed"] == []
    (fetched,) = data["fetched"]
    assert fetched["ref"] == WIP and fetched["outcome"] == "diverged" and fetched["tip"] == tip
    assert team.remote_tip(WIP) == tip
