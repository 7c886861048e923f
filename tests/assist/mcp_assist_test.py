"""`git mem mcp`: the context pack (tool and resource) and sessions, through the stdio client.

Each result is compared with what the CLI prints for the same repository state.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from mcp import ClientSession, MCPError, types
from mcpclient import CLIENT, GIT_MEM, cli_json, drive, fails, front_matter, ok


def cli(*args: str) -> str:
    proc = subprocess.run([str(GIT_MEM), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def seed(mem: Any) -> dict[str, str]:
    ids = {
        "decision": mem("save", "-t", "decision", "-m", "Use PostgreSQL over MongoDB").saved_id,
        "fact": mem("save", "-m", "The staging DB is reset every Sunday").saved_id,
        "error": mem(
            "save", "-t", "error", "--path", "src/db/", "-m", "Pool exhausted under load"
        ).saved_id,
    }
    return ids


@pytest.mark.slow
def test_the_context_tool_gives_what_git_mem_context_prints(repo: Path, mem: Any) -> None:
    ids = seed(mem)

    async def scenario(session: ClientSession) -> None:
        result = await session.call_tool("context", {})
        assert not result.is_error
        assert isinstance(result.content[0], types.TextContent)
        assert result.content[0].text == cli("context")
        assert result.structured_content == cli_json("context")
        assert ids["decision"] in result.content[0].text

        focused = {"budget": 120, "paths": ["src/db/"], "query": "pool", "format": "json"}
        pack = await ok(session, "context", focused)
        assert pack == cli_json(
            "context", "--budget", "120", "--path", "src/db/", "--query", "pool"
        )
        assert (pack["budget"], pack["paths"], pack["queries"]) == (120, ["src/db/"], ["pool"])

    drive(repo, scenario)


@pytest.mark.slow
def test_the_context_resource_is_the_default_pack(repo: Path, mem: Any) -> None:
    seed(mem)

    async def scenario(session: ClientSession) -> None:
        resources = (await session.list_resources()).resources
        assert [(str(r.uri), r.name, r.mime_type) for r in resources] == [
            ("gitmem://context", "context", "text/markdown")
        ]
        read = await session.read_resource("gitmem://context")
        [contents] = read.contents
        assert isinstance(contents, types.TextResourceContents)
        assert (contents.mime_type, contents.text) == ("text/markdown", cli("context"))
        with pytest.raises(MCPError) as caught:
            await session.read_resource("gitmem://nothing")
        assert caught.value.error.message == (
            "unknown resource gitmem://nothing: try gitmem://context"
        )
        # The server is still there.
        assert (await ok(session, "list", {}))["count"] == 3

    drive(repo, scenario)


@pytest.mark.slow
def test_a_session_from_start_to_summary(repo: Path, g: Any) -> None:
    async def scenario(session: ClientSession) -> None:
        started = await ok(session, "session_start", {"label": "fix flaky sync"})
        sid = started["id"]
        assert (started["label"], started["tool"]) == ("fix flaky sync", CLIENT)
        assert (await fails(session, "session_start", {})).startswith(
            f"session {sid} (fix flaky sync) is already active here"
        )

        logged = await ok(session, "session_log", {"text": "why does sync retry forever?"})
        assert (logged["session"], logged["role"]) == (sid, "user")
        await ok(session, "session_log", {"text": "Bounded it to 20.", "role": "assistant"})
        saved = await ok(session, "save", {"text": "Bound the push retry", "type": "decision"})
        fields = front_matter(repo / saved["location"])
        assert (fields["session"], fields["source"], fields["tool"]) == (sid, "mcp", CLIENT)

        listed = await ok(session, "sessions", {})
        assert [(s["id"], s["status"]) for s in listed["sessions"]] == [(sid, "active")]

        ended = await ok(session, "session_end", {"summary": "Bounded the push retry."})
        assert ended["links"] == [saved["id"]] and ended["generated"] is False
        summary = front_matter(repo / ended["location"])
        assert (summary["type"], summary["session"], summary["links"]) == (
            "episodic",
            sid,
            [saved["id"]],
        )
        listed = await ok(session, "sessions", {})
        assert [(s["id"], s["status"], s["messages"]) for s in listed["sessions"]] == [
            (sid, "ended", 2)
        ]
        assert listed == cli_json("session", "list")
        shown = cli_json("session", "show", sid)
        assert [(m["role"], m["content"]) for m in shown["messages"]] == [
            ("user", "why does sync retry forever?"),
            ("assistant", "Bounded it to 20."),
        ]

    drive(repo, scenario)
    lines = g.run("cat-file", "-p", "refs/gitmem/sessions:" + _only_session(g) + ".jsonl")
    assert len(lines.splitlines()) == 3  # the header and two messages
    g.fsck(repo)


def _only_session(g: Any) -> str:
    [name] = g.run("ls-tree", "--name-only", "refs/gitmem/sessions").split()
    return str(name).removesuffix(".jsonl")


def test_a_session_started_from_the_cli_is_the_servers_too(repo: Path, mem: Any) -> None:
    """The active session lives under the common dir: CLI and server share it both ways."""
    sid = json.loads(mem("session", "start", "--label", "shared", "--json").out)["id"]

    async def scenario(session: ClientSession) -> None:
        assert (await ok(session, "session_log", {"text": "from MCP"}))["session"] == sid
        saved = await ok(session, "save", {"text": "Saved over MCP"})
        assert front_matter(repo / saved["location"])["session"] == sid

    drive(repo, scenario)
    ended = json.loads(mem("session", "end", "--summary", "done", "--json").out)
    assert ended["session"]["messages"] == 1
