"""The MCP tools for an assistant's session: the context pack and the session log.

Registered into `mcp_tools.TOOLS` on import (mcp_server imports this module). They call the
same library APIs as `git mem context` and `git mem session ...` and return their `--json`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from gitmem.assist import context
from gitmem.assist.mcp_arguments import ID, PATHS, obj, text
from gitmem.assist.mcp_tools import Caller, Reply, tool
from gitmem.records.store import Store
from gitmem.sessions import sessions
from gitmem.sessions.summary import ROLES
from gitmem.store import compose


def context_pack(
    store: Store,
    *,
    budget: int = context.DEFAULT_BUDGET,
    query: str | None = None,
    paths: Sequence[str] = (),
) -> context.Pack:
    """The pack `git mem context --budget N [--query Q] [--path P]...` prints."""
    context.check_budget(budget)
    repo_paths = compose.repo_paths(store.repo, list(paths), store.repo.work_tree)
    return context.build(store, budget=budget, queries=[query] if query else [], paths=repo_paths)


@tool(
    "context",
    """The project's memory as a context pack for the start of a session, most useful first
    and cut to a budget of tokens: active decisions, facts, user preferences, procedures,
    the last session summaries, errors and patterns, types from .memory/config.toml, then the
    ids left out (read them with `show`). `query` and `paths` move what they match to the top
    of each section. Call it once at the start of a session. The text is Markdown
    (format=json: the JSON document).""",
    lambda types: obj(
        {
            "budget": {
                "type": "integer",
                "minimum": context.MIN_BUDGET,
                "maximum": 200_000,
                "default": context.DEFAULT_BUDGET,
                "description": "at most this many tokens (estimated as characters / 4)",
            },
            "query": text("put what this search finds first (the search tool's syntax)"),
            "paths": {**PATHS, "description": "put what concerns these files/dirs/globs first"},
            "format": {"type": "string", "enum": ["markdown", "json"], "default": "markdown"},
        }
    ),
    read_only=True,
)
def _context(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    pack = context_pack(
        store,
        budget=args.get("budget", context.DEFAULT_BUDGET),
        query=args.get("query"),
        paths=list(args.get("paths", [])),
    )
    markdown = args.get("format", "markdown") == "markdown"
    return Reply(pack.to_json(), pack.markdown() if markdown else None)


@tool(
    "session_start",
    """Start a session in this worktree: messages logged with `session_log` form its
    transcript, and every memory saved until `session_end` carries its id. Refused while
    another session is active here (end it, or pass replace=true to park it as unfinished).""",
    lambda types: obj(
        {
            "label": text("what the session is about, e.g. 'fix flaky sync test'"),
            "tool": text("the assistant's name (default: the MCP client's name)"),
            "replace": {
                "type": "boolean",
                "default": False,
                "description": "park the active session as unfinished and start a new one",
            },
        }
    ),
)
def _session_start(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    session = sessions.start(
        store,
        label=args.get("label"),
        tool=args.get("tool", caller.client),
        replace=bool(args.get("replace", False)),
    )
    return Reply(session.to_json())


@tool(
    "session_log",
    """Append one message to the active session's transcript (a local file until the
    session ends; nothing is committed). role: who said it.""",
    lambda types: obj(
        {
            "text": text("the message, Markdown"),
            "role": {
                "type": "string",
                "enum": list(ROLES),
                "default": "user",
                "description": "who said it",
            },
            "redact": {
                "type": "boolean",
                "default": False,
                "description": "store a detected secret as [REDACTED:<kind>] instead of refusing",
            },
        },
        ("text",),
    ),
)
def _session_log(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    message = sessions.log(
        store, args["text"], role=args.get("role", "user"), redact=args.get("redact", False)
    )
    return Reply({"session": sessions.active_id(store), **message.to_json()})


@tool(
    "session_end",
    """End the active session (or the unfinished one `id` names): the transcript goes into
    refs/gitmem/sessions and the summary becomes an episodic memory in .memory/sessions/,
    linked to the memories saved during the session. Without `summary` a short one is
    generated; a real summary (what was done, decided, left open) is far more useful.""",
    lambda types: obj(
        {
            "summary": text("what the session did, decided and left open (Markdown)"),
            "id": {**ID, "description": "an unfinished session to end instead of the active one"},
            "redact": {
                "type": "boolean",
                "default": False,
                "description": "store a detected secret as [REDACTED:<kind>] instead of refusing",
            },
        }
    ),
)
def _session_end(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    ended = sessions.end(
        store,
        summary=args.get("summary"),
        session=args.get("id"),
        redact=args.get("redact", False),
    )
    return Reply(ended.to_json())


@tool(
    "sessions",
    """Every session, newest first: active and unfinished ones in this repository, ended
    and imported ones from refs/gitmem/sessions, with label, tool, times, message count and
    the id of the summary memory (read it with `show`).""",
    lambda types: obj({}),
    read_only=True,
)
def _sessions(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    return Reply({"sessions": [info.to_json() for info in sessions.listing(store)]})
