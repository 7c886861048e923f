"""Conversations are searchable: `git mem search --sessions/--everything` and `session show
--around` on real repositories, over sessions imported with `git mem import` and logged with
`git mem session ...`; the message index is refreshed by transcript blob id (what a refresh
read is counted, and so are the messages the index holds)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import gitrepo
import pytest
from importtime import gitmem_loads

from gitmem.search import sessions_index
from gitmem.sessions import search as sessions_search
from gitmem.store import git

REF = "refs/gitmem/sessions"
FIXTURE = Path(__file__).parent.parent / "fixtures" / "claude_code.jsonl"

CHAT = [
    ("user", "How long do refresh tokens live?", "2026-11-20T10:00:00Z"),
    ("assistant", "Refresh tokens live 30 days; access tokens 15 minutes.", "2026-11-20T10:00:05Z"),
    ("user", "Why did we pick PostgreSQL over MongoDB?", "2026-11-20T10:01:00Z"),
    ("assistant", "Relational data, and JSONB covers the flexible parts.", "2026-11-20T10:01:09Z"),
    ("user", "Thanks.", "2026-11-20T10:02:00Z"),
]


def write_chat(path: Path, messages: list[tuple[str, str, str]]) -> Path:
    lines = [json.dumps({"role": r, "content": c, "timestamp": t}) for r, c, t in messages]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_chat_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_chat(mem, path: Path) -> str:  # type: ignore[no-untyped-def]
    result = mem("import", str(path), "--json")
    assert result.code == 0, result.err
    return str(json.loads(result.out)["sessions"][0]["id"])


def index_now() -> sessions_index.MessageIndex:
    return sessions_search.index(git.discover())


def test_search_sessions_finds_the_imported_message(repo, mem, tmp_path):
    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    result = mem("search", "--sessions", "refresh", "tokens")
    assert result.code == 0, result.err
    assert result.out == (
        f"{sid} #2     assistant 2026-11-20 10:00\n"
        "    Refresh tokens live 30 days; access tokens 15 minutes.\n"
        f"{sid} #1     user      2026-11-20 10:00\n"
        "    How long do refresh tokens live?\n"
    )
    data = json.loads(mem("search", "--sessions", "postgresql", "--json").out)
    assert data == {
        "query": "postgresql",
        "count": 1,
        "hits": [
            {
                "kind": "message",
                "score": data["hits"][0]["score"],
                "session": sid,
                "message": 3,
                "role": "user",
                "time": "2026-11-20T10:01:00Z",
                "snippet": "Why did we pick PostgreSQL over MongoDB?",
            }
        ],
    }
    assert data["hits"][0]["score"] > 0
    # Strict syntax and the message fields: role:, session:.
    only_user = json.loads(mem("search", "--sessions", "tokens role:user", "--json").out)
    assert [(h["message"], h["role"]) for h in only_user["hits"]] == [(1, "user")]
    assert mem("search", "--sessions", f"session:{sid} jsonb", "--json").code == 0
    missing = mem("search", "--sessions", "kubernetes")
    assert (missing.code, missing.out) == (1, "")
    assert missing.err == "git-mem: warning: no messages match 'kubernetes'\n"


def test_a_reimport_reads_nothing_and_adds_nothing(repo, mem, tmp_path):
    chat = write_chat(tmp_path / "chat.jsonl", CHAT)
    import_chat(mem, chat)
    first = index_now()
    assert (first.transcripts_read, first.messages_added, first.count) == (1, 5, 5)
    assert mem("import", str(chat)).code == 0
    assert mem("search", "--sessions", "tokens").code == 0
    again = index_now()
    assert (again.transcripts_read, again.messages_added, again.count) == (0, 0, 5)
    # A Claude Code session that grew (its sessionId is its identity): that transcript, and
    # only that one, is read again.
    assert mem("import", str(FIXTURE)).code == 0
    assert index_now().count == 5 + 12
    line = next(x for x in FIXTURE.read_text().splitlines() if '"role": "user"' in x)
    entry = json.loads(line)
    entry.update(uuid="a1000000-0000-4000-8000-0000000000ff", timestamp="2025-06-02T19:00:00Z")
    entry["message"]["content"] = "One more thing: log every retry with its backoff."
    write_chat_lines(tmp_path / "later.jsonl", [json.dumps(entry)])
    assert mem("import", str(tmp_path / "later.jsonl")).code == 0
    after = index_now()
    assert (after.transcripts_read, after.messages_added, after.count) == (1, 9, 18)
    hit = json.loads(mem("search", "--sessions", "backoff retry log", "--json").out)["hits"]
    assert (hit[0]["message"], hit[0]["role"]) == (9, "user")


def test_a_logged_session_is_searchable_once_ended(repo, mem):
    sid = json.loads(mem("session", "start", "--label", "cache", "--json").out)["id"]
    assert mem("session", "log", "why is the cache warmed at startup?").code == 0
    assert mem("session", "log", "--role", "assistant", "so the first request is fast").code == 0
    # Not ended yet: its log is local, not a transcript on the ref.
    assert mem("search", "--sessions", "cache").code == 1
    assert mem("session", "end", "--summary", "cache warm-up explained").code == 0
    data = json.loads(mem("search", "--sessions", "warmed", "--json").out)
    assert [(h["session"], h["message"], h["role"]) for h in data["hits"]] == [(sid, 1, "user")]


def test_a_removed_transcript_is_dropped(repo, mem, g, tmp_path):
    keep = import_chat(mem, write_chat(tmp_path / "a.jsonl", CHAT[:2]))
    gone = import_chat(mem, write_chat(tmp_path / "b.jsonl", CHAT[2:]))
    assert index_now().count == 5
    # Plain git takes `gone` off the ref (a commit whose tree lacks it).
    listing = g.run("ls-tree", REF)
    kept = "".join(line + "\n" for line in listing.splitlines() if gone not in line)
    tree = g.run("mktree", input=kept).strip()
    commit = g.run("commit-tree", tree, "-p", REF, "-m", "drop one").strip()
    g.run("update-ref", REF, commit)
    assert mem("search", "--sessions", "postgresql").code == 1
    now = index_now()
    assert (now.transcripts_read, now.count, now.sessions) == (0, 2, 1)
    assert json.loads(mem("search", "--sessions", "tokens", "--json").out)["hits"][0][
        "session"
    ] == (keep)


def test_a_missing_or_damaged_index_is_rebuilt(repo, mem, tmp_path):
    import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    assert mem("search", "--sessions", "tokens").code == 0
    root = sessions_index.root_of(git.discover())
    (root / "manifest").write_bytes(b"not a manifest")
    assert mem("search", "--sessions", "tokens").code == 0
    assert index_now().count == 5
    shutil.rmtree(root)
    assert mem("search", "--sessions", "jsonb").code == 0
    for segment in root.glob("ix-*/*.seg"):
        segment.write_bytes(b"\0" * 64)  # damage only reading shows
    assert json.loads(mem("search", "--sessions", "jsonb", "--json").out)["count"] == 1


def test_show_around_opens_the_transcript_at_the_message(repo, mem, tmp_path):
    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    result = mem("session", "show", sid[:6], "--around", "3", "--window", "1")
    assert result.code == 0, result.err
    assert result.out == (
        f"session {sid}\n"
        "messages 2-4 of 5, around 3\n"
        "  #2 [2026-11-20 10:00:05] assistant: Refresh tokens live 30 days; access tokens 15 "
        "minutes.\n"
        "> #3 [2026-11-20 10:01:00] user: Why did we pick PostgreSQL over MongoDB?\n"
        "  #4 [2026-11-20 10:01:09] assistant: Relational data, and JSONB covers the flexible "
        "parts.\n"
    )
    edge = mem("session", "show", sid, "--around", "1")
    assert edge.out.splitlines()[1:3] == [
        "messages 1-4 of 5, around 1",
        "> #1 [2026-11-20 10:00:00] user: How long do refresh tokens live?",
    ]
    data = json.loads(mem("session", "show", sid, "--around", "5", "--window", "0", "--json").out)
    assert (data["around"], data["total"]) == (5, 5)
    assert data["messages"] == [
        {
            "number": 5,
            "role": "user",
            "content": "Thanks.",
            "timestamp": "2026-11-20T10:02:00Z",
            "hash": data["messages"][0]["hash"],
        }
    ]
    bad = mem("session", "show", sid, "--around", "6")
    assert (bad.code, bad.out) == (2, "")
    assert bad.err == (
        f"git-mem: error: session {sid} has 5 messages: --around takes 1 to 5, not 6\n"
    )
    assert mem("session", "show", sid, "--around", "2", "--window", "-1").code == 2


def test_sort_newest_orders_messages_by_time(repo, mem, tmp_path):
    import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    ranked = json.loads(mem("search", "--sessions", "tokens", "--json").out)["hits"]
    assert [h["message"] for h in ranked] == [2, 1]  # "tokens" twice in message 2
    ranked = json.loads(mem("search", "--sessions", "tokens OR jsonb", "--json").out)["hits"]
    newest = mem("search", "--sessions", "tokens OR jsonb", "--sort", "newest", "--json")
    assert [h["message"] for h in json.loads(newest.out)["hits"]] == [4, 2, 1]
    assert sorted(h["message"] for h in ranked) == [1, 2, 4]


def test_show_around_loads_no_search_engine(repo, mem, tmp_path):
    """Opening a transcript at a message reads the transcript's blob: Whoosh is not loaded."""
    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    command = ["session", "show", sid, "--around", "2"]
    proc, loaded = gitmem_loads(command, repo)
    assert proc.returncode == 0, proc.stderr
    assert "gitmem.sessions.search" in loaded
    assert not {name for name in loaded if name.split(".")[0] == "whoosh"}


def test_everything_ranks_records_and_messages_in_one_list(repo, mem, tmp_path):
    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    saved = mem("save", "-t", "decision", "--title", "Use MongoDB for events", "-m", "Append only.")
    rid = saved.saved_id
    result = mem("search", "--everything", "mongodb")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 4
    kinds = sorted(line.split()[0] for line in lines[::2])
    assert kinds == ["message", "record"]
    assert f"message {sid} #3     user      2026-11-20 10:01" in lines
    record_line = next(line for line in lines if line.startswith("record  "))
    assert record_line.startswith(f"record  {rid} ")
    data = json.loads(mem("search", "--everything", "mongodb", "--json").out)
    assert data["count"] == 2 and data["suggestion"] is None
    by_kind = {hit["kind"]: hit for hit in data["hits"]}
    assert by_kind["record"]["id"] == rid and by_kind["record"]["record"]["title"] == (
        "Use MongoDB for events"
    )
    assert (by_kind["message"]["session"], by_kind["message"]["message"]) == (sid, 3)
    # Record filters filter the records; with --sessions they are refused.
    only_facts = json.loads(
        mem("search", "--everything", "mongodb", "--type", "fact", "--json").out
    )
    assert [hit["kind"] for hit in only_facts["hits"]] == ["message"]
    refused = mem("search", "--sessions", "mongodb", "--type", "fact")
    assert (refused.code, refused.err) == (
        2,
        "git-mem: error: --type filters records: not with --sessions (try --everything)\n",
    )
    assert mem("search", "--sessions", "mongodb", "--ids").code == 2


def test_message_text_is_escaped_for_the_terminal(repo, mem, tmp_path):
    evil = [("user", "tokens \x1b]0;pwned\x07 here \u202e", "2026-11-20T10:00:00Z")]
    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", evil))
    result = mem("search", "--sessions", "tokens")
    assert result.out == (
        f"{sid} #1     user      2026-11-20 10:00\n    tokens \\x1b]0;pwned\\x07 here \\u202e\n"
    )
    shown = mem("session", "show", sid, "--around", "1")
    assert "\x1b" not in shown.out and "\\x1b]0;pwned" in shown.out


class Team(gitrepo.Team):
    pass


@pytest.fixture
def team(tmp_path, g, monkeypatch, mem) -> Team:  # type: ignore[no-untyped-def]
    return Team(tmp_path, g, monkeypatch, mem)


@pytest.mark.slow
def test_sessions_synced_from_a_peer_are_picked_up(team, tmp_path):
    a, b = team.root / "a", team.clone("b")
    chat = write_chat(tmp_path / "chat.jsonl", CHAT)
    team.monkeypatch.chdir(a)
    sid = import_chat(team._mem, chat)
    assert team.mem(a, "sync", "--all").code == 0
    assert team.mem(b, "search", "--sessions", "jsonb").code == 1  # b's index: empty
    assert team.mem(b, "sync", "--all").code == 0
    found = json.loads(team.mem(b, "search", "--sessions", "jsonb", "--json").out)
    assert [(h["session"], h["message"]) for h in found["hits"]] == [(sid, 4)]
    # b logs a session of its own; a picks up only that transcript.
    assert team.mem(b, "session", "start").code == 0
    assert team.mem(b, "session", "log", "the flaky deploy was a DNS timeout").code == 0
    assert team.mem(b, "session", "end", "--summary", "dns").code == 0
    assert team.mem(b, "sync", "--all").code == 0
    assert team.mem(a, "search", "--sessions", "tokens").code == 0
    assert team.mem(a, "sync", "--all").code == 0
    team.monkeypatch.chdir(a)
    refreshed = index_now()
    assert (refreshed.transcripts_read, refreshed.count) == (1, 6)
    hits = json.loads(team.mem(a, "search", "--sessions", "dns timeout", "--json").out)["hits"]
    assert [(h["role"], h["snippet"]) for h in hits] == [
        ("user", "the flaky deploy was a DNS timeout")
    ]


@pytest.mark.slow
def test_mcp_search_scope_records_sessions_all(repo, mem, tmp_path):
    from mcp import ClientSession
    from mcpclient import cli_json, drive, fails, ok

    sid = import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    rid = mem("save", "-t", "decision", "--title", "Use MongoDB for events", "-m", "x").saved_id

    async def scenario(session: ClientSession) -> None:
        records = await ok(session, "search", {"query": "mongodb"})
        assert [hit["id"] for hit in records["hits"]] == [rid]
        assert records == await ok(session, "search", {"query": "mongodb", "scope": "records"})
        messages = await ok(session, "search", {"query": "mongodb", "scope": "sessions"})
        assert [(h["kind"], h["session"], h["message"], h["role"]) for h in messages["hits"]] == [
            ("message", sid, 3, "user")
        ]
        assert messages == cli_json("search", "--sessions", "mongodb")
        both = await ok(session, "search", {"query": "mongodb", "scope": "all"})
        assert sorted(hit["kind"] for hit in both["hits"]) == ["message", "record"]
        assert both == cli_json("search", "--everything", "mongodb")
        facts = await ok(session, "search", {"query": "mongodb", "scope": "all", "type": "fact"})
        assert [hit["kind"] for hit in facts["hits"]] == ["message"]
        refused = await fails(
            session, "search", {"query": "mongodb", "scope": "sessions", "type": "fact"}
        )
        assert refused == "type filter records: not with scope=sessions"
        wrong = await fails(session, "search", {"query": "mongodb", "scope": "chats"})
        assert wrong.startswith("invalid arguments for search: scope: 'chats' is not one of")

    drive(repo, scenario)


def test_reindex_sessions_builds_and_rebuilds_the_message_index(repo, mem, tmp_path):
    import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    root = sessions_index.root_of(git.discover())
    first = mem("reindex", "--sessions")
    assert first.code == 0, first.err
    last = first.out.splitlines()[-1]
    assert last.startswith("session index up to date: 5 messages of 1 session in ")
    assert last.endswith(f" s ({root})")
    assert index_now().transcripts_read == 0  # the reindex did the reading
    data = json.loads(mem("reindex", "--sessions", "--full", "--json").out)
    assert {k: data["sessions"][k] for k in ("messages", "sessions", "transcripts_read")} == {
        "messages": 5,
        "sessions": 1,
        "transcripts_read": 1,
    }
    assert "sessions" not in json.loads(mem("reindex", "--json").out)


def test_a_question_ranks_messages_as_it_ranks_records(repo, mem, tmp_path):
    """Plain words rank (any may match, question words need not, a prefix reaches its word),
    the message matching more of them first; `role:` stays strict."""
    import_chat(mem, write_chat(tmp_path / "chat.jsonl", CHAT))
    found = mem("search", "--sessions", "--json", "how long do the refresh tokens last?")
    hits = json.loads(found.out)["hits"]
    assert [(h["message"], h["role"]) for h in hits][:2] == [(1, "user"), (2, "assistant")]
    postgres = json.loads(mem("search", "--sessions", "--json", "why postgres").out)["hits"]
    assert [h["message"] for h in postgres] == [3]  # postgres -> postgresql; `why` need not match
    answer = mem("search", "--sessions", "--json", "refresh tokens role:assistant")
    assert [h["message"] for h in json.loads(answer.out)["hits"]] == [2]
    strict = mem("search", "--sessions", "how long do the refresh tokens last?", "--match", "all")
    assert strict.code == 1  # every word required: `last` is in no message
