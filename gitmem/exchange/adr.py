"""Architecture decision records as people keep them: adr-tools (`doc/adr/NNNN-title.md`,
`# N. Title`, `Date:`, a `## Status` section with `Supersedes`/`Superseded by` links), MADR
(YAML front matter `status:`/`date:`, or `* Status:` bullets in MADR 2 and log4brains).

Read with plain line rules, no YAML: only the title, date, status and links are taken; the rest
of the file is the body, as written. `render` writes the adr-tools shape back, with the record's
id in a comment so that importing the export again adds nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

NUMBERED = re.compile(r"^(?P<number>\d{1,5})-(?P<slug>[^/]+)\.md$")
_TITLE = re.compile(r"^#\s+(?:(?:ADR[- ]?)?\d+[.:]?\s+)?(?P<title>.+?)\s*$", re.IGNORECASE)
_DATE = re.compile(r"^[*-]?\s*(?:Date|date)\s*:\s*(?P<date>\d{4}-\d{2}-\d{2})")
_STATUS_BULLET = re.compile(r"^[*-]?\s*Status\s*:\s*(?P<status>.+?)\s*$", re.IGNORECASE)
_LINK = re.compile(r"\]\((?:\./)?(?P<target>(?P<number>\d{1,5})-[^)\s]*\.md)\)")
ID_COMMENT = re.compile(r"<!--\s*gitmem:id\s+(?P<id>[0-9a-z]{12})\s*-->")
_STATUSES = ("accepted", "active", "proposed", "deprecated", "superseded", "rejected")


class Adr(NamedTuple):
    number: int | None
    title: str
    date: str | None  # YYYY-MM-DD
    status: str  # one of gitmem's statuses
    body: str
    supersedes: list[int]  # numbers of the ADRs it names as superseded
    gitmem_id: str | None  # written by `render`


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Simple `key: value` front matter (MADR, Basic Memory, Obsidian) and the text after it,
    read without YAML: top-level scalar values only (a `[a, b]` list stays its text)."""
    lines = text.split("\n")
    if lines[0].strip() != "---":
        return {}, text
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return {}, text
    front: dict[str, str] = {}
    for line in lines[1:end]:
        key, colon, value = line.partition(":")
        if colon and key.strip() and not key.startswith((" ", "-")):
            front[key.strip().lower()] = value.strip().strip("'\"")
    return front, "\n".join(lines[end + 1 :])


def parse(path: Path, text: str) -> Adr | None:
    """The ADR in `text`, or None when it has no `# Title` line (not an ADR)."""
    front, rest = front_matter(text.replace("\r\n", "\n"))
    lines = rest.split("\n")
    heading = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
    if heading is None:
        return None
    title_match = _TITLE.match(lines[heading])
    title = title_match["title"] if title_match else lines[heading][2:].strip()
    date = front.get("date", "")[:10] or None
    status_text = front.get("status", "")
    body: list[str] = []
    status_section = False
    for line in lines[heading + 1 :]:
        if line.startswith("## "):
            status_section = line[3:].strip().lower() == "status"
            if status_section:
                continue
        found_date = _DATE.match(line)
        found_status = _STATUS_BULLET.match(line)
        if date is None and found_date:
            date = found_date["date"]
            continue
        if not status_text and found_status:
            status_text = found_status["status"]
            continue
        if status_section:  # its links are read below; the rest is the status itself
            stripped = line.strip()
            if (
                stripped
                and not status_text
                and not stripped.lower().startswith(("supersedes", "amends"))
            ):
                status_text = stripped
            continue
        body.append(line)
    text_body = "\n".join(body)
    gitmem_id = ID_COMMENT.search(text_body)
    text_body = ID_COMMENT.sub("", text_body).strip("\n") + "\n"
    number_match = NUMBERED.match(path.name)
    supersedes = [
        int(link["number"])
        for line in text.splitlines()
        if line.strip().lower().startswith(("supersedes", "* supersedes", "- supersedes"))
        for link in _LINK.finditer(line)
    ]
    return Adr(
        int(number_match["number"]) if number_match else None,
        title,
        date,
        _status(status_text),
        text_body,
        supersedes,
        gitmem_id["id"] if gitmem_id else None,
    )


def _status(text: str) -> str:
    word = text.lower()
    for status in _STATUSES:
        if word.startswith(status) or word.startswith(status[:-1]):  # "Superseded by ...", "Accept"
            return status
    return "accepted" if not word else "proposed"


def render(number: int, title: str, date: str, status: str, body: str, record_id: str,
           supersedes: list[tuple[int, str, str]]) -> str:  # fmt: skip
    """adr-tools' shape. `supersedes`: (number, title, file name) of the ADRs it replaces."""
    lines = [f"# {number}. {title}", "", f"Date: {date}", "", "## Status", "", status.capitalize()]
    for other, other_title, name in supersedes:
        lines += ["", f"Supersedes [{other}. {other_title}]({name})"]
    lines += ["", body.strip("\n"), "", f"<!-- gitmem:id {record_id} -->", ""]
    return "\n".join(lines)
