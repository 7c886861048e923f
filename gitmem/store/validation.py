"""Checking a record's values: errors name the file (or note), the line and the field."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from gitmem.errors import RecordError
from gitmem.store.fields import ID_LIST_FIELDS, REQUIRED, TIME_FIELDS
from gitmem.store.record import ID_LENGTH, ID_RE, SHA_RE, SOURCES, STATUSES, Memory, parse_time
from gitmem.store.types import TYPE_FOLDERS


def validate(
    memory: Memory, source: str, lines: Mapping[str, int] | None = None, types: Iterable[str] = ()
) -> None:
    """Check the values of a record; raises RecordError naming source, line and field."""
    lines = lines or {}

    def fail(key: str, expected: str) -> RecordError:
        return RecordError(source, f"expected {expected}", line=lines.get(key), field=key)

    known_types = set(TYPE_FOLDERS) | set(types)
    if not ID_RE.fullmatch(memory.id or ""):
        raise fail("id", f"{ID_LENGTH} characters of lowercase Crockford base32, got {memory.id!r}")
    if memory.type not in known_types:
        listing = ", ".join(sorted(known_types))
        raise fail("type", f"one of {listing} (or a type declared in .memory/config.toml)")
    if not memory.title or "\n" in memory.title.strip():
        raise fail("title", "a non-empty single line")
    for key in TIME_FIELDS:
        value = getattr(memory, key)
        if value is None and key not in REQUIRED:
            continue
        try:
            parse_time(value)
        except (ValueError, TypeError):
            raise fail(key, f"an ISO 8601 timestamp with offset, got {value!r}") from None
    if memory.status not in STATUSES:
        raise fail("status", f"one of {', '.join(STATUSES)}, got {memory.status!r}")
    if memory.source is not None and memory.source not in SOURCES:
        raise fail("source", f"one of {', '.join(SOURCES)}, got {memory.source!r}")
    for key in ID_LIST_FIELDS:
        for item in getattr(memory, key):
            if not ID_RE.fullmatch(item):
                raise fail(key, f"memory ids, got {item!r}")
    for item in memory.commits:
        if not SHA_RE.fullmatch(item):
            raise fail("commits", f"commit ids (hex), got {item!r}")
    for item in memory.paths:
        problem = path_problem(item)
        if problem:
            raise fail("paths", f"repository-relative paths, got {item!r} ({problem})")


def path_problem(path: str) -> str | None:
    """Why a recorded path could point outside the repository, or None if it cannot."""
    if not path or path.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", path):
        return "absolute path"
    if ".." in re.split(r"[/\\]", path):
        return "'..' escapes the repository"
    return None
