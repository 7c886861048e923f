"""Session transcripts on `refs/gitmem/sessions`: one JSONL blob per session.

The ref is a commit chain whose tree is flat: `<session id>.jsonl` per session, so plain git
reads one with `git cat-file -p refs/gitmem/sessions:<id>.jsonl`. A blob's first line is the
header (`session`, `label`, `tool`, `source` session|import, `started`, `ended`, `summary_id`,
`origin`), then one message per line: `role`, `content`, `timestamp`, `hash`.

A message's hash is sha256 of role, content and timestamp (16 hex digits). The timestamp is in
it on purpose: "ok" said twice in one session is two messages, while the same message seen
twice (an import run again, a transcript on both sides of a sync) is one. A message with no
timestamp (a generic export) hashes its position in the source instead, which a re-import of
the same file reproduces.

Every write is a compare-and-swap of the ref with bounded retry, done with the `git` binary
(hash-object, mktree, commit-tree, update-ref): many sessions in one write are one commit.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from gitmem.errors import GitMemError
from gitmem.store import git
from gitmem.store.files import atomic_write

REF = "refs/gitmem/sessions"
SUFFIX = ".jsonl"
CAS_ATTEMPTS = 50


def message_hash(role: str, content: str, timestamp: str | None, position: int = 0) -> str:
    import hashlib

    when = timestamp if timestamp else f"#{position}"
    data = "\0".join((role, content, when)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:16]


@dataclass(frozen=True)
class Message:
    role: str
    content: str
    timestamp: str | None
    hash: str

    @classmethod
    def new(cls, role: str, content: str, timestamp: str | None, position: int = 0) -> Message:
        return cls(role, content, timestamp, message_hash(role, content, timestamp, position))

    def to_json(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "content": self.content,
            "timestamp": self.timestamp,
            "hash": self.hash,
        }

    @classmethod
    def from_json(cls, data: Any) -> Message | None:
        """A message read back from a line, or None if the line is not one."""
        if not isinstance(data, dict):
            return None
        role, content, when = data.get("role"), data.get("content"), data.get("timestamp")
        if not isinstance(role, str) or not isinstance(content, str):
            return None
        when = when if isinstance(when, str) and when else None
        digest = data.get("hash")
        if not isinstance(digest, str) or not digest:
            digest = message_hash(role, content, when)
        return cls(role, content, when, digest)


@dataclass
class Transcript:
    header: dict[str, Any]
    messages: list[Message] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.header.get("session") or "")

    def encode(self) -> bytes:
        lines = [_dumps(self.header), *(_dumps(m.to_json()) for m in self.messages)]
        return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode(data: bytes, session_id: str) -> Transcript:
    """A transcript blob; lines that are not messages (a hand edit) are skipped, not fatal."""
    lines = data.decode("utf-8", "surrogateescape").splitlines()
    header: dict[str, Any] = {}
    messages: list[Message] = []
    for number, line in enumerate(lines):
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):  # too deep: not a message
            continue
        if number == 0 and isinstance(item, dict) and "session" in item:
            header = item
            continue
        message = Message.from_json(item)
        if message is not None:
            messages.append(message)
    header["session"] = session_id  # the file name is the truth
    return Transcript(header, messages)


def header_of(data: bytes, session_id: str) -> tuple[dict[str, Any], int]:
    """The header and the message count, without decoding every message."""
    first, _, rest = data.partition(b"\n")
    try:
        header = json.loads(first)
    except (ValueError, RecursionError):  # too deep: not a message
        header = None
    if not isinstance(header, dict) or "session" not in header:
        return {"session": session_id}, data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    header["session"] = session_id
    return header, rest.count(b"\n") + (1 if rest and not rest.endswith(b"\n") else 0)


def _sort_key(message: Message) -> tuple[str, str]:
    return (message.timestamp or "", message.hash)


def merge_messages(ours: list[Message], theirs: Iterable[Message]) -> tuple[list[Message], int]:
    """Union by hash; (merged, how many of `theirs` were new). Ordered by timestamp then hash
    when every message has a timestamp; otherwise ours in order, then theirs' new ones in order
    (an untimed export has nothing better to go by than its own order)."""
    seen = {m.hash for m in ours}
    added = []
    for message in theirs:
        if message.hash not in seen:
            seen.add(message.hash)
            added.append(message)
    merged = ours + added
    if added and all(m.timestamp for m in merged):
        merged.sort(key=_sort_key)
    return merged, len(added)


def merge_headers(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    """The header with `ended` set wins (the later `ended` if both); the other fills gaps."""
    first, second = ours, theirs
    if theirs.get("ended") and (not ours.get("ended") or str(theirs["ended"]) > str(ours["ended"])):
        first, second = theirs, ours
    merged = dict(first)
    for key, value in second.items():
        if merged.get(key) in (None, "") and value not in (None, ""):
            merged[key] = value
    return merged


def merge(ours: Transcript, theirs: Transcript) -> Transcript:
    messages, _ = merge_messages(ours.messages, theirs.messages)
    return Transcript(merge_headers(ours.header, theirs.header), messages)


# --------------------------------------------------------------------------- the ref


class Snapshot:
    """The transcripts at one tip of the ref: ids and blob ids, blobs read on demand."""

    def __init__(self, repo: git.RepoInfo, commit: str | None) -> None:
        self.repo = repo
        self.commit = commit
        self.blobs: dict[str, str] = entries(repo, commit) if commit else {}

    def read(self, session_ids: Iterable[str]) -> dict[str, bytes]:
        wanted = {sid: self.blobs[sid] for sid in session_ids if sid in self.blobs}
        data = read_blobs(self.repo, list(wanted.values()))
        return {sid: data[oid] for sid, oid in wanted.items()}

    def transcripts(self, session_ids: Iterable[str]) -> dict[str, Transcript]:
        return {sid: decode(data, sid) for sid, data in self.read(session_ids).items()}


def tip(repo: git.RepoInfo, ref: str = REF) -> str | None:
    return git.commit_tip(repo, ref)


def entries(repo: git.RepoInfo, commit: str) -> dict[str, str]:
    """{session id: blob id} in the tree of `commit` (other names are left alone)."""
    out = git.run(["ls-tree", "-z", commit], cwd=repo.git_dir).stdout.decode(
        "utf-8", "surrogateescape"
    )
    found = {}
    for item in out.split("\0"):
        meta, _, name = item.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and name.endswith(SUFFIX):
            found[name[: -len(SUFFIX)]] = parts[2]
    return found


def read_blobs(repo: git.RepoInfo, oids: list[str]) -> dict[str, bytes]:
    """Transcript blobs by id; every one must be there."""
    return git.read_all_blobs(repo, oids, REF + ": object {oid} is missing; run `git fsck`")


def _write_blobs(repo: git.RepoInfo, blobs: list[bytes]) -> list[str]:
    """Write blobs with one `git hash-object` for all of them."""
    if not blobs:
        return []
    scratch = repo.state_dir / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        paths = []
        for number, data in enumerate(blobs):
            path = os.path.join(tmp, str(number))
            with open(path, "wb") as handle:
                handle.write(data)
            paths.append(path)
        listing = "".join(p + "\n" for p in paths).encode()
        args = ["hash-object", "-w", "--no-filters", "--stdin-paths"]
        out = git.run(args, cwd=repo.git_dir, input=listing).stdout.decode()
    return out.split()


def _commit(repo: git.RepoInfo, tree: str, parents: list[str], message: str) -> str:
    env: dict[str, str] = {}
    if git.ident(repo) is None:
        name, email = git.FALLBACK_IDENT
        env = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
    args = ["commit-tree", tree, *(a for p in parents for a in ("-p", p)), "-F", "-"]
    proc = git.run(args, cwd=repo.git_dir, input=message.encode(), env=env or None)
    return proc.stdout.decode().strip()


Mutation = Callable[[Snapshot], Mapping[str, bytes | None]]


def update(
    repo: git.RepoInfo,
    mutate: Mutation,
    message: str,
    *,
    ref: str = REF,
    merge_parent: str | None = None,
) -> str | None:
    """Compare-and-swap the ref: `mutate` sees the current snapshot and returns {session id:
    new blob bytes, or None to remove}; it runs again on every retry, so it must depend on the
    snapshot only. Returns the new tip (the old one when nothing changed). With `merge_parent`
    (sync) the commit has that second parent and is written even with no changes."""
    for attempt in range(CAS_ATTEMPTS):
        old = tip(repo, ref)
        snapshot = Snapshot(repo, old)
        changes = mutate(snapshot)
        changes = {
            sid: data
            for sid, data in changes.items()
            if data is not None or sid in snapshot.blobs  # deleting nothing is no change
        }
        if not changes and merge_parent is None:
            return old
        written = [sid for sid, data in changes.items() if data is not None]
        oids = _write_blobs(repo, [data for data in changes.values() if data is not None])
        blobs = dict(snapshot.blobs)
        blobs.update(zip(written, oids, strict=True))
        for sid, data in changes.items():
            if data is None:
                blobs.pop(sid, None)
        if merge_parent is None and old is not None and blobs == snapshot.blobs:
            return old  # every blob came out identical
        listing = "".join(f"100644 blob {oid}\t{sid}{SUFFIX}\0" for sid, oid in blobs.items())
        tree = git.run(["mktree", "-z"], cwd=repo.git_dir, input=listing.encode()).stdout
        parents = [p for p in (old, merge_parent) if p]
        new = _commit(repo, tree.decode().strip(), parents, message)
        if git.move_ref(repo, ref, new, old, f"gitmem: {message.splitlines()[0]}"):
            return new
        time.sleep(random.uniform(0.001, 0.005) * min(attempt + 1, 20))
    raise GitMemError(f"{ref} kept changing under us; gave up after {CAS_ATTEMPTS} attempts")


def put(repo: git.RepoInfo, transcript: Transcript, message: str) -> str | None:
    """Write one transcript, merged with what the ref already holds for that session."""

    def mutate(snapshot: Snapshot) -> dict[str, bytes | None]:
        existing = snapshot.transcripts([transcript.id]).get(transcript.id)
        merged = merge(existing, transcript) if existing else transcript
        return {transcript.id: merged.encode()}

    return update(repo, mutate, message)


def load(repo: git.RepoInfo, session_id: str, ref: str = REF) -> Transcript | None:
    commit = tip(repo, ref)
    if commit is None:
        return None
    return Snapshot(repo, commit).transcripts([session_id]).get(session_id)


def headers(repo: git.RepoInfo, ref: str = REF) -> list[tuple[dict[str, Any], int]]:
    """(header, message count) of every transcript on the ref.

    Kept in a cache by blob id under the common dir (derived, disposable): a blob holds the
    whole transcript, and inflating every one of them to read its first line took 1.3 s for
    100 imported sessions of 1,000 messages each.
    """
    commit = tip(repo, ref)
    if commit is None:
        return []
    blobs = entries(repo, commit)
    path = repo.state_dir / "sessions-headers.json"
    try:
        cache = json.loads(path.read_text(encoding="utf-8"))
        cache = cache if isinstance(cache, dict) else {}
    except (OSError, ValueError):
        cache = {}
    missing = [oid for oid in blobs.values() if not _cached(cache.get(oid))]
    if missing:
        by_oid = {oid: sid for sid, oid in blobs.items()}
        for oid, data in read_blobs(repo, missing).items():
            cache[oid] = list(header_of(data, by_oid[oid]))
        wanted = set(blobs.values())
        cache = {oid: value for oid, value in cache.items() if oid in wanted}
        with contextlib.suppress(OSError):  # a cache that cannot be written is no error
            atomic_write(path, json.dumps(cache).encode(), durable=False)
    found = []
    for sid, oid in blobs.items():
        header, count = cache[oid]
        found.append(({**header, "session": sid}, int(count)))
    return found


def _cached(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], dict)
        and isinstance(value[1], int)
    )
