"""`git mem mcp`, driven for real: the venv's `git-mem mcp` spawned by the SDK's stdio client.

Every test talks to a separate server process over stdin/stdout, exactly as an assistant
would, and checks what it wrote with plain git and the CLI.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcp import ClientSession
from mcpclient import CLIENT, cli_json, drive, fails, front_matter, ok

from gitmem.store.record import STATUSES

TOOLS = {
    "save", "search", "show", "list", "update", "delete", "supersede",
    "context", "session_start", "session_log", "session_end", "sessions",
}  # fmt: skip


# ---------------------------------------------------------------------------- tools/list


def test_lists_every_tool_with_a_description_and_a_schema(repo: Path) -> None:
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text('[types]\nrunbook = "runbooks"\n')

    async def scenario(session: ClientSession) -> None:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == TOOLS
        for tool in tools.values():
            assert tool.description and len(tool.description) > 60, tool.name
            schema = tool.input_schema
            assert schema["type"] == "object" and schema["additionalProperties"] is False
            assert set(schema["required"]) <= set(schema["properties"])
        required = {name: tools[name].input_schema["required"] for name in sorted(TOOLS)}
        assert required == {
            "delete": ["id"],
            "list": [],
            "save": ["text"],
            "search": ["query"],
            "show": ["id"],
            "supersede": ["old", "new"],
            "update": ["id"],
            "context": [],
            "session_start": [],
            "session_log": ["text"],
            "session_end": [],
            "sessions": [],
        }
        save = tools["save"].input_schema["properties"]
        assert save["type"]["enum"] == [
            "fact", "decision", "code", "error", "procedural", "episodic", "user", "runbook"
        ]  # fmt: skip
        assert save["status"]["enum"] == list(STATUSES)
        assert save["tags"] == {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "description": "tags: lowercase letters, digits and hyphens (other text is normalised)",
        }
        limit = tools["search"].input_schema["properties"]["limit"]
        assert limit == {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
        sort = tools["search"].input_schema["properties"]["sort"]
        assert sort["enum"] == ["relevance", "newest"]
        assert tools["show"].input_schema["properties"]["id"]["pattern"] == "^[0-9A-Za-z]{4,12}$"
        hints = {
            name: (t.annotations.read_only_hint, t.annotations.destructive_hint)
            for name, t in tools.items()
            if t.annotations is not None
        }
        assert {name for name, (read_only, _) in hints.items() if read_only} == {
            "search", "list", "show", "context", "sessions"
        }  # fmt: skip
        assert {name for name, (_, destructive) in hints.items() if destructive} == {
            "update", "delete"
        }  # fmt: skip
        assert len(hints) == len(TOOLS)
        role = tools["session_log"].input_schema["properties"]["role"]
        assert (role["enum"], role["default"]) == (["user", "assistant", "tool"], "user")
        budget = tools["context"].input_schema["properties"]["budget"]
        assert (budget["minimum"], budget["default"]) == (40, 2000)

    drive(repo, scenario)


# ---------------------------------------------------------------------------- the round trip


@pytest.mark.slow
def test_save_search_show_update_list_delete(repo: Path, g: Any) -> None:
    async def scenario(session: ClientSession) -> None:
        saved = await ok(
            session,
            "save",
            {
                "text": "Use PostgreSQL over MongoDB\n\nJSONB covers the flexible parts.",
                "type": "decision",
                "tags": ["Database", "adr"],
                "paths": ["src/db/"],
                "metadata": {"sprint": 42},
            },
        )
        record_id = saved["id"]
        assert saved == {
            "id": record_id,
            "type": "decision",
            "title": "Use PostgreSQL over MongoDB",
            "location": saved["location"],
        }
        assert saved["location"].endswith("-use-postgresql-over-mongodb.md")
        path = repo / saved["location"]
        fields = front_matter(path)
        assert {k: fields[k] for k in ("type", "tags", "source", "tool", "paths", "metadata")} == {
            "type": "decision",
            "tags": ["database", "adr"],
            "source": "mcp",
            "tool": CLIENT,
            "paths": ["src/db/"],
            "metadata": {"sprint": 42},
        }
        assert fields["author"] == "Test User <test@example.com>"

        found = await ok(session, "search", {"query": "jsonb flexible"})
        assert found["count"] == 1 and found["query"] == "jsonb flexible"
        assert found["hits"][0]["id"] == record_id
        assert "JSONB" in found["hits"][0]["snippet"]
        assert found == cli_json("search", "jsonb flexible")

        shown = await ok(session, "show", {"id": record_id[:6]})
        assert shown == cli_json("show", record_id)
        assert shown["body"] == "Use PostgreSQL over MongoDB\n\nJSONB covers the flexible parts.\n"

        updated = await ok(
            session,
            "update",
            {"id": record_id, "status": "accepted", "add_tags": ["ops"], "body": "New text."},
        )
        assert updated == {"id": record_id, "changed": True, "location": saved["location"]}
        fields = front_matter(path)
        assert fields["status"] == "accepted" and fields["tags"] == ["database", "adr", "ops"]
        assert "updated" in fields and path.read_text().endswith("---\n\nNew text.\n")
        again = await ok(session, "update", {"id": record_id, "status": "accepted"})
        assert again == {"id": record_id, "changed": False, "location": saved["location"]}

        listed = await ok(session, "list", {"tags": ["ops"]})
        assert [row["id"] for row in listed["records"]] == [record_id]
        assert listed == cli_json("list", "--tag", "ops")

        deleted = await ok(session, "delete", {"id": record_id})
        assert deleted == {
            "id": record_id,
            "removed": saved["location"],
            "referenced_by": [],
            "cleaned": [],
        }
        assert not path.exists()
        assert await fails(session, "show", {"id": record_id}) == (
            f"no memory with an id starting {record_id!r}"
        )

    drive(repo, scenario)
    g.fsck(repo)


def test_save_on_a_commit_writes_a_note(repo: Path, g: Any) -> None:
    async def scenario(session: ClientSession) -> None:
        saved = await ok(
            session, "save", {"text": "Flaky on CI", "type": "error", "commit": "HEAD"}
        )
        head = g.run("rev-parse", "HEAD").strip()
        assert saved["location"] == f"note:{head}"

    drive(repo, scenario)
    note = yaml.safe_load(g.run("notes", "--ref=mem", "show", "HEAD"))
    assert (note["title"], note["source"], note["tool"]) == ("Flaky on CI", "mcp", CLIENT)
    assert note["commits"] == [g.run("rev-parse", "HEAD").strip()]
    g.fsck(repo)


def test_supersede_hides_the_old_record(repo: Path, mem: Any) -> None:
    old = mem("save", "-t", "decision", "-m", "Use MySQL for orders").saved_id
    new = mem("save", "-t", "decision", "-m", "Use PostgreSQL for orders").saved_id

    async def scenario(session: ClientSession) -> None:
        assert await ok(session, "supersede", {"old": old[:5], "new": new}) == {
            "old": old,
            "new": new,
        }
        found = await ok(session, "search", {"query": "orders"})
        assert [hit["id"] for hit in found["hits"]] == [new]
        everything = await ok(session, "list", {"all": True})
        statuses = {row["id"]: row["status"] for row in everything["records"]}
        assert statuses == {old: "superseded", new: "active"}

    drive(repo, scenario)
    assert json.loads(mem("show", new, "--json").out)["supersedes"] == [old]


def test_sees_records_written_behind_its_back(repo: Path, mem: Any) -> None:
    """One long-lived server, the CLI writing meanwhile: every call answers from fresh state."""

    async def scenario(session: ClientSession) -> None:
        assert (await ok(session, "list", {}))["count"] == 0
        record_id = mem("save", "-m", "The staging DB is reset every Sunday").saved_id
        found = await ok(session, "search", {"query": "staging sunday"})
        assert [hit["id"] for hit in found["hits"]] == [record_id]
        assert mem("rm", record_id, "--force").code == 0  # the file was never committed
        assert (await ok(session, "search", {"query": "staging"}))["count"] == 0

    drive(repo, scenario)


def test_a_client_without_a_name_leaves_tool_out(repo: Path) -> None:
    async def scenario(session: ClientSession) -> None:
        saved = await ok(session, "save", {"text": "Anonymous", "title": "Anon"})
        fields = front_matter(repo / saved["location"])
        assert fields["source"] == "mcp" and "tool" not in fields

    drive(repo, scenario, client="")


# ---------------------------------------------------------------------------- errors


TYPES = "['fact', 'decision', 'code', 'error', 'procedural', 'episodic', 'user']"
UNSETTABLE = "['updated', 'author', 'summary', 'project', 'tool', 'commits', 'paths', 'links', "
UNSETTABLE += "'supersedes', 'session', 'metadata']"
BAD_CALLS = [
    ("save", {}, "invalid arguments for save: 'text' is a required property"),
    (
        "save",
        {"text": "x", "type": "bogus"},
        f"invalid arguments for save: type: 'bogus' is not one of {TYPES}",
    ),
    (
        "save",
        {"text": "x", "tags": "db"},
        "invalid arguments for save: tags: 'db' is not of type 'array'",
    ),
    ("save", {"text": "   "}, "nothing to save: the text is empty"),
    ("save", {"text": "x", "links": ["zzzz"]}, "no memory with an id starting 'zzzz'"),
    ("save", {"text": "x", "commit": "nope"}, "cannot resolve 'nope' to a commit"),
    (
        "search",
        {"query": "x", "limit": "ten"},
        "invalid arguments for search: limit: 'ten' is not of type 'integer'",
    ),
    (
        "search",
        {"query": "x", "limit": 0},
        "invalid arguments for search: limit: 0 is less than the minimum of 1",
    ),
    (
        "search",
        {"query": "x", "status": "old"},
        f"invalid arguments for search: status: 'old' is not one of {list(STATUSES)}",
    ),
    ("search", {"query": "!!"}, "nothing to search for in '!!': give at least one word"),
    (
        "search",
        {"query": "x", "since": "someday"},
        "cannot read 'someday' as a date: use 2026-11-20, an ISO 8601 timestamp, or a relative "
        "time like '3 days ago' or '2w'",
    ),
    (
        "show",
        {"id": "abc"},
        "invalid arguments for show: id: 'abc' does not match '^[0-9A-Za-z]{4,12}$'",
    ),
    ("show", {"id": "zzzzzz"}, "no memory with an id starting 'zzzzzz'"),
    ("show", {"id": "aaaa"}, "id prefix 'aaaa' is ambiguous: aaaa00000001 One; aaaa00000002 Two"),
    (
        "show",
        {"id": "aaaa00000001", "raw": True},
        "invalid arguments for show: Additional properties are not allowed ('raw' was unexpected)",
    ),
    (
        "update",
        {"id": "aaaa00000001"},
        "nothing to update: give at least one field to change besides id",
    ),
    (
        "update",
        {"id": "aaaa00000001", "title": ""},
        "invalid arguments for update: title: '' should be non-empty",
    ),
    (
        "update",
        {"id": "aaaa00000001", "unset": ["id"]},
        f"invalid arguments for update: unset.0: 'id' is not one of {UNSETTABLE}",
    ),
    ("delete", {"id": "zzzz"}, "no memory with an id starting 'zzzz'"),
    (
        "context",
        {"budget": 10},
        "invalid arguments for context: budget: 10 is less than the minimum of 40",
    ),
    (
        "session_log",
        {"text": "hello"},
        "no session is active in this worktree; start one with `git mem session start`",
    ),
    (
        "session_log",
        {"text": "hello", "role": "system"},
        "invalid arguments for session_log: role: 'system' is not one of "
        "['user', 'assistant', 'tool']",
    ),
    (
        "session_end",
        {},
        "no session is active in this worktree; start one with `git mem session start`",
    ),
    (
        "supersede",
        {"old": "aaaa00000001"},
        "invalid arguments for supersede: 'new' is a required property",
    ),
    (
        "supersede",
        {"old": "aaaa00000001", "new": "aaaa00000001"},
        "a memory cannot supersede itself",
    ),
    (
        "remember",
        {"text": "x"},
        "unknown tool 'remember': expected one of search, list, show, save, update, delete, "
        "supersede, context, session_start, session_log, session_end, sessions",
    ),
]


@pytest.mark.slow
def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(repo: Path, g: Any) -> None:
    g.write_record(repo, "facts/one.md", "aaaa00000001", title="One")
    g.write_record(repo, "facts/two.md", "aaaa00000002", title="Two")
    before = g.run("status", "--porcelain")

    async def scenario(session: ClientSession) -> None:
        for tool, arguments, message in BAD_CALLS:
            assert await fails(session, tool, arguments) == message, (tool, arguments)
            # ... and the server still answers the next call.
            assert (await ok(session, "show", {"id": "aaaa00000001"}))["title"] == "One"

    drive(repo, scenario)
    assert g.run("status", "--porcelain") == before  # no failed call wrote anything


def test_an_unexpected_error_is_logged_and_the_server_keeps_serving(repo: Path) -> None:
    # A file where the facts folder should be: the store's mkdir fails with FileExistsError.
    (repo / ".memory").mkdir()
    (repo / ".memory" / "facts").write_text("not a folder\n")
    log = repo / ".git" / "gitmem" / "logs" / "gitmem-error.log"

    async def scenario(session: ClientSession) -> None:
        message = await fails(session, "save", {"text": "A fact"})
        assert message.startswith("unexpected FileExistsError: [Errno 17] File exists: ")
        assert message.endswith(f"(details in {log})")
        saved = await ok(session, "save", {"text": "A decision", "type": "decision"})
        assert saved["location"].startswith(".memory/decisions/")

    drive(repo, scenario)
    assert "FileExistsError" in log.read_text()


def test_a_broken_config_is_reported_by_each_call_until_fixed(repo: Path) -> None:
    config = repo / ".memory" / "config.toml"
    config.parent.mkdir()
    config.write_text("[types\n")

    async def scenario(session: ClientSession) -> None:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert set(tools) == TOOLS  # still listed, with the built-in types
        assert await fails(session, "list", {}) == (
            ".memory/config.toml: Expected ']' at the end of a table declaration "
            "(at line 1, column 7)"
        )
        config.write_text('[types]\nrunbook = "runbooks"\n')
        saved = await ok(session, "save", {"text": "Restart the queue", "type": "runbook"})
        assert saved["location"].startswith(".memory/runbooks/")

    drive(repo, scenario)


# ---------------------------------------------------------------------------- the command


def test_without_the_mcp_extra_it_says_how_to_install_it(repo: Path) -> None:
    # The same interpreter, with `import mcp` failing as it does when the package is missing.
    code = "import sys; sys.modules['mcp'] = None; from gitmem.main import main; sys.exit(main())"
    proc = subprocess.run(
        [sys.executable, "-c", code, "mcp"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    assert (proc.returncode, proc.stdout) == (128, "")
    assert proc.stderr == (
        "git-mem: error: the MCP server needs the mcp extra: pip install '.[mcp]' in gitmem's "
        f"checkout, or {sys.executable} -m pip install 'mcp>=2.3,<3'\n"
    )


HOW = "start the server inside a repository, or give it one: git mem mcp --repo PATH"


def test_outside_a_repository_it_serves_and_each_call_says_why(tmp_path: Path) -> None:
    # A client that starts servers in its own directory (Claude Desktop): not a repository.
    home = tmp_path / "desktop"
    home.mkdir()
    problem = (
        f"no repository at {home}: not a git repository (or any of the parent directories): "
        f".git; {HOW}"
    )

    async def scenario(session: ClientSession) -> None:
        tools = {tool.name for tool in (await session.list_tools()).tools}
        assert tools == TOOLS  # listed with the built-in types
        assert await fails(session, "list", {}) == problem
        assert await fails(session, "save", {"text": "A fact"}) == problem
        # Once the directory becomes a repository, the next call serves it.
        subprocess.run(["git", "init", "-q", str(home)], check=True)
        assert await ok(session, "list", {}) == {"count": 0, "records": []}

    drive(home, scenario)
    assert (tmp_path / "server-stderr.txt").read_text() == (
        f"git-mem: warning: {problem} (serving anyway: each tool call answers with this error)\n"
    )


def test_repo_option_serves_that_repository_from_anywhere(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    async def scenario(session: ClientSession) -> None:
        saved = await ok(session, "save", {"text": "Builds run on Fridays", "paths": ["src/"]})
        assert (repo / saved["location"]).is_file()
        assert front_matter(repo / saved["location"])["paths"] == ["src/"]
        assert (await ok(session, "list", {}))["count"] == 1

    drive(elsewhere, scenario, args=("--repo", str(repo)))
    assert not (tmp_path / "server-stderr.txt").read_text()
    assert [row["title"] for row in cli_json("list")["records"]] == ["Builds run on Fridays"]


def test_repo_option_naming_no_directory_is_each_calls_error(tmp_path: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    missing = tmp_path / "no-such-project"

    async def scenario(session: ClientSession) -> None:
        assert await fails(session, "show", {"id": "abcd"}) == (
            f"no repository: {missing} is not a directory; {HOW}"
        )

    drive(here, scenario, args=("--repo", str(missing)))


def test_saving_the_same_text_twice_returns_the_existing_record(repo: Path) -> None:
    text = "Use structlog\n\nJSON logs for the collector."

    async def scenario(session: ClientSession) -> None:
        first = await ok(session, "save", {"text": text, "type": "decision"})
        again = await ok(session, "save", {"text": text, "type": "decision"})
        assert again == {
            **first,
            "existing": True,
            "note": f"already saved as {first['id']}: nothing written",
        }
        # Another type, or other text, is another memory.
        fact = await ok(session, "save", {"text": text})
        assert fact["id"] != first["id"] and "existing" not in fact
        other = await ok(session, "save", {"text": text + " Also traces.", "type": "decision"})
        assert other["location"].endswith("-use-structlog-2.md")
        # On a commit: the same text in the same note is found too.
        on_head = await ok(session, "save", {"text": text, "commit": "HEAD"})
        assert (await ok(session, "save", {"text": text, "commit": "HEAD"}))["id"] == on_head["id"]

    drive(repo, scenario)
    decisions = sorted(p.name for p in (repo / ".memory" / "decisions").iterdir())
    assert len(decisions) == 2
    assert cli_json("list")["count"] == 4
