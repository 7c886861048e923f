"""What the session functions (sessions.py) return: the documents `--json` and the MCP tools
print."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from gitmem.sessions import transcripts

Status = str  # active | unfinished | ended | imported


@dataclass
class Session:
    id: str
    label: str | None
    tool: str | None
    started: str
    worktree: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # every field, in declaration order


@dataclass
class SessionInfo:
    id: str
    status: Status
    label: str | None = None
    tool: str | None = None
    source: str = "session"
    started: str | None = None
    ended: str | None = None
    messages: int = 0
    summary_id: str | None = None
    origin: str | None = None
    worktree: str | None = None  # where an active or unfinished session runs

    def to_json(self) -> dict[str, Any]:
        return asdict(self)  # every field, in declaration order


@dataclass
class Ended:
    session: SessionInfo
    summary_id: str
    location: str | None  # the summary file; None if it was written by an earlier `end`
    links: list[str] = field(default_factory=list)
    generated: bool = False  # the summary text was generated (no --summary given)
    transcript: str | None = None  # the commit of refs/gitmem/sessions holding it
    redacted: list[str] = field(default_factory=list)  # secrets replaced (`kind at where`)

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session.to_json(),
            "summary_id": self.summary_id,
            "location": self.location,
            "links": self.links,
            "generated": self.generated,
            "ref": transcripts.REF,
            "commit": self.transcript,
            **({"redacted": self.redacted} if self.redacted else {}),
        }
