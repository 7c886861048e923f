"""`git mem session`: start -> log -> end writes the summary file and the transcript ref; crash
recovery from a new process; the library API other commands build on. Cross-checked with git."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import frontmatter

from gitmem.records.store import Store
from gitmem.sessions import sessions, summary, transcripts
from gitmem.store import git


def _json(result):  # type: ignore[no-untyped-def]
    assert result.code == 0, result.err
    return json.loads(result.out)


def _transcript(g, repo: Path, sid: str) -> list[dict]:  # type: ignore[no-untyped-def]
    text = g.run("cat-file", "-p", f"{transcripts.REF}:{sid}.jsonl", cwd=repo)
    return [json.loads(line) for line in text.splitlines()]


def test_start_log_end_writes_summary_file_and_transcript_ref(repo, mem, g):
    started = _json(
        mem("session", "start", "--label", "sync retry", "--tool", "claude-code", "--json")
    )
    sid = started["id"]
    assert len(sid) == 12 and started["label"] == "sync retry" and started["worktree"] == "main"
    assert mem("session", "log", "why", "does", "sync", "retry?").code == 0
    assert mem("session", "log", "--role", "assistant", "-", stdin="Because\nof races.\n").code == 0
    assert mem("session", "log", "--role", "tool", "pytest: 3 passed").code == 0
    saved = mem("save", "-t", "decision", "-m", "Bound the push retry")
    other = mem("save", "-t", "fact", "-m", "Pushes race")
    ended = mem("session", "end", "--summary", "Bounded the retry.\n\nDetails here.")
    assert ended.code == 0, ended.err
    lines = ended.out.splitlines()
    assert lines[0] == f"ended session {sid} (sync retry): 3 messages"
    assert lines[1] == f"transcript: refs/gitmem/sessions:{sid}.jsonl"
    summary_id = summary.summary_id(sid)
    location = f".memory/sessions/{started['started'][:10]}-session-sync-retry-bounded-the-retry.md"
    assert lines[2] == f"summary: {summary_id} in {location}"
    assert lines[3] == f"linked: {', '.join(sorted([saved.saved_id, other.saved_id]))}"

    post = frontmatter.load(repo / location)
    assert post.metadata == {
        "id": summary_id,
        "type": "episodic",
        "title": "Session sync retry: Bounded the retry.",
        "created": post["created"],
        "author": "Test User <test@example.com>",
        "status": "active",
        "tags": ["session"],
        "source": "session",
        "tool": "claude-code",
        "links": sorted([saved.saved_id, other.saved_id]),
        "session": sid,
    }
    assert (
        post.content
        == f"Bounded the retry.\n\nDetails here.\n\nTranscript: `git mem session show {sid}`"
    )
    # The records saved meanwhile carry the session id.
    for record in (saved, other):
        assert frontmatter.load(repo / record.location)["session"] == sid

    header, *messages = _transcript(g, repo, sid)
    assert header["session"] == sid and header["source"] == "session"
    assert header["label"] == "sync retry" and header["tool"] == "claude-code"
    assert header["summary_id"] == summary_id and header["ended"] >= header["started"]
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "why does sync retry?"),
        ("assistant", "Because\nof races.\n"),
        ("tool", "pytest: 3 passed"),
    ]
    assert all(len(m["hash"]) == 16 for m in messages)
    assert g.run("log", "--format=%s", transcripts.REF, cwd=repo) == f"session end {sid}\n"
    g.fsck(repo)
    # Nothing is left behind locally, and a record saved now carries no session.
    assert not list((repo / ".git/gitmem/sessions").glob(f"{sid}*"))
    after = mem("save", "-t", "fact", "-m", "after the session")
    assert "session" not in frontmatter.load(repo / after.location).metadata

    listed = _json(mem("session", "list", "--json"))["sessions"]
    assert [(s["id"], s["status"], s["messages"]) for s in listed] == [(sid, "ended", 3)]
    shown = _json(mem("session", "show", sid[:5], "--json"))
    assert shown["summary"]["id"] == summary_id
    assert shown["messages"][0]["content"] == "why does sync retry?"
    text = mem("session", "show", sid[:5]).out
    assert f"summary {summary_id}: Session sync retry: Bounded the retry." in text
    assert "] user: why does sync retry?" in text
    assert "] assistant:\n    Because\n    of races.\n" in text


def test_generated_summary_says_so(repo, mem):
    sid = _json(mem("session", "start", "--json"))["id"]
    mem("session", "log", "first question")
    mem("session", "log", "--role", "assistant", "an answer")
    ended = _json(mem("session", "end", "--json"))
    assert ended["generated"] is True and ended["session"]["messages"] == 2
    post = frontmatter.load(repo / ended["location"])
    assert post["title"] == f"Session {sid}: generated summary"
    assert post.content.startswith(
        "(Generated summary: no --summary was given.)\n\n2 messages (1 user, 1 assistant)"
    )
    assert "First user message: first question" in post.content


def test_start_while_active_is_refused_and_names_the_way_out(repo, mem):
    sid = _json(mem("session", "start", "--label", "one", "--json"))["id"]
    mem("session", "log", "hello")
    again = mem("session", "start")
    assert again.code == 2
    assert again.err.startswith(f"git-mem: error: session {sid} (one) is already active here")
    assert "with 1 message;" in again.err
    assert "`git mem session end`" in again.err and "--replace" in again.err


def test_log_and_end_without_a_session_are_usage_errors(repo, mem):
    for args in (("session", "log", "hi"), ("session", "end")):
        result = mem(*args)
        assert result.code == 2
        assert result.err == (
            "git-mem: error: no session is active in this worktree; "
            "start one with `git mem session start`\n"
        )
    assert mem("session", "list").code == 1
    assert mem("session", "show", "abcd").code == 1
    assert mem("session", "log", "--role", "robot", "x").code == 2


def test_a_crashed_session_goes_on_from_a_new_process(repo, mem, g):
    """The process that started and logged is gone (a subprocess); a new one carries on."""
    script = (
        "from gitmem.commands import open_store; from gitmem.sessions import sessions; import os\n"
        "s = open_store(); sid = sessions.start(s, label='crashy').id\n"
        "sessions.log(s, 'before the crash'); print(sid, flush=True); os._exit(9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    sid = proc.stdout.strip()
    # A torn last line, as a crash mid-append would leave.
    with open(repo / ".git/gitmem/sessions" / f"{sid}.jsonl", "a") as log:
        log.write('{"role": "user", "cont')
    status = mem("session", "status")
    assert status.code == 0
    assert status.out.startswith(f"{sid}  active ") and status.out.rstrip().endswith("crashy")
    assert mem("session", "log", "after the crash").code == 0
    ended = _json(mem("session", "end", "--json"))
    assert ended["session"]["id"] == sid
    _, *messages = _transcript(g, repo, sid)
    assert [m["content"] for m in messages] == ["before the crash", "after the crash"]


def test_parked_session_is_unfinished_and_can_be_resumed_or_ended_by_id(repo, mem, g):
    first = _json(mem("session", "start", "--label", "first", "--json"))["id"]
    mem("session", "log", "in the first")
    second = _json(mem("session", "start", "--replace", "--label", "second", "--json"))["id"]
    status = mem("session", "status")
    assert status.out.splitlines()[0].startswith(f"{second}  active ")
    assert status.out.splitlines()[1].startswith(f"{first}  unfinished ")
    data = _json(mem("session", "status", "--json"))
    assert data["active"]["id"] == second and [s["id"] for s in data["others"]] == [first]
    # The parked one ends by id while the other stays active.
    ended = mem("session", "end", first[:6], "--summary", "parked and ended")
    assert ended.code == 0, ended.err
    assert _transcript(g, repo, first)[1]["content"] == "in the first"
    assert _json(mem("session", "status", "--json"))["active"]["id"] == second
    # End the second; park nothing; a third is parked and resumed.
    mem("session", "end")
    third = _json(mem("session", "start", "--json"))["id"]
    mem("session", "start", "--replace")
    assert mem("session", "resume", third).code == 2  # another is active here
    mem("session", "end")
    resumed = mem("session", "resume", third[:5])
    assert resumed.out == f"resumed session {third}\n"
    assert sessions.active_id(Store(git.discover())) == third
    assert mem("session", "resume", first).err.endswith(f"session {first} has already ended\n")


def test_a_session_left_by_a_removed_worktree_is_resumed_in_another(repo, mem, g, monkeypatch):
    g.run("worktree", "add", "-q", str(repo.parent / "wt"), cwd=repo)
    monkeypatch.chdir(repo.parent / "wt")
    sid = _json(mem("session", "start", "--label", "in wt", "--json"))["id"]
    mem("session", "log", "from the worktree")
    monkeypatch.chdir(repo)
    assert sessions.active_id(Store(git.discover())) is None  # one active session per worktree
    g.run("worktree", "remove", "--force", str(repo.parent / "wt"), cwd=repo)
    listed = _json(mem("session", "list", "--json"))["sessions"]
    assert [(s["id"], s["status"], s["worktree"]) for s in listed] == [(sid, "unfinished", "wt-wt")]
    assert mem("session", "resume", sid).out == f"resumed session {sid} (in wt)\n"
    assert sessions.active_id(Store(git.discover())) == sid
    assert list((repo / ".git/gitmem/sessions/active").iterdir()) == [
        repo / ".git/gitmem/sessions/active/main"
    ]
    assert mem("session", "end").code == 0
    assert _transcript(g, repo, sid)[1]["content"] == "from the worktree"


def test_a_session_active_in_a_live_worktree_is_not_taken_over(repo, mem, g, monkeypatch):
    g.run("worktree", "add", "-q", str(repo.parent / "wt2"), cwd=repo)
    monkeypatch.chdir(repo.parent / "wt2")
    sid = _json(mem("session", "start", "--json"))["id"]
    monkeypatch.chdir(repo)
    listed = _json(mem("session", "list", "--json"))["sessions"]
    assert [(s["id"], s["status"], s["worktree"]) for s in listed] == [(sid, "active", "wt-wt2")]
    assert mem("session", "status").out.splitlines()[:2] == [
        "no session is active in this worktree",
        mem("session", "list").out.rstrip("\n"),
    ]
    assert mem("session", "list").out.endswith("  0 msgs  - [wt-wt2]\n")
    refused = mem("session", "resume", sid)
    assert refused.code == 2
    assert refused.err == (
        f"git-mem: error: session {sid} is active in worktree wt-wt2; end it there, or from "
        f"here with `git mem session end {sid}`\n"
    )
    # A stale pointer (its session's state removed by hand) does not block a new start.
    (repo / ".git/gitmem/sessions/active").mkdir(exist_ok=True)
    (repo / ".git/gitmem/sessions/active/main").write_text("0000000000zz\n")
    assert mem("session", "start").code == 0


def test_end_again_after_a_crash_writes_nothing_twice(repo, mem, g):
    sid = _json(mem("session", "start", "--json"))["id"]
    mem("session", "log", "one")
    store = Store(git.discover())
    # Simulate `end` dying after the summary and transcript were written: keep the local state.
    state = repo / ".git/gitmem/sessions"
    saved = {p.name: p.read_bytes() for p in state.rglob("*") if p.is_file()}
    first = sessions.end(store, summary="done")
    for name, data in saved.items():
        target = state / name if (state / name).parent.exists() else state / "active" / name
        target.write_bytes(data)
    (state / "active" / "main").write_text(sid + "\n")
    again = sessions.end(Store(git.discover()), summary="done")
    assert again.location is None and first.location is not None
    assert len(list((repo / ".memory/sessions").iterdir())) == 1
    _, *messages = _transcript(g, repo, sid)
    assert [m["content"] for m in messages] == ["one"]


def test_summary_from_stdin_and_log_json(repo, mem):
    sid = _json(mem("session", "start", "--json"))["id"]
    logged = _json(mem("session", "log", "--json", "--role", "tool", "-", stdin="ran\n"))
    assert (logged["session"], logged["role"], logged["content"]) == (sid, "tool", "ran\n")
    assert mem("session", "log", "a", "-").code == 2
    ended = _json(mem("session", "end", "--summary", "-", "--json", stdin="# Fixed it\n\nHow.\n"))
    post = frontmatter.load(repo / ended["location"])
    assert post["title"] == f"Session {sid}: Fixed it"
    assert post.content.startswith("# Fixed it\n\nHow.\n\nTranscript:")
    assert ended["generated"] is False and ended["ref"] == "refs/gitmem/sessions"
