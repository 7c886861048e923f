"""`git mem assistant install`: an assistant's own files wired to gitmem, merged with what is
there, diff first, idempotent; and `import --from-hook`, what Claude Code's SessionEnd runs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

FIXTURE = Path(__file__).parent.parent / "fixtures" / "claude_code.jsonl"
CONTEXT = {"hooks": [{"type": "command", "command": "git mem context"}]}
IMPORT = {"hooks": [{"type": "command", "command": "git mem import --from-hook"}]}
SERVER = {"mcpServers": {"gitmem": {"command": "git-mem", "args": ["mcp"]}}}


def test_claude_code_on_a_fresh_repository(repo, mem):
    dry = mem("assistant", "install", "claude-code", "--dry-run")
    assert dry.code == 0
    assert "+++ b/.claude/settings.json" in dry.out and "--- /dev/null" in dry.out
    assert dry.out.splitlines()[-1] == "would change: .claude/settings.json, .mcp.json"
    assert not (repo / ".claude").exists()
    done = mem("assistant", "install", "claude-code")
    assert done.out.splitlines()[-1] == "changed: .claude/settings.json, .mcp.json"
    settings = json.loads((repo / ".claude/settings.json").read_text())
    assert settings == {"hooks": {"SessionStart": [CONTEXT], "SessionEnd": [IMPORT]}}
    assert json.loads((repo / ".mcp.json").read_text()) == SERVER
    again = mem("assistant", "install", "claude-code")
    assert again.out == "claude-code is already wired to gitmem; nothing to change\n"


def test_claude_code_merges_existing_settings(repo, mem):
    (repo / ".claude").mkdir()
    theirs = {"matcher": "startup", "hooks": [{"type": "command", "command": "make env"}]}
    mine = {"hooks": {"SessionStart": [theirs]}}
    (repo / ".claude/settings.json").write_text(
        json.dumps({"model": "opus", "permissions": {"allow": ["Bash(make test)"]}, **mine})
    )
    (repo / ".mcp.json").write_text(json.dumps({"mcpServers": {"db": {"command": "pg-mcp"}}}))
    result = mem("assistant", "install", "claude-code", "--json")
    assert json.loads(result.out) == {
        "assistant": "claude-code",
        "dry_run": False,
        "changes": [
            {"path": ".claude/settings.json", "created": False},
            {"path": ".mcp.json", "created": False},
        ],
    }
    settings = json.loads((repo / ".claude/settings.json").read_text())
    assert list(settings) == ["model", "permissions", "hooks"]
    assert settings["permissions"] == {"allow": ["Bash(make test)"]}
    assert settings["hooks"]["SessionStart"] == [*mine["hooks"]["SessionStart"], CONTEXT]
    assert settings["hooks"]["SessionEnd"] == [IMPORT]
    servers = json.loads((repo / ".mcp.json").read_text())["mcpServers"]
    assert servers == {"db": {"command": "pg-mcp"}, **SERVER["mcpServers"]}


def test_invalid_settings_are_refused_untouched(repo, mem):
    (repo / ".claude").mkdir()
    (repo / ".claude/settings.json").write_text('{"hooks": {\n  "SessionStart": [,]\n}}\n')
    result = mem("assistant", "install", "claude-code")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: .claude/settings.json:2: not valid JSON (Expecting value); fix it "
        "first, nothing written\n"
    )
    assert not (repo / ".mcp.json").exists()


def test_cursor_and_codex_get_the_context_pack(repo, mem):
    mem("save", "-t", "decision", "-m", "Use PostgreSQL over MongoDB")
    (repo / "AGENTS.md").write_text("# Agents\n\nRun make test.\n")
    assert mem("assistant", "install", "cursor", "--yes").code == 0
    rule = (repo / ".cursor/rules/gitmem.mdc").read_text()
    assert rule.startswith("---\ndescription: ") and "Use PostgreSQL over MongoDB" in rule
    assert json.loads((repo / ".cursor/mcp.json").read_text()) == SERVER
    assert mem("assistant", "install", "codex").code == 0
    agents = (repo / "AGENTS.md").read_text()
    assert agents.startswith("# Agents\n\nRun make test.\n\n<!-- gitmem:context:start -->")
    assert "Use PostgreSQL over MongoDB" in agents
    assert mem("assistant", "install", "codex").out.endswith("nothing to change\n")


def test_import_from_a_session_end_hook(repo, mem, tmp_path):
    transcript = tmp_path / "session.jsonl"
    shutil.copy(FIXTURE, transcript)
    event = json.dumps({"session_id": "x", "transcript_path": str(transcript), "reason": "exit"})
    first = mem("import", "--from-hook", stdin=event)
    assert first.code == 0, first.err
    listed = json.loads(mem("session", "list", "--json").out)
    assert len(listed["sessions"]) == 2
    assert mem("import", "--from-hook", stdin=event).code == 0  # again: adds nothing
    assert len(json.loads(mem("session", "list", "--json").out)["sessions"]) == 2
    broken = mem("import", "--from-hook", stdin="{not json")
    assert broken.code == 0  # a hook never fails the assistant
    assert broken.err.startswith("git-mem: warning: import --from-hook: ")
    missing = mem("import", "--from-hook", stdin='{"transcript_path": "/nowhere.jsonl"}')
    assert (missing.code, missing.err) == (
        0,
        "git-mem: warning: import --from-hook: no such file: /nowhere.jsonl\n",
    )
    assert mem("import").err.endswith(
        "git-mem: error: name the files or directories to import (or --from-hook)\n"
    )
