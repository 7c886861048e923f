"""Records from other layouts (`git mem import --format adr|markdown|records`).

Every record gets a stable id: the one it carries (a gitmem export), else one derived from
where it came from and what it says, so importing the same thing again adds nothing; one whose
id is already here is counted as present, never overwritten. Each keeps its original date and
says where it came from (`source: import`, `metadata.origin`). Plan first, write after: a dry
run is the same plan, unwritten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from gitmem.errors import GitMemError, RecordError, UsageError
from gitmem.exchange import adr
from gitmem.records.store import Store
from gitmem.store.front_matter import parse_file, yaml_text
from gitmem.store.record import Memory, derived_id
from gitmem.store.validation import validate

FORMATS = ("adr", "markdown", "records", "contextfs")
MAX_FILE = 1_000_000  # bytes: a memory file larger than this is skipped, named

# A Markdown memory file's type, from words in its name (the four-file convention and the
# seeds' folders: preferences.md, decisions/, learnings.md, bugs/ ...).
_TYPE_WORDS = (
    (("decision", "adr"), "decision"),
    (("preference", "user", "style"), "user"),
    (("bug", "error", "incident", "fix"), "error"),
    (("procedure", "howto", "how-to", "runbook", "playbook"), "procedural"),
    (("session", "log", "journal", "devlog"), "episodic"),
    (("pattern", "snippet"), "code"),
)


class Planned(NamedTuple):
    memory: Memory
    origin: str  # the file it came from (and line, for JSONL)
    present: bool  # a record with its id is here already: not written


class Plan(NamedTuple):
    records: list[Planned]
    problems: list[str]  # files skipped, each named with why


def plan(store: Store, format: str, paths: list[str]) -> Plan:
    if format not in FORMATS:
        raise UsageError(f"unknown format {format!r}: expected one of {', '.join(FORMATS)}")
    problems: list[str] = []
    found: list[tuple[Memory, str]] = []
    for value in paths:
        path = Path(value)
        if not path.exists():
            raise UsageError(f"no such file or directory: {value}")
        if format == "adr":
            found += adrs(path, problems)
        elif format == "markdown":
            found += markdown(path, problems, store.config.type_names)
        elif format == "contextfs":
            found += contextfs(path, problems, store.config.type_names)
        else:
            found += _records(path, problems, store.config.type_names)
    return checked(store, found, problems)


def checked(store: Store, found: list[tuple[Memory, str]], problems: list[str]) -> Plan:
    """The plan of `found`: each record validated (an invalid one is a problem), each id once,
    marked present when a record with its id is here already."""
    catalog = store.catalog()
    planned: list[Planned] = []
    seen: set[str] = set()
    for memory, origin in found:
        if memory.id in seen:
            continue
        seen.add(memory.id)
        try:
            validate(memory, origin, types=store.config.type_names)
        except RecordError as error:
            problems.append(str(error))
            continue
        planned.append(Planned(memory, origin, bool(catalog.find(memory.id))))
    return Plan(planned, problems)


def write(store: Store, planned: Plan) -> list[str]:
    """Write the new records of a plan as `.memory/` files; their locations."""
    store.require_work_tree()
    return [store.save_file(item.memory) for item in planned.records if not item.present]


def _files(path: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    if path.is_file():
        yield path
        return
    for found in sorted(path.rglob("*")):
        if found.suffix in suffixes and found.is_file() and not found.is_symlink():
            yield found


def read_text(path: Path, problems: list[str]) -> str | None:
    try:
        if path.stat().st_size > MAX_FILE:
            problems.append(f"{path}: larger than {MAX_FILE:,} bytes, skipped")
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path}: {error}, skipped")
        return None


def parse_when(value: Any) -> datetime | None:
    """A date or timestamp as other tools write them (`2025-03-04`, `...T10:20:30Z`, with or
    without an offset; none means UTC); None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _created(date: str | None, path: Path) -> str:
    """A date as written (YYYY-MM-DD: midnight UTC), else the file's modification time."""
    when = parse_when(date) or datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return when.isoformat(timespec="seconds")


def adrs(path: Path, problems: list[str]) -> list[tuple[Memory, str]]:
    parsed: list[tuple[Path, adr.Adr]] = []
    for file in _files(path, (".md",)):
        if file.name.lower() in ("readme.md", "index.md", "template.md"):
            continue
        text = read_text(file, problems)
        record = adr.parse(file, text) if text is not None else None
        if text is not None and record is None:
            problems.append(f"{file}: no '# Title' line, not an ADR: skipped")
        if record is not None:
            parsed.append((file, record))
    ids = {
        record.number: record.gitmem_id or derived_id("adr", record.title, record.date or "")
        for _, record in parsed
        if record.number is not None
    }
    out = []
    for file, record in parsed:
        memory = Memory(
            id=record.gitmem_id or derived_id("adr", record.title, record.date or ""),
            type="decision",
            title=record.title,
            created=_created(record.date, file),
            body=record.body,
            status=record.status,
            tags=["adr"],
            source="import",
            supersedes=[ids[n] for n in record.supersedes if n in ids],
            metadata={"origin": str(file)},
        )
        out.append((memory, str(file)))
    return out


def _type_of(path: Path, known: list[str]) -> str:
    words = " ".join(part.lower() for part in path.parts[-2:])
    for keys, name in _TYPE_WORDS:
        if name in known and any(key in words for key in keys):
            return name
    return "fact"


def markdown(path: Path, problems: list[str], types: list[str]) -> list[tuple[Memory, str]]:
    out = []
    for file in _files(path, (".md", ".markdown")):
        text = read_text(file, problems)
        if text is None or not text.strip():
            continue
        text = text.replace("\r\n", "\n")
        front, rest = adr.front_matter(text)
        if "id" in front and "type" in front:  # a gitmem record (an export): kept as it is
            try:
                out.append((parse_file(text, str(file), types), str(file)))
            except (RecordError, GitMemError) as error:
                problems.append(f"{error}; skipped")
            continue
        out.append((_plain_note(file, front, rest, types), str(file)))
    return _linked(out)


def _plain_note(file: Path, front: dict[str, str], text: str, types: list[str]) -> Memory:
    lines = text.strip("\n").split("\n")
    heading = lines[0][2:].strip() if lines and lines[0].startswith("# ") else ""
    stem = file.stem.replace("-", " ").replace("_", " ").strip().capitalize()
    title = front.get("title") or heading or stem
    body = "\n".join(lines[1:] if heading else lines).strip("\n") + "\n"
    tags = [t.strip().strip("'\"") for t in front.get("tags", "").strip("[]").split(",")]
    kind = front.get("type", "")
    return Memory(
        id=derived_id("markdown", title, body),
        type=kind if kind in types else _type_of(file, types),
        title=" ".join(title.split())[:200],
        created=_created(front.get("created", front.get("date", ""))[:10] or None, file),
        body=body,
        tags=sorted({t.lower().replace(" ", "-") for t in tags if t}),
        source="import",
        metadata={"origin": str(file)},
    )


_WIKI_LINK = re.compile(r"\[\[([^\]|#]+)(?:[|#][^\]]*)?\]\]")


def _linked(found: list[tuple[Memory, str]]) -> list[tuple[Memory, str]]:
    """`[[Title]]` links (Basic Memory relations, Obsidian) between imported notes become
    `links` to the records they name."""
    by_title = {memory.title.lower(): memory.id for memory, _ in found}
    for memory, _ in found:
        named = {by_title.get(m.strip().lower()) for m in _WIKI_LINK.findall(memory.body)}
        memory.links = sorted(i for i in named if i and i != memory.id)
    return found


def _records(path: Path, problems: list[str], types: list[str]) -> list[tuple[Memory, str]]:
    """gitmem's own exports: JSONL (one record per line) or Markdown files with front matter."""
    out: list[tuple[Memory, str]] = []
    for file in _files(path, (".jsonl", ".md")):
        if file.suffix == ".md":
            out += markdown(file, problems, types)
            continue
        text = read_text(file, problems)
        for number, line in enumerate((text or "").splitlines(), 1):
            where = f"{file}:{number}"
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                body = str(data.pop("body", ""))
                document = f"---\n{yaml_text(data)}---\n\n{body}"
                out.append((parse_file(document, where, types), where))
            except (ValueError, RecordError, GitMemError) as error:
                problems.append(f"{where}: {error}; skipped")
    return out


def contextfs(path: Path, problems: list[str], types: list[str]) -> list[tuple[Memory, str]]:
    """A ContextFS export: its memories (`content`, `type`, `tags`, `summary`, `created_at`,
    `id`, `source_repo`/`namespace_id`) as a JSON list, `{"memories": [...]}` or JSONL.
    ContextFS's types are gitmem's (fact, decision, procedural, episodic, code, error, user)."""
    out: list[tuple[Memory, str]] = []
    for file in _files(path, (".json", ".jsonl")):
        text = read_text(file, problems)
        if text is None:
            continue
        try:
            data = json.loads(text) if file.suffix == ".json" else None
        except (ValueError, RecursionError) as error:
            problems.append(f"{file}: not JSON ({error}), skipped")
            continue
        if file.suffix == ".jsonl":
            items: list[tuple[str, Any]] = []
            for number, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                    continue
                try:
                    items.append((f"{file}:{number}", json.loads(line)))
                except (ValueError, RecursionError) as error:
                    problems.append(f"{file}:{number}: not JSON ({error}), skipped")
        else:
            listed = data.get("memories") if isinstance(data, dict) else data
            if not isinstance(listed, list):
                problems.append(f"{file}: expected a list of memories, skipped")
                continue
            items = [(f"{file}[{n}]", item) for n, item in enumerate(listed)]
        for where, item in items:
            memory = _contextfs_memory(item, where, types)
            if memory is None:
                problems.append(f"{where}: a memory needs a non-empty 'content'; skipped")
            else:
                out.append((memory, where))
    return out


def _contextfs_memory(item: Any, where: str, types: list[str]) -> Memory | None:
    if not isinstance(item, dict) or not str(item.get("content") or "").strip():
        return None
    content = str(item["content"]).replace("\r\n", "\n").strip("\n") + "\n"
    title = str(item.get("summary") or content.strip().split("\n", 1)[0])
    kind = str(item.get("type") or "fact")
    tags: list[Any] = item["tags"] if isinstance(item.get("tags"), list) else []
    created = (parse_when(item.get("created_at")) or datetime.now(UTC)).isoformat(
        timespec="seconds"
    )
    original = str(item.get("id") or "")
    project = item.get("source_repo") or item.get("project")
    return Memory(
        id=derived_id("contextfs", original or content),
        type=kind if kind in types else "fact",
        title=" ".join(title.split())[:200],
        created=created,
        body=content,
        tags=sorted({str(t).strip().lower().replace(" ", "-") for t in tags if str(t).strip()}),
        summary=str(item["summary"]) if item.get("summary") else None,
        project=str(project) if project else None,
        source="import",
        metadata={"origin": where, **({"contextfs_id": original} if original else {})},
    )
