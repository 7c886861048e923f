"""The question the semantic tests ask and the two records they search: both match its words
alike, and the second answers it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STORED, EXPIRES = "cccc00000001", "cccc00000002"
QUESTION = "how long do login sessions live?"


def write_login_sessions(repo: Path, g: Any) -> None:
    g.write_record(
        repo, "facts/stored.md", STORED, title="Login sessions are stored in Redis",
        created="2026-01-12T09:00:00+00:00", body="Kept in a Redis hash, one per user.",
    )  # fmt: skip
    g.write_record(
        repo, "facts/expires.md", EXPIRES, title="Login sessions expire after thirty days",
        created="2026-01-11T09:00:00+00:00",
        body="After a month without activity the user signs in again.",
    )  # fmt: skip
