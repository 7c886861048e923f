"""Three-way merge of two notes trees by record id, for `git mem sync`.

A notes tree maps annotated commit shas to note blobs; a note is a YAML stream of records,
possibly with prose someone appended by hand. The merge works note by note:

- a note only one side changed (or both changed identically) is taken whole, byte for byte;
- a note both sides changed is merged chunk by chunk: a record is keyed by its id, anything
  else (prose, a document that does not parse) by its exact text. Added on either side: kept.
  Removed on one side and untouched on the other: removed. Changed on both: merged field by
  field against the base (`recordmerge`: lists as sets, a field only one side changed takes
  that change); a field both changed to different values is a conflict, which the newer
  `updated` (else `created`) wins; the other value stays reachable in the notes history
  through the merge commit's other parent. Changed on one side and removed on the other: the
  changed one is kept (no edit is ever lost silently) and reported as a conflict too.

Nothing here touches git: callers pass note bytes in and get note bytes out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gitmem.store import recordmerge
from gitmem.store.note_stream import parse_note, serialize_note_doc
from gitmem.store.record import Memory

# Foreign records date from the commit they annotate; the merge never looks at that date.
_NO_DATE = "1970-01-01T00:00:00+00:00"

Key = tuple[str, int]  # (record id or text digest, occurrence in the note)


@dataclass(frozen=True)
class Conflict:
    """A record both sides changed (or one changed and the other removed), and who won."""

    id: str
    note: str  # the annotated commit sha
    winner: str  # "local" or "remote"
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "note": self.note, "winner": self.winner, "reason": self.reason}


@dataclass
class Delta:
    """How one notes tree differs from another, in records."""

    added: int = 0
    removed: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.added + self.removed + self.updated

    def __iadd__(self, other: Delta) -> Delta:
        self.added += other.added
        self.removed += other.removed
        self.updated += other.updated
        return self


@dataclass
class _Chunk:
    key: Key
    text: str
    memory: Memory | None
    is_record: bool  # a gitmem record (vs prose or an unparseable document)


@dataclass
class TreeMerge:
    """The result of merging two notes trees: what to change on the local side."""

    changes: dict[str, bytes | None] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)


def _chunks(data: bytes | None, sha: str) -> list[_Chunk]:
    if not data:
        return []
    text = data.decode("utf-8", "surrogateescape")
    seen: dict[str, int] = {}
    out = []
    for chunk in parse_note(text, f"note:{sha}", _NO_DATE):
        memory = chunk.memory
        is_record = memory is not None and not memory.foreign
        if memory is not None and is_record:
            name = memory.id
        else:  # prose and broken documents: identified by their exact bytes
            import hashlib  # lazily: read commands import this module (~5 ms: OpenSSL)

            raw = chunk.text.encode("utf-8", "surrogateescape")
            name = "text:" + hashlib.sha1(raw).hexdigest()
        seen[name] = seen.get(name, -1) + 1
        out.append(_Chunk((name, seen[name]), chunk.text, memory, is_record))
    return out


def _stamp(memory: Memory | None) -> str:
    if memory is None:
        return "no date"
    return f"updated {memory.updated}" if memory.updated else f"created {memory.created}"


def _newer(local: _Chunk, remote: _Chunk, sha: str) -> tuple[_Chunk, Conflict]:
    """Both sides changed a record: the newer wins; a tie goes to the larger text, so that
    every clone merging the same two versions picks the same one."""
    lt, rt = recordmerge.when(local.memory), recordmerge.when(remote.memory)
    if lt is not None and rt is not None and lt != rt:
        remote_wins = rt > lt
        why = "newer"
    else:
        remote_wins = remote.text > local.text
        why = "same date; larger text wins the tie"
    winner = remote if remote_wins else local
    side = "remote" if remote_wins else "local"
    other = "local" if remote_wins else "remote"
    reason = (
        f"changed on both sides; kept the {side} version ({_stamp(winner.memory)}, {why}); "
        f"the {other} version stays in the notes history"
    )
    return winner, Conflict(local.key[0], sha, side, reason)


def _names(fields: tuple[str, ...]) -> str:
    return fields[0] if len(fields) == 1 else f"{', '.join(fields[:-1])} and {fields[-1]}"


def _both_changed(
    old: _Chunk | None, local: _Chunk, remote: _Chunk, sha: str
) -> tuple[_Chunk, Conflict | None]:
    """A record both sides changed (or both added): merged field by field; a conflict only
    for the fields both changed to different values. Prose and broken documents cannot be
    changed in place (they are keyed by their text)."""
    if local.memory is None or remote.memory is None or not (local.is_record and remote.is_record):
        return _newer(local, remote, sha)
    base = old.memory if old is not None and old.is_record else None
    merged = recordmerge.merge_record(base, local.memory, remote.memory, local.text, remote.text)
    if merged.same_as is not None or merged.memory is None:
        chunk = remote if merged.same_as == "remote" else local
    else:
        text = serialize_note_doc(merged.memory)
        chunk = _Chunk(local.key, text, merged.memory, True)
    if not merged.conflicts:
        return chunk, None
    winner, other = (remote, "local") if merged.winner == "remote" else (local, "remote")
    lt, rt = recordmerge.when(local.memory), recordmerge.when(remote.memory)
    dated = lt is not None and rt is not None and lt != rt
    why = "newer" if dated else "same date; larger text wins the tie"
    one = len(merged.conflicts) == 1
    value, stays = ("value", "stays") if one else ("values", "stay")
    reason = (
        f"{_names(merged.conflicts)} changed on both sides; kept the {merged.winner} {value} "
        f"({_stamp(winner.memory)}, {why}); the {other} {value} {stays} in the notes history"
    )
    return chunk, Conflict(local.key[0], sha, merged.winner, reason)


def _join(chunks: list[_Chunk]) -> bytes | None:
    """Chunks back into a note: each record document after the first starts with `---`."""
    parts: list[str] = []
    for chunk in chunks:
        text = chunk.text
        if parts and not parts[-1].endswith("\n"):
            parts[-1] += "\n"
        if parts and chunk.is_record and not text.startswith("---"):
            text = "---\n" + text
        parts.append(text)
    joined = "".join(parts)
    return joined.encode("utf-8", "surrogateescape") if joined.strip() else None


def merge_note(
    sha: str, base: bytes | None, local: bytes | None, remote: bytes | None
) -> tuple[bytes | None, list[Conflict]]:
    """Merge one note's three versions (None: no note); the merged bytes (None: no note)."""
    if local == remote or base == remote:
        return local, []
    if base == local:
        return remote, []
    base_chunks = {c.key: c for c in _chunks(base, sha)}
    local_chunks = _chunks(local, sha)
    remote_chunks = {c.key: c for c in _chunks(remote, sha)}
    merged: list[_Chunk] = []
    conflicts: list[Conflict] = []
    for mine in local_chunks:
        old = base_chunks.get(mine.key)
        theirs = remote_chunks.get(mine.key)
        if theirs is None:
            if old is None:
                merged.append(mine)  # added here
            elif old.text != mine.text:  # changed here, removed there: keep the change
                merged.append(mine)
                why = "changed here, removed on the remote; kept the local version"
                conflicts.append(Conflict(mine.key[0], sha, "local", why))
            # else: removed on the remote, untouched here
        elif theirs.text == mine.text or (old is not None and old.text == theirs.text):
            merged.append(mine)
        elif old is not None and old.text == mine.text:
            merged.append(theirs)
        else:
            chunk, conflict = _both_changed(old, mine, theirs, sha)
            merged.append(chunk)
            conflicts += [conflict] if conflict is not None else []
    local_keys = {c.key for c in local_chunks}
    for theirs in remote_chunks.values():
        if theirs.key in local_keys:
            continue
        old = base_chunks.get(theirs.key)
        if old is None:
            merged.append(theirs)  # added there
        elif old.text != theirs.text:
            merged.append(theirs)
            why = "changed on the remote, removed here; kept the remote version"
            conflicts.append(Conflict(theirs.key[0], sha, "remote", why))
    return _join(merged), conflicts


def merge_trees(
    base: Mapping[str, str],
    local: Mapping[str, str],
    remote: Mapping[str, str],
    read: Callable[[list[str]], Mapping[str, bytes]],
) -> TreeMerge:
    """Merge {annotated sha: blob id} maps; `read` fetches blobs' bytes in one go."""
    result = TreeMerge()
    differing: list[str] = []  # the notes the remote changed
    for sha in sorted(set(local) | set(remote)):
        b, mine, theirs = base.get(sha), local.get(sha), remote.get(sha)
        if mine == theirs or b == theirs:
            continue
        differing.append(sha)
    wanted = [oid for sha in differing for oid in (base.get(sha), local.get(sha), remote.get(sha))]
    blobs = read(sorted({oid for oid in wanted if oid is not None}))

    def data(oid: str | None) -> bytes | None:
        return blobs[oid] if oid is not None else None

    for sha in differing:
        b, mine = base.get(sha), local.get(sha)
        merged, conflicts = merge_note(sha, data(b), data(mine), data(remote.get(sha)))
        result.conflicts += conflicts
        if merged != data(mine):
            result.changes[sha] = merged
    return result


def delta(
    old: Mapping[str, str], new: Mapping[str, str], read: Callable[[list[str]], Mapping[str, bytes]]
) -> Delta:
    """Records added, removed and changed going from notes tree `old` to `new`."""
    changed = [sha for sha in set(old) | set(new) if old.get(sha) != new.get(sha)]
    wanted = {oid for sha in changed for oid in (old.get(sha), new.get(sha)) if oid is not None}
    blobs = read(sorted(wanted))
    out = Delta()
    for sha in changed:
        before = {c.key: c.text for c in _chunks(blobs.get(old.get(sha, ""), b""), sha)}
        after = {c.key: c.text for c in _chunks(blobs.get(new.get(sha, ""), b""), sha)}
        out.added += len(after.keys() - before.keys())
        out.removed += len(before.keys() - after.keys())
        out.updated += sum(1 for k in before.keys() & after.keys() if before[k] != after[k])
    return out
