"""Where records live (`.memory/` files and notes on refs/notes/mem) and how to change them.

Every write is safe against concurrent writers: new files are created exclusively, rewritten
files are replaced atomically under a lock after checking nobody changed them since they were
read, and notes go through a compare-and-swap on the notes ref.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from gitmem import NamedTuple
from gitmem.errors import ConflictError, GitMemError, NotFoundError, UsageError
from gitmem.search import catalog, refresh
from gitmem.search.changes import Row
from gitmem.store import config, git, initialize, integrate, objects
from gitmem.store.files import atomic_write, create_first, escapes, locked, read_text

# The record format (front_matter, note_stream, record: with dataclasses and validation, ~2 ms)
# is imported where a record is read or written: `list` and `search` read rows, not records.
TYPE_CHECKING = False  # not `typing`'s: the read path does not load it
if TYPE_CHECKING:  # `show` loads no engine module
    from gitmem.search.engine import Rerank
    from gitmem.store.note_stream import NoteChunk
    from gitmem.store.record import Memory

MEMORY_DIR = ".memory"
CONFIG_CACHE = "index/config"  # under the state dir: the last config.toml text parsed
ProgressBar = Callable[[], AbstractContextManager[catalog.Progress | None]]


class Stored(NamedTuple):
    """A record, where it lives (`.memory/...` or `note:<sha>`), and the exact text read."""

    memory: Memory
    location: str
    text: str

    @property
    def note_sha(self) -> str | None:
        return self.location[5:] if self.location.startswith("note:") else None


def _by_id(row: Row) -> tuple[str, str]:
    return row["id"], row["location"]


def _retitled_slug(path: Path, old: Memory, new: Memory) -> str | None:
    """The new title's slug when the title changed and the file is named after the old one
    (`<date>-<slug>.md`, maybe `-2`); None otherwise (a name chosen with --slug stays)."""
    from gitmem.store.record import slugify

    if old.title == new.title or not re.fullmatch(r"\d{4}-\d\d-\d\d-.+", path.stem):
        return None
    if not re.fullmatch(re.escape(slugify(old.title)) + r"(-\d+)?", path.stem[11:]):
        return None
    slug = slugify(new.title)
    return None if slug == slugify(old.title) else slug


class Store:
    def __init__(
        self,
        repo: git.RepoInfo,
        progress: ProgressBar | None = None,
        notify: Callable[[str], None] | None = None,
        *,
        resident: bool = False,
    ) -> None:
        """`progress`: how to show a long index build (a context manager giving a callback);
        `notify`: where to say something the user should know that is not an error;
        `resident`: a long-lived process asks (the MCP server, `git mem serve`), where
        `[search] semantic = "auto"` re-ranks (the model's load is paid once)."""
        self.repo = repo
        self.resident = resident
        self._progress = progress
        self._notify = notify
        self._config: config.Config | None = None
        self._catalog: catalog.Catalog | None = None

    # ------------------------------------------------------------------ places

    @property
    def memory_dir(self) -> Path | None:
        return self.repo.work_tree / MEMORY_DIR if self.repo.work_tree else None

    def require_work_tree(self) -> Path:
        """The `.memory/` folder, or an error saying why this repository has none."""
        if self.memory_dir is None:
            where = "a bare repository" if self.repo.bare else "inside the git directory"
            raise GitMemError(
                f"this command needs a work tree, but {self.repo.git_dir} is {where}; "
                "records can still be attached to commits with --commit"
            )
        return self.memory_dir

    @property
    def config(self) -> config.Config:
        if self._config is None:
            self._config = config.load(self.memory_dir, self.repo.state_dir / CONFIG_CACHE)
        return self._config

    def _adopt(self) -> None:
        """Before the first refresh: a clone's notes refspec and fetched notes merged
        (`records.warm` overrides: its WarmRepo does this once for every request)."""
        for line in [*initialize.adopt_clone(self.repo), *integrate.merge_fetched(self.repo)]:
            if self._notify is not None:
                self._notify(line)

    def _refreshed(
        self, types: list[str], progress: catalog.Progress | None, *, wait: bool, full: bool
    ) -> catalog.Catalog:
        """The catalog brought up to date by a one-shot refresh (`records.warm` overrides)."""
        return refresh.refresh(
            self.repo, self.memory_dir, types, wait=wait, full=full, progress=progress
        )

    def catalog(self, *, wait: bool = False, full: bool = False) -> catalog.Catalog:
        """Where every record lives, with the search index brought up to date (once).

        The first call also adds the notes fetch refspec to a clone that never ran `git mem
        init` (`initialize.adopt_clone`) and merges notes a plain `git fetch` brought (it never
        fails); what they did goes to `notify`. `wait`: if another process is updating the
        index, wait for it rather than answer from the last committed state. `full`: rebuild
        from scratch.
        """
        if self._catalog is None:
            self._adopt()
        if self._catalog is None or wait or full:
            types = self.config.type_names
            with contextlib.ExitStack() as stack:
                progress = stack.enter_context(self._progress()) if self._progress else None
                self._catalog = self._refreshed(types, progress, wait=wait, full=full)
            self._catalog.rerank_of = lambda: self.rerank  # when a search opens the index
        return self._catalog

    @functools.cached_property
    def rerank(self) -> Rerank | None:
        """What re-ranks plain-word searches: `$GITMEM_SEMANTIC`, else `[search] semantic`
        (auto: the semantic extra when it is installed and the process is `resident`; on;
        off). The extra's modules are imported only when it may re-rank."""
        from gitmem.semantic import may_rerank

        mode = os.environ.get("GITMEM_SEMANTIC") or self.config.semantic
        if not may_rerank(mode, resident=self.resident):
            return None
        from gitmem.semantic.rerank import reranker

        return reranker(mode, resident=self.resident)

    def locations(self) -> dict[str, str]:
        """Every record id and where it lives, read fresh without touching the index (hooks)."""
        types = self.config.type_names
        fresh = refresh.refresh(self.repo, self.memory_dir, types, write=False)
        return {row["id"]: row["location"] for row in fresh.find("")}

    # ------------------------------------------------------------------ lookup

    def resolve(self, prefix: str) -> Row:
        """The one record whose id starts with `prefix` (at least 4 characters)."""
        from gitmem.store.record import MIN_PREFIX

        prefix = prefix.strip().lower()
        if len(prefix) < MIN_PREFIX:
            raise UsageError(
                f"id prefix {prefix!r} is too short: give at least {MIN_PREFIX} characters"
            )
        matches = sorted(self.catalog().find(prefix), key=_by_id)
        if not matches:
            raise NotFoundError(f"no memory with an id starting {prefix!r}")
        if len({row["id"] for row in matches}) > 1:
            listing = "; ".join(f"{r['id']} {self._title(r)}" for r in matches[:10])
            more = f" and {len(matches) - 10} more" if len(matches) > 10 else ""
            raise UsageError(f"id prefix {prefix!r} is ambiguous: {listing}{more}")
        if len(matches) > 1:
            places = ", ".join(row["location"] for row in matches)
            raise UsageError(
                f"id {matches[0]['id']} is used by {len(matches)} records ({places});"
                " run `git mem doctor`"
            )
        return matches[0]

    def _title(self, row: Row) -> str:
        """A record's title for a message (the manifest `find` reads keeps no titles)."""
        try:
            return self.load(row).memory.title
        except GitMemError:
            return "(unreadable)"

    def load(self, row: Row) -> Stored:
        """The full record behind a catalog row, read fresh from its file or note."""
        from gitmem.store.front_matter import parse_file

        location: str = row["location"]
        if location.startswith("note:"):
            return self._load_note(row)
        memory_dir = self.require_work_tree()
        relpath = location.removeprefix(MEMORY_DIR + "/")
        text = read_text(memory_dir / relpath, location)
        memory = parse_file(text, location, self.config.type_names)
        if memory.id != row["id"]:
            raise ConflictError(f"{location} changed while reading it; run the command again")
        return Stored(memory, location, text)

    def get(self, prefix: str) -> Stored:
        # A record gitmem wrote is read without PyYAML (store.plain_yaml): nothing to import
        # while git answers which files changed.
        return self.load(self.resolve(prefix))

    def _load_note(self, row: Row) -> Stored:
        # From the blob the catalog just saw: no pygit2 (and its 110 ms import) on this path.
        from gitmem.store.note_stream import parse_note

        sha: str = row["location"][5:]
        text = git.read_blob(self.repo, row["blob"]).decode("utf-8", "surrogateescape")
        for chunk in parse_note(text, row["location"], row["created"], self.config.type_names):
            if chunk.memory is not None and chunk.memory.id == row["id"]:
                return Stored(chunk.memory, f"note:{sha}", chunk.text)
        raise ConflictError(f"memory {row['id']} left note:{sha} while reading it; run again")

    def _note_chunks(self, snapshot: objects.NotesSnapshot, sha: str) -> list[NoteChunk]:
        from gitmem.store.note_stream import parse_note

        data = snapshot.read(sha)
        if data is None:
            return []
        created = objects.object_time(snapshot.pyrepo, sha)
        text = data.decode("utf-8", "surrogateescape")
        return parse_note(text, f"note:{sha}", created, self.config.type_names)

    # ------------------------------------------------------------------ writes

    def file_path_for(self, memory: Memory, slug: str | None = None) -> Path:
        from gitmem.store.record import slugify

        memory_dir = self.require_work_tree()
        folder = self.config.folder(memory.type)
        return memory_dir / folder / f"{memory.created[:10]}-{slug or slugify(memory.title)}.md"

    def _check_inside(self, path: Path, checked: Path | None = None) -> None:
        """Refuse to write `path` when `.memory/` leads out of the work tree, or `checked`
        (`path` itself unless given: its folder for a new file) resolves out of `.memory/`:
        symlinks a pull request may have added. Called before anything is created."""
        memory_dir = self.require_work_tree()
        work_tree = memory_dir.parent
        shown = path.relative_to(work_tree).as_posix() if path.is_relative_to(work_tree) else path
        if (target := escapes(memory_dir, work_tree)) is not None:
            raise UsageError(
                f"refusing to write {shown}: .memory is a symlink to {target}, "
                "outside the work tree"
            )
        resolved = (checked or path).resolve()
        if not resolved.is_relative_to(memory_dir.resolve()):
            raise UsageError(
                f"refusing to write {shown}: it resolves outside .memory/ (to {resolved})"
            )

    def save_file(self, memory: Memory, slug: str | None = None) -> str:
        """Write a new record file; a taken name gets -2, -3, ... Returns its location."""
        from gitmem.store.front_matter import serialize_file

        base = self.file_path_for(memory, slug)
        data = serialize_file(memory).encode()
        self._check_inside(base, base.parent)
        base.parent.mkdir(parents=True, exist_ok=True)
        self._check_inside(base, base.parent)  # the folder may be a symlink created meanwhile
        # One temp file for all the names tried (-2, -3, ...): a link(2) each, not a fsync each.
        names = (base if n == 1 else base.with_name(f"{base.stem}-{n}.md") for n in range(1, 1000))
        path = create_first(names, data)
        if path is not None:
            return self._location(path)
        raise GitMemError(f"too many files named {base.name}; pass --slug")

    def _location(self, path: Path) -> str:
        assert self.repo.work_tree is not None
        return path.relative_to(self.repo.work_tree).as_posix()

    def save_note(
        self, memory: Memory, commit: str, *, fallback_ident: tuple[str, str] | None = None
    ) -> str:
        """Append a record to the note on `commit` (creating it), by CAS on the notes ref.

        `fallback_ident` (name, email) signs the notes commit when git has no identity."""
        from gitmem.store.note_stream import serialize_note_doc

        doc = serialize_note_doc(memory).encode()

        def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
            old = snapshot.read(commit) or b""
            separator = b"" if not old or old.endswith(b"\n") else b"\n"
            return {commit: old + separator + doc}

        message = f"gitmem: save {memory.id}"
        objects.update_notes(self.repo, mutate, message, fallback_ident=fallback_ident)
        return f"note:{commit}"

    def replace(self, stored: Stored, memory: Memory) -> str:
        """Rewrite a record in place, unless someone changed it since `stored` was read."""
        from gitmem.store.front_matter import serialize_file
        from gitmem.store.note_stream import serialize_note_doc

        if stored.note_sha is not None:
            new_doc = serialize_note_doc(memory)
            if new_doc != stored.text:
                self._rewrite_note(stored, new_doc, f"gitmem: edit {memory.id}")
            return stored.location
        memory_dir = self.require_work_tree()
        path = memory_dir.parent / stored.location
        new_text = serialize_file(memory)
        if new_text == stored.text:
            return stored.location  # unchanged: never rewrite a file for nothing
        with locked(self.repo.state_dir / "locks", stored.location):
            self._check_unchanged(path, stored)
            folder = memory_dir / self.config.folder(memory.type)
            slug = _retitled_slug(path, stored.memory, memory)
            if path.parent.resolve() == folder.resolve() and slug is None:
                self._check_inside(path)
                atomic_write(path, new_text.encode())
                return stored.location
            # The type changed (the record moves to its type's folder), or the title did and
            # the file's name came from the old one (the name follows the new title).
            slug = slug or path.stem[11:] or None
            if self.repo.work_tree is not None and git.is_tracked(self.repo.work_tree, path):
                return self._move_tracked(path, memory, slug, new_text)
            location = self.save_file(memory, slug=slug)
            path.unlink()
            return location

    def _move_tracked(self, path: Path, memory: Memory, slug: str | None, text: str) -> str:
        """`git mv` to the record's new name (the rename staged), then write the new text."""
        assert self.repo.work_tree is not None
        base = self.file_path_for(memory, slug)
        names = (base if n == 1 else base.with_name(f"{base.stem}-{n}.md") for n in range(1, 1000))
        target = next((name for name in names if not name.exists()), None)
        if target is None:
            raise GitMemError(f"too many files named {base.name}")
        self._check_inside(target, target.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._check_inside(target, target.parent)
        git.move_tracked(self.repo.work_tree, path, target)
        atomic_write(target, text.encode())
        return self._location(target)

    def delete(self, stored: Stored) -> None:
        if stored.note_sha is not None:
            self._rewrite_note(stored, "", f"gitmem: rm {stored.memory.id}")
            return
        path = self.require_work_tree().parent / stored.location
        with locked(self.repo.state_dir / "locks", stored.location):
            self._check_unchanged(path, stored)
            path.unlink()

    @staticmethod
    def _check_unchanged(path: Path, stored: Stored) -> None:
        try:
            current = read_text(path, stored.location)
        except FileNotFoundError:
            raise ConflictError(f"{stored.location} was removed by someone else") from None
        if current != stored.text:
            raise ConflictError(
                f"{stored.location} was changed by someone else since it was "
                "read; nothing was written"
            )

    def _rewrite_note(self, stored: Stored, new_text: str, message: str) -> None:
        sha = stored.note_sha
        assert sha is not None

        def mutate(snapshot: objects.NotesSnapshot) -> dict[str, bytes | None]:
            chunks = self._note_chunks(snapshot, sha)
            texts = [chunk.text for chunk in chunks]
            mine = [i for i, c in enumerate(chunks) if c.memory and c.memory.id == stored.memory.id]
            if not mine or texts[mine[0]] != stored.text:
                raise ConflictError(
                    f"memory {stored.memory.id} in {stored.location} was changed "
                    "by someone else since it was read; nothing was written"
                )
            texts[mine[0]] = new_text
            remaining = "".join(texts)
            if not remaining.strip():
                return {sha: None}
            return {sha: remaining.encode("utf-8", "surrogateescape")}

        objects.update_notes(self.repo, mutate, message)
