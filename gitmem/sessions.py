"""Sessions: an assistant's conversation, logged as it happens, kept as a transcript and a summary.

While a session runs its state is local, under `<git-common-dir>/gitmem/sessions/`:
`<id>.json` (the header), `<id>.jsonl` (the messages, one appended line each: cheap, no git
write) and `active/<worktree>` naming the session active in that worktree (one per worktree,
keyed like the search index). `end` writes the transcript into `refs/gitmem/sessions`
(transcripts.py), the summary as an `episodic` record in `.memory/sessions/` linked to the
records saved during the session (those carrying `session: <id>`), then removes the local state.

A session whose process died keeps its state: it stays active in its worktree (`log` and `end`
just carry on), and one left behind by a deleted worktree or parked by `start --replace` is
"unfinished": listed, and `end ID` or `resume ID` from any later process picks it up. `end`
can be run again after a crash half-way: the transcript merges by message hash and the summary
id is derived from the session id, so nothing is written twice.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gitmem import git, transcripts
from gitmem.errors import GitMemError, NotFoundError, UsageError
from gitmem.files import atomic_write, create_new
from gitmem.record import ID_RE, MIN_PREFIX, Memory, derived_id, new_id, now_iso
from gitmem.store import Store
from gitmem.transcripts import Message

ROLES = ("user", "assistant", "tool")
SUMMARY_TAG = "session"
Status = str  # active | unfinished | ended | imported

__all__ = [
    "ROLES",
    "Ended",
    "Message",
    "Session",
    "SessionInfo",
    "active_id",
    "end",
    "listing",
    "log",
    "resume",
    "show",
    "start",
]


@dataclass
class Session:
    id: str
    label: str | None
    tool: str | None
    started: str
    worktree: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "tool": self.tool,
            "started": self.started,
            "worktree": self.worktree,
        }


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
        return {
            "id": self.id,
            "status": self.status,
            "label": self.label,
            "tool": self.tool,
            "source": self.source,
            "started": self.started,
            "ended": self.ended,
            "messages": self.messages,
            "summary_id": self.summary_id,
            "origin": self.origin,
            "worktree": self.worktree,
        }


@dataclass
class Ended:
    session: SessionInfo
    summary_id: str
    location: str | None  # the summary file; None if it was written by an earlier `end`
    links: list[str] = field(default_factory=list)
    generated: bool = False  # the summary text was generated (no --summary given)
    transcript: str | None = None  # the commit of refs/gitmem/sessions holding it

    def to_json(self) -> dict[str, Any]:
        return {
            "session": self.session.to_json(),
            "summary_id": self.summary_id,
            "location": self.location,
            "links": self.links,
            "generated": self.generated,
            "ref": transcripts.REF,
            "commit": self.transcript,
        }


# ------------------------------------------------------------------------------ local state


def _state(store: Store) -> Path:
    return store.repo.state_dir / "sessions"


def worktree_key(repo: git.RepoInfo) -> str:
    """The worktree's name for its active-session pointer (as catalog.index_root names it)."""
    return "main" if repo.git_dir == repo.common_dir else "wt-" + repo.git_dir.name


def _pointer(store: Store, key: str | None = None) -> Path:
    return _state(store) / "active" / (key or worktree_key(store.repo))


def _read_id(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return text if ID_RE.fullmatch(text) else None


def active_id(store: Store) -> str | None:
    """The session active in this worktree, if any (two file reads; no git, no index)."""
    sid = _read_id(_pointer(store))
    if sid is None or not (_state(store) / f"{sid}.json").exists():
        return None
    return sid


def _header(store: Store, sid: str) -> dict[str, Any] | None:
    try:
        data = json.loads((_state(store) / f"{sid}.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _pointers(store: Store) -> dict[str, str]:
    """{session id: worktree key} of every active pointer."""
    folder = _state(store) / "active"
    found: dict[str, str] = {}
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            sid = _read_id(path)
            if sid is not None:
                found[sid] = path.name
    return found


def _local_ids(store: Store) -> list[str]:
    folder = _state(store)
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if ID_RE.fullmatch(p.stem))


def _read_messages(path: Path) -> list[Message]:
    """The logged messages; a torn last line (a crash mid-append) is skipped."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return []
    messages = []
    for line in data.splitlines():
        try:
            message = Message.from_json(json.loads(line))
        except ValueError:
            continue
        if message is not None:
            messages.append(message)
    return messages


def _count_lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    """The messages file, open for append under an exclusive flock (log vs end)."""
    import fcntl

    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)  # closing releases the lock


def _info(store: Store, sid: str, header: dict[str, Any], pointers: dict[str, str]) -> SessionInfo:
    where = pointers.get(sid)
    return SessionInfo(
        id=sid,
        status="active" if where == worktree_key(store.repo) else "unfinished",
        label=header.get("label"),
        tool=header.get("tool"),
        source="session",
        started=header.get("started"),
        messages=_count_lines(_state(store) / f"{sid}.jsonl"),
        worktree=where or header.get("worktree"),
    )


def _how_to_finish(sid: str) -> str:
    return (
        f"finish it with `git mem session end`, or park it unfinished with "
        f"`git mem session start --replace` (resume it later with `git mem session resume {sid}`)"
    )


# ------------------------------------------------------------------------------ the API


def start(
    store: Store, *, label: str | None = None, tool: str | None = None, replace: bool = False
) -> Session:
    """A new session, active in this worktree. UsageError if one is active here already,
    unless `replace`: then that one is parked as unfinished (its messages kept)."""
    pointer = _pointer(store)
    current = active_id(store)
    if current is not None and not replace:
        header = _header(store, current) or {}
        name = f" ({header['label']})" if header.get("label") else ""
        count = _count_lines(_state(store) / f"{current}.jsonl")
        raise UsageError(
            f"session {current}{name} is already active here, started "
            f"{header.get('started', '?')} with {count} message{'s' if count != 1 else ''}; "
            + _how_to_finish(current)
        )
    session = Session(
        id=new_id(),
        label=label.strip() if label and label.strip() else None,
        tool=tool.strip() if tool and tool.strip() else None,
        started=_now(),
        worktree=worktree_key(store.repo),
    )
    header = {
        "session": session.id,
        "label": session.label,
        "tool": session.tool,
        "source": "session",
        "started": session.started,
        "worktree": session.worktree,
        "path": str(store.repo.work_tree or store.repo.git_dir),
    }
    state = _state(store)
    if not create_new(state / f"{session.id}.json", (json.dumps(header) + "\n").encode()):
        raise GitMemError(f"session id {session.id} is taken; run the command again")
    (state / f"{session.id}.jsonl").touch()
    if current is None:
        # Exclusive: of two `start`s racing, one wins and the other is told, as above.
        if not create_new(pointer, (session.id + "\n").encode()):
            _forget(store, session.id)
            other = _read_id(pointer) or "?"
            raise UsageError(
                f"session {other} was started here meanwhile; " + _how_to_finish(other)
            )
    else:
        atomic_write(pointer, (session.id + "\n").encode())
    return session


def _now() -> str:
    # Microseconds and UTC: messages logged within one second still sort in order as text.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def log(store: Store, text: str, *, role: str = "user") -> Message:
    """Append a message to the active session (one line appended; no git write)."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    if not text.strip():
        raise UsageError("nothing to log: the text is empty")
    sid = active_id(store)
    if sid is None:
        raise UsageError(_none_active(store))
    message = Message.new(role, text, _now())
    line = (transcripts._dumps(message.to_json()) + "\n").encode("utf-8", "surrogatepass")
    path = _state(store) / f"{sid}.jsonl"
    with _locked(path) as fd:
        stat = os.fstat(fd)
        if stat.st_nlink == 0:  # `end` removed it while we waited for the lock
            raise UsageError(f"session {sid} ended meanwhile; nothing was logged")
        if stat.st_size and os.pread(fd, 1, stat.st_size - 1) != b"\n":
            line = b"\n" + line  # a crash mid-append left a torn line: do not glue onto it
        os.write(fd, line)
    return message


def _none_active(store: Store) -> str:
    unfinished = [sid for sid in _local_ids(store) if sid != active_id(store)]
    hint = "start one with `git mem session start`"
    if unfinished:
        listed = ", ".join(unfinished[:5])
        hint += f", or resume an unfinished one ({listed}) with `git mem session resume ID`"
    return f"no session is active in this worktree; {hint}"


def _resolve_local(store: Store, prefix: str) -> str:
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise UsageError(f"session id prefix {prefix!r} is too short: give {MIN_PREFIX} or more")
    found = [sid for sid in _local_ids(store) if sid.startswith(prefix)]
    if len(found) > 1:
        raise UsageError(f"session id prefix {prefix!r} is ambiguous: {', '.join(found)}")
    if not found:
        ended = [h for h, _ in transcripts.headers(store.repo) if h["session"].startswith(prefix)]
        if ended:
            raise UsageError(f"session {ended[0]['session']} has already ended")
        raise NotFoundError(
            f"no unfinished session with an id starting {prefix!r} (see `git mem session list`)"
        )
    return found[0]


def resume(store: Store, prefix: str) -> Session:
    """Make an unfinished session (crashed elsewhere, parked, or left by a deleted worktree)
    the active one of this worktree."""
    sid = _resolve_local(store, prefix)
    current = active_id(store)
    if current == sid:
        raise UsageError(f"session {sid} is already active here")
    if current is not None:
        raise UsageError(f"session {current} is active here; " + _how_to_finish(current))
    key = worktree_key(store.repo)
    where = _pointers(store).get(sid)
    if where is not None and where != key:
        raise UsageError(
            f"session {sid} is active in worktree {where}; end it there, or from here with "
            f"`git mem session end {sid}`"
        )
    if not create_new(_pointer(store), (sid + "\n").encode()):
        raise UsageError("a session was started here meanwhile; run `git mem session status`")
    header = _header(store, sid) or {}
    return Session(sid, header.get("label"), header.get("tool"), header.get("started", ""), key)


def _forget(store: Store, sid: str) -> None:
    """Remove a session's local state: its pointers first, so `log` stops finding it."""
    for owner, key in _pointers(store).items():
        if owner == sid:
            with contextlib.suppress(FileNotFoundError):
                _pointer(store, key).unlink()
    for suffix in (".jsonl", ".json"):
        with contextlib.suppress(FileNotFoundError):
            (_state(store) / f"{sid}{suffix}").unlink()


def summary_id(session_id: str) -> str:
    """The summary record's id: derived, so an `end` re-run after a crash writes none twice."""
    return derived_id("session-summary", session_id)


def _generated_summary(header: dict[str, Any], messages: list[Message]) -> str:
    roles = {role: sum(1 for m in messages if m.role == role) for role in ROLES}
    counts = ", ".join(f"{n} {role}" for role, n in roles.items() if n)
    span = ""
    times = [m.timestamp for m in messages if m.timestamp]
    if times:
        span = f" from {min(times)[:19]} to {max(times)[:19]} UTC"
    first = next((m.content for m in messages if m.role == "user"), None)
    lines = [
        "(Generated summary: no --summary was given.)",
        "",
        f"{len(messages)} message{'s' if len(messages) != 1 else ''}"
        + (f" ({counts})" if counts else "")
        + span
        + ".",
    ]
    if first is not None:
        excerpt = " ".join(first.split())
        excerpt = excerpt if len(excerpt) <= 200 else excerpt[:197].rstrip() + "..."
        lines += ["", f"First user message: {excerpt}"]
    return "\n".join(lines)


def _linked(store: Store, sid: str) -> list[str]:
    """Ids of the records saved during the session (they carry `session: <sid>`)."""
    from gitmem import finder
    from gitmem.query import Filter

    rows = finder.records(store, Filter(include_retired=True))
    own = summary_id(sid)
    return sorted({row["id"] for row in rows if row.get("session") == sid and row["id"] != own})


def end(store: Store, *, summary: str | None = None, session: str | None = None) -> Ended:
    """End the active session (or the unfinished one `session` names): the transcript goes
    into refs/gitmem/sessions, the summary into `.memory/sessions/`, the local state away."""
    sid = _resolve_local(store, session) if session else active_id(store)
    if sid is None:
        raise UsageError(_none_active(store))
    store.require_work_tree()
    header = _header(store, sid) or {"session": sid}
    path = _state(store) / f"{sid}.jsonl"
    with _locked(path):  # `log` waits until the transcript is safe, then finds the session gone
        messages = _read_messages(path)
        ended_at = _now()
        generated = summary is None or not summary.strip()
        text = _generated_summary(header, messages) if generated else (summary or "").strip()
        record_id = summary_id(sid)
        links = _linked(store, sid)
        location = None
        if not store.catalog().find(record_id):
            location = store.save_file(_summary_record(store, sid, header, text, links, generated))
        transcript = transcripts.Transcript(
            {
                "session": sid,
                "label": header.get("label"),
                "tool": header.get("tool"),
                "source": "session",
                "started": header.get("started"),
                "ended": ended_at,
                "summary_id": record_id,
                "origin": None,
            },
            messages,
        )
        commit = transcripts.put(store.repo, transcript, f"session end {sid}")
        _forget(store, sid)
    info = SessionInfo(
        id=sid,
        status="ended",
        label=header.get("label"),
        tool=header.get("tool"),
        started=header.get("started"),
        ended=ended_at,
        messages=len(messages),
        summary_id=record_id,
    )
    return Ended(info, record_id, location, links, generated, commit)


def _summary_record(
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


# ------------------------------------------------------------------------------ reading


def listing(store: Store) -> list[SessionInfo]:
    """Every session: active and unfinished ones here, ended and imported ones on the ref;
    newest first."""
    pointers = _pointers(store)
    found: dict[str, SessionInfo] = {}
    for header, count in transcripts.headers(store.repo):
        sid = header["session"]
        source = str(header.get("source") or "session")
        found[sid] = SessionInfo(
            id=sid,
            status="imported" if source == "import" else "ended",
            label=header.get("label"),
            tool=header.get("tool"),
            source=source,
            started=header.get("started"),
            ended=header.get("ended"),
            messages=count,
            summary_id=header.get("summary_id"),
            origin=header.get("origin"),
        )
    for sid in _local_ids(store):
        local = _header(store, sid)
        if local is not None and sid not in found:
            found[sid] = _info(store, sid, local, pointers)
    return sorted(found.values(), key=lambda s: (s.started or "", s.id), reverse=True)


def show(store: Store, prefix: str) -> tuple[SessionInfo, list[Message]]:
    """A session (any status) by id prefix, with its messages."""
    prefix = prefix.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise UsageError(f"session id prefix {prefix!r} is too short: give {MIN_PREFIX} or more")
    matches = [s for s in listing(store) if s.id.startswith(prefix)]
    if not matches:
        raise NotFoundError(f"no session with an id starting {prefix!r}")
    if len(matches) > 1:
        listed = "; ".join(f"{s.id} {s.label or ''}".strip() for s in matches[:10])
        raise UsageError(f"session id prefix {prefix!r} is ambiguous: {listed}")
    info = matches[0]
    if info.status in ("active", "unfinished"):
        return info, _read_messages(_state(store) / f"{info.id}.jsonl")
    transcript = transcripts.load(store.repo, info.id)
    return info, transcript.messages if transcript else []
