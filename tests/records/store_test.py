"""gitmem.records.store against real repositories: concurrent writers through the real CLI, edit
conflicts, atomic writes, and writes that would leave `.memory/`."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from gitrepo import assert_fsck_clean, init_repo, make_commits, sh

from gitmem.errors import ConflictError, NotFoundError, UsageError
from gitmem.records.store import Store
from gitmem.store import git
from gitmem.store.files import atomic_write, create_first, create_new
from gitmem.store.record import Memory, new_id, now_iso

WORKERS = 8
CALLS = 40


@pytest.fixture
def cached_bytecode(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Let the CLI subprocesses cache their bytecode (outside the source tree), as installed
    software does: a sandbox's PYTHONDONTWRITEBYTECODE=1 would add a recompile of gitmem to
    each of the hundreds of runs."""
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    monkeypatch.setenv("PYTHONPYCACHEPREFIX", str(tmp_path_factory.getbasetemp() / "pycache"))
    subprocess.run(["git", "mem", "--version"], capture_output=True, check=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo")


def hammer(repo: Path, argv: list[list[list[str]]]) -> list[dict[str, str]]:
    """Run argv[w] (a list of commands) in worker w, all workers at once; each worker runs its
    commands one after the other. Every command must succeed and print one JSON document."""

    def worker(commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
        return [subprocess.run(c, cwd=repo, capture_output=True, text=True) for c in commands]

    with ThreadPoolExecutor(len(argv)) as pool:
        done = [proc for batch in pool.map(worker, argv) for proc in batch]
    failures = [f"{' '.join(p.args)} -> {p.returncode}: {p.stderr}" for p in done if p.returncode]
    assert not failures, f"{len(failures)} of {len(done)} failed:\n" + "\n".join(failures[:5])
    return [json.loads(p.stdout) for p in done]


def mem_list(repo: Path) -> list[dict[str, object]]:
    """Every record gitmem lists, with --all: the notes go on commits of a side branch
    (`make_commits`), which no longer count as the project's memory by default."""
    proc = subprocess.run(
        ["git", "mem", "list", "--all", "--json"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["count"] == len(data["records"])
    records: list[dict[str, object]] = data["records"]
    return records


def note_ids(repo: Path, sha: str) -> list[str]:
    """The record ids in the note on `sha`, read by git and parsed as a YAML stream."""
    text = sh(repo, "notes", "--ref=mem", "show", sha)
    docs = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    assert all(isinstance(doc, dict) and "body" in doc for doc in docs), text[:500]
    return [str(doc["id"]) for doc in docs]


def store_of(repo: Path) -> Store:
    return Store(git.discover(repo))


def new_memory(title: str = "A fact worth keeping", body: str = "Body text.\n") -> Memory:
    return Memory(id=new_id(), type="fact", title=title, created=now_iso(), body=body)


def stray_temp_files(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.suffix == ".tmp"]


# ---------------------------------------------------------------------- concurrent writers


@pytest.mark.slow
def test_concurrent_note_saves_keep_every_record(repo: Path, cached_bytecode: None) -> None:
    """8 processes x 40 `git mem save --commit`: half on one commit, half on a commit each."""
    shared = sh(repo, "rev-parse", "HEAD").strip()
    own = iter(make_commits(repo, (WORKERS // 2) * CALLS))
    argv = []
    for w in range(WORKERS):
        commands = []
        for i in range(CALLS):
            rev = shared if w < WORKERS // 2 else next(own)
            message = f"Worker {w} record {i}\n\nSaved concurrently by worker {w}."
            commands.append(["git", "mem", "save", "--json", "--commit", rev, "-m", message])
        argv.append(commands)
    started = time.monotonic()
    saved = hammer(repo, argv)
    elapsed = time.monotonic() - started

    saved_ids = [str(record["id"]) for record in saved]
    assert len(set(saved_ids)) == WORKERS * CALLS
    # Every record is where `save` said it put it.
    by_location = Counter(str(record["location"]) for record in saved)
    assert by_location[f"note:{shared}"] == (WORKERS // 2) * CALLS
    assert len(by_location) == 1 + (WORKERS // 2) * CALLS

    # The notes, read by git, are the truth; then what gitmem lists must match them.
    in_notes: list[str] = []
    for location, count in by_location.items():
        ids = note_ids(repo, location.removeprefix("note:"))
        assert len(ids) == count
        in_notes.extend(ids)
    assert sorted(in_notes) == sorted(saved_ids)

    listed = mem_list(repo)
    missing = set(saved_ids) - {str(r["id"]) for r in listed}
    assert not missing, f"in the notes but not listed: {sorted(missing)}"
    assert sorted(str(r["id"]) for r in listed) == sorted(saved_ids)

    # One notes commit per save, in one line: no write was forced over another.
    assert sh(repo, "rev-list", "--count", git.NOTES_REF).strip() == str(WORKERS * CALLS)
    assert sh(repo, "rev-list", "--merges", git.NOTES_REF).strip() == ""
    assert_fsck_clean(repo)
    print(f"{WORKERS * CALLS} concurrent note saves in {elapsed:.1f} s")


@pytest.mark.slow
def test_concurrent_file_saves_with_one_title_keep_every_file(
    repo: Path, cached_bytecode: None
) -> None:
    """8 processes x 40 `git mem save` with the same title: -2, -3, ... and nothing lost."""
    argv = [
        [
            ["git", "mem", "save", "--json", "--title", "Same title", "-m", f"worker {w} #{i}"]
            for i in range(CALLS)
        ]
        for w in range(WORKERS)
    ]
    started = time.monotonic()
    saved = hammer(repo, argv)
    elapsed = time.monotonic() - started

    saved_ids = [str(record["id"]) for record in saved]
    locations = [str(record["location"]) for record in saved]
    assert len(set(saved_ids)) == WORKERS * CALLS
    assert len(set(locations)) == WORKERS * CALLS

    facts = repo / ".memory" / "facts"
    files = sorted(p.name for p in facts.iterdir())
    assert len(files) == WORKERS * CALLS
    assert sorted(loc.removeprefix(".memory/facts/") for loc in locations) == files
    # Per day (a run may cross midnight), the names are base, base-2, ..., base-N: no gaps.
    suffixes: dict[str, set[int]] = {}
    for name in files:
        match = re.fullmatch(r"(\d{4}-\d\d-\d\d)-same-title(?:-(\d+))?\.md", name)
        assert match, name
        suffixes.setdefault(match[1], set()).add(int(match[2] or 1))
    for taken in suffixes.values():
        assert taken == set(range(1, len(taken) + 1))

    # Each file holds the record `save` reported for it, whole.
    for record in saved:
        text = (repo / str(record["location"])).read_text()
        assert f"id: {record['id']}\n" in text
        assert "title: Same title\n" in text

    listed = mem_list(repo)
    assert sorted(str(r["id"]) for r in listed) == sorted(saved_ids)
    assert stray_temp_files(repo / ".memory", repo / ".git" / "gitmem") == []
    sh(repo, "add", ".memory")
    sh(repo, "commit", "-q", "-m", "memories")
    assert_fsck_clean(repo)
    print(f"{WORKERS * CALLS} concurrent file saves in {elapsed:.1f} s")


# ---------------------------------------------------------------------------- conflicts


def test_replace_after_someone_else_changed_the_file_is_a_conflict(repo: Path) -> None:
    store = store_of(repo)
    memory = new_memory(body="Version one.\n")
    location = store.save_file(memory)
    stored = store_of(repo).get(memory.id)
    assert stored.location == location

    path = repo / location
    theirs = path.read_text().replace("Version one.", "Their version.")
    path.write_text(theirs)

    mine = dataclasses.replace(stored.memory, title="My new title")
    with pytest.raises(ConflictError, match="changed by someone else"):
        store_of(repo).replace(stored, mine)
    assert path.read_text() == theirs
    with pytest.raises(ConflictError):
        store_of(repo).delete(stored)
    assert path.read_text() == theirs

    # Read again, the same edit goes through (the file named after the title follows it).
    fresh = store_of(repo).get(memory.id)
    renamed = location.replace("a-fact-worth-keeping", "mine")
    assert store_of(repo).replace(fresh, dataclasses.replace(fresh.memory, title="Mine")) == (
        renamed
    )
    assert not path.exists()
    assert "title: Mine\n" in (repo / renamed).read_text()
    assert "Their version." in (repo / renamed).read_text()


def test_replace_after_someone_else_removed_the_file_is_a_conflict(repo: Path) -> None:
    store = store_of(repo)
    memory = new_memory()
    location = store.save_file(memory)
    stored = store.get(memory.id)
    (repo / location).unlink()
    with pytest.raises(ConflictError, match="removed by someone else"):
        store_of(repo).replace(stored, dataclasses.replace(stored.memory, title="Mine"))
    assert not (repo / location).exists()


def test_replace_of_a_note_record_someone_else_changed_is_a_conflict(repo: Path) -> None:
    head = sh(repo, "rev-parse", "HEAD").strip()
    mine, neighbour = new_memory("Mine"), new_memory("Neighbour")
    store_of(repo).save_note(mine, head)
    store_of(repo).save_note(neighbour, head)
    stale = store_of(repo).get(mine.id)

    # Someone else edits the neighbour: our record is untouched, so our edit still applies.
    other = store_of(repo).get(neighbour.id)
    store_of(repo).replace(other, dataclasses.replace(other.memory, title="Neighbour v2"))
    store_of(repo).replace(stale, dataclasses.replace(stale.memory, title="Mine v2"))
    titles = sorted(str(doc["title"]) for doc in yaml.safe_load_all(note_text(repo, head)))
    assert titles == ["Mine v2", "Neighbour v2"]

    # Someone else edits our record after we read it: conflict, their text stays.
    stale = store_of(repo).get(mine.id)
    theirs = store_of(repo).get(mine.id)
    store_of(repo).replace(theirs, dataclasses.replace(theirs.memory, title="Their title"))
    before = note_text(repo, head)
    with pytest.raises(ConflictError, match="changed by someone else"):
        store_of(repo).replace(stale, dataclasses.replace(stale.memory, title="Lost update"))
    with pytest.raises(ConflictError):
        store_of(repo).delete(stale)
    assert note_text(repo, head) == before
    assert "Their title" in before and "Lost update" not in before


def note_text(repo: Path, sha: str) -> str:
    return sh(repo, "notes", "--ref=mem", "show", sha)


# ------------------------------------------------------------------------- atomic writes


def test_writes_leave_no_temp_files(repo: Path) -> None:
    store = store_of(repo)
    first = new_memory("Same name")
    store.save_file(first)
    for _ in range(3):
        store.save_file(new_memory("Same name"))  # -2, -3, -4
    stored = store.get(first.id)
    store_of(repo).replace(stored, dataclasses.replace(stored.memory, body="Changed.\n"))
    # A type change moves the file to the type's folder.
    stored = store_of(repo).get(first.id)
    moved = store_of(repo).replace(stored, dataclasses.replace(stored.memory, type="decision"))
    assert moved.startswith(".memory/decisions/")
    store_of(repo).delete(store_of(repo).get(first.id))
    store_of(repo).catalog()
    names = sorted(p.name for p in (repo / ".memory").rglob("*") if p.is_file())
    assert names == sorted([f"{first.created[:10]}-same-name-{n}.md" for n in (2, 3, 4)]), names
    assert stray_temp_files(repo / ".memory", repo / ".git" / "gitmem") == []
    hidden = [p for p in (repo / ".memory").rglob(".*")]
    assert hidden == []


def test_failed_writes_leave_no_temp_files(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    taken = folder / "taken.md"
    taken.parent.mkdir()
    taken.write_bytes(b"original\n")
    assert create_new(taken, b"new\n") is False
    assert taken.read_bytes() == b"original\n"
    assert create_first([taken, taken], b"new\n") is None
    assert create_first([taken, folder / "free.md"], b"new\n") == folder / "free.md"
    # Replacing a directory fails; the temp file goes with the failure.
    (folder / "a-dir").mkdir()
    (folder / "a-dir" / "inside").write_text("x")
    with pytest.raises(OSError):
        atomic_write(folder / "a-dir", b"data")
    atomic_write(taken, b"replaced\n")
    assert taken.read_bytes() == b"replaced\n"
    assert sorted(p.name for p in folder.iterdir()) == ["a-dir", "free.md", "taken.md"]


# ------------------------------------------------------------------ leaving .memory/


def test_a_symlinked_type_folder_pointing_outside_is_refused(tmp_path: Path, repo: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".memory").mkdir()
    (repo / ".memory" / "facts").symlink_to(outside, target_is_directory=True)

    with pytest.raises(UsageError, match="resolves outside"):
        store_of(repo).save_file(new_memory())
    assert list(outside.iterdir()) == []

    proc = subprocess.run(
        ["git", "mem", "save", "-m", "Escape attempt"], cwd=repo, capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("git-mem: error: refusing to write")
    assert "Traceback" not in proc.stderr
    assert list(outside.iterdir()) == []

    # Other types still save normally.
    location = store_of(repo).save_file(dataclasses.replace(new_memory(), type="decision"))
    assert location.startswith(".memory/decisions/")


def test_editing_a_symlinked_record_file_pointing_outside_is_refused(
    tmp_path: Path, repo: Path
) -> None:
    store = store_of(repo)
    memory = new_memory(body="Kept outside.\n")
    location = store.save_file(memory)
    stored = store_of(repo).get(memory.id)  # read before it became a symlink
    outside = tmp_path / "outside.md"
    (repo / location).rename(outside)
    (repo / location).symlink_to(outside)
    original = outside.read_text()

    # Reads no longer see it (tests/commands/symlink_test.py); a write still refuses it.
    with pytest.raises(NotFoundError):
        store_of(repo).get(memory.id)
    with pytest.raises(UsageError, match="resolves outside"):
        store_of(repo).replace(stored, dataclasses.replace(stored.memory, body="Changed.\n"))
    assert outside.read_text() == original
    assert (repo / location).is_symlink()
    assert stray_temp_files(tmp_path) == []
