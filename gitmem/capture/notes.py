"""Captured records into notes: build them, skip what is already there, follow rewrites.

Every write is one compare-and-swap update of refs/notes/mem (`objects.update_notes`), however many
commits it touches, and decides what is "already there" from the snapshot it writes against.
One record id lives in one place: a rewrite moves records to the new commit instead of leaving
git's copy behind on the old one (two copies that drift apart would be two records, one id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from gitmem.capture.classify import issue_base, issue_link, parse_subject
from gitmem.capture.commits import Candidate, Commit, changed_paths, read_commits
from gitmem.capture.rules import Rules
from gitmem.store import front_matter, git, objects, secrets
from gitmem.store.note_stream import NoteChunk, parse_note, serialize_note_doc
from gitmem.store.record import Memory, derived_id

Chunk = tuple[str, Memory | None]  # a stretch of a note's text, and the record it holds


@dataclass
class Outcome:
    """What a capture did (or, dry, would do): records per commit, and those already there."""

    written: list[Memory] = field(default_factory=list)
    present: list[str] = field(default_factory=list)  # ids
    moved: list[Memory] = field(default_factory=list)
    # After a rewrite, captured records the new message no longer yields:
    kept: list[Memory] = field(default_factory=list)  # kept all the same (it may be relied on)
    replaced: list[Memory] = field(default_factory=list)  # an amend reworded it: a new one came
    dropped: list[Memory] = field(default_factory=list)  # an amend added `No-Memory: true`
    # Secrets in commit messages, written as [REDACTED:<kind>]: `ID: kind at where`.
    redacted: list[str] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [memory.id for memory in self.written]


def build(
    commit: Commit, candidate: Candidate, rules: Rules, base: tuple[str, str] | None = None
) -> Memory:
    paths = list(commit.paths or ())[: rules.max_paths]
    # Issues and pull requests go to metadata, not `links:` (DESIGN: links are memory ids,
    # and every reader, `update` and doctor rely on that).
    issues = list(dict.fromkeys(issue_link(ref, base) for ref in candidate.refs))
    return Memory(
        id=candidate.id_for(commit),
        type=candidate.type,
        title=candidate.title,
        created=commit.created,
        body=candidate.body,
        author=commit.author,
        tags=list(candidate.tags),
        source="hook",
        commits=[commit.sha],
        paths=paths,
        metadata={"issues": issues} if issues else {},
    )


def remote_base(repo: git.RepoInfo) -> tuple[str, str] | None:
    """Where `origin` keeps its issues, if it is GitHub or GitLab (links in URL form)."""
    proc = git.run(["config", "--get", "remote.origin.url"], cwd=repo.git_dir, check=False)
    return issue_base(proc.stdout.decode("utf-8", "replace")) if proc.returncode == 0 else None


class _Timestamp(str):
    """`created:` as written by serialize_note_doc: plain, not quoted like a string."""


def _represent_timestamp(dumper: Any, data: _Timestamp) -> Any:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", str(data))


front_matter.dumper().add_representer(_Timestamp, _represent_timestamp)


def note_doc(memory: Memory) -> str:
    """`serialize_note_doc` of a record built here, byte for byte, in one YAML dump instead
    of one per key (a backfill writes thousands: 5x faster)."""
    fields = memory.fields()
    fields["created"] = _Timestamp(fields["created"])
    fields["body"] = front_matter.Literal(memory.body)
    return "---\n" + front_matter.yaml_text(fields)


def second_copy(memory: Memory, sha: str) -> Memory:
    """The record for a second commit carrying the same decision (cherry-pick, `commit -C`):
    its own id, linked to the first one, so one id never names two different records."""
    return replace(memory, id=derived_id("capture-copy", memory.id, sha), links=[memory.id])


def global_locations(repo: git.RepoInfo) -> dict[str, str]:
    """Every record id and where it lives (from the manifest: the index is not touched)."""
    from gitmem.records.store import Store

    return Store(repo).locations()


def _present(memory: Memory, chunks: list[Chunk]) -> Memory | None:
    """The record on this commit that `memory` would duplicate: same id, or a captured record
    of the same type and title (a squash brings the other commit's captures along, with ids
    from the other commit's author date)."""
    for _text, other in chunks:
        if other is None:
            continue
        if other.id == memory.id:
            return other
        # Same title, or the same title as captured before titles were cleaned (#12).
        same_kind = other.source == "hook" and other.type == memory.type
        if same_kind and memory.title in (other.title, parse_subject(other.title).title):
            return other
    return None


class _Notes:
    """Notes being edited inside one CAS attempt: parsed lazily from the snapshot."""

    def __init__(self, snapshot: objects.NotesSnapshot, types: Iterable[str]) -> None:
        self.snapshot = snapshot
        self.types = list(types)
        self.chunks: dict[str, list[Chunk]] = {}
        self.texts: dict[str, str] = {}
        self.changed: set[str] = set()

    def raw(self, sha: str) -> str:
        """The note's text as it stands in this attempt ("" if none), without parsing it."""
        if sha in self.chunks:
            return "".join(text for text, _ in self.chunks[sha])
        if sha not in self.texts:
            data = self.snapshot.read(sha)
            self.texts[sha] = data.decode("utf-8", "surrogateescape") if data else ""
        return self.texts[sha]

    def get(self, sha: str) -> list[Chunk]:
        """The note's chunks, parsed (a note only appended to stays one opaque chunk)."""
        if sha not in self.chunks:
            text = self.raw(sha)
            parsed: list[NoteChunk] = []
            if text:
                created = objects.object_time(self.snapshot.pyrepo, sha)  # dates foreign prose
                parsed = parse_note(text, f"note:{sha}", created, self.types)
            self.chunks[sha] = [(c.text, c.memory) for c in parsed]
        return self.chunks[sha]

    def append(self, sha: str, text: str, memory: Memory | None) -> None:
        if sha not in self.chunks:
            old = self.raw(sha)
            self.chunks[sha] = [(old, None)] if old else []
        chunks = self.chunks[sha]
        if chunks and not chunks[-1][0].endswith("\n"):
            chunks[-1] = (chunks[-1][0] + "\n", chunks[-1][1])
        chunks.append((text, memory))
        self.changed.add(sha)

    def changes(self) -> dict[str, bytes | None]:
        out: dict[str, bytes | None] = {}
        for sha in sorted(self.changed):
            text = "".join(text for text, _ in self.chunks[sha])
            out[sha] = text.encode("utf-8", "surrogateescape") if text.strip() else None
        return out


def _add_captures(
    notes: _Notes,
    planned: list[tuple[Commit, list[Memory]]],
    elsewhere: Callable[[str, str], bool],
    outcome: Outcome,
    dry_run: bool = False,
) -> None:
    assigned: dict[str, str] = {}  # id -> commit, within this run
    for commit, memories in planned:
        text = notes.raw(commit.sha)

        def noted(record_id: str, text: str = text) -> bool:
            return f"---\nid: {record_id}\n" in "---\n" + text

        # Parse the note (YAML: the slow part of a backfill) only when a record could be
        # there under another id: its title occurs in the note, its id does not.
        unsure = any(m.title in text and not noted(m.id) for m in memories)
        chunks = notes.get(commit.sha) if unsure else []
        for memory in memories:
            taken = assigned.get(memory.id)
            if (taken is not None and taken != commit.sha) or elsewhere(memory.id, commit.sha):
                memory = second_copy(memory, commit.sha)
            there = _present(memory, chunks) if chunks else None
            if there is not None or noted(memory.id):
                outcome.present.append(memory.id)
                continue
            assigned[memory.id] = commit.sha
            # A hook must not fail a commit: a secret in its message is redacted, not refused.
            memory, found = secrets.redact_memory(memory)
            outcome.redacted += [f"{memory.id}: {finding}" for finding in found]
            notes.append(commit.sha, "" if dry_run else note_doc(memory), memory)
            outcome.written.append(memory)


def _with_paths(repo: git.RepoInfo, commit: Commit) -> Commit:
    return (
        commit if commit.paths is not None else commit._replace(paths=changed_paths(repo, commit))
    )


def _needs_lookup(commits: Iterable[Commit]) -> bool:
    """Could a captured id already live on another commit? Only if the commit carries an
    older author date than its commit date (cherry-pick, `commit -C`, rebase, backfill)."""
    return any(c.author_date.split()[0] != c.committer_date.split()[0] for c in commits)


def write_captures(
    repo: git.RepoInfo,
    rules: Rules,
    found: list[tuple[Commit, list[Candidate]]],
    *,
    dry_run: bool = False,
    locations: dict[str, str] | None = None,
) -> Outcome:
    """Attach the captured records to their commits, oldest first, in one notes update."""
    planned = []
    base = remote_base(repo) if any(c.refs for _commit, cs in found for c in cs) else None
    for commit, candidates in found:
        full = _with_paths(repo, commit)
        planned.append((full, [build(full, c, rules, base) for c in candidates]))
    if locations is None:
        locations = global_locations(repo) if _needs_lookup(c for c, _ in found) else {}

    def elsewhere(record_id: str, sha: str) -> bool:
        where = locations.get(record_id)
        return where is not None and where != f"note:{sha}"

    outcome = Outcome()

    def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
        nonlocal outcome
        outcome = Outcome()
        notes = _Notes(snapshot, rules.types)
        _add_captures(notes, planned, elsewhere, outcome, dry_run)
        return {} if dry_run else notes.changes()

    shas = [c.sha[:12] for c, _ in found]
    label = shas[0] if len(shas) == 1 else f"{len(shas)} commits"
    objects.update_notes(repo, mutate, f"gitmem: capture {label}")
    return outcome


def _remap(memory: Memory, old: str, new: str) -> Memory:
    commits = [new if sha == old else sha for sha in memory.commits]
    if new not in commits:
        commits.append(new)
    return replace(memory, commits=list(dict.fromkeys(commits)))


def _move(notes: _Notes, old: str, new: str, outcome: Outcome) -> None:
    """Every chunk of old's note onto new's (replacing git's copy of it), then old's goes."""
    source = notes.get(old)
    if not source or old == new:
        return
    target = notes.get(new)
    for text, memory in source:
        if memory is None or memory.foreign:
            if text.strip() and all(text.strip() != t.strip() for t, _ in target):
                notes.append(new, text, memory)
            continue
        moved = _remap(memory, old, new)
        moved_text = text if moved.commits == memory.commits else serialize_note_doc(moved)
        same = [i for i, (_t, m) in enumerate(target) if m is not None and m.id == memory.id]
        if same:
            target[same[0]] = (moved_text, moved)
            for index in reversed(same[1:]):  # git concatenated two copies (squash)
                del target[index]
        else:
            notes.append(new, moved_text, moved)
        outcome.moved.append(moved)
    notes.chunks[old] = []
    notes.changed |= {old, new}


def _settle_stale(
    notes: _Notes,
    sha: str,
    current: set[tuple[str, str]],
    amended: bool,
    opted_out: bool,
    outcome: Outcome,
) -> None:
    """Captured records on `sha` its new message no longer yields (only those the hook wrote
    for this one commit and nobody edited since) are kept and reported, never lost silently.
    After an amend two cases are the user's own word and drop them, also reported: the amend
    added `No-Memory: true`, or reworded the record (the message yields a new record of the
    same type, captured in its place: one record per logical decision). After a rebase they
    all stay (a fixup's message is discarded, its records are kept)."""
    chunks = notes.get(sha)
    held = {(m.type, m.title) for _t, m in chunks if m is not None}
    fresh_types = {kind for kind, title in current if (kind, title) not in held}
    keep: list[Chunk] = []
    for text, memory in chunks:
        stale = (
            memory is not None
            and memory.source == "hook"
            and memory.updated is None
            and memory.commits == [sha]
            and (memory.type, memory.title) not in current
        )
        if memory is None or not stale:
            keep.append((text, memory))
        elif amended and opted_out:
            outcome.dropped.append(memory)
        elif amended and memory.type in fresh_types:
            outcome.replaced.append(memory)
        else:
            keep.append((text, memory))
            outcome.kept.append(memory)
    if len(keep) != len(chunks):
        notes.chunks[sha] = keep
        notes.changed.add(sha)


def follow_rewrite(
    repo: git.RepoInfo, rules: Rules, pairs: list[tuple[str, str]], kind: str = "rebase"
) -> Outcome:
    """post-rewrite: move each old commit's records to its new commit (commits: updated),
    then capture what the new messages say that is not there yet. One CAS update.

    Captured records a new message no longer yields are kept and listed in `Outcome.kept`,
    except after an amend that reworded them or added `No-Memory: true` (`_settle_stale`)."""
    pairs = [(old, new) for old, new in pairs if old != new]
    if not pairs:
        return Outcome()
    from gitmem.capture.commits import candidates, opts_out

    news = list(dict.fromkeys(new for _old, new in pairs))
    olds = {f"note:{old}" for old, _new in pairs}
    found = []
    yields: dict[str, set[tuple[str, str]]] = {}
    opted_out: set[str] = set()
    for commit in read_commits(repo, news):
        wanted = candidates(commit, rules)
        yields[commit.sha] = {(c.type, c.title) for c in wanted}
        if opts_out(commit.message):
            opted_out.add(commit.sha)
        if wanted:
            found.append((_with_paths(repo, commit), wanted))
    base = remote_base(repo) if any(c.refs for _commit, cs in found for c in cs) else None
    planned = [(commit, [build(commit, c, rules, base) for c in cs]) for commit, cs in found]
    locations = global_locations(repo) if planned else {}

    def elsewhere(record_id: str, sha: str) -> bool:
        where = locations.get(record_id)
        return where is not None and where != f"note:{sha}" and where not in olds

    outcome = Outcome()

    def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
        nonlocal outcome
        outcome = Outcome()
        notes = _Notes(snapshot, rules.types)
        for old, new in pairs:
            _move(notes, old, new, outcome)
        amended = kind == "amend"
        for new in news:
            current = yields.get(new, set())
            _settle_stale(notes, new, current, amended, new in opted_out, outcome)
        _add_captures(notes, planned, elsewhere, outcome)
        return notes.changes()

    objects.update_notes(repo, mutate, f"gitmem: follow rewrite of {len(pairs)} commit(s)")
    return outcome
