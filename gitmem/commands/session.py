"""`git mem session start|log|end|status|resume|list|show`: an assistant's session."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from gitmem.commands import open_store
from gitmem.errors import GitMemError, UsageError
from gitmem.output import BOLD, DIM, emit, plural, print_json, safe, style, warn
from gitmem.records.store import Store
from gitmem.sessions import sessions, transcripts
from gitmem.sessions.info import Ended, Session, SessionInfo
from gitmem.store import secrets

if TYPE_CHECKING:
    from gitmem.sessions.search import Window
    from gitmem.store.record import Memory


def _text(words: list[str] | None, what: str) -> str | None:
    """TEXT given as arguments, or '-' for standard input."""
    if not words:
        return None
    if words == ["-"]:
        return sys.stdin.read()
    if "-" in words:
        raise UsageError(f"'-' (read {what} from stdin) must be the only text argument")
    return " ".join(words)


def _label(info: SessionInfo | Session) -> str:
    return safe(f" ({info.label})") if info.label else ""


def run(args: argparse.Namespace) -> int:
    store = open_store()
    action = {
        "start": _start,
        "log": _log,
        "end": _end,
        "status": _status,
        "resume": _resume,
        "list": _list,
        "show": _show,
    }[args.action]
    return action(store, args)


def _start(store: Store, args: argparse.Namespace) -> int:
    session = sessions.start(store, label=args.label, tool=args.tool, replace=args.replace)
    emit(args.json, session.to_json(), f"started session {session.id}{_label(session)}")
    return 0


def _log(store: Store, args: argparse.Namespace) -> int:
    text = _text(args.text, "the message")
    if text is None:
        raise UsageError("nothing to log: give the message as arguments, or '-' to read stdin")
    message = sessions.log(store, text, role=args.role, redact=args.redact)
    if args.redact and "[REDACTED:" in message.content and not args.json:
        warn("logged the message with its secrets redacted")
    if args.json:  # nothing for people: the message is in the log
        print_json({"session": sessions.active_id(store), **message.to_json()})
    return 0


def _end(store: Store, args: argparse.Namespace) -> int:
    summary = _text([args.summary] if args.summary is not None else None, "the summary")
    ended = sessions.end(store, summary=summary, session=args.id, redact=args.redact)
    if ended.redacted and not args.json:
        warn(f"redacted {secrets.describe_listed(ended.redacted)}")
    emit(args.json, ended.to_json(), _ended(ended))
    return 0


def _ended(ended: Ended) -> Iterator[str]:
    info = ended.session
    yield f"ended session {info.id}{_label(info)}: {plural(info.messages, 'message')}"
    yield f"transcript: {transcripts.REF}:{info.id}{transcripts.SUFFIX}"
    if ended.location is not None:
        how = " (generated: no --summary given)" if ended.generated else ""
        yield f"summary: {ended.summary_id} in {ended.location}{how}"
    else:
        yield f"summary: {ended.summary_id} (written by an earlier end)"
    if ended.links:
        yield f"linked: {', '.join(ended.links)}"


def _resume(store: Store, args: argparse.Namespace) -> int:
    session = sessions.resume(store, args.id)
    emit(args.json, session.to_json(), f"resumed session {session.id}{_label(session)}")
    return 0


def _line(info: SessionInfo, here: str | None = None) -> str:
    started = (info.started or "")[:16].replace("T", " ")
    n = plural(info.messages, "msg")
    local = info.status in ("active", "unfinished") and info.id != here
    where = safe(f" [{info.worktree}]") if local and info.worktree else ""
    label = safe(info.label) if info.label else style("-", DIM)
    status = safe(info.status)
    return (
        f"{style(safe(info.id), BOLD)}  {status:<10}  {safe(started):<16}  {n:>9}  {label}{where}"
    )


def _status(store: Store, args: argparse.Namespace) -> int:
    here = sessions.active_id(store)
    found = [s for s in sessions.listing(store) if s.status in ("active", "unfinished")]
    active = [s for s in found if s.id == here]
    document = {
        "active": active[0].to_json() if active else None,
        "others": [s.to_json() for s in found if s.id != here],
    }
    lines = [] if active else ["no session is active in this worktree"]
    lines += [_line(info, here) for info in found]
    if any(s.status == "unfinished" for s in found):
        lines.append(
            "resume one with `git mem session resume ID`, or end it with `git mem session end ID`"
        )
    emit(args.json, document, lines)
    return 0 if active else 1


def _list(store: Store, args: argparse.Namespace) -> int:
    found = sessions.listing(store)
    if found:
        here = sessions.active_id(store)
        lines = [_line(info, here) for info in found]
    else:
        lines = ["no sessions yet (start one with `git mem session start`)"]
    emit(args.json, {"sessions": [s.to_json() for s in found]}, lines)
    return 0 if found else 1


def _show(store: Store, args: argparse.Namespace) -> int:
    if args.around is not None:
        return _show_around(store, args)
    info, messages = sessions.show(store, args.id)
    summary = None
    if info.summary_id:
        try:
            summary = store.get(info.summary_id).memory
        except GitMemError:
            summary = None  # not here (a branch without it, or deleted): the transcript stands
    document = {
        "session": info.to_json(),
        "summary": summary.to_json() if summary is not None else None,
        "messages": [m.to_json() for m in messages],
    }
    emit(args.json, document, _shown(info, summary, messages))
    return 0


def _shown(
    info: SessionInfo, summary: Memory | None, messages: list[transcripts.Message]
) -> Iterator[str]:
    yield style(f"session {safe(info.id)}{_label(info)}", BOLD)
    yield f"status:   {safe(info.status)}"
    for key in ("tool", "started", "ended", "origin", "worktree"):
        value = getattr(info, key)
        if value:
            yield f"{key + ':':<9} {safe(str(value))}"
    yield f"messages: {len(messages)}"
    if summary is not None:
        yield ""
        yield style(safe(f"summary {summary.id}: {summary.title}"), BOLD)
        yield safe(summary.body.rstrip("\n"))
    yield ""
    for message in messages:
        when = (message.timestamp or "")[:19].replace("T", " ")
        head = style(safe(f"[{when}] {message.role}:" if when else f"{message.role}:"), DIM)
        body = safe(message.content.rstrip("\n"))
        yield f"{head} {body}" if "\n" not in body else f"{head}\n{_indent(body)}"


def _show_around(store: Store, args: argparse.Namespace) -> int:
    """`show ID --around N`: the messages from N - K to N + K, numbered, N marked."""
    from gitmem.sessions.search import around

    window = around(store, args.id, args.around, args.window)
    info = window.session
    document = {
        "session": info.to_json(),
        "around": args.around,
        "total": window.total,
        "messages": [{"number": n, **m.to_json()} for n, m in window.messages],
    }
    emit(args.json, document, _shown_around(window.session, window, args.around))
    return 0


def _shown_around(info: SessionInfo, window: Window, number: int) -> Iterator[str]:
    first, last = window.messages[0][0], window.messages[-1][0]
    yield style(f"session {safe(info.id)}{_label(info)}", BOLD)
    yield f"messages {first}-{last} of {window.total}, around {number}"
    for n, message in window.messages:
        when = (message.timestamp or "")[:19].replace("T", " ")
        mark = ">" if n == number else " "
        head = f"{mark} #{n} " + (f"[{when}] {message.role}:" if when else f"{message.role}:")
        head = style(safe(head), BOLD if n == number else DIM)
        body = safe(message.content.rstrip("\n"))
        yield f"{head} {body}" if "\n" not in body else f"{head}\n{_indent(body)}"


def _indent(text: str) -> str:
    return "\n".join("    " + line if line else "" for line in text.splitlines())
