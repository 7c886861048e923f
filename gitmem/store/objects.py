"""git objects through pygit2: the notes tree, read and updated by compare-and-swap.

This is the only module that imports pygit2, and it imports it lazily: `import pygit2` costs
~110 ms, more than `git mem show` may spend in total, so read-only paths ask the `git` binary
(git.py) and only writers and tree walks load pygit2.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC

from gitmem.errors import GitMemError
from gitmem.store import git

TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:
    import pygit2

# git switches a notes tree to 2/38 fan-out at a few hundred notes; so do we (libgit2 never
# does, and measured on flat trees every write rewrote the whole tree and lookups were 100x slower).
FANOUT_THRESHOLD = 256


def open_repo(repo: git.RepoInfo) -> pygit2.Repository:
    import pygit2

    _follow_git_config_environment()
    return pygit2.Repository(str(repo.git_dir), pygit2.enums.RepositoryOpenFlag.NO_SEARCH)


# A directory no config file can be found in: `/dev/null/.gitconfig` can never exist.
_NOWHERE = os.devnull


def _follow_git_config_environment() -> None:
    """Make libgit2 read the config files git would read.

    libgit2 reads no GIT_CONFIG_* variable: it finds the global, XDG and system files through
    its own search path, fixed from HOME when it loaded. Where a user (or a CI job, or a test)
    names another global file or none (`GIT_CONFIG_GLOBAL`), or turns the system file off
    (`GIT_CONFIG_NOSYSTEM`), `git notes` would not read ~/.gitconfig or /etc/gitconfig, so the
    notes commit's identity must not come from them either.
    """
    import pygit2
    from pygit2.enums import ConfigLevel

    if "GIT_CONFIG_GLOBAL" in os.environ:  # its file, if any, is read by `_identity`
        pygit2.settings.search_path[ConfigLevel.GLOBAL] = _NOWHERE
        pygit2.settings.search_path[ConfigLevel.XDG] = _NOWHERE
    if os.environ.get("GIT_CONFIG_NOSYSTEM", "").lower() in ("1", "true", "yes", "on"):
        pygit2.settings.search_path[ConfigLevel.SYSTEM] = _NOWHERE


def _notes_commit(pyrepo: pygit2.Repository, ref: str) -> pygit2.Commit | None:
    """The commit the notes ref points at (None: no notes yet)."""
    import pygit2

    reference = pyrepo.references.get(ref)
    if reference is None:
        return None
    target = pyrepo.get(reference.target)
    if not isinstance(target, pygit2.Commit):
        kind = type(target).__name__.lower() if target is not None else "missing object"
        raise git.not_a_commit(ref, kind)
    return target


def _walk(pyrepo: pygit2.Repository, tree: pygit2.Tree, prefix: str, out: dict[str, str]) -> None:
    import pygit2

    for entry in tree:
        name = prefix + (entry.name or "")
        if entry.type_str == "tree" and len(entry.name or "") == 2:
            subtree = pyrepo[entry.id]
            assert isinstance(subtree, pygit2.Tree)
            _walk(pyrepo, subtree, name, out)
        elif entry.type_str == "blob" and len(name) in (40, 64):
            out[name] = str(entry.id)


def notes_map(
    pyrepo: pygit2.Repository, ref: str = git.NOTES_REF
) -> tuple[str | None, dict[str, str]]:
    """The notes ref tip and {annotated object id: note blob id}, any fan-out layout."""
    commit = _notes_commit(pyrepo, ref)
    out: dict[str, str] = {}
    if commit is not None:
        _walk(pyrepo, commit.tree, "", out)
    return (str(commit.id) if commit else None), out


def _note_path(tree: pygit2.Tree | None, sha: str) -> list[str] | None:
    """Where the note for `sha` sits in the tree (flat, 2/38, 2/2/36), if anywhere."""
    if tree is None:
        return None
    for path in ([sha], [sha[:2], sha[2:]], [sha[:2], sha[2:4], sha[4:]]):
        try:
            tree["/".join(path)]
        except KeyError:
            continue
        return path
    return None


def _set_path(
    pyrepo: pygit2.Repository, tree: pygit2.Tree | None, path: list[str], blob: pygit2.Oid | None
) -> pygit2.Oid | None:
    """Write `blob` (None: remove) at `path` below `tree`; the new tree id, None if empty."""
    import pygit2
    from pygit2.enums import FileMode

    builder = pyrepo.TreeBuilder(tree) if tree is not None else pyrepo.TreeBuilder()
    head, rest = path[0], path[1:]
    if rest:
        current = tree[head] if tree is not None and head in tree else None
        subtree = pyrepo[current.id] if current is not None else None
        assert subtree is None or isinstance(subtree, pygit2.Tree)
        new = _set_path(pyrepo, subtree, rest, blob)
        if new is None:
            if current is not None:
                builder.remove(head)
        else:
            builder.insert(head, new, FileMode.TREE)
    elif blob is None:
        if tree is not None and head in tree:
            builder.remove(head)
    else:
        builder.insert(head, blob, FileMode.BLOB)
    return builder.write() if len(builder) else None


def _rebuild(
    pyrepo: pygit2.Repository,
    tree: pygit2.Tree | None,
    where: tuple[str, ...],
    edits: dict[tuple[str, ...], dict[str, pygit2.Oid | None]],
) -> pygit2.Oid | None:
    """Apply `edits` ({directory: {name: blob, or None to remove}}) below `tree`, writing each
    touched directory once (a batch of 4,000 notes one by one rewrote the root 8,000 times)."""
    import pygit2
    from pygit2.enums import FileMode

    builder = pyrepo.TreeBuilder(tree) if tree is not None else pyrepo.TreeBuilder()
    for name, blob in edits.get(where, {}).items():
        if blob is not None:
            builder.insert(name, blob, FileMode.BLOB)
        elif builder.get(name) is not None:
            builder.remove(name)
    depth = len(where)
    below = sorted({key[depth] for key in edits if len(key) > depth and key[:depth] == where})
    for name in below:
        current = tree[name] if tree is not None and name in tree else None
        subtree = pyrepo[current.id] if current is not None else None
        assert subtree is None or isinstance(subtree, pygit2.Tree)
        oid = _rebuild(pyrepo, subtree, (*where, name), edits)
        if oid is not None:
            builder.insert(name, oid, FileMode.TREE)
        elif builder.get(name) is not None:
            builder.remove(name)
    return builder.write() if len(builder) else None


def _fanned_out(tree: pygit2.Tree | None) -> bool:
    return tree is not None and any(e.type_str == "tree" and len(e.name or "") == 2 for e in tree)


def _fan_out(pyrepo: pygit2.Repository, tree: pygit2.Tree) -> pygit2.Tree:
    """Move a flat notes tree into the 2/38 layout."""

    new_tree: pygit2.Tree | None = None
    for entry in tree:
        name = entry.name or ""
        path = [name[:2], name[2:]] if entry.type_str == "blob" and len(name) >= 40 else [name]
        oid = _set_path(pyrepo, new_tree, path, entry.id)
        new_tree = pyrepo[oid] if oid is not None else None  # type: ignore[assignment]
    assert new_tree is not None
    return new_tree


class NotesSnapshot:
    """A consistent view of the notes ref at one tip, for a read-modify-write."""

    def __init__(self, pyrepo: pygit2.Repository, commit: pygit2.Commit | None) -> None:
        self.pyrepo = pyrepo
        self.commit = commit
        self.tree = commit.tree if commit is not None else None

    def read(self, sha: str) -> bytes | None:
        path = _note_path(self.tree, sha)
        if path is None or self.tree is None:
            return None
        blob = self.pyrepo[self.tree["/".join(path)].id]
        return bytes(blob.data)  # type: ignore[attr-defined]


Mutation = Callable[[NotesSnapshot], Mapping[str, bytes | None]]


def _signature(
    pyrepo: pygit2.Repository, fallback: tuple[str, str] | None = None
) -> pygit2.Signature:
    """The committer git would use (GIT_COMMITTER_NAME/EMAIL, then user.name/email); else
    `fallback` (a CI identity), else gitmem's own."""
    import pygit2

    name, email = os.environ.get("GIT_COMMITTER_NAME"), os.environ.get("GIT_COMMITTER_EMAIL")
    configured = None if name and email else _configured_identity(pyrepo)
    if configured is not None:
        name, email = name or configured[0], email or configured[1]
    if name and email:
        return pygit2.Signature(name, email)
    return pygit2.Signature(*(fallback or git.FALLBACK_IDENT))


def _configured_identity(pyrepo: pygit2.Repository) -> tuple[str, str] | None:
    """user.name and user.email from the repository's (and system) config, else from the file
    GIT_CONFIG_GLOBAL names (libgit2 cannot add it to a repository's config)."""
    import pygit2

    try:
        signature = pyrepo.default_signature
        return signature.name, signature.email
    except (KeyError, pygit2.GitError):
        pass
    named = os.environ.get("GIT_CONFIG_GLOBAL")
    if not named or not os.path.isfile(named):
        return None
    try:
        config = pygit2.Config(named)
        return str(config["user.name"]), str(config["user.email"])
    except (KeyError, pygit2.GitError):
        return None


def update_notes(
    repo: git.RepoInfo,
    mutate: Mutation,
    message: str,
    ref: str = git.NOTES_REF,
    merge_parent: str | None = None,
    fallback_ident: tuple[str, str] | None = None,
) -> str:
    """Compare-and-swap the notes ref: rebuild from the current tip until nobody raced us.

    `mutate` sees a snapshot and returns {annotated sha: new note bytes, or None to delete};
    it is called again on every retry, so it must be a pure function of the snapshot. Returns
    the new tip (or the unchanged one when `mutate` asked for nothing). With `merge_parent`
    (sync) the commit is a merge of the tip and that commit, written even with no changes.
    `fallback_ident` (name, email) signs the notes commit when git has no identity (CI).
    """
    pyrepo = open_repo(repo)
    for attempt in range(git.CAS_ATTEMPTS):
        commit = _notes_commit(pyrepo, ref)
        snapshot = NotesSnapshot(pyrepo, commit)
        changes = mutate(snapshot)
        if not changes and merge_parent is None:
            return str(commit.id) if commit else ""
        tree = snapshot.tree
        if (
            tree is not None
            and not _fanned_out(tree)
            and len(tree) + len(changes) > FANOUT_THRESHOLD
        ):
            tree = _fan_out(pyrepo, tree)
        fanout = tree is not None and _fanned_out(tree)
        edits: dict[tuple[str, ...], dict[str, pygit2.Oid | None]] = {}  # by directory
        for sha, data in changes.items():
            old_path = _note_path(tree, sha)
            if old_path is not None:
                edits.setdefault(tuple(old_path[:-1]), {})[old_path[-1]] = None
            if data is not None:
                new_path = (
                    [sha[:2], sha[2:]] if fanout or len(changes) > FANOUT_THRESHOLD else [sha]
                )
                edits.setdefault(tuple(new_path[:-1]), {})[new_path[-1]] = pyrepo.create_blob(data)
        tree_id = _rebuild(pyrepo, tree, (), edits) or pyrepo.TreeBuilder().write()
        signature = _signature(pyrepo, fallback_ident)
        parents = [commit.id] if commit is not None else []
        if merge_parent is not None:
            parents.append(pyrepo[merge_parent].id)
        new = str(pyrepo.create_commit(None, signature, signature, message, tree_id, parents))
        # The compare-and-swap itself is git's (git.move_ref): libgit2's non-forced create let a
        # second writer replace a ref created a moment before (one note in ~3,000 was lost).
        old = str(commit.id) if commit is not None else None
        if git.move_ref(repo, ref, new, old, f"gitmem: {message.splitlines()[0]}"):
            return new
        import random

        time.sleep(random.uniform(0.001, 0.005) * min(attempt + 1, 20))
    raise GitMemError(f"{ref} kept changing under us; gave up after {git.CAS_ATTEMPTS} attempts")


def read_object(pyrepo: pygit2.Repository, oid: str) -> bytes:
    return bytes(pyrepo.odb.read(oid)[1])


def object_time(pyrepo: pygit2.Repository, sha: str) -> str:
    """When the commit a note is about was made (the date of a foreign note), else now."""
    from datetime import datetime, timedelta, timezone

    import pygit2

    commit = pyrepo.get(sha)
    if isinstance(commit, pygit2.Commit):
        offset = timezone(timedelta(minutes=commit.commit_time_offset))
        return datetime.fromtimestamp(commit.commit_time, offset).isoformat()
    return datetime.now(UTC).astimezone().isoformat(timespec="seconds")


def notes_age(pyrepo: pygit2.Repository, shas: list[str], limit: int = 500) -> dict[str, int]:
    """For each annotated sha, how many notes commits ago its note was added (first parent)."""
    import pygit2

    ages: dict[str, int] = {}
    pending = set(shas)
    commit = _notes_commit(pyrepo, git.NOTES_REF)
    depth = 0
    while pending and commit is not None and depth < limit:
        for sha in [sha for sha in pending if _note_path(commit.tree, sha) is None]:
            ages[sha] = depth
            pending.discard(sha)
        parents = commit.parents
        commit = parents[0] if parents and isinstance(parents[0], pygit2.Commit) else None
        depth += 1
    return {**ages, **dict.fromkeys(pending, depth)}


def missing_objects(repo: git.RepoInfo, shas: list[str]) -> list[str]:
    """Those of `shas` that are not in the object database."""
    pyrepo = open_repo(repo)
    return [sha for sha in shas if sha not in pyrepo]
