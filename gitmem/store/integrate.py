"""Bring another clone's notes into refs/notes/mem, merging by record id.

`integrate` adopts, fast-forwards or merges a notes commit (the three-way merge itself is
`notesmerge`); `git mem sync` and `git mem backup restore` call it with what they fetched.
`merge_fetched` does the same for notes an ordinary `git fetch` brought into the tracking refs
(through the refspec `git mem init` adds); every read command calls it first, so its
nothing-to-do path reads the ref files (no tracking ref: no git process), else one `git
for-each-ref` and a small state file.

The local ref only ever moves by compare-and-swap. This lives in the store, beside the other
writers of refs/notes/mem, because the Store facade merges fetched notes before it reads.
"""

from __future__ import annotations

from collections.abc import Callable

from gitmem.errors import GitMemError
from gitmem.output import plural
from gitmem.store import git, objects
from gitmem.store.files import atomic_write

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:  # imported where a merge happens: off the read commands' start-up path
    from gitmem.store.notesmerge import Conflict, Delta

TRACKING_PREFIX = "refs/notes/remotes/"
STATE_FILE = "merged-notes"  # under the state dir: "<tracking ref> <tip>" lines already merged


def tracking_ref(remote: str) -> str:
    return f"{TRACKING_PREFIX}{remote}/mem"


# ------------------------------------------------------------------ reading notes commits


def merge_base(repo: git.RepoInfo, a: str, b: str) -> str | None:
    """The merge base of two notes commits; None when they share no history that is here
    (unrelated histories, or a shallow clone that cut it off): the merge is then a union."""
    proc = git.run(["merge-base", a, b], cwd=repo.git_dir, check=False)
    out = proc.stdout.decode().split()
    return out[0] if proc.returncode == 0 and out else None


def notes_tree(repo: git.RepoInfo, commit: str | None) -> dict[str, str]:
    """{annotated sha: note blob id} of a notes commit, whatever its fan-out."""
    if commit is None:
        return {}
    out = git.run(["ls-tree", "-r", "-z", commit], cwd=repo.git_dir).stdout.decode()
    notes = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, oid = meta.split()
        name = path.replace("/", "")
        if kind == "blob" and len(name) in (40, 64):
            notes[name] = oid
    return notes


def read_blobs(repo: git.RepoInfo, oids: list[str]) -> dict[str, bytes]:
    """Note blobs by id; every one must be there."""
    return git.read_all_blobs(repo, oids, "note blob {oid} is missing from this repository")


def reader(repo: git.RepoInfo) -> Callable[[list[str]], dict[str, bytes]]:
    """`read_blobs` for this repository, as the notes merge takes it."""
    return lambda oids: read_blobs(repo, oids)


# ------------------------------------------------------------------ the merge half


def _move_local(repo: git.RepoInfo, new: str, expected: str | None, why: str) -> bool:
    """Point refs/notes/mem at `new` if it is still at `expected` (None: must not exist)."""
    return git.move_ref(repo, git.NOTES_REF, new, expected, f"gitmem: {why}")


def integrate(repo: git.RepoInfo, theirs: str, label: str) -> list[Conflict]:
    """Bring the notes commit `theirs` into refs/notes/mem: adopt, fast-forward or merge."""
    from gitmem.store import notesmerge

    for _ in range(git.CAS_ATTEMPTS):
        ours = git.commit_tip(repo, git.NOTES_REF)
        if ours == theirs or (ours is not None and git.is_ancestor(repo, theirs, ours)):
            return []
        if ours is None or git.is_ancestor(repo, ours, theirs):
            if _move_local(repo, theirs, ours, f"sync: fast-forward to {label}"):
                return []
            continue  # someone wrote a note meanwhile: look again
        break
    else:
        raise GitMemError(f"{git.NOTES_REF} kept changing under us; run the command again")
    base = merge_base(repo, ours, theirs)
    base_map, their_map = notes_tree(repo, base), notes_tree(repo, theirs)
    found: list[list[Conflict]] = [[]]

    def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
        local = str(snapshot.commit.id) if snapshot.commit is not None else None
        merged = notesmerge.merge_trees(base_map, notes_tree(repo, local), their_map, reader(repo))
        found[0] = merged.conflicts
        return merged.changes

    message = f"gitmem: sync: merge {label} ({theirs[:12]})"
    objects.update_notes(repo, mutate, message, merge_parent=theirs)
    return found[0]


# ------------------------------------------------------------------ state of the lazy merge


def _state(repo: git.RepoInfo) -> dict[str, str]:
    try:
        text = (repo.state_dir / STATE_FILE).read_text(encoding="utf-8")
    except OSError:
        return {}
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def remember(repo: git.RepoInfo, ref: str, tip: str) -> None:
    """Record a tracking tip as merged. Two writers may lose each other's line: the cost is
    one `merge-base --is-ancestor` next time, never a merge skipped."""
    state = _state(repo)
    if state.get(ref) == tip:
        return
    state[ref] = tip
    text = "".join(f"{name} {oid}\n" for name, oid in sorted(state.items()))
    atomic_write(repo.state_dir / STATE_FILE, text.encode(), durable=False)


def _may_hold_tracking_refs(repo: git.RepoInfo) -> bool:
    """Whether a ref under refs/notes/remotes/ may exist, from the ref files without git: no
    such folder among the loose refs and no such line in packed-refs means none (a reftable,
    or a packed-refs that cannot be read: git is asked)."""
    common = repo.common_dir
    if (common / "reftable").exists() or (common / TRACKING_PREFIX).exists():
        return True
    try:
        packed = (common / "packed-refs").read_bytes()
    except FileNotFoundError:
        return False
    except OSError:
        return True
    return b" " + TRACKING_PREFIX.encode() in packed


def merge_fetched(repo: git.RepoInfo) -> list[str]:
    """Merge notes that a plain `git fetch` brought into tracking refs; lines for stderr.

    Never raises: a read command must work even when the merge cannot be done.
    """
    if not _may_hold_tracking_refs(repo):
        return []
    try:
        fmt = "--format=%(refname) %(objectname)"
        out = git.run(["for-each-ref", fmt, TRACKING_PREFIX], cwd=repo.git_dir).stdout.decode()
        tips = dict(line.split(" ", 1) for line in out.splitlines())
        tips = {ref: oid for ref, oid in tips.items() if ref.endswith("/mem")}
        if not tips:
            return []
        state = _state(repo)
        messages = []
        for ref, oid in sorted(tips.items()):
            if state.get(ref) != oid:
                messages += _merge_one_fetched(repo, ref)
        return messages
    except Exception as error:  # a failed merge must never fail a read command
        return [
            f"git-mem: warning: could not merge fetched notes ({error}); "
            "run `git mem sync` to retry"
        ]


def _merge_one_fetched(repo: git.RepoInfo, ref: str) -> list[str]:
    from gitmem.store import notesmerge

    remote = ref.removeprefix(TRACKING_PREFIX).removesuffix("/mem")
    theirs = git.commit_tip(repo, ref)
    if theirs is None:
        return []
    before = git.commit_tip(repo, git.NOTES_REF)
    conflicts = integrate(repo, theirs, f"{remote}'s notes")
    remember(repo, ref, theirs)
    after = git.commit_tip(repo, git.NOTES_REF)
    if after == before:
        return []
    change = notesmerge.delta(notes_tree(repo, before), notes_tree(repo, after), reader(repo))
    lines = [f"git-mem: merged notes fetched from {remote}: {describe(change, conflicts)}"]
    return lines + [f"git-mem: {conflict_line(c)}" for c in conflicts]


def describe(change: Delta, conflicts: list[Conflict]) -> str:
    n = len(conflicts)
    return (
        f"{change.added} added, {change.removed} removed, {change.updated} updated, "
        f"{plural(n, 'conflict')}"
    )


def conflict_line(conflict: Conflict) -> str:
    return f"conflict: {conflict.id} on note {conflict.note[:12]}: {conflict.reason}"
