"""Record fields: the one declaration of the front-matter keys a record knows.

Their order here is the canonical key order records are written in. Record parsing, validation
and serialisation read it, and so do the MCP tools' schemas; unknown keys are kept as they are
(`Memory.extra`) after the known ones.
"""

from __future__ import annotations

from gitmem import NamedTuple

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    from typing import Literal

    Kind = Literal["text", "time", "list", "mapping"]


class Field(NamedTuple):
    name: str
    kind: Kind  # text and time: one scalar; list: of strings; mapping: string keys
    required: bool = False  # a record without it does not parse
    removable: bool = False  # `update` may remove it (the MCP update tool's `unset`)
    ids: bool = False  # a list of memory ids (links between records)
    indexed: bool = False  # a field of the search index (search/index.py schema)
    filterable: bool = False  # `list` and `search` filter on it (search/query.py Filter)


FIELDS = (
    Field("id", "text", required=True, indexed=True),
    Field("type", "text", required=True, indexed=True, filterable=True),
    Field("title", "text", required=True, indexed=True),
    Field("created", "time", required=True, indexed=True, filterable=True),
    Field("updated", "time", removable=True),
    Field("author", "text", removable=True, indexed=True, filterable=True),
    Field("status", "text", indexed=True, filterable=True),
    Field("tags", "list", indexed=True, filterable=True),
    Field("summary", "text", removable=True, indexed=True),
    Field("project", "text", removable=True, indexed=True, filterable=True),
    Field("source", "text", indexed=True, filterable=True),
    Field("tool", "text", removable=True),
    Field("commits", "list", removable=True, indexed=True, filterable=True),
    Field("paths", "list", removable=True, indexed=True, filterable=True),
    Field("links", "list", removable=True, ids=True),
    Field("supersedes", "list", removable=True, ids=True),
    Field("session", "text", removable=True),
    Field("metadata", "mapping", removable=True),
)

FIELD_ORDER = tuple(f.name for f in FIELDS)
REQUIRED = tuple(f.name for f in FIELDS if f.required)
BY_NAME = {f.name: f for f in FIELDS}
LIST_FIELDS = tuple(f.name for f in FIELDS if f.kind == "list")
ID_LIST_FIELDS = tuple(f.name for f in FIELDS if f.ids)
TIME_FIELDS = tuple(f.name for f in FIELDS if f.kind == "time")
REMOVABLE = tuple(f.name for f in FIELDS if f.removable)
