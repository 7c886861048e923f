"""`git mem sync --all` shares refs/gitmem/sessions between real clones of a bare remote:
fetched into a tracking ref, merged (union of sessions, union of messages by hash), pushed
never forced. Every outcome is cross-checked with plain git on the clones and the remote."""

from __future__ import annotations

import json
from pathlib import Path

import gitrepo
import pytest

from gitmem.sessions import transcripts
from gitmem.sessions.transcripts import Message, Transcript
from gitmem.store import git

REF = "refs/gitmem/sessions"


class Team(gitrepo.Team):
    def sync(self, where: Path, *args: str) -> list[str]:
        result = self.mem(where, "sync", "--all", *args)
        assert result.code == 0, result.err
        return result.out.splitlines()

    def tip(self, where: Path, ref: str = REF) -> str:
        return super().tip(where, ref)

    def remote_tip(self, ref: str = REF) -> str:
        return super().remote_tip(ref)

    def blob(self, where: Path | str, sid: str) -> list[dict]:  # type: ignore[type-arg]
        args = ("--git-dir", str(where)) if str(where).endswith(".git") else ()
        text = self.g.run(*args, "cat-file", "-p", f"{REF}:{sid}.jsonl", cwd=self.root)
        return [json.loads(line) for line in text.splitlines()]


@pytest.fixture
def team(tmp_path, g, monkeypatch, mem) -> Team:  # type: ignore[no-untyped-def]
    return Team(tmp_path, g, monkeypatch, mem)


def _session(team: Team, where: Path, label: str, *texts: str) -> str:
    started = team.mem(where, "session", "start", "--label", label, "--json")
    sid = json.loads(started.out)["id"]
    for text in texts:
        assert team.mem(where, "session", "log", text).code == 0
    assert team.mem(where, "session", "end", "--summary", f"{label} done").code == 0
    return sid


def test_second_clone_sees_transcript_and_summary_after_sync_all(team, g):
    a, b = team.root / "a", team.clone("b")
    sid = _session(team, a, "alpha", "first question", "second question")
    # The summary travels with the branch (a file in .memory/), the transcript with sync --all.
    g.run("add", ".memory", cwd=a)
    g.run("commit", "-q", "-m", "session summary", cwd=a)
    g.run("push", "-q", "origin", "main", cwd=a)
    assert team.sync(a)[-1] == "sessions: pushed 1 to origin"
    assert team.remote_tip() == team.tip(a)
    # A plain sync leaves the sessions alone.
    assert team.mem(b, "sync").code == 0
    assert g.proc("rev-parse", "--verify", "-q", REF, cwd=b).returncode == 1
    g.run("pull", "-q", "origin", "main", cwd=b)
    assert team.sync(b)[-1] == "sessions: took in 1 from origin"
    assert team.tip(b) == team.tip(a)
    assert team.tip(b, "refs/gitmem/remotes/origin/sessions") == team.tip(a)
    assert [m["content"] for m in team.blob(b / ".git", sid)[1:]] == [
        "first question",
        "second question",
    ]
    shown = json.loads(team.mem(b, "session", "show", sid, "--json").out)
    assert shown["session"]["status"] == "ended" and shown["session"]["label"] == "alpha"
    assert shown["summary"]["body"].startswith("alpha done")
    assert [m["content"] for m in shown["messages"]] == ["first question", "second question"]
    assert team.sync(b) == [*team.sync(b)[:-1], "sessions: up to date with origin"]
    g.fsck(a)
    g.fsck(b)


def test_diverged_refs_merge_sessions_and_messages(team, g):
    a, b = team.root / "a", team.clone("b")
    only_a = _session(team, a, "only a", "from a")
    team.sync(a)
    team.sync(b)
    only_b = _session(team, b, "only b", "from b")
    only_a2 = _session(team, a, "only a2", "from a again")
    # The same session on both sides, each with a message the other lacks; b's has ended.
    shared = "sh4redsess1d"
    m1 = Message.new("user", "common", "2026-11-22T01:00:00.000001+00:00")
    m2 = Message.new("assistant", "a's reply", "2026-11-22T01:00:02.000000+00:00")
    m3 = Message.new("assistant", "b's reply", "2026-11-22T01:00:01.000000+00:00")
    header = {"session": shared, "label": "shared", "source": "session", "started": "x"}
    team.monkeypatch.chdir(a)
    transcripts.put(git.discover(), Transcript(dict(header), [m1, m2]), "a's side")
    team.monkeypatch.chdir(b)
    ended = {**header, "ended": "2026-11-22T02:00:00+00:00", "summary_id": "s1"}
    transcripts.put(git.discover(), Transcript(ended, [m3, m1]), "b's side")

    assert team.sync(a)[-1] == "sessions: pushed 2 to origin"
    lines = team.sync(b)
    assert lines[-2:] == [
        "sessions: took in 2 from origin (1 merged with yours)",
        "sessions: pushed 2 to origin",
    ]
    merge = team.tip(b)
    assert g.run("rev-list", "--parents", "-n", "1", merge, cwd=b).split()[1:] == [
        g.run("rev-parse", f"{merge}^1", cwd=b).strip(),
        g.run("rev-parse", f"{merge}^2", cwd=b).strip(),
    ]
    assert team.remote_tip() == merge
    team.sync(a)
    assert team.tip(a) == merge
    names = g.run("ls-tree", "--name-only", REF, cwd=a).split()
    assert sorted(names) == sorted(f"{s}.jsonl" for s in (only_a, only_b, only_a2, shared))
    lines = team.blob(team.remote, shared)
    assert lines[0]["ended"] == "2026-11-22T02:00:00+00:00" and lines[0]["summary_id"] == "s1"
    assert [m["content"] for m in lines[1:]] == ["common", "b's reply", "a's reply"]
    g.fsck(a)
    g.fsck(b)


def test_no_push_and_json(team, g):
    a = team.root / "a"
    sid = _session(team, a, "local", "hello")
    assert team.sync(a, "--no-push")[-1] == "sessions: not pushed (--no-push)"
    assert g.proc("--git-dir", str(team.remote), "rev-parse", "-q", "--verify", REF).returncode
    team.monkeypatch.chdir(a)
    data = json.loads(team.mem(a, "sync", "--all", "--json").out)["sessions"]
    assert data["push"] == "pushed" and data["pushed"] == [sid]
    assert data["outcome"] == "none on the remote" and data["tip"] == team.remote_tip()


def test_a_push_that_loses_a_race_is_fetched_merged_and_retried(team, g):
    a, b, c = team.root / "a", team.clone("b"), team.clone("c")
    from_a = _session(team, a, "a", "from a")
    team.sync(a)
    team.sync(b)
    team.sync(c)
    from_c = _session(team, c, "c", "from c")
    # c's tip sits on the remote under another name; the remote's pre-receive hook moves the
    # shared ref to it on the first push it sees, and declines that push: b loses a race.
    g.run("push", "-q", "origin", f"{REF}:refs/gitmem/c-sessions", cwd=c)
    marker = team.root / "raced"
    hook = team.remote / "hooks" / "pre-receive"
    hook.write_text(
        "#!/bin/sh\n"
        f"if [ ! -e '{marker}' ]; then\n"
        f"  touch '{marker}'\n"
        "  unset GIT_QUARANTINE_PATH  # git forbids ref updates from inside the quarantine\n"
        f"  git update-ref {REF} $(git rev-parse refs/gitmem/c-sessions)\n"
        "  exit 1\n"
        "fi\n"
    )
    hook.chmod(0o755)
    from_b = _session(team, b, "b", "from b")
    team.monkeypatch.chdir(b)
    data = json.loads(team.mem(b, "sync", "--all", "--json").out)["sessions"]
    assert marker.exists()
    assert (data["attempts"], data["push"], data["outcome"]) == (2, "pushed", "merged")
    assert data["taken"] == [from_c] and data["pushed"] == [from_b]
    names = g.run("--git-dir", str(team.remote), "ls-tree", "--name-only", REF).split()
    assert sorted(names) == sorted(f"{s}.jsonl" for s in (from_a, from_b, from_c))
    assert team.remote_tip() == team.tip(b)
