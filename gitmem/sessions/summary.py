"""The summary record `git mem session end` writes: episodic, in .memory/sessions/."""

from __future__ import annotations

from typing import Any

from gitmem.output import plural
from gitmem.records.store import Store
from gitmem.sessions.transcripts import Message
from gitmem.store import git
from gitmem.store.record import Memory, derived_id, now_iso

ROLES = ("user", "assistant", "tool")
SUMMARY_TAG = "session"


def summary_id(session_id: str) -> str:
    """The summary record's id: derived, so an `end` re-run after a crash writes none twice."""
    return derived_id("session-summary", session_id)


GENERATED = "(Generated summary: no --summary was given.)"


def generate(header: dict[str, Any], messages: list[Message], note: str = GENERATED) -> str:
    roles = {role: sum(1 for m in messages if m.role == role) for role in ROLES}
    counts = ", ".join(f"{n} {role}" for role, n in roles.items() if n)
    span = ""
    times = [m.timestamp for m in messages if m.timestamp]
    if times:
        span = f" from {min(times)[:19]} to {max(times)[:19]} UTC"
    first = next((m.content for m in messages if m.role == "user"), None)
    lines = [
        note,
        "",
        f"{plural(len(messages), 'message')}" + (f" ({counts})" if counts else "") + span + ".",
    ]
    if first is not None:
        excerpt = " ".join(first.split())
        excerpt = excerpt if len(excerpt) <= 200 else excerpt[:197].rstrip() + "..."
        lines += ["", f"First user message: {excerpt}"]
    return "\n".join(lines)


def record(
    store: Store, sid: str, header: dict[str, Any], text: str, links: list[str], generated: bool
) -> Memory:
    label = header.get("label")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if generated:
        first = "generated summary"
    title = f"Session {label or sid}: {first.lstrip('# ')}"
    title = " ".join(title.split())
    if len(title) > 120:
        title = title[:117].rstrip() + "..."
    body = f"{text}\n\nTranscript: `git mem session show {sid}`\n"
    return Memory(
        id=summary_id(sid),
        type="episodic",
        title=title,
        created=now_iso(),
        body=body,
        author=git.ident(store.repo),
        tags=[SUMMARY_TAG],
        source="session",
        tool=header.get("tool"),
        links=links,
        session=sid,
    )
