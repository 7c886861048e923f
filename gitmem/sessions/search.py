"""Searching conversations: the messages of the transcripts on `refs/gitmem/sessions`, alone or
ranked together with the records (`--everything`, MCP scope `all`), and a window of a
transcript around one message (`session show --around`).

The index is `search.sessions_index` (derived, refreshed by transcript blob id on every
search); this module hands it the transcripts in their format (`transcripts`) and numbers
each session's messages from 1, in the order the transcript holds them: the number a hit
shows is the one `session show ID --around N` opens.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from gitmem.errors import GitMemError, UsageError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.engine import MARK_END, MARK_START, Hit, Progress, words
from gitmem.search.messages import MessageDoc, MessageHit
from gitmem.search.query import Filter
from gitmem.search.sessions_index import MessageIndex, Transcripts, batches, refresh
from gitmem.sessions import sessions, transcripts
from gitmem.sessions.info import SessionInfo
from gitmem.sessions.transcripts import Message
from gitmem.store import git

FUSION_K = 60  # reciprocal rank fusion's constant (the usual one): rank r counts 1 / (K + r)


def _source(repo: git.RepoInfo) -> Transcripts:
    def messages(pairs: list[tuple[str, str]]) -> Iterator[tuple[str, list[MessageDoc]]]:
        for batch in batches(pairs):
            data = transcripts.read_blobs(repo, [oid for _sid, oid in batch])
            for sid, oid in batch:
                transcript = transcripts.decode(data[oid], sid)
                yield (
                    sid,
                    [
                        MessageDoc(sid, number, m.role, m.timestamp, m.content)
                        for number, m in enumerate(transcript.messages, 1)
                    ],
                )

    return Transcripts(
        tip=transcripts.tip(repo),
        blobs=lambda commit: transcripts.entries(repo, commit),
        messages=messages,
    )


def index(
    repo: git.RepoInfo, *, full: bool = False, wait: bool = False, progress: Progress | None = None
) -> MessageIndex:
    """The message index, fresh: only transcripts whose blob changed are read."""
    return refresh(repo, _source(repo), full=full, wait=wait, progress=progress)


def search(
    repo: git.RepoInfo,
    text: str,
    *,
    limit: int,
    newest: bool = False,
    progress: Progress | None = None,
    match: str = "any",
) -> list[MessageHit]:
    """The best `limit` messages for the query `text` (the records' query syntax, plus
    `role:` and `session:`)."""
    if not words(text):
        raise UsageError(f"nothing to search for in {text!r}: give at least one word")
    found = index(repo, progress=progress)
    for attempt in range(3):
        try:
            return found.search(text, limit=limit, newest=newest, match=match)
        except GitMemError:
            raise
        except Exception:
            if attempt == 2:
                raise
            # 1st: another process may have replaced the index; wait for it and look again.
            # 2nd: damaged in a way only reading shows: rebuild it.
            found = index(repo, wait=True, full=attempt == 1, progress=progress)
    raise AssertionError("unreachable")


def message_json(hit: MessageHit) -> dict[str, Any]:
    """A message hit as `--json` and the MCP tool show it."""
    message = hit.message
    return {
        "kind": "message",
        "score": round(hit.score, 4),
        "session": message.session,
        "message": message.number,
        "role": message.role,
        "time": message.time,
        "snippet": hit.snippet.replace(MARK_START, "").replace(MARK_END, ""),
    }


def found_json(hits: list[MessageHit], text: str) -> dict[str, Any]:
    """`git mem search --sessions --json`."""
    return {"query": text, "count": len(hits), "hits": [message_json(hit) for hit in hits]}


# ------------------------------------------------------------------- records and messages


class Mixed(NamedTuple):
    """One hit of a search over records and messages: exactly one of the two is set."""

    record: Hit | None
    message: MessageHit | None
    score: float  # the fused score the list is ordered by


class Everything(NamedTuple):
    hits: list[Mixed]
    records: finder.Found  # what the records search said (its suggestion, hidden ones)


def fuse(records: list[Hit], messages: list[MessageHit], limit: int) -> list[Mixed]:
    """One ranking of two: reciprocal rank fusion, since a records score (title boosted, over
    the records' statistics) and a message score are not on one scale. Equal places go to the
    higher raw score."""
    mixed = [Mixed(hit, None, 1 / (FUSION_K + rank)) for rank, hit in enumerate(records, 1)]
    mixed += [Mixed(None, hit, 1 / (FUSION_K + rank)) for rank, hit in enumerate(messages, 1)]
    mixed.sort(key=lambda item: (item.score, _raw(item)), reverse=True)
    return mixed[:limit]


def _raw(item: Mixed) -> float:
    hit = item.record if item.record is not None else item.message
    assert hit is not None
    return hit.score


def everything(
    store: Store,
    flt: Filter,
    text: str,
    *,
    limit: int,
    newest: bool = False,
    progress: Progress | None = None,
    match: str = "any",
) -> Everything:
    """The best `limit` of the records (`flt` filters them) and the messages together."""
    records = finder.search(store, flt, text, limit=limit, newest=newest, match=match)
    messages = search(store.repo, text, limit=limit, newest=newest, progress=progress, match=match)
    if newest:  # newest first across both: by time (a record's created, a message's time)
        mixed = [Mixed(hit, None, 0.0) for hit in records.hits]
        mixed += [Mixed(None, hit, 0.0) for hit in messages]
        mixed.sort(key=_when, reverse=True)
        return Everything(mixed[:limit], records)
    return Everything(fuse(records.hits, messages, limit), records)


def _when(item: Mixed) -> str:
    if item.record is not None:
        return str(item.record.row.get("created") or "")
    assert item.message is not None
    return item.message.message.time or ""


def everything_json(found: Everything, text: str) -> dict[str, Any]:
    """`git mem search --everything --json`: records as `search --json` shows them, messages
    as `--sessions` does, each with its `kind`, in one list."""
    hits = []
    for item in found.hits:
        if item.record is not None:
            record = finder.found_json(finder.Found([item.record], None, ""), text)["hits"][0]
            hits.append({"kind": "record", **record})
        else:
            assert item.message is not None
            hits.append(message_json(item.message))
    return {
        "query": text,
        "count": len(hits),
        "hits": hits,
        "suggestion": found.records.suggestion if not hits else None,
    }


# ------------------------------------------------------------------- a window of a transcript


class Window(NamedTuple):
    session: SessionInfo
    total: int  # messages in the transcript
    messages: list[tuple[int, Message]]  # (number from 1, message), in order


def around(store: Store, prefix: str, number: int, width: int) -> Window:
    """Session `prefix`'s messages from `number - width` to `number + width`."""
    if width < 0:
        raise UsageError("--window must be 0 or more")
    info, messages = sessions.show(store, prefix)
    total = len(messages)
    if not 1 <= number <= total:
        raise UsageError(
            f"session {info.id} has {total} message{'' if total == 1 else 's'}: "
            f"--around takes 1 to {total}, not {number}"
            if total
            else f"session {info.id} has no messages"
        )
    first, last = max(1, number - width), min(total, number + width)
    return Window(info, total, [(n, messages[n - 1]) for n in range(first, last + 1)])
