"""`git mem doctor --secrets`: which records hold a secret, now and in the notes' history.

A record is scanned twice: its exact text (a key in a YAML comment, with a line number) and its
decoded values (a key written with escapes or folded). The history of refs/notes/mem is scanned
too: a secret taken out of a note stays in the note commits before, and `git mem sync` pushes
them to every clone.
"""

from __future__ import annotations

from gitmem.errors import GitMemError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.search.changes import Problem
from gitmem.search.query import Filter
from gitmem.store import git, secrets
from gitmem.store.note_stream import parse_note


def scan_records(store: Store) -> tuple[list[Problem], int]:
    """A problem for each secret in a current record, and how many records were read."""
    problems: list[Problem] = []
    rows = finder.records(store, Filter(include_retired=True, include_unmerged=True))
    for row in rows:
        try:
            stored = store.load(row)
        except GitMemError as error:
            problems.append(Problem(str(row["location"]), f"not scanned: {error}"))
            continue
        location = stored.location
        record_id = stored.memory.id
        raw = secrets.find(stored.text)
        seen = {stored.text[hit.start : hit.end] for hit in raw}
        for hit in raw:
            if stored.note_sha is None:
                problems.append(Problem(location, f"{record_id}: {hit.kind}", hit.line))
            else:  # a note's text here is this record's document: lines count from its `---`
                where = f"line {hit.line} of its document"
                problems.append(Problem(location, f"{record_id}: {hit.kind} at {where}"))
        decoded = [f for f, value in secrets.scan_values(stored.memory) if value not in seen]
        for finding in decoded:
            message = f"{record_id}: {finding.kind} at {finding.where} (YAML escapes or folding)"
            problems.append(Problem(location, message))
    return problems, len(rows)


def scan_notes_history(store: Store) -> list[Problem]:
    """Secrets in note versions that are no longer current (the history of refs/notes/mem):
    one problem per note commit's blob, named by the commit it annotated."""
    repo = store.repo
    has_notes = git.run(
        ["rev-parse", "--verify", "-q", git.NOTES_REF], cwd=repo.git_dir, check=False
    )
    if has_notes.returncode != 0:
        return []
    listing = git.run(["rev-list", "--objects", git.NOTES_REF], cwd=repo.git_dir).stdout
    tree = git.run(["ls-tree", "-r", git.NOTES_REF], cwd=repo.git_dir).stdout.decode()
    current = {line.split()[2] for line in tree.splitlines() if line}
    paths: dict[str, str] = {}
    for line in listing.decode("utf-8", "surrogateescape").splitlines():
        blob, _, path = line.partition(" ")
        name = path.replace("/", "")
        if len(name) in (40, 64) and blob not in current:
            paths[blob] = name
    problems = []
    blobs = git.read_blobs(repo.git_dir, list(paths))
    for blob, data in blobs.items():
        kinds = ", ".join(sorted(_kinds(store, data.decode("utf-8", "replace"), paths[blob])))
        if kinds:
            problems.append(
                Problem(
                    f"history of note:{paths[blob]}",
                    f"an earlier version (blob {blob[:12]}) holds {kinds}",
                )
            )
    return problems


def _kinds(store: Store, text: str, sha: str) -> set[str]:
    """The kinds of secret in a note's text: as written, and as YAML decodes it."""
    kinds = {hit.kind for hit in secrets.find(text)}
    try:
        chunks = parse_note(
            text, f"note:{sha}", "1970-01-01T00:00:00+00:00", store.config.type_names
        )
    except GitMemError:
        return kinds
    for chunk in chunks:
        if chunk.memory is not None:
            kinds |= {finding.kind for finding in secrets.scan(chunk.memory)}
    return kinds


def advice(problems: list[Problem]) -> list[str]:
    """How to get rid of what was found (printed after the findings)."""
    lines = [
        "a secret that was pushed or shared is leaked: rotate it first, whatever else you do",
    ]
    if any(p.location.startswith(".memory/") for p in problems):
        lines.append(
            "in a file: `git mem edit ID --redact` (or edit it by hand); if it was committed, "
            "the commits keep it until the history is rewritten (git filter-repo)"
        )
    if any(p.location.startswith(("note:", "history of note:")) for p in problems):
        lines.append(
            "in a note: `git mem edit ID --redact`, or `git notes --ref=mem edit COMMIT` / "
            "`git notes --ref=mem remove COMMIT`, fixes the current note; the earlier versions "
            "stay in the history of refs/notes/mem, which `git mem sync` pushes. To drop that "
            "history: `git update-ref refs/notes/mem $(git commit-tree -m 'gitmem: notes "
            "without history' refs/notes/mem^{tree})`, then `git push --force REMOTE "
            "refs/notes/mem`, and every clone deletes its refs/notes/mem and fetches again "
            "(a clone that syncs its old copy brings the history back)"
        )
    return lines
