"""`git mem sync` between real clones of a bare remote on disk, and the lazy merge after a
plain `git fetch`. Every outcome is cross-checked with plain git on the clones and the remote."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import gitrepo
import pytest

ID_LINE = re.compile(r"^id: (\w+)$", re.MULTILINE)


class Team(gitrepo.Team):
    """Clones `git mem init`-ed; saves are notes on commits."""

    def save(self, where: Path, text: str, rev: str = "HEAD") -> str:
        return self.mem(where, "save", "--commit", rev, "-m", text).saved_id

    def sync(self, where: Path, *args: str):
        result = self.mem(where, "sync", *args)
        assert result.code == 0, result.err
        return result


@pytest.fixture
def team(tmp_path, g, monkeypatch, mem) -> Team:
    return Team(tmp_path, g, monkeypatch, mem, commits=2, init=True)


def note_ids(g, repo: Path, bare: bool = False) -> list[str]:
    """Every record id in refs/notes/mem, read with plain git only."""
    where = ["--git-dir", str(repo)] if bare else ["-C", str(repo)]
    ids = []
    for line in g.run(*where, "notes", "--ref=mem", "list").splitlines():
        _blob, annotated = line.split()
        ids += ID_LINE.findall(g.run(*where, "notes", "--ref=mem", "show", annotated))
    return sorted(ids)


def listed_ids(team: Team, where: Path) -> list[str]:
    result = team.mem(where, "list", "--json")
    assert result.code in (0, 1), result.err
    return sorted(row["id"] for row in json.loads(result.out)["records"])


def test_two_clones_keep_the_union_both_ways(team, g):
    a, b = team.root / "a", team.clone("b")
    mine = [team.save(a, "a on second"), team.save(a, "a on first", "HEAD~1")]
    theirs = [team.save(b, "b on second"), team.save(b, "b also on second")]
    result = team.sync(a)
    assert result.out == (
        "fetched 0 records from origin\n"
        "merged: 0 added, 0 removed, 0 updated, 0 conflicts\n"
        "pushed 2 records to origin\n"
    )
    result = team.sync(b)
    assert result.out == (
        "fetched 2 records from origin\n"
        "merged: 2 added, 0 removed, 0 updated, 0 conflicts\n"
        "pushed 2 records to origin\n"
    )
    assert team.sync(a).out == (
        "fetched 2 records from origin\n"
        "merged: 2 added, 0 removed, 0 updated, 0 conflicts\n"
        "origin is up to date\n"
    )
    everything = sorted(mine + theirs)
    for clone in (a, b):
        assert note_ids(g, clone) == everything
        assert listed_ids(team, clone) == everything
    assert note_ids(g, team.remote, bare=True) == everything
    # b's merge commit has both tips as parents; a fast-forwarded to it.
    tip = g.run("rev-parse", "refs/notes/mem", cwd=a).strip()
    assert tip == g.run("rev-parse", "refs/notes/mem", cwd=b).strip()
    assert len(g.run("rev-parse", f"{tip}^@", cwd=a).split()) == 2
    # Both records on the shared commit read back in git's own view of the notes.
    second = g.run("log", "-1", "--notes=mem", "--format=%N", "HEAD", cwd=a)
    assert sorted(ID_LINE.findall(second)) == sorted([mine[0], *theirs])
    for clone in (a, b):
        assert g.proc("config", "--get-all", "remote.origin.push", cwd=clone).stdout == ""
        g.fsck(clone)
    g.fsck(team.remote)


def test_sync_never_writes_a_push_refspec_and_git_push_still_pushes_the_branch(team, g):
    a = team.root / "a"
    team.save(a, "a note")
    team.sync(a)
    assert g.proc("config", "--get-all", "remote.origin.push", cwd=a).stdout == ""
    g.run("commit", "-q", "--allow-empty", "-m", "third", cwd=a)
    g.run("push", "-q", cwd=a)
    head = g.run("rev-parse", "HEAD", cwd=a)
    assert g.run("--git-dir", str(team.remote), "rev-parse", "main") == head


def test_a_record_removed_on_one_side_is_removed_on_both(team, g):
    a, b = team.root / "a", team.clone("b")
    keep, gone = team.save(a, "keep me"), team.save(a, "remove me")
    team.sync(a)
    team.sync(b)
    assert team.mem(b, "rm", gone).code == 0
    assert team.sync(b).out == (
        "fetched 0 records from origin\n"
        "merged: 0 added, 0 removed, 0 updated, 0 conflicts\n"
        "pushed 1 record to origin\n"
    )
    result = team.sync(a)
    assert result.out.splitlines()[1] == "merged: 0 added, 1 removed, 0 updated, 0 conflicts"
    assert note_ids(g, a) == note_ids(g, b) == note_ids(g, team.remote, bare=True) == [keep]


def test_concurrent_edits_the_newer_wins_and_the_output_says_so(team, g):
    a, b = team.root / "a", team.clone("b")
    record = team.save(a, "shared record")
    team.sync(a)
    team.sync(b)
    sha = g.run("rev-parse", "HEAD", cwd=a).strip()
    # b edits first (stamped far in the future, so the order does not hang on the clock)...
    text = g.run("notes", "--ref=mem", "show", sha, cwd=b)
    later = text.replace("title: shared record", "title: b's edit").replace(
        "source: cli", "updated: 2099-01-01T00:00:00+00:00\nsource: cli"
    )
    blob = g.run("hash-object", "-w", "--stdin", cwd=b, input=later).strip()
    g.run("notes", "--ref=mem", "add", "-f", "-C", blob, sha, cwd=b)
    team.sync(b)
    # ...and a edits the same record now, then syncs: b's version is newer.
    assert team.mem(a, "edit", record, "--set", "title=a's edit").code == 0
    result = team.sync(a)
    assert result.out == (
        "fetched 1 record from origin\n"
        "merged: 0 added, 0 removed, 1 updated, 1 conflict\n"
        f"conflict: {record} on note {sha[:12]}: title changed on both sides; kept the remote "
        "value (updated 2099-01-01T00:00:00+00:00, newer); the local value stays in the notes "
        "history\n"
        "pushed 0 records to origin\n"
    )
    data = json.loads(team.mem(a, "show", record, "--json").out)
    assert data["title"] == "b's edit"
    # a's edit is not lost: it is in the merge commit's first parent.
    assert "title: a's edit" in g.run("log", "-p", "refs/notes/mem^1", "-1", cwd=a)
    assert "title: a's edit" not in g.run("notes", "--ref=mem", "show", sha, cwd=a)
    team.sync(b)
    assert g.run("notes", "--ref=mem", "show", sha, cwd=b) == g.run(
        "notes", "--ref=mem", "show", sha, cwd=a
    )


def test_remote_without_notes_and_local_without_notes(team, g):
    a, b = team.root / "a", team.clone("b")
    assert team.sync(b).out == (  # nobody has notes yet
        "fetched 0 records from origin\n"
        "merged: 0 added, 0 removed, 0 updated, 0 conflicts\n"
        "origin is up to date\n"
    )
    assert g.proc("--git-dir", str(team.remote), "rev-parse", "-q", "--verify",
                  "refs/notes/mem").stdout == ""  # fmt: skip
    record = team.save(a, "first note ever")
    team.sync(a)  # the remote had none
    assert note_ids(g, team.remote, bare=True) == [record]
    result = team.sync(b, "--json")  # b has none: it adopts the remote's tip, no merge commit
    data = json.loads(result.out)
    assert data["fetched"] == data["added"] == 1
    assert data["push"] == "up to date"
    assert data["conflicts"] == []
    tip = g.run("rev-parse", "refs/notes/mem", cwd=b).strip()
    assert tip == g.run("--git-dir", str(team.remote), "rev-parse", "refs/notes/mem").strip()
    assert data["tip"] == tip


def test_no_push_leaves_the_remote_alone(team, g):
    a = team.root / "a"
    team.save(a, "local only")
    result = team.sync(a, "--no-push")
    assert result.out.endswith("not pushed (--no-push)\n")
    assert g.proc("--git-dir", str(team.remote), "rev-parse", "-q", "--verify",
                  "refs/notes/mem").stdout == ""  # fmt: skip


def test_a_shallow_clone_syncs(team, g):
    a = team.root / "a"
    early = team.save(a, "before the shallow clone", "HEAD~1")
    team.sync(a)
    shallow = team.clone("shallow", "--depth=1")
    assert g.run("rev-parse", "--is-shallow-repository", cwd=shallow).strip() == "true"
    late = team.save(shallow, "from CI")
    team.save(a, "meanwhile in a")
    result = team.sync(shallow)
    assert result.out.splitlines()[-1] == "pushed 1 record to origin"
    team.sync(a)
    team.sync(shallow)
    assert note_ids(g, a) == note_ids(g, team.remote, bare=True) == note_ids(g, shallow)
    assert len(note_ids(g, a)) == 3
    assert early in note_ids(g, a) and late in note_ids(g, a)
    assert g.run("rev-parse", "--is-shallow-repository", cwd=shallow).strip() == "true"


def test_a_plain_fetch_then_any_command_merges(team, g):
    a, b = team.root / "a", team.clone("b")
    record = team.save(a, "from a")
    team.sync(a)
    mine = team.save(b, "from b")
    g.run("fetch", "-q", cwd=b)  # init's refspec: refs/notes/remotes/origin/mem
    result = team.mem(b, "list")
    assert result.code == 0
    assert result.err == (
        "git-mem: merged notes fetched from origin: 1 added, 0 removed, 0 updated, 0 conflicts\n"
    )
    assert record in result.out and mine in result.out
    assert team.mem(b, "list").err == ""  # merged once
    assert note_ids(g, b) == sorted([record, mine])
    team.sync(b)
    assert note_ids(g, team.remote, bare=True) == sorted([record, mine])


def test_sync_refuses_unknown_remote_and_says_which_remote_to_use(team, g):
    a = team.root / "a"
    result = team.mem(a, "sync", "nowhere")
    assert (result.code, result.err) == (2, "git-mem: error: no remote named 'nowhere'; see "
                                            "`git remote -v`\n")  # fmt: skip
    g.run("remote", "rename", "origin", "upstream", cwd=a)
    g.run("remote", "add", "other", str(team.remote), cwd=a)
    g.run("config", "--unset", "branch.main.remote", cwd=a)
    result = team.mem(a, "sync")
    assert (result.code, result.err) == (
        2,
        "git-mem: error: no upstream and no remote named origin; name one: git mem sync REMOTE "
        "(remotes: other, upstream)\n",
    )
    g.run("config", "branch.main.remote", "upstream", cwd=a)
    assert team.sync(a).out.endswith("upstream is up to date\n")


@pytest.mark.slow
def test_four_clones_syncing_at_once_keep_every_record(team, g):
    clones = [team.root / "a", *(team.clone(name) for name in "bcd")]
    saved = []
    for clone in clones:
        for n in range(3):
            saved.append(team.save(clone, f"{clone.name} record {n}", ("HEAD", "HEAD~1")[n % 2]))
    procs = [
        subprocess.Popen(
            ["git-mem", "sync", "--json"], cwd=clone, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for clone in clones
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
        # Each clone had records nobody else had: each must have pushed, whoever lost a race.
        assert json.loads(out)["push"] == "pushed"
    for clone in clones:  # everyone catches up with the last pusher
        team.sync(clone)
    everything = sorted(saved)
    assert note_ids(g, team.remote, bare=True) == everything
    for clone in clones:
        assert note_ids(g, clone) == everything
        assert g.proc("config", "--get-all", "remote.origin.push", cwd=clone).stdout == ""
        g.fsck(clone)
    g.fsck(team.remote)


def test_a_shallow_clone_with_shallow_notes_history_syncs(team, g):
    a = team.root / "a"
    first = team.save(a, "first")
    team.sync(a)
    second = team.save(a, "second", "HEAD~1")
    team.sync(a)
    shallow = team.clone("ci", "--depth=1")
    # As a CI job would (a shallow clone works): only the tip of the notes history, no ancestors.
    g.run("fetch", "-q", "--depth=1", "origin", "refs/notes/mem:refs/notes/mem", cwd=shallow)
    assert g.proc("rev-parse", "-q", "--verify", "refs/notes/mem^", cwd=shallow).returncode != 0
    deployed = team.save(shallow, "deployed")
    meanwhile = team.save(a, "meanwhile")
    team.sync(a)
    result = team.sync(shallow)
    assert result.out.splitlines()[1] == "merged: 1 added, 0 removed, 0 updated, 0 conflicts"
    team.sync(a)
    everything = sorted([first, second, deployed, meanwhile])
    assert note_ids(g, a) == note_ids(g, team.remote, bare=True) == everything
    assert note_ids(g, shallow) == everything
    g.fsck(team.remote)


def test_saves_during_a_sync_are_kept(team, g):
    a, b = team.root / "a", team.clone("b")
    theirs = [team.save(b, f"b record {n}") for n in range(5)]
    team.sync(b)
    mine = [team.save(a, "before the sync")]
    sync = subprocess.Popen(
        ["git-mem", "sync"], cwd=a, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    saves = [
        subprocess.Popen(
            ["git-mem", "save", "--commit", "HEAD", "-m", f"during the sync {n}"],
            cwd=a,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    for proc in saves:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        mine.append(out.split()[1])
    _out, err = sync.communicate(timeout=300)
    assert sync.returncode == 0, err.decode()
    team.sync(a)
    assert note_ids(g, a) == note_ids(g, team.remote, bare=True) == sorted(mine + theirs)
    g.fsck(a)


def test_unreachable_remote_and_a_remote_that_refuses(team, g, tmp_path):
    a = team.root / "a"
    g.run("remote", "add", "gone", str(tmp_path / "nowhere.git"), cwd=a)
    result = team.mem(a, "sync", "gone")
    assert (result.code, result.err) == (
        128,
        f"git-mem: error: could not fetch notes from gone: '{tmp_path / 'nowhere.git'}' does not "
        "appear to be a git repository\n",
    )
    team.save(a, "refused")
    hook = team.remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no notes here' >&2\nexit 1\n")
    hook.chmod(0o755)
    result = team.mem(a, "sync")  # refused for good: no retries, one line
    assert (result.code, result.err) == (
        128,
        "git-mem: error: origin refused the notes: [remote rejected] (pre-receive hook declined)\n",
    )
    assert g.proc("--git-dir", str(team.remote), "rev-parse", "-q", "--verify",
                  "refs/notes/mem").stdout == ""  # fmt: skip


def added_line(remote: str = "origin") -> str:
    return (
        f"gitmem: added +refs/notes/mem*:refs/notes/remotes/{remote}/mem* to "
        f"remote.{remote}.fetch, so `git fetch` brings the memories on commits "
        "(`git mem init` sets up the rest)\n"
    )


def test_a_clone_without_init_gets_the_notes_refspec_from_its_first_read(
    tmp_path, g, monkeypatch, mem
):
    team = Team(tmp_path, g, monkeypatch, mem, commits=1, init=False)
    a = team.root / "a"
    assert team.mem(a, "init").code == 0
    decided = team.save(a, "Use structlog")
    team.sync(a)
    b = team.clone("b")  # never runs `git mem init`
    first = team.mem(b, "list")
    assert (first.code, first.err) == (
        1,
        added_line() + "git-mem: warning: no memories yet: try git mem save\n",
    )
    assert g.run("config", "--get-all", "remote.origin.fetch", cwd=b) == (
        "+refs/heads/*:refs/remotes/origin/*\n+refs/notes/mem*:refs/notes/remotes/origin/mem*\n"
    )
    # Now a plain `git fetch` brings the notes, and the next read merges them; said once only.
    g.run("fetch", "-q", cwd=b)
    second = team.mem(b, "list", "--json")
    assert [row["id"] for row in json.loads(second.out)["records"]] == [decided]
    assert added_line() not in second.err


def test_a_clone_without_init_gets_the_notes_refspec_from_sync(tmp_path, g, monkeypatch, mem):
    team = Team(tmp_path, g, monkeypatch, mem, commits=1, init=False)
    b = team.clone("b")
    result = team.sync(b)
    assert result.err == added_line()
    assert team.sync(b).err == ""
    # A clone where `init` ran and a person took the refspec out again: left as it is.
    c = team.clone("c")
    assert team.mem(c, "init").code == 0
    g.run("config", "--unset", "remote.origin.fetch", "refs/notes", cwd=c)
    assert team.sync(c).err == ""
    assert "refs/notes" not in g.run("config", "--get-all", "remote.origin.fetch", cwd=c)
