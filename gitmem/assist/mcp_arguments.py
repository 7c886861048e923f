"""The MCP tools' arguments: the parts of their JSON schemas (a record field typed by its kind
in store/fields.py, ids, tags, paths, the filters `list` and `search` share) and the record
`Filter` those filters describe. Plain Python, like the tools (`mcp_tools`, `mcp_assist`)."""

from __future__ import annotations

from typing import Any

from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.query import Filter
from gitmem.store import fields
from gitmem.store.record import ID_LENGTH, MIN_PREFIX, SOURCES, STATUSES


def obj(properties: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object schema that refuses unknown arguments (a misspelt one is an error)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def text(description: str, *, min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "description": description}


def strings(description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": description,
    }


ID = {
    "type": "string",
    "pattern": f"^[0-9A-Za-z]{{{MIN_PREFIX},{ID_LENGTH}}}$",
    "description": f"a memory id, or a unique prefix of it ({MIN_PREFIX}+ characters)",
}
IDS = {"type": "array", "items": ID}
STATUS = {"type": "string", "enum": list(STATUSES)}
TAGS = strings("tags: lowercase letters, digits and hyphens (other text is normalised)")
PATHS = strings("files, directories (ending in /) or globs, relative to the repository root")


def field_schema(
    name: str, description: str, *, min_length: int = 1, null: bool = False
) -> dict[str, Any]:
    """A record field as a tool argument, typed by its kind in store/fields.py: text and time
    fields a string, lists an array (of memory ids for links), a mapping an object of scalars
    (`null`: a null value removes the key)."""
    spec = fields.BY_NAME[name]
    if spec.kind == "list":
        return {**IDS, "description": description} if spec.ids else strings(description)
    if spec.kind == "mapping":
        scalars = ["string", "number", "boolean", *(["null"] if null else [])]
        return {
            "type": "object",
            "additionalProperties": {"type": scalars},
            "description": description,
        }
    return text(description, min_length=min_length)


def type_enum(types: list[str], description: str) -> dict[str, Any]:
    return {"type": "string", "enum": types, "description": description}


# The filter arguments that take one value, named as the CLI's options are.
SINGLE_FILTERS = ("type", "status", "author", "source", "project", "path")


def filter_properties(types: list[str]) -> dict[str, Any]:
    """The filters `list` and `search` share (the CLI's --type, --tag, ... --all)."""
    return {
        "type": type_enum(types, "only records of this type"),
        "tags": strings("only records carrying all of these tags"),
        "status": {**STATUS, "description": "only records with this status (retired too)"},
        "author": text("author name or email contains this text"),
        "source": {"type": "string", "enum": list(SOURCES), "description": "how it was captured"},
        "project": text("only records of this project"),
        "since": text("created at or after: 2026-11-20, an ISO timestamp, or '3 days ago'"),
        "until": text("created at or before (same forms as since)"),
        "path": text("about this file or directory (matches recorded paths, globs, dirs)"),
        "all": {
            "type": "boolean",
            "default": False,
            "description": "include superseded, deprecated and rejected records, and records "
            "in notes on commits no merged branch reaches (marked unmerged: true)",
        },
    }


def make_filter(store: Store, args: dict[str, Any]) -> Filter:
    """The filter `filter_properties` describe: one value each, but `tags`; paths relative to
    the work tree."""
    given = {name: [args[name]] for name in SINGLE_FILTERS if name in args}
    return finder.local_filter(
        store,
        {**given, "tag": args.get("tags", [])},
        since=args.get("since"),
        until=args.get("until"),
        everything=bool(args.get("all", False)),
        cwd=store.repo.work_tree,
    )
