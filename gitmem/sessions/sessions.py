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
import dataclasses
import json
import os
from datetime import UTC, datetime
from typing import Any

from gitmem.errors import GitMemError, NotFoundError, UsageError
from gitmem.output import plural
from gitmem.records.store import Store
from gitmem.sessions import state as session_state
from gitmem.sessions import summary as session_summary
from gitmem.sessions import transcripts
from gitmem.sessions.info import Ended, Session, SessionInfo
from gitmem.sessions.summary import ROLES, summary_id
from gitmem.sessions.transcripts import Message
from gitmem.store import active_session, secrets
from gitmem.store.files import atomic_write, create_new
from gitmem.store.record import MIN_PREFIX, new_id

# ------------------------------------------------------------------------------ local state


def active_id(store: Store) -> str | None:
    """The session active in this worktree, if any (two file reads; no git, no index)."""
    return active_session.active_id(store.repo)


def _info(
    store: Store,
    sid: str,
    header: dict[str, Any],
    pointers: dict[str, str],
    messages: int | None = None,  # when the caller has read them: not counted again
) -> SessionInfo:
    where = pointers.get(sid)
    if messages is None:
        messages = session_state.count_lines(active_session.folder(store.repo) / f"{sid}.jsonl")
    return SessionInfo(
        id=sid,
        # Active while a live worktree points at it (this one or another); else unfinished.
        status="active"
        if where is not None and not session_state.worktree_gone(store.repo, where)
        else "unfinished",
        label=header.get("label"),
        tool=header.get("tool"),
        source="session",
        started=header.get("started"),
        messages=messages,
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
    current = active_id(store)
    if current is not None and not replace:
        header = session_state.header(store.repo, current) or {}
        name = f" ({header['label']})" if header.get("label") else ""
        count = session_state.count_lines(active_session.folder(store.repo) / f"{current}.jsonl")
        raise UsageError(
            f"session {current}{name} is already active here, started "
            f"{header.get('started', '?')} with {plural(count, 'message')}; "
            + _how_to_finish(current)
        )
    session = Session(
        id=new_id(),
        label=label.strip() if label and label.strip() else None,
        tool=tool.strip() if tool and tool.strip() else None,
        started=_now(),
        worktree=active_session.worktree_key(store.repo),
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
    state = active_session.folder(store.repo)
    if not create_new(state / f"{session.id}.json", (json.dumps(header) + "\n").encode()):
        raise GitMemError(f"session id {session.id} is taken; run the command again")
    (state / f"{session.id}.jsonl").touch()
    if current is None:
        # Exclusive: of two `start`s racing, one wins and the other is told, as above.
        other = session_state.claim(store.repo, session.id)
        if other is not None:
            session_state.forget(store.repo, session.id)
            raise UsageError(
                f"session {other} was started here meanwhile; " + _how_to_finish(other)
            )
    else:
        atomic_write(active_session.pointer(store.repo), (session.id + "\n").encode())
    return session


def _now() -> str:
    # Microseconds and UTC: messages logged within one second still sort in order as text.
    return datetime.now(UTC).isoformat(timespec="microseconds")


def log(store: Store, text: str, *, role: str = "user", redact: bool = False) -> Message:
    """Append a message to the active session (one line appended; no git write). The
    transcript travels with `sync --all` and backups: a secret in `text` is refused
    (`secrets.SecretError`), or with `redact` logged as `[REDACTED:<kind>]`."""
    if role not in ROLES:
        raise UsageError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    if not text.strip():
        raise UsageError("nothing to log: the text is empty")
    text, _ = secrets.guard_text(text, redact=redact, what="the message", field="message")
    sid = active_id(store)
    if sid is None:
        raise UsageError(_none_active(store))
    message = Message.new(role, text, _now())
    line = (transcripts._dumps(message.to_json()) + "\n").encode("utf-8", "surrogatepass")
    path = active_session.folder(store.repo) / f"{sid}.jsonl"
    with session_state.locked(path) as fd:
        stat = os.fstat(fd)
        if stat.st_nlink == 0:  # `end` removed it while we waited for the lock
            raise UsageError(f"session {sid} ended meanwhile; nothing was logged")
        if stat.st_size and os.pread(fd, 1, stat.st_size - 1) != b"\n":
            line = b"\n" + line  # a crash mid-append left a torn line: do not glue onto it
        os.write(fd, line)
    return message


def _prefix(text: str) -> str:
    """A session id prefix as given, checked for length."""
    prefix = text.strip().lower()
    if len(prefix) < MIN_PREFIX:
        raise UsageError(f"session id prefix {prefix!r} is too short: give {MIN_PREFIX} or more")
    return prefix


def _none_active(store: Store) -> str:
    active = active_id(store)
    unfinished = [sid for sid in session_state.local_ids(store.repo) if sid != active]
    hint = "start one with `git mem session start`"
    if unfinished:
        listed = ", ".join(unfinished[:5])
        hint += f", or resume an unfinished one ({listed}) with `git mem session resume ID`"
    return f"no session is active in this worktree; {hint}"


def _resolve_local(store: Store, prefix: str) -> str:
    prefix = _prefix(prefix)
    found = [sid for sid in session_state.local_ids(store.repo) if sid.startswith(prefix)]
    if len(found) > 1:
        raise UsageError(f"session id prefix {prefix!r} is ambiguous: {', '.join(found)}")
    if not found:
        ended = [sid for sid in _ended_ids(store) if sid.startswith(prefix)]
        if ended:
            raise UsageError(f"session {ended[0]} has already ended")
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
    key = active_session.worktree_key(store.repo)
    where = session_state.pointers(store.repo).get(sid)
    if where is not None and where != key and not session_state.worktree_gone(store.repo, where):
        raise UsageError(
            f"session {sid} is active in worktree {where}; end it there, or from here with "
            f"`git mem session end {sid}`"
        )
    if session_state.claim(store.repo, sid) is not None:
        raise UsageError("a session was started here meanwhile; run `git mem session status`")
    if where is not None and where != key:  # taken over from a removed worktree
        with contextlib.suppress(FileNotFoundError):
            active_session.pointer(store.repo, where).unlink()
    header = session_state.header(store.repo, sid) or {}
    return Session(sid, header.get("label"), header.get("tool"), header.get("started", ""), key)


def _linked(store: Store, sid: str) -> list[str]:
    """Ids of the records saved during the session (they carry `session: <sid>`)."""
    from gitmem.records import finder
    from gitmem.search.query import Filter

    rows = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    own = summary_id(sid)
    return sorted({row["id"] for row in rows if row.get("session") == sid and row["id"] != own})


def end(
    store: Store, *, summary: str | None = None, session: str | None = None, redact: bool = False
) -> Ended:
    """End the active session (or the unfinished one `session` names): the transcript goes
    into refs/gitmem/sessions, the summary into `.memory/sessions/`, the local state away.

    A secret in the summary or in a logged message refuses the end before anything is
    written (the session stays active); with `redact` both are written redacted."""
    sid = _resolve_local(store, session) if session else active_id(store)
    if sid is None:
        raise UsageError(_none_active(store))
    store.require_work_tree()
    header = session_state.header(store.repo, sid) or {"session": sid}
    path = active_session.folder(store.repo) / f"{sid}.jsonl"
    # `log` waits on this lock until the transcript is safe, then finds the session gone.
    with session_state.locked(path):
        messages, redacted = _guard_messages(session_state.read_messages(path), redact)
        ended_at = _now()
        generated = summary is None or not summary.strip()
        text = session_summary.generate(header, messages) if generated else (summary or "").strip()
        record_id = summary_id(sid)
        links = _linked(store, sid)
        location = None
        if not store.catalog().find(record_id):
            memory = session_summary.record(store, sid, header, text, links, generated)
            memory, found = secrets.guard(memory, redact=redact, what="the session summary")
            redacted += found
            location = store.save_file(memory)
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
        session_state.forget(store.repo, sid)
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
    return Ended(info, record_id, location, links, generated, commit, [str(f) for f in redacted])


def _guard_messages(
    messages: list[Message], redact: bool
) -> tuple[list[Message], list[secrets.Finding]]:
    """The messages to keep in the transcript: refused if one holds a secret (one logged
    before gitmem checked, or written to the log by hand), or redacted."""
    out, found = [], []
    for number, message in enumerate(messages, start=1):
        content, hits = secrets.guard_text(
            message.content, redact=True, what="", field=f"message {number}"
        )
        found += hits
        out.append(dataclasses.replace(message, content=content) if hits else message)
    if found and not redact:
        raise secrets.SecretError("the session's transcript", found)
    return out, found


# ------------------------------------------------------------------------------ reading


def listing(store: Store) -> list[SessionInfo]:
    """Every session: active and unfinished ones here, ended and imported ones on the ref;
    newest first."""
    pointers = session_state.pointers(store.repo)
    found: dict[str, SessionInfo] = {}
    for header, count in transcripts.headers(store.repo):
        found[header["session"]] = _ended_info(header, count)
    for sid in session_state.local_ids(store.repo):
        local = session_state.header(store.repo, sid)
        if local is not None and sid not in found:
            found[sid] = _info(store, sid, local, pointers)
    return sorted(found.values(), key=lambda s: (s.started or "", s.id), reverse=True)


def _ended_info(header: dict[str, Any], count: int) -> SessionInfo:
    source = str(header.get("source") or "session")
    return SessionInfo(
        id=header["session"],
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


def show(store: Store, prefix: str) -> tuple[SessionInfo, list[Message]]:
    """A session (any status) by id prefix, with its messages."""
    prefix = _prefix(prefix)
    local = [sid for sid in session_state.local_ids(store.repo) if sid.startswith(prefix)]
    ended = [sid for sid in _ended_ids(store) if sid.startswith(prefix) and sid not in local]
    matches = sorted({*local, *ended}) or _by_origin(store, prefix)
    if not matches:
        raise NotFoundError(f"no session with an id starting {prefix!r}")
    if len(matches) > 1:
        raise UsageError(f"session id prefix {prefix!r} is ambiguous: {', '.join(matches[:10])}")
    sid = matches[0]
    if local:
        messages = session_state.read_messages(active_session.folder(store.repo) / f"{sid}.jsonl")
        header = session_state.header(store.repo, sid) or {}
        pointers = session_state.pointers(store.repo)
        return _info(store, sid, header, pointers, len(messages)), messages
    # Only this session's blob is read: `show` stays quick beside thousands of imported ones.
    transcript = transcripts.load(store.repo, sid) or transcripts.Transcript({"session": sid})
    return _ended_info(transcript.header, len(transcript.messages)), transcript.messages


def _by_origin(store: Store, prefix: str) -> list[str]:
    """Imported sessions whose source's own id (a Claude Code sessionId, a conversation id)
    is or starts with `prefix`: the id a user has from the other tool works as an alias."""
    return sorted(
        str(header["session"])
        for header, _count in transcripts.headers(store.repo)
        if str(header.get("origin") or "").lower().startswith(prefix)
    )


def _ended_ids(store: Store) -> list[str]:
    commit = transcripts.tip(store.repo)
    return sorted(transcripts.entries(store.repo, commit)) if commit else []
