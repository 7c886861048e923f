"""The REST API's endpoints: each reads its parameters and calls what the CLI command calls.

Every handler takes a fresh `Store` (a long-lived server must see files and notes changed
behind its back; a Store refreshes its catalog once), the request's `Query` and its JSON body,
and returns (status, document); the documents are the ones `--json` prints. User errors are
raised as GitMemError with the CLI's one-line messages; `app` turns them into JSON errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gitmem.errors import NotFoundError, UsageError
from gitmem.records import actions, finder
from gitmem.records.store import Store
from gitmem.serve.params import FILTERS, Query, body_object, list_field, text_field
from gitmem.serve.reuse import Reuse
from gitmem.store.types import DEFAULT_TYPE

if TYPE_CHECKING:
    from gitmem.reports.data import Window

PAGE = 50  # records or messages per page by default
MAX_PAGE = 1000
SCOPES = ("records", "sessions", "all")
SOURCE, TOOL = "cli", "git-mem-serve"  # what a record written through the API says of itself


@dataclass(frozen=True)
class Call:
    store: Store
    query: Query
    path: dict[str, str]
    body: Any = None
    reuse: Reuse | None = None  # the server's views per repository state


Handler = Callable[[Call], tuple[int, Any]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # under /api/v1
    summary: str
    handler: Handler
    params: tuple[str, ...] = ()  # the query parameters it takes
    write: bool = False  # changes the memory: --allow-writes and the token
    body: tuple[str, ...] = ()  # the JSON body's fields, when it takes one
    doc: dict[str, str] = field(default_factory=dict)  # what each parameter means


def _page(call: Call) -> tuple[int, int]:
    return call.query.number("offset", 0, 0, 10**9), call.query.number("limit", PAGE, 1, MAX_PAGE)


def list_records(call: Call) -> tuple[int, Any]:
    offset, limit = _page(call)
    rows = finder.records(call.store, call.query.filter(call.store), offset + limit + 1)
    shown = rows[offset : offset + limit]
    more = len(rows) > offset + limit
    return 200, {
        "count": len(shown),
        "records": [finder.public(row) for row in shown],
        "offset": offset,
        "limit": limit,
        "next_offset": offset + limit if more else None,
    }


def show_record(call: Call) -> tuple[int, Any]:
    stored = call.store.get(call.path["id"])
    return 200, {**stored.memory.to_json(), "location": stored.location}


def search(call: Call) -> tuple[int, Any]:
    text = call.query.one("q") or ""
    scope = call.query.choice("scope", SCOPES)
    limit = call.query.number("limit", 10, 1, 100)
    newest = call.query.choice("sort", ("relevance", "newest")) == "newest"
    match = call.query.choice("match", ("any", "all"))
    if scope != "records":
        return 200, _search_conversations(call, scope, text, limit, newest, match)
    found = finder.search(
        call.store, call.query.filter(call.store), text, limit=limit, newest=newest, match=match
    )
    document = finder.found_json(found, text)
    document["hidden"] = found.hidden or None
    return 200, document


def _search_conversations(
    call: Call, scope: str, text: str, limit: int, newest: bool, match: str
) -> dict[str, Any]:
    """scope=sessions: the messages of session transcripts; scope=all: records and messages
    in one list (as `git mem search --sessions` / `--everything`)."""
    from gitmem.sessions import search as sessions_search

    if scope == "sessions":
        given = sorted(name for name in FILTERS if call.query.values.get(name))
        if given:
            raise UsageError(f"{', '.join(given)} filter records: not with scope=sessions")
        hits = sessions_search.search(
            call.store.repo, text, limit=limit, newest=newest, match=match
        )
        return sessions_search.found_json(hits, text)
    found = sessions_search.everything(
        call.store, call.query.filter(call.store), text, limit=limit, newest=newest, match=match
    )
    return sessions_search.everything_json(found, text)


def list_sessions(call: Call) -> tuple[int, Any]:
    from gitmem.sessions import sessions

    return 200, {"sessions": [info.to_json() for info in sessions.listing(call.store)]}


def session_messages(call: Call) -> tuple[int, Any]:
    from gitmem.sessions import sessions

    offset, limit = _page(call)
    info, messages = sessions.show(call.store, call.path["id"])
    shown = [
        {"index": offset + i, **m.to_json()}
        for i, m in enumerate(messages[offset : offset + limit])
    ]
    more = len(messages) > offset + limit
    return 200, {
        "session": info.to_json(),
        "total": len(messages),
        "offset": offset,
        "limit": limit,
        "messages": shown,
        "next_offset": offset + limit if more else None,
    }


def report_document(call: Call, name: str) -> dict[str, Any]:
    from gitmem.reports.data import Window
    from gitmem.reports.report import build

    window = Window(since=call.query.when("since"), until=call.query.when("until"))
    envs, unmerged = tuple(call.query.many("env")), call.query.flag("all")
    if call.reuse is None or (window.since and not window.until):  # open: it ends now
        return build(call.store, name, window, envs, unmerged=unmerged)
    return kept_report(call.reuse, call.store, name, window, envs, unmerged)


def kept_report(
    reuse: Reuse,
    store: Store,
    name: str,
    window: Window,
    envs: tuple[str, ...] = (),
    unmerged: bool = False,
) -> dict[str, Any]:
    """Report `name` computed once per repository state: one copy for the API and the pages."""
    from gitmem.reports.report import build

    def compute(store: Store) -> dict[str, Any]:
        return build(store, name, window, envs, unmerged=unmerged)

    return reuse.get(store, ("report", name, window, envs, unmerged), compute)


def report(call: Call) -> tuple[int, Any]:
    from gitmem.reports.report import FORMATS, render

    form = call.query.choice("format", ("json", *(f for f in FORMATS if f != "json")))
    document = report_document(call, call.path["kind"])
    return 200, document if form == "json" else Text(render(document, form), form)


def deploys(call: Call) -> tuple[int, Any]:
    return 200, report_document(call, "deploys")


def context(call: Call) -> tuple[int, Any]:
    from gitmem.assist import context as packs

    budget = call.query.number("budget", packs.DEFAULT_BUDGET, packs.MIN_BUDGET, 10**6)
    form = call.query.choice("format", ("json", "markdown"))
    pack = packs.build(
        call.store,
        budget=budget,
        queries=call.query.many("query"),
        paths=call.query.many("path"),
        unmerged=call.query.flag("all"),
    )
    return 200, pack.to_json() if form == "json" else Text(pack.markdown(), "markdown")


def list_backups(call: Call) -> tuple[int, Any]:
    from gitmem.share import backup

    folder = backup.backup_dir(call.store.repo)
    found = sorted(folder.glob("*.bundle")) if folder.is_dir() else []
    return 200, {
        "folder": str(folder),
        "backups": [
            {
                "name": path.name,
                "size": path.stat().st_size,
                "modified": datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(),
            }
            for path in reversed(found)
        ],
    }


def backups(call: Call) -> tuple[int, Any]:
    """Create a bundle in the backups folder, or verify one there (by name: the API writes and
    reads nowhere else)."""
    from gitmem.share import backup

    data = body_object(call.body, ("action", "name", "branch"), ("action",))
    repo = call.store.repo
    action, name = text_field(data, "action"), text_field(data, "name")
    if action == "create":
        if name is not None:
            raise UsageError("create names its bundle itself: leave out name")
        path = backup.default_path(repo, cwd=repo.common_dir)
        path.parent.mkdir(parents=True, exist_ok=True)
        return 201, backup.create(repo, path, text_field(data, "branch")).to_json()
    if action == "verify":
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise UsageError("verify needs the name of a bundle in the backups folder")
        path = backup.backup_dir(repo) / name
        if not path.is_file():
            raise NotFoundError(f"no backup named {name!r} (GET /api/v1/backups lists them)")
        return 200, backup.verify(repo, path).to_json()
    raise UsageError(f"unknown action {action!r}: use create or verify")


SAVE_FIELDS = (
    "text",
    "type",
    "title",
    "tags",
    "status",
    "summary",
    "paths",
    "links",
    "supersedes",
    "project",
    "metadata",
    "commit",
    "slug",
)


def save(call: Call) -> tuple[int, Any]:
    data = body_object(call.body, SAVE_FIELDS, ("text",))
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise UsageError("metadata must be an object")
    saved = actions.save(
        call.store,
        text=text_field(data, "text") or "",
        type=text_field(data, "type") or DEFAULT_TYPE,
        title=text_field(data, "title"),
        tags=list_field(data, "tags"),
        status=text_field(data, "status"),
        summary=text_field(data, "summary"),
        paths=list_field(data, "paths"),
        links=list_field(data, "links"),
        supersedes=list_field(data, "supersedes"),
        project=text_field(data, "project"),
        metadata=metadata,
        commit=text_field(data, "commit"),
        slug=text_field(data, "slug"),
        source=SOURCE,
        tool=TOOL,
        cwd=call.store.repo.work_tree,
    )
    return 201, saved.to_json()


LIST_FIELDS = ("tags", "paths", "links")


def typed_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a PATCH, each checked to be of its kind (what the MCP schema checks for
    the update tool): lists of strings, an object for metadata, else a string (null: remove)."""
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key == "body":
            continue
        if key in LIST_FIELDS:
            fields[key] = list_field(data, key) if isinstance(value, list) else None
            if fields[key] is None:
                raise UsageError(f"{key} must be a list of strings")
        elif key == "metadata":
            if not isinstance(value, dict):
                raise UsageError("metadata must be an object (a null value removes a key)")
            fields[key] = value
        elif value is not None and not isinstance(value, str):
            raise UsageError(f"{key} must be a string")
        else:
            fields[key] = value or ""
    return fields


def update(call: Call) -> tuple[int, Any]:
    data = body_object(call.body, (*actions.UPDATABLE, "body"))
    fields = typed_fields(data)
    body = text_field(data, "body")
    updated = actions.update(
        call.store, call.path["id"], fields=fields, body=body, cwd=call.store.repo.work_tree
    )
    return 200, updated.to_json()


def supersede(call: Call) -> tuple[int, Any]:
    data = body_object(call.body, ("by",), ("by",))
    by = text_field(data, "by") or ""
    return 200, actions.supersede(call.store, call.path["id"], by).to_json()


def delete(call: Call) -> tuple[int, Any]:
    force, clean = call.query.flag("force"), call.query.flag("clean_links")
    return 200, actions.delete(
        call.store, call.path["id"], force=force, clean_links=clean
    ).to_json()


@dataclass(frozen=True)
class Text:
    """A response that is a rendered text (Markdown or HTML), not a JSON document."""

    text: str
    form: str


PAGING = ("offset", "limit")
ENDPOINTS = (
    Endpoint("GET", "/records", "records newest first, filtered (git mem list --json)",
             list_records, (*FILTERS, *PAGING)),
    Endpoint("GET", "/records/{id}", "one record by id or unique prefix (git mem show --json)",
             show_record),
    Endpoint("GET", "/search", "ranked search, the CLI's query syntax (git mem search --json)",
             search, ("q", "scope", "limit", "sort", "match", *FILTERS)),
    Endpoint("GET", "/sessions", "every session, newest first (git mem session list --json)",
             list_sessions),
    Endpoint("GET", "/sessions/{id}/messages", "a session's transcript, paged",
             session_messages, PAGING),
    Endpoint("GET", "/reports/{kind}", "a report: deploys, decisions, activity, errors, timeline",
             report, ("format", "since", "until", "env", "all")),
    Endpoint("GET", "/deploys", "deploys per environment with the four DORA measures",
             deploys, ("since", "until", "env", "all")),
    Endpoint("GET", "/backups", "the bundles in the backups folder", list_backups),
    Endpoint("POST", "/backups", "create a backup bundle, or verify one by name", backups,
             body=("action", "name", "branch")),
    Endpoint("GET", "/context", "the context pack within a token budget (git mem context)",
             context, ("budget", "query", "path", "format", "all")),
    Endpoint("POST", "/records", "save a new record (git mem save)", save, write=True,
             body=SAVE_FIELDS),
    Endpoint("PATCH", "/records/{id}", "change fields or the body (git mem edit --set)",
             update, write=True, body=(*actions.UPDATABLE, "body")),
    Endpoint("POST", "/records/{id}/supersede", "mark {id} superseded by the record `by`",
             supersede, write=True, body=("by",)),
    Endpoint("DELETE", "/records/{id}", "delete a record (git mem rm)", delete,
             ("force", "clean_links"), write=True),
)  # fmt: skip
