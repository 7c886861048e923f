"""`git mem import`: conversations from other tools into session transcripts (transcripts.py).

Formats:
- `claude-code`: Claude Code's transcript JSONL, one JSON object per line with `type` (user,
  assistant, system, summary, and bookkeeping types that are ignored), `message` {role,
  content: a string or blocks}, `timestamp`, `sessionId`, `uuid`. Grouped by sessionId; a
  `summary` line names the session whose message its `leafUuid` is. Blocks become text:
  `text` as is, `tool_use` as `[tool_use NAME] {input as JSON}`, `tool_result` as
  `[tool_result] ...`, `image` as `[image]`; `thinking` is left out (the model's private
  reasoning, often the bulk of a transcript). A user line holding only tool results is role
  `tool`.
- `jsonl`: one `{role, content, timestamp}` per line; one session per file.
- `json`: a list of messages, an object with `messages`, or a list of such conversations
  (ChatGPT-style `mapping` trees too); one session per conversation.

A session's id is derived from the format and its origin (the Claude Code sessionId, a
conversation's own id, else the file's sha256), so importing again lands in the same session,
and messages are deduplicated by hash: a second import of a file adds nothing. A malformed
line is reported as `FILE:LINE: what is wrong`, skipped, and the rest imported. All the
sessions of one run are written in one commit of refs/gitmem/sessions. With `--summaries`
each session also gets a generated summary record (`write_summaries`), named in its header;
`sessions.show` finds an imported session by its `origin` too.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gitmem.errors import UsageError
from gitmem.output import plural
from gitmem.records.store import Store
from gitmem.sessions import summary, transcripts
from gitmem.sessions.import_formats import (
    Findings,
    Leaves,
    Parsed,
    claude_code,
    detect,
    generic_json,
    generic_jsonl,
)
from gitmem.sessions.transcripts import Transcript
from gitmem.store import git, secrets

FORMATS = ("auto", "claude-code", "jsonl", "json")
Progress = Callable[[int, int], None]


@dataclass
class Outcome:
    id: str
    format: str
    origin: str | None
    label: str | None
    messages: int  # in the sources
    added: int
    duplicates: int
    new: bool  # the session was not on the ref before

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Report(Findings):
    files: int = 0
    sessions: list[Outcome] = field(default_factory=list)
    dry_run: bool = False
    commit: str | None = None
    redacted: list[str] = field(default_factory=list)  # `SESSION: kind at message N L:C`

    @property
    def added(self) -> int:
        return sum(s.added for s in self.sessions)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.sessions)

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "sessions": [s.to_json() for s in self.sessions],
            "messages_added": self.added,
            "duplicates_skipped": self.duplicates,
            "lines_skipped": self.lines_skipped,
            "ignored": self.ignored,
            "problems": self.problems,
            "dry_run": self.dry_run,
            "ref": transcripts.REF,
            "commit": self.commit,
            "redacted": self.redacted,
        }


def parse(
    paths: Iterable[Path], fmt: str, report: Report, progress: Progress | None = None
) -> list[Parsed]:
    """Every session in `paths`; problems go into `report`. The same session found twice
    (in two files) is one."""
    sessions: dict[str, Parsed] = {}
    leaves = Leaves()
    for path in paths:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error.strerror}") from None
        report.files += 1
        kind = detect(path, data) if fmt == "auto" else fmt
        digest = hashlib.sha256(data).hexdigest()
        lines = data.splitlines() if kind != "json" else []
        total = len(lines)

        def tick(done: int, total: int = total) -> None:
            if progress is not None and (done % 1000 == 0 or done == total):
                progress(done, total)

        if kind == "claude-code":
            found = claude_code(path, lines, report, tick, leaves)
        elif kind == "jsonl":
            found = generic_jsonl(path, lines, digest, report, tick)
        else:
            found = generic_json(path, data, digest, report)
        for session in found:
            if session.id in sessions:
                earlier = sessions[session.id]
                earlier.messages, _ = transcripts.merge_messages(earlier.messages, session.messages)
                earlier.label = session.label or earlier.label
            else:
                sessions[session.id] = session
    for leaf, named in leaves.summaries:
        labelled = sessions.get(leaves.owner.get(leaf, ""))
        if labelled is not None:
            labelled.label = named
    return list(sessions.values())


def expand(arguments: Iterable[str]) -> list[Path]:
    """Files as given; a directory stands for the .jsonl and .json files below it."""
    paths: list[Path] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            paths += sorted(
                p for p in path.rglob("*") if p.suffix in (".jsonl", ".json") and p.is_file()
            )
        elif path.exists():
            paths.append(path)
        else:
            raise UsageError(f"no such file: {argument}")
    return paths


def store(
    repo: git.RepoInfo,
    found: list[Parsed],
    report: Report,
    *,
    label: str | None,
    dry_run: bool,
    summaries: bool = False,
) -> None:
    """Merge the sessions into refs/gitmem/sessions in one commit (nothing with `dry_run`).
    `summaries`: each header names its summary record (`write_summaries` writes them)."""
    report.dry_run = dry_run
    for session in found:
        _redact(session, report)

    def mutate(snapshot: transcripts.Snapshot) -> dict[str, bytes | None]:
        existing = snapshot.transcripts(s.id for s in found)
        outcomes = []
        changes: dict[str, bytes | None] = {}
        for session in found:
            if label:
                session.label = label
            header = session.header()
            if summaries:
                header["summary_id"] = summary.summary_id(session.id)
            before = existing.get(session.id)
            if before is None:
                merged, added = transcripts.merge_messages([], session.messages)
                transcript = Transcript(header, merged)
            else:
                merged, added = transcripts.merge_messages(before.messages, session.messages)
                new_header = transcripts.merge_headers(header, before.header)
                transcript = Transcript(new_header, merged)
                if not added and new_header == before.header:
                    transcript = before
            outcomes.append(
                Outcome(
                    session.id,
                    session.format,
                    session.origin,
                    transcript.header.get("label"),
                    len(session.messages),
                    added,
                    len(session.messages) - added,
                    before is None,
                )
            )
            if transcript is not before:
                changes[session.id] = transcript.encode()
        report.sessions = outcomes
        return {} if dry_run else changes

    if dry_run:
        mutate(transcripts.Snapshot(repo, transcripts.tip(repo)))
        return
    count = len(found)
    message = f"import {plural(count, 'session')}"
    report.commit = transcripts.update(repo, mutate, message)


def _redact(session: Parsed, report: Report) -> None:
    """Secrets in an imported conversation become `[REDACTED:<kind>]` (an import never
    refuses: the conversation happened). A message keeps its hash, so importing the same
    file again still finds it already there."""
    for number, message in enumerate(session.messages):
        content, found = secrets.guard_text(
            message.content, redact=True, what="", field=f"message {number + 1}"
        )
        if found:
            session.messages[number] = dataclasses.replace(message, content=content)
            report.redacted += [f"{session.id}: {finding}" for finding in found]
    if session.label:
        session.label, found = secrets.guard_text(
            session.label, redact=True, what="", field="label"
        )
        report.redacted += [f"{session.id}: {finding}" for finding in found]


@dataclass
class Summary:
    session: str
    id: str
    location: str | None  # None: it was there already

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def write_summaries(store: Store, report: Report) -> list[Summary]:
    """A generated summary record (episodic, .memory/sessions/) for each imported session that
    has none yet, as `session end` writes; its id is derived from the session's, so importing
    again writes none twice."""
    store.require_work_tree()
    written = []
    for outcome in report.sessions:
        record_id = summary.summary_id(outcome.id)
        if store.catalog().find(record_id):
            written.append(Summary(outcome.id, record_id, None))
            continue
        transcript = transcripts.load(store.repo, outcome.id)
        if transcript is None:  # pragma: no cover - just written in this run
            continue
        origin = f" {outcome.origin}" if outcome.origin else ""
        note = f"(Generated on import from a {outcome.format} session{origin}.)"
        text = summary.generate(transcript.header, transcript.messages, note)
        memory = summary.record(store, outcome.id, transcript.header, text, [], generated=True)
        memory.source = "import"
        memory, _ = secrets.guard(memory, redact=True)
        written.append(Summary(outcome.id, record_id, store.save_file(memory)))
    return written
