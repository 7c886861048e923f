"""A memory type declared in .memory/config.toml reaches everything a built-in type does: the
CLI's list, search and context (a section of its own, after the built-in ones) and the MCP
tools. Real repository, the real `git-mem` script, the real MCP client."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from mcp import ClientSession
from mcpclient import GIT_MEM, cli_json, drive, ok


def git_mem(*args: str) -> str:
    proc = subprocess.run([str(GIT_MEM), *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_config_declared_type_reaches_list_search_context_and_mcp(repo: Path) -> None:
    (repo / ".memory").mkdir()
    (repo / ".memory" / "config.toml").write_text('[types]\nrunbook = "runbooks"\n')
    saved = cli_json("save", "--type", "runbook", "Restart the ingest worker\n\nkubectl rollout")
    runbook = saved["id"]
    assert saved["location"].startswith(".memory/runbooks/")
    decision = cli_json("save", "--type", "decision", "Use PostgreSQL")["id"]

    listed = cli_json("list", "--type", "runbook")
    assert [row["id"] for row in listed["records"]] == [runbook]
    found = cli_json("search", "rollout")
    assert [hit["id"] for hit in found["hits"]] == [runbook]

    pack = cli_json("context")
    names = [section["name"] for section in pack["sections"]]
    assert names[-1] == "other" and names[:-1] == [
        "decisions", "facts", "preferences", "procedures", "sessions", "errors"
    ]  # fmt: skip
    assert [e["id"] for e in pack["sections"][-1]["entries"]] == [runbook]
    assert [e["id"] for e in pack["sections"][0]["entries"]] == [decision]
    text = git_mem("context")
    assert (
        text.index("## Decisions")
        < text.index("## Other")
        < text.index(f"[{runbook}] runbook, from")
    )

    async def scenario(session: ClientSession) -> None:
        tools = {tool.name: tool for tool in (await session.list_tools()).tools}
        for name in ("save", "list", "search", "update"):
            assert "runbook" in tools[name].input_schema["properties"]["type"]["enum"], name
        assert await ok(session, "list", {"type": "runbook"}) == listed
        assert await ok(session, "search", {"query": "rollout"}) == found
        pack_json: Any = await ok(session, "context", {"format": "json"})
        assert pack_json == pack
        another = await ok(session, "save", {"text": "Rotate the keys", "type": "runbook"})
        assert another["location"].startswith(".memory/runbooks/")

    drive(repo, scenario)
