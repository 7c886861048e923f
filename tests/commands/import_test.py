"""`git mem import`: Claude Code transcripts, generic JSONL and JSON exports into
refs/gitmem/sessions; re-import adds nothing; malformed lines named and skipped. Transcripts are
read back with plain git."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from gitrepo import on_terminal

from gitmem.store.record import derived_id

FIXTURE = Path(__file__).parent.parent / "fixtures" / "claude_code.jsonl"
REF = "refs/gitmem/sessions"
S1 = "4f35e220-c435-4cf7-b9b9-f40426042847"
S2 = "95e6f011-ec33-4b37-91ad-5d242b40ae3d"


def _blob(g, repo: Path, sid: str) -> tuple[dict, list[dict]]:  # type: ignore[no-untyped-def]
    lines = g.run("cat-file", "-p", f"{REF}:{sid}.jsonl", cwd=repo).splitlines()
    header, *messages = (json.loads(line) for line in lines)
    return header, messages


def test_claude_code_transcript_imports_by_session_and_reimport_adds_nothing(repo, mem, g):
    result = mem("import", str(FIXTURE))
    assert result.code == 0, result.err
    one, two = derived_id("import", "claude-code", S1), derived_id("import", "claude-code", S2)
    assert result.out == (
        "imported 2 sessions from 1 file: 12 messages added, 0 duplicates skipped, "
        "0 lines skipped\n"
        f"  {one}  claude-code       8 added       0 duplicates  new  "
        "Add retry to the payment client\n"
        f"  {two}  claude-code       4 added       0 duplicates  new  Explain the cache layer\n"
    )
    assert result.err == ""
    header, messages = _blob(g, repo, one)
    assert header == {
        "session": one,
        "label": "Add retry to the payment client",
        "tool": "claude-code",
        "source": "import",
        "started": "2025-06-02T18:46:51.120Z",
        "ended": "2025-06-02T18:47:10.000Z",
        "summary_id": None,
        "origin": S1,
        "format": "claude-code",
        "cwd": "/home/dev/shop",
        "branch": "main",
    }
    assert [m["role"] for m in messages] == [
        "user",
        "assistant",
        "assistant",
        "tool",
        "assistant",
        "tool",
        "assistant",
        "system",
    ]
    assert messages[1]["content"] == "Let me look at the client."  # the thinking block left out
    assert messages[2]["content"] == (
        '[tool_use Read] {"file_path": "/home/dev/shop/payments/client.py"}'
    )
    assert messages[3]["content"].startswith("[tool_result]      1\u2192import httpx\n")
    assert messages[5]["content"] == "[tool_result] The file was updated."
    assert messages[0]["timestamp"] == "2025-06-02T18:46:51.120Z"
    assert _blob(g, repo, two)[0]["branch"] == "cache-docs"
    tip = g.run("rev-parse", REF, cwd=repo)
    assert g.run("log", "--format=%s", REF, cwd=repo) == "import 2 sessions\n"

    again = mem("import", str(FIXTURE), "--json")
    data = json.loads(again.out)
    assert (data["messages_added"], data["duplicates_skipped"], data["lines_skipped"]) == (0, 12, 0)
    assert [(s["added"], s["new"]) for s in data["sessions"]] == [(0, False), (0, False)]
    assert data["ignored"] == 1  # the file-history-snapshot line
    assert g.run("rev-parse", REF, cwd=repo) == tip  # no commit for nothing
    listed = json.loads(mem("session", "list", "--json").out)["sessions"]
    assert [(s["id"], s["status"], s["messages"]) for s in listed] == [
        (two, "imported", 4),
        (one, "imported", 8),
    ]
    g.fsck(repo)


def test_a_transcript_that_grew_adds_only_the_new_messages(repo, mem, g, tmp_path):
    copy = tmp_path / "session.jsonl"
    lines = FIXTURE.read_text().splitlines(keepends=True)
    copy.write_text("".join(lines[:8]))
    first = json.loads(mem("import", str(copy), "--json").out)
    copy.write_text("".join(lines))
    second = json.loads(mem("import", str(copy), "--json").out)
    assert first["messages_added"] + second["messages_added"] == 12
    assert second["duplicates_skipped"] == first["messages_added"]
    one = derived_id("import", "claude-code", S1)
    _, messages = _blob(g, repo, one)
    assert [m["timestamp"] for m in messages] == sorted(m["timestamp"] for m in messages)
    assert len(messages) == 8


def test_malformed_lines_are_named_and_skipped(repo, mem, g, tmp_path):
    broken = tmp_path / "broken.jsonl"
    lines = FIXTURE.read_text().splitlines(keepends=True)
    lines.insert(4, '{"type": "user", "message": {"role": "user", "cont\n')  # line 5
    lines.insert(6, "[1, 2]\n")  # line 7
    no_session = json.loads(lines[3])
    del no_session["sessionId"]
    lines[3] = json.dumps(no_session) + "\n"  # line 4
    broken.write_text("".join(lines))
    result = mem("import", str(broken))
    assert result.code == 0
    assert result.err == (
        f"git-mem: warning: {broken}:4: a user line without a sessionId\n"
        f"git-mem: warning: {broken}:5: not valid JSON (Unterminated string starting at)\n"
        f"git-mem: warning: {broken}:7: not a JSON object\n"
    )
    assert result.out.startswith(
        "imported 2 sessions from 1 file: 11 messages added, 0 duplicates skipped, "
        "3 lines skipped\n"
    )
    data = json.loads(mem("import", str(broken), "--json").out)
    assert data["lines_skipped"] == 3 and len(data["problems"]) == 3
    assert data["messages_added"] == 0 and data["duplicates_skipped"] == 11


def test_generic_jsonl_is_one_session_per_file(repo, mem, g, tmp_path):
    chat = tmp_path / "chat.jsonl"
    chat.write_text(
        '{"role": "user", "content": "ok", "timestamp": "2026-01-01T10:00:00Z"}\n'
        '{"role": "assistant", "content": [{"type": "text", "text": "fine"}], '
        '"timestamp": "2026-01-01T10:00:01Z"}\n'
        "\n"
        '{"role": "user", "content": "ok", "timestamp": "2026-01-01T10:00:02Z"}\n'
        '{"content": "no role"}\n'
    )
    untimed = tmp_path / "untimed.jsonl"
    untimed.write_text('{"role": "user", "content": "a"}\n{"role": "user", "content": "a"}\n')
    result = mem("import", str(chat), str(untimed), "--label", "team chat", "--json")
    data = json.loads(result.out)
    assert data["problems"] == [f"{chat}:5: no role"]
    assert [(s["format"], s["added"], s["label"]) for s in data["sessions"]] == [
        ("jsonl", 3, "team chat"),
        ("jsonl", 2, "team chat"),  # "a" twice: two messages (their positions differ)
    ]
    sid = data["sessions"][0]["id"]
    header, messages = _blob(g, repo, sid)
    assert header["source"] == "import" and header["origin"] is None
    assert [(m["role"], m["content"]) for m in messages] == [
        ("user", "ok"),
        ("assistant", "fine"),
        ("user", "ok"),
    ]
    again = json.loads(mem("import", str(chat), str(untimed), "--json").out)
    assert (again["messages_added"], again["duplicates_skipped"]) == (0, 5)
    # The same bytes under another name are the same session.
    shutil.copy(chat, tmp_path / "renamed.jsonl")
    renamed = json.loads(mem("import", str(tmp_path / "renamed.jsonl"), "--json").out)
    assert renamed["sessions"][0]["id"] == sid and renamed["messages_added"] == 0


def test_generic_json_exports(repo, mem, g, tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text(
        json.dumps([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    )
    single = tmp_path / "single.json"
    single.write_text(
        json.dumps(
            {
                "id": "conv-1",
                "title": "Design review",
                "messages": [{"role": "user", "content": "x", "created_at": 1767261600}],
            }
        )
    )
    chatgpt = tmp_path / "conversations.json"
    chatgpt.write_text(
        json.dumps(
            [
                {
                    "title": "Cache TTL",
                    "conversation_id": "c-42",
                    "current_node": "n3",
                    "mapping": {
                        "root": {"message": None, "parent": None, "children": ["n1"]},
                        "n1": {
                            "parent": "root",
                            "message": {
                                "author": {"role": "system"},
                                "content": {"content_type": "text", "parts": [""]},
                            },
                        },
                        "n2": {
                            "parent": "n1",
                            "message": {
                                "author": {"role": "user"},
                                "create_time": 1767261600.5,
                                "content": {"content_type": "text", "parts": ["What TTL?"]},
                            },
                        },
                        "n3": {
                            "parent": "n2",
                            "message": {
                                "author": {"role": "assistant"},
                                "create_time": 1767261601.0,
                                "content": {"content_type": "text", "parts": ["Five minutes."]},
                            },
                        },
                    },
                },
                {
                    "id": "conv-2",
                    "messages": [{"role": "user", "content": "second"}, {"role": "user"}],
                },
            ]
        )
    )
    data = json.loads(mem("import", str(plain), str(single), str(chatgpt), "--json").out)
    assert data["problems"] == [f"{chatgpt}: conversation 2, message 2: no content"]
    found = {s["label"] or s["origin"] or "plain": s for s in data["sessions"]}
    assert sorted(found) == ["Cache TTL", "Design review", "conv-2", "plain"]
    assert found["Cache TTL"]["id"] == derived_id("import", "json", "c-42")
    _, messages = _blob(g, repo, found["Cache TTL"]["id"])
    assert [(m["role"], m["content"], m["timestamp"]) for m in messages] == [
        ("user", "What TTL?", "2026-01-01T10:00:00.500000+00:00"),
        ("assistant", "Five minutes.", "2026-01-01T10:00:01.000000+00:00"),
    ]
    _, messages = _blob(g, repo, found["Design review"]["id"])
    assert messages[0]["timestamp"] == "2026-01-01T10:00:00.000000+00:00"
    again = json.loads(mem("import", str(plain), str(single), str(chatgpt), "--json").out)
    assert again["messages_added"] == 0


def test_dry_run_writes_nothing_and_errors(repo, mem, g, tmp_path):
    dry = mem("import", str(FIXTURE), "--dry-run")
    assert dry.code == 0 and dry.out.startswith("would import 2 sessions from 1 file: 12 messages")
    assert g.proc("rev-parse", "--verify", "-q", REF, cwd=repo).returncode == 1
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    nothing = mem("import", str(empty))
    assert (nothing.code, nothing.out) == (1, "nothing to import: no messages in 1 file\n")
    missing = mem("import", str(tmp_path / "nope.jsonl"))
    assert missing.code == 2
    assert missing.err == f"git-mem: error: no such file: {tmp_path / 'nope.jsonl'}\n"
    # A directory stands for the transcripts below it.
    folder = tmp_path / "projects" / "-home-dev-shop"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURE, folder / f"{S1}.jsonl")
    result = json.loads(mem("import", str(tmp_path / "projects"), "--json").out)
    assert (result["files"], result["messages_added"]) == (1, 12)


def test_progress_bar_on_a_terminal_and_silence_on_a_pipe(repo, tmp_path):
    big = tmp_path / "big.jsonl"
    line = '{{"role": "user", "content": "message {n}", "timestamp": "2026-01-01T00:00:{n:05d}"}}\n'
    big.write_text("".join(line.format(n=n) for n in range(2500)))
    git_mem = str(Path(sys.executable).parent / "git-mem")
    proc, shown = on_terminal([git_mem, "import", str(big)], repo, stream="stderr")
    assert proc.returncode == 0, shown
    assert "importing [##############################] 2500/2500" in shown
    assert proc.stdout.startswith("imported 1 session from 1 file: 2500 messages added")
    piped = subprocess.run([git_mem, "import", str(big)], cwd=repo, capture_output=True, text=True)
    assert piped.returncode == 0
    assert piped.stderr == "git-mem: importing: 2500 records, this takes a while\n"


def test_a_summary_in_a_later_file_labels_the_session_it_names(repo, mem, tmp_path):
    first = tmp_path / "1-first.jsonl"
    later = tmp_path / "2-resumed.jsonl"
    lines = FIXTURE.read_text().splitlines(keepends=True)
    first.write_text("".join(lines[2:]))  # the messages, without their summary lines
    resumed = {
        "parentUuid": None,
        "sessionId": "0c6b4c2e-1111-4000-8000-000000000000",
        "type": "user",
        "message": {"role": "user", "content": "carry on"},
        "uuid": "c3000000-0000-4000-8000-000000000001",
        "timestamp": "2025-06-04T08:00:00.000Z",
    }
    later.write_text(lines[0] + json.dumps(resumed) + "\n")
    data = json.loads(mem("import", str(tmp_path), "--json").out)
    labels = {s["origin"]: s["label"] for s in data["sessions"]}
    assert labels == {
        S1: "Add retry to the payment client",
        S2: None,
        "0c6b4c2e-1111-4000-8000-000000000000": None,
    }


def test_session_show_finds_an_imported_session_by_its_claude_session_id(repo, mem):
    assert mem("import", str(FIXTURE)).code == 0
    one = derived_id("import", "claude-code", S1)
    by_origin = mem("session", "show", S1)
    assert by_origin.code == 0, by_origin.err
    assert by_origin.out == mem("session", "show", one).out
    assert by_origin.out.startswith(
        f"session {one} (Add retry to the payment client)\nstatus:   imported\n"
    )
    assert f"origin:   {S1}\n" in by_origin.out
    # A unique prefix of the source's id works too, as with gitmem's own ids.
    two = derived_id("import", "claude-code", S2)
    assert json.loads(mem("session", "show", S2[:8], "--json").out)["session"]["id"] == two
    missing = mem("session", "show", "00000000-0000-0000-0000-000000000000")
    assert (missing.code, missing.err) == (
        1,
        "git-mem: error: no session with an id starting '00000000-0000-0000-0000-000000000000'\n",
    )


def test_import_summaries_writes_one_summary_memory_per_session_once(repo, mem, g):
    one, two = derived_id("import", "claude-code", S1), derived_id("import", "claude-code", S2)
    s1, s2 = derived_id("session-summary", one), derived_id("session-summary", two)
    result = mem("import", str(FIXTURE), "--summaries")
    assert result.code == 0, result.err
    day = g.run("log", "-1", "--format=%cd", "--date=format:%Y-%m-%d", REF, cwd=repo).strip()
    first = f".memory/sessions/{day}-session-add-retry-to-the-payment-client-generated-summary.md"
    second = f".memory/sessions/{day}-session-explain-the-cache-layer-generated-summary.md"
    assert result.out.splitlines()[3:] == [
        f"  {one}  summary {s1}  {first}",
        f"  {two}  summary {s2}  {second}",
    ]
    assert (
        (repo / first)
        .read_text()
        .endswith(
            "---\n\n"
            f"(Generated on import from a claude-code session {S1}.)\n\n"
            "8 messages (1 user, 4 assistant, 2 tool) from 2025-06-02T18:46:51 to "
            "2025-06-02T18:47:10 UTC.\n\n"
            "First user message: The payment client gives up on the first 503. Add a retry with "
            "backoff.\n\n"
            f"Transcript: `git mem session show {one}`\n"
        )
    )
    shown = json.loads(mem("show", s1, "--json").out)
    assert (shown["type"], shown["source"], shown["tool"], shown["session"], shown["tags"]) == (
        "episodic", "import", "claude-code", one, ["session"]
    )  # fmt: skip
    assert _blob(g, repo, one)[0]["summary_id"] == s1
    # The session names its summary; importing again writes none twice.
    assert f"summary {s1}: Session Add retry" in mem("session", "show", S1).out
    again = mem("import", str(FIXTURE), "--summaries", "--json")
    assert json.loads(again.out)["summaries"] == [
        {"session": one, "id": s1, "location": None},
        {"session": two, "id": s2, "location": None},
    ]
    assert mem("import", str(FIXTURE)).out.count("summary") == 0
    assert len(list((repo / ".memory" / "sessions").iterdir())) == 2
