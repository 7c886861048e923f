"""The rows publish sends with COPY: a record, a deploy, a session, and a session's messages
already in COPY's text format (a publish's client time is mostly spent here and in parsing).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from gitmem.sessions.transcripts import Message, Transcript
from gitmem.store.record import Memory, parse_time


def text(value: str) -> str:
    """PostgreSQL text holds neither NUL nor unpaired surrogates (bytes a record could not
    decode): each becomes U+FFFD, the rest is kept exactly."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value)
    return value


def json_text(value: Any) -> str:
    return text(json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":")))


def when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = parse_time(value)
    except (ValueError, OverflowError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def record(repo_id: int, location: str, memory: Memory, read_at: str | None) -> tuple[Any, ...]:
    """A `records` row (publish.RECORD_COLUMNS)."""

    def opt(value: str | None) -> str | None:
        return None if value is None else text(str(value))

    def strings(values: Iterable[Any]) -> list[str]:
        return [text(str(v)) for v in values]

    return (
        repo_id,
        text(location),
        memory.id,
        text(memory.type),
        text(memory.title),
        text(str(memory.created)),
        when(str(memory.created)),
        opt(memory.updated),
        opt(memory.author),
        text(memory.status),
        strings(memory.tags),
        " ".join(strings(memory.tags)),
        opt(memory.summary),
        opt(memory.project),
        opt(memory.source),
        opt(memory.tool),
        strings(memory.commits),
        strings(memory.paths),
        strings(memory.links),
        strings(memory.supersedes),
        opt(memory.session),
        json_text(memory.metadata),
        json_text(memory.fields()),
        text(memory.body),
        read_at,
    )


def deploy(repo_id: int, location: str, memory: Memory, found: dict[str, Any]) -> tuple[Any, ...]:
    """A `deploys` row from a record's `deploy:` mapping."""
    commit = memory.commits[0] if memory.commits else location.removeprefix("note:")
    return (
        repo_id,
        location,
        memory.id,
        commit,
        text(str(found.get("env", ""))),
        text(str(found.get("status", ""))),
        when(str(memory.created)),
        json_text(found),
    )


def session(repo_id: int, transcript: Transcript, blob: str) -> tuple[Any, ...]:
    """A `sessions` row (publish.SESSION_COLUMNS)."""
    header = transcript.header

    def field(name: str) -> str | None:
        value = header.get(name)
        return None if value in (None, "") else text(str(value))

    return (
        repo_id,
        text(transcript.id),
        blob,
        field("label"),
        field("tool"),
        field("source"),
        field("started"),
        when(field("started")),
        field("ended"),
        field("summary_id"),
        json_text(header),
        len(transcript.messages),
    )


NULL = "\\N"
_ESCAPE = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_SPECIAL = re.compile(r"[\\\n\r\t]")


def _field(value: str) -> str:
    """A value in COPY's text format. Most hold no character to escape, and a search for one
    costs a fraction of translating every character (a third of the client's time)."""
    return value.translate(_ESCAPE) if _SPECIAL.search(value) else value


def moment(timestamp: str | None) -> str:
    """An ISO 8601 timestamp PostgreSQL reads the same way (UTC if it has no offset), or
    COPY's NULL when it is none."""
    if not timestamp:
        return NULL
    try:
        found = datetime.fromisoformat(timestamp)
    except ValueError:
        return NULL
    return (found if found.tzinfo else found.replace(tzinfo=UTC)).isoformat()


def messages(repo_id: int, session_id: str, found: Iterable[Message]) -> bytes:
    """`session_messages` rows (schema.MESSAGE_COLUMNS) of one session in COPY's text
    format: tab-separated, backslash escapes, \\N for NULL. Built here, one chunk per session:
    per-row adaptation was most of the client's time."""
    prefix = f"{repo_id}\t{_field(session_id)}\t"
    lines = "".join(
        [
            f"{prefix}{_field(m.hash)}\t{_field(m.role)}\t{_field(m.content)}"
            f"\t{NULL if m.timestamp is None else _field(m.timestamp)}\t{moment(m.timestamp)}\n"
            for m in found
        ]
    )
    if "\x00" in lines:
        lines = lines.replace("\x00", "\ufffd")
    try:
        return lines.encode("utf-8")
    except UnicodeEncodeError:
        return text(lines).encode("utf-8")
