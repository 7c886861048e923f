"""The per-project tree of the memory systems gitmem replaces, `~/.global/memory/<project>/`
(`git mem import --format global DIR`):

    decisions/            ADRs                          -> decisions (as --format adr)
    learnings/ or .md     what was learnt               -> facts
    bugs/ or bugs.md      bug notes                     -> errors
    devlog.md, dev-log/   dated log entries (## DATE)   -> episodic records, one per entry
    summary.md, project-summary.md, PROJECT.md          -> one fact, "Project summary"
    sessions/*.json       conversations                 -> session transcripts (import's json)
    checkpoints/*.json    save points                   -> checkpoint chains (their notes, stage,
                                                          progress and time; no file contents)

Records follow `importing`'s rules (stable ids, original dates, `metadata.origin`); sessions
the importer's (deduplicated by message hash); checkpoints are added once each, found again by
their origin and time.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.checkpoints import checkpoint
from gitmem.errors import GitMemError, UsageError
from gitmem.exchange import importing
from gitmem.records.store import Store
from gitmem.sessions import importer
from gitmem.store.record import Memory, derived_id

_DATED = re.compile(r"^##\s+(?P<date>\d{4}-\d{2}-\d{2})\b[\s:—-]*(?P<title>.*)$")
SUMMARIES = ("summary.md", "project-summary.md", "project_summary.md", "PROJECT.md")
DEVLOGS = ("devlog.md", "dev-log.md", "dev_log.md", "devlog", "dev-log")


class Found(NamedTuple):
    plan: importing.Plan
    sessions: list[Path]  # conversation files for the sessions importer
    checkpoints: list[tuple[Path, dict[str, Any]]]


def read(store: Store, root: Path) -> Found:
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory (expected ~/.global/memory/<project>/)")
    problems: list[str] = []
    found: list[tuple[Memory, str]] = []
    if (root / "decisions").is_dir():
        found += importing.adrs(root / "decisions", problems)
    types = store.config.type_names
    for name, kind in (("learnings", "fact"), ("bugs", "error")):
        for path in (root / name, root / f"{name}.md"):
            if path.exists():
                notes = importing.markdown(path, problems, types)
                found += [(_typed(memory, kind), origin) for memory, origin in notes]
    for name in DEVLOGS:
        path = root / name
        files = sorted(path.glob("*.md")) if path.is_dir() else [path] if path.exists() else []
        for file in files:
            found += _devlog(file, problems)
    for name in SUMMARIES:
        if (root / name).is_file():
            found += [_summary(root, root / name, problems)]
            break
    plan = importing.checked(store, found, problems)
    sessions = sorted((root / "sessions").glob("*.json")) if (root / "sessions").is_dir() else []
    checkpoints = []
    for file in (
        sorted((root / "checkpoints").glob("*.json")) if (root / "checkpoints").is_dir() else []
    ):
        data = _json(file, problems)
        if data is not None:
            checkpoints.append((file, data))
    return Found(plan, sessions, checkpoints)


def _typed(memory: Memory, kind: str) -> Memory:
    memory.type = kind
    return memory


def _json(file: Path, problems: list[str]) -> dict[str, Any] | None:
    text = importing.read_text(file, problems)
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:
        problems.append(f"{file}: not JSON ({error}), skipped")
        return None
    if not isinstance(data, dict):
        problems.append(f"{file}: expected a JSON object, skipped")
        return None
    return data


def _devlog(file: Path, problems: list[str]) -> list[tuple[Memory, str]]:
    """One episodic record per `## YYYY-MM-DD title` entry."""
    text = importing.read_text(file, problems)
    if text is None:
        return []
    entries: list[tuple[str, str, list[str]]] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        dated = _DATED.match(line)
        if dated:
            entries.append((dated["date"], dated["title"].strip(), []))
        elif entries:
            entries[-1][2].append(line)
    out = []
    for date, title, lines in entries:
        body = "\n".join(lines).strip("\n") + "\n"
        heading = title or f"Dev log {date}"
        memory = Memory(
            id=derived_id("devlog", date, heading, body),
            type="episodic",
            title=heading[:200],
            created=f"{date}T00:00:00+00:00",
            body=body,
            tags=["devlog"],
            source="import",
            metadata={"origin": str(file)},
        )
        out.append((memory, f"{file} ({date})"))
    return out


def _summary(root: Path, file: Path, problems: list[str]) -> tuple[Memory, str]:
    text = importing.read_text(file, problems) or ""
    body = text.replace("\r\n", "\n").strip("\n") + "\n"
    title = f"Project summary: {root.name}"
    memory = Memory(
        id=derived_id("project-summary", root.name),
        type="fact",
        title=title,
        created=datetime.fromtimestamp(file.stat().st_mtime, UTC).isoformat(timespec="seconds"),
        body=body,
        tags=["summary"],
        source="import",
        metadata={"origin": str(file)},
    )
    return memory, str(file)


def write_sessions(store: Store, files: list[Path], dry_run: bool) -> importer.Report:
    report = importer.Report()
    found = importer.parse(files, "json", report) if files else []
    if found:
        importer.store(store.repo, found, report, label=None, dry_run=dry_run)
    return report


def write_checkpoints(
    store: Store, checkpoints: list[tuple[Path, dict[str, Any]]], dry_run: bool
) -> tuple[int, int, list[str]]:
    """(added, already there, problems): each JSON checkpoint as a checkpoint of its name, at
    its own time, holding no files (the tree did not keep them), once."""
    added = present = 0
    problems: list[str] = []
    for file, data in checkpoints:
        name = str(data.get("name") or file.stem)
        when = importing.parse_when(
            data.get("timestamp") or data.get("created") or data.get("time")
        )
        try:
            checkpoint.validate_name(name)
            chain = (
                checkpoint.chain(store.repo, name) if name in checkpoint.names(store.repo) else []
            )
        except GitMemError as error:
            problems.append(f"{file}: {error}, skipped")
            continue
        if any(c.meta.get("metadata", {}).get("origin") == str(file) for c in chain):
            present += 1
            continue
        if not dry_run:
            progress: dict[str, Any] = data.get("progress") or {}
            progress = progress if isinstance(progress, dict) else {}
            checkpoint.save(
                store.repo,
                name,
                stage=str(data["stage"]).splitlines()[0] if data.get("stage") else None,
                notes=str(data.get("notes") or data.get("summary") or "") or None,
                files=[],
                metadata={"origin": str(file)},
                done=[str(x) for x in (data.get("done") or progress.get("done") or [])],
                todo=[str(x) for x in (data.get("todo") or progress.get("todo") or [])],
                now=when,
            )
        added += 1
    return added, present, problems
