"""The MCP server's record tools and their registry: names, descriptions, JSON schemas (built
from the parts in `mcp_arguments`), and what each one does.

Plain Python (no `mcp` import), so the tools are the same functions the CLI commands call
(`actions`, `finder`, `Store`) and the SDK wiring stays in `mcp_server`. Each handler gets a
fresh Store (a long-lived server must see files and notes changed behind its back; a Store
refreshes its catalog once) and the already schema-validated arguments, and returns the
document the CLI's `--json` prints. User errors are raised as GitMemError, like the CLI.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from gitmem.assist.mcp_arguments import (
    ID,
    PATHS,
    STATUS,
    TAGS,
    field_schema,
    filter_properties,
    make_filter,
    obj,
    text,
    type_enum,
)
from gitmem.errors import UsageError
from gitmem.records import actions, finder
from gitmem.records.store import Store
from gitmem.store import compose, fields
from gitmem.store.types import DEFAULT_TYPE


@dataclasses.dataclass(frozen=True)
class Caller:
    """Who is calling: the client's name from `initialize` (clientInfo.name), if it gave one."""

    client: str | None = None


@dataclasses.dataclass(frozen=True)
class Reply:
    """A tool's result: the JSON document, and the text shown to the model (default: it)."""

    data: dict[str, Any]
    text: str | None = None

    def rendered(self) -> str:
        if self.text is not None:
            return self.text
        return json.dumps(self.data, indent=2, ensure_ascii=False, default=str)


Handler = Callable[[Store, dict[str, Any], Caller], Reply]


@dataclasses.dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    schema: Callable[[list[str]], dict[str, Any]]  # the repository's type names -> JSON schema
    handler: Handler
    # MCP tool annotations: hints a client may use to decide what needs the user's approval.
    read_only: bool = False
    destructive: bool = False  # may overwrite or remove what is there
    idempotent: bool = False  # the same call again changes nothing more


TOOLS: dict[str, ToolSpec] = {}


def tool(
    name: str,
    description: str,
    schema: Callable[[list[str]], dict[str, Any]],
    *,
    read_only: bool = False,
    destructive: bool = False,
    idempotent: bool = False,
) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        TOOLS[name] = ToolSpec(
            name,
            " ".join(description.split()),
            schema,
            handler,
            read_only=read_only,
            destructive=destructive,
            idempotent=idempotent,
        )
        return handler

    return register


# ---------------------------------------------------------------------------- read tools


@tool(
    "search",
    """Ranked full-text search over the project's memories (decisions, facts, errors,
    procedures, patterns, session summaries). Ask in plain words or a question ("why did we
    pick postgres?"): any word may match, memories matching more of them rank first, partial
    and misspelled words reach their memory. Strict syntax: "exact phrase", AND, OR, NOT/-word,
    field:value (type, tag, status, author, project, source, path, commit). Returns hits best
    first with a snippet, the words each matched and the record's fields; use `show` for
    the full text. Superseded/deprecated/rejected records, and records on commits of
    unmerged branches, are hidden unless all=true. scope=sessions searches the messages of
    past conversations (session transcripts) instead: each hit names its session, message
    number, role and time; scope=all ranks records and messages in one list (each hit has a
    `kind`). The filters apply to records only.""",
    lambda types: obj(
        {
            "query": text("what to look for (see the query syntax)"),
            "scope": {
                "type": "string",
                "enum": ["records", "sessions", "all"],
                "default": "records",
                "description": "records (memories), sessions (conversation messages) or all",
            },
            **filter_properties(types),
            "limit": {"type": "integer", "minimum": 1, "maximum": 100, "default": 10},
            "sort": {"type": "string", "enum": ["relevance", "newest"], "default": "relevance"},
            "match": {
                "type": "string",
                "enum": ["any", "all"],
                "default": "any",
                "description": "plain words: any of them may match (ranked), or all must",
            },
        },
        ("query",),
    ),
    read_only=True,
)
def _search(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    query = args["query"]
    scope = args.get("scope", "records")
    if scope != "records":
        return _search_sessions(store, args, scope)
    found = finder.search(
        store,
        make_filter(store, args),
        query,
        limit=args.get("limit", 10),
        newest=args.get("sort") == "newest",
        match=args.get("match", "any"),
    )
    return Reply(finder.found_json(found, query))


def _search_sessions(store: Store, args: dict[str, Any], scope: str) -> Reply:
    from gitmem.sessions import search as sessions_search

    query, limit, newest = args["query"], args.get("limit", 10), args.get("sort") == "newest"
    match = args.get("match", "any")
    if scope == "sessions":
        filters = sorted(k for k in args if k not in ("query", "scope", "limit", "sort", "match"))
        if filters:
            raise UsageError(f"{', '.join(filters)} filter records: not with scope=sessions")
        hits = sessions_search.search(store.repo, query, limit=limit, newest=newest, match=match)
        return Reply(sessions_search.found_json(hits, query))
    found = sessions_search.everything(
        store, make_filter(store, args), query, limit=limit, newest=newest, match=match
    )
    return Reply(sessions_search.everything_json(found, query))


@tool(
    "list",
    """List memories newest first, optionally filtered by type, tags, status, author,
    source, project, date or path. Returns each record's fields (not the body; use `show`).
    Superseded/deprecated/rejected records, and records on commits of unmerged branches, are
    hidden unless all=true.""",
    lambda types: obj(
        {
            **filter_properties(types),
            "limit": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
        }
    ),
    read_only=True,
)
def _list(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    rows = finder.records(store, make_filter(store, args), args.get("limit", 50))
    return Reply({"count": len(rows), "records": [finder.public(row) for row in rows]})


@tool(
    "show",
    """One memory in full: every field, its Markdown body, and where it lives (a .memory/
    file or note:<commit>).""",
    lambda types: obj({"id": ID}, ("id",)),
    read_only=True,
)
def _show(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    stored = store.get(args["id"])
    return Reply({**stored.memory.to_json(), "location": stored.location})


# ---------------------------------------------------------------------------- write tools


@tool(
    "save",
    """Save a new memory for this project as a .memory/ file (reviewed and committed like
    code), or with `commit` as a git note on that commit. The first line of `text` is the
    title unless `title` is given. Types: decision (with rationale), fact, error (symptom,
    cause, fix), procedural (steps), code (a pattern), episodic, user (a preference).
    Returns the new id and where it was written; saving what is already there (same type,
    title and text) writes nothing and returns the existing id (existing: true). A text
    holding a secret (access key, token, private key, password in a URL) is refused unless
    `redact` is true: then it is stored as [REDACTED:<kind>].""",
    lambda types: obj(
        {
            "text": text("the memory's Markdown text; its first line is the default title"),
            "type": {**type_enum(types, "the kind of memory"), "default": DEFAULT_TYPE},
            "title": text("one line; default: the first line of the text"),
            "tags": TAGS,
            "status": {**STATUS, "default": "active"},
            "summary": field_schema("summary", "a one-line summary"),
            "paths": PATHS,
            "links": field_schema("links", "related memories (ids or unique prefixes)"),
            "supersedes": field_schema(
                "supersedes", "memories this one replaces; they are marked superseded"
            ),
            "project": field_schema("project", "groups memories across repositories"),
            "metadata": field_schema(
                "metadata", 'free-form key/value metadata, e.g. {"sprint": 42}'
            ),
            "commit": text("attach the memory as a note to this commit (any revision) instead"),
            "slug": {
                "type": "string",
                "pattern": f"^{compose.SLUG_RE.pattern}$",
                "description": "the file name part after the date (default: from the title)",
            },
            "redact": {
                "type": "boolean",
                "default": False,
                "description": "store a detected secret (key, token, password) as "
                "[REDACTED:<kind>] instead of refusing the save",
            },
        },
        ("text",),
    ),
)
def _save(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    saved = actions.save(
        store,
        text=args["text"],
        type=args.get("type", DEFAULT_TYPE),
        title=args.get("title"),
        tags=args.get("tags", ()),
        status=args.get("status"),
        summary=args.get("summary"),
        paths=args.get("paths", ()),
        links=args.get("links", ()),
        supersedes=args.get("supersedes", ()),
        project=args.get("project"),
        metadata=args.get("metadata"),
        commit=args.get("commit"),
        source="mcp",
        tool=caller.client,
        slug=args.get("slug"),
        cwd=store.repo.work_tree,
        reuse_identical=True,
        redact=args.get("redact", False),
    )
    data = saved.to_json()
    if saved.existing:
        data["note"] = f"already saved as {saved.id}: nothing written"
    return Reply(data)


UNSETTABLE = list(fields.REMOVABLE)


@tool(
    "update",
    """Change fields or the body of a memory (sets `updated`). Give only what changes:
    `tags` replaces the tags, `add_tags`/`remove_tags` edit them, `metadata` is merged key by
    key (null removes a key), `unset` removes optional fields. The result is validated
    before anything is written; a change adding a secret is refused unless `redact` is true.
    Returns whether anything changed.""",
    lambda types: obj(
        {
            "id": ID,
            "title": text("the new title (one line)"),
            "type": type_enum(types, "the new type (a file moves to its type's folder)"),
            "status": STATUS,
            "summary": field_schema("summary", "a one-line summary ('' removes it)", min_length=0),
            "project": field_schema("project", "the project ('' removes it)", min_length=0),
            "tags": TAGS,
            "add_tags": TAGS,
            "remove_tags": TAGS,
            "paths": PATHS,
            "links": field_schema("links", "related memories (replaces the list)"),
            "metadata": field_schema("metadata", "keys to set (null removes the key)", null=True),
            "body": text("the new Markdown body (replaces the old one)"),
            "unset": {
                "type": "array",
                "items": {"type": "string", "enum": UNSETTABLE},
                "description": "optional fields to remove",
            },
            "redact": {
                "type": "boolean",
                "default": False,
                "description": "replace every secret the memory holds by "
                "[REDACTED:<kind>] (a secret the change adds is refused otherwise)",
            },
        },
        ("id",),
    ),
    destructive=True,
    idempotent=True,
)
def _update(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    if len(args) < 2:
        raise UsageError("nothing to update: give at least one field to change besides id")
    fields = {key: args[key] for key in actions.UPDATABLE if key in args}
    if len(args) == 2 and "redact" in args and not args["redact"]:
        raise UsageError("nothing to update: give at least one field to change besides id")
    result = actions.update(
        store,
        args["id"],
        fields=fields,
        unset=args.get("unset", ()),
        add_tags=args.get("add_tags", ()),
        remove_tags=args.get("remove_tags", ()),
        body=args.get("body"),
        cwd=store.repo.work_tree,
        redact=args.get("redact", False),
    )
    return Reply(result.to_json())


@tool(
    "delete",
    """Remove one memory: delete its file, or take it out of its note. Returns where it
    was and which memories still refer to it (links/supersedes). Prefer `supersede` or
    status=deprecated for knowledge that changed: history stays readable.""",
    lambda types: obj({"id": ID}, ("id",)),
    destructive=True,
    idempotent=True,
)
def _delete(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    return Reply(actions.delete(store, args["id"]).to_json())


@tool(
    "supersede",
    """Mark memory `old` as replaced by memory `new`: `old` gets status superseded (hidden
    from search and list unless all=true), `new` lists it in `supersedes`.""",
    lambda types: obj(
        {"old": {**ID, "description": "the memory being replaced (id or prefix)"}}
        | {"new": {**ID, "description": "the memory replacing it (id or prefix)"}},
        ("old", "new"),
    ),
    idempotent=True,
)
def _supersede(store: Store, args: dict[str, Any], caller: Caller) -> Reply:
    if args["old"] == args["new"]:
        raise UsageError("a memory cannot supersede itself")
    return Reply(actions.supersede(store, args["old"], args["new"]).to_json())
