"""`git mem assistant install NAME`: wire an assistant's own files to gitmem, merging with what
is there (never replacing it), as a list of file changes the command shows as a diff first.

- claude-code: `.claude/settings.json` hooks — SessionStart runs `git mem context` (Claude
  Code adds a SessionStart hook's output to the session's context), SessionEnd runs
  `git mem import --from-hook` (the hook's JSON on stdin names the transcript) — and the MCP
  server in `.mcp.json`.
- cursor: the context pack as an always-applied rule, `.cursor/rules/gitmem.mdc`, and the MCP
  server in `.cursor/mcp.json`.
- codex: the context pack in a marked section of `AGENTS.md`, which Codex reads at start.

Each change is idempotent: a second install changes nothing. Our entries are found again by
their command, so a user's own hooks and servers stay as they are, in their order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.assist import context_file
from gitmem.errors import UsageError

CONTEXT_COMMAND = "git mem context"
IMPORT_COMMAND = "git mem import --from-hook"
MCP_SERVER = {"command": "git-mem", "args": ["mcp"]}


class Change(NamedTuple):
    path: str  # relative to the work tree
    old: str | None  # None: the file does not exist yet
    new: str


def _read(root: Path, relative: str) -> str | None:
    path = context_file.target(root, relative, root)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise UsageError(f"{relative}: not UTF-8 text; nothing written") from None


def _json_object(text: str | None, relative: str) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{relative}:{error.lineno}: not valid JSON ({error.msg}); fix it first, nothing "
            "written"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{relative}: expected a JSON object; nothing written")
    return data


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _with_hook(settings: dict[str, Any], event: str, command: str, relative: str) -> None:
    """Add `command` to `event`'s hooks unless a hook already runs it."""
    hooks = settings.setdefault("hooks", {})
    if not isinstance(hooks, dict) or not isinstance(hooks.setdefault(event, []), list):
        raise UsageError(f"{relative}: hooks.{event} is not a list; nothing written")
    groups: list[Any] = hooks[event]
    for group in groups:
        for hook in group.get("hooks", []) if isinstance(group, dict) else []:
            if isinstance(hook, dict) and hook.get("command") == command:
                return
    groups.append({"hooks": [{"type": "command", "command": command}]})


def _with_server(text: str | None, relative: str) -> str:
    data = _json_object(text, relative)
    servers = data.setdefault("mcpServers", {})
    if not isinstance(servers, dict):
        raise UsageError(f"{relative}: mcpServers is not an object; nothing written")
    servers.setdefault("gitmem", MCP_SERVER)
    return _dump(data)


def claude_code(root: Path, pack: Callable[[], str]) -> list[Change]:
    settings_path = ".claude/settings.json"
    old = _read(root, settings_path)
    settings = _json_object(old, settings_path)
    _with_hook(settings, "SessionStart", CONTEXT_COMMAND, settings_path)
    _with_hook(settings, "SessionEnd", IMPORT_COMMAND, settings_path)
    mcp_old = _read(root, ".mcp.json")
    return [
        Change(settings_path, old, _dump(settings)),
        Change(".mcp.json", mcp_old, _with_server(mcp_old, ".mcp.json")),
    ]


def cursor(root: Path, pack: Callable[[], str]) -> list[Change]:
    rule = ".cursor/rules/gitmem.mdc"
    mcp = ".cursor/mcp.json"
    old_rule, old_mcp = _read(root, rule), _read(root, mcp)
    return [
        Change(rule, old_rule, context_file.updated_text(old_rule, pack(), rule)),
        Change(mcp, old_mcp, _with_server(old_mcp, mcp)),
    ]


def codex(root: Path, pack: Callable[[], str]) -> list[Change]:
    old = _read(root, "AGENTS.md")
    return [Change("AGENTS.md", old, context_file.updated_text(old, pack(), "AGENTS.md"))]


ASSISTANTS: dict[str, Callable[[Path, Callable[[], str]], list[Change]]] = {
    "claude-code": claude_code,
    "cursor": cursor,
    "codex": codex,
}


def plan(name: str, root: Path, pack: Callable[[], str]) -> list[Change]:
    """What installing for `name` would change (files left as they are are not listed)."""
    changes = ASSISTANTS[name](root, pack)
    return [change for change in changes if change.old != change.new]


def apply(root: Path, changes: list[Change]) -> None:
    from gitmem.store.files import atomic_write

    for change in changes:
        path = context_file.target(root, change.path, root)
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, change.new.encode())
