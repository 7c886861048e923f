"""The catalog cache (gitmem.catalog) against real repositories: reused when nothing changed,
and never stale — changed, deleted and new files, new and rewritten notes, racy mtimes, and a
damaged cache file."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from gitrepo import init_repo, sh

from gitmem import catalog, git
from gitmem.record import Memory, new_id, serialize_file
from gitmem.store import Store

HOUR_AGO_NS = (int(time.time()) - 3600) * 1_000_000_000


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo")


def write(
    repo: Path, relpath: str, title: str, *, id: str | None = None, mtime_ns: int | None = None
) -> tuple[str, Path]:
    """A record file at .memory/RELPATH, written as gitmem writes it; returns (id, path)."""
    memory = Memory(
        id=id or new_id(),
        type="fact",
        title=title,
        created="2026-01-15T10:00:00+00:00",
        body=f"About {title}.\n",
    )
    path = repo / ".memory" / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize_file(memory))
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return memory.id, path


def refresh(repo: Path) -> catalog.Catalog:
    store = Store(git.discover(repo))
    return store.catalog()


def titles(cat: catalog.Catalog) -> dict[str, str]:
    return {row["id"]: row["title"] for row in cat.rows}


def cache_path(repo: Path) -> Path:
    return catalog.cache_path(git.discover(repo), full=True)


class Spy:
    """Counts calls to the parsers and the notes walk, passing them through."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: dict[str, int] = {"parse_file": 0, "parse_note": 0, "notes_map": 0}
        for module, name in ((catalog, "parse_file"), (catalog, "parse_note"), (git, "notes_map")):
            original = getattr(module, name)
            monkeypatch.setattr(module, name, self._counting(name, original))

    def _counting(self, name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    def reset(self) -> None:
        self.calls = dict.fromkeys(self.calls, 0)


@pytest.fixture
def populated(repo: Path) -> dict[str, str]:
    """Three files written an hour ago and two notes; {id: title}."""
    expected = {}
    for i in range(3):
        record_id, _ = write(
            repo, f"facts/2026-01-15-fact-{i}.md", f"Fact {i}", mtime_ns=HOUR_AGO_NS
        )
        expected[record_id] = f"Fact {i}"
    store = Store(git.discover(repo))
    head = sh(repo, "rev-parse", "HEAD").strip()
    for title in ("Note one", "Note two"):
        memory = Memory(id=new_id(), type="fact", title=title, created="2026-01-15T10:00:00+00:00")
        store.save_note(memory, head)
        expected[memory.id] = title
    return expected


def test_nothing_changed_means_no_parse_and_no_write(
    repo: Path, populated: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = Spy(monkeypatch)
    first = refresh(repo)
    assert titles(first) == populated
    assert spy.calls == {"parse_file": 3, "parse_note": 1, "notes_map": 1}
    path = cache_path(repo)
    stat, content = path.stat(), path.read_bytes()

    spy.reset()
    for _ in range(3):
        again = refresh(repo)
        assert titles(again) == populated
    assert spy.calls == {"parse_file": 0, "parse_note": 0, "notes_map": 0}
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert path.stat().st_ino == stat.st_ino  # not replaced either
    assert path.read_bytes() == content
    # The rows read back from the cache are the rows parsed the first time.
    normal = lambda rows: sorted(json.loads(json.dumps(rows, default=str)), key=str)  # noqa: E731
    assert normal(again.rows) == normal(first.rows)


def test_a_changed_file_is_read_again(
    repo: Path, populated: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    refresh(repo)
    spy = Spy(monkeypatch)
    target = next(i for i, t in populated.items() if t == "Fact 1")
    write(repo, "facts/2026-01-15-fact-1.md", "Fact 1, revised", id=target)
    assert titles(refresh(repo))[target] == "Fact 1, revised"
    assert spy.calls["parse_file"] == 1  # only the changed file

    # Same size, another (old) mtime: still noticed.
    write(repo, "facts/2026-01-15-fact-1.md", "Fact 1, REVISED", id=target, mtime_ns=HOUR_AGO_NS)
    assert titles(refresh(repo))[target] == "Fact 1, REVISED"


def test_a_deleted_file_is_dropped(repo: Path, populated: dict[str, str]) -> None:
    refresh(repo)
    (repo / ".memory" / "facts" / "2026-01-15-fact-2.md").unlink()
    expected = {i: t for i, t in populated.items() if t != "Fact 2"}
    assert titles(refresh(repo)) == expected
    cached = json.loads(cache_path(repo).read_bytes())
    assert "facts/2026-01-15-fact-2.md" not in cached["files"]
    # And the whole folder going away.
    for path in (repo / ".memory" / "facts").iterdir():
        path.unlink()
    (repo / ".memory" / "facts").rmdir()
    assert {t for t in titles(refresh(repo)).values()} == {"Note one", "Note two"}


def test_a_new_file_is_picked_up(repo: Path, populated: dict[str, str]) -> None:
    refresh(repo)
    record_id, _ = write(repo, "decisions/2026-01-16-new.md", "Brand new", mtime_ns=HOUR_AGO_NS)
    assert titles(refresh(repo)) == {**populated, record_id: "Brand new"}


def test_new_notes_are_picked_up(repo: Path, populated: dict[str, str]) -> None:
    refresh(repo)
    sh(repo, "commit", "-q", "--allow-empty", "-m", "second")
    head = sh(repo, "rev-parse", "HEAD").strip()
    # A note written with plain git reads as an episodic record.
    sh(repo, "notes", "--ref=mem", "add", "-m", "Deployed to staging by hand", head)
    rows = [row for row in refresh(repo).rows if row["location"] == f"note:{head}"]
    assert len(rows) == 1
    assert rows[0]["title"] == "Deployed to staging by hand"
    assert rows[0]["type"] == "episodic"
    assert rows[0].get("foreign") is True

    # git appending to it: the note's blob changes, and is read again.
    sh(repo, "notes", "--ref=mem", "append", "-m", "and rolled back", head)
    rows = [row for row in refresh(repo).rows if row["location"] == f"note:{head}"]
    assert len(rows) == 1
    assert rows[0]["id"] != rows[0]["title"]
    assert "Deployed" in rows[0]["title"]


def test_a_rewritten_note_is_read_again(repo: Path, populated: dict[str, str]) -> None:
    refresh(repo)
    store = Store(git.discover(repo))
    target = next(i for i, t in populated.items() if t == "Note one")
    stored = store.get(target)
    store.replace(stored, dataclasses.replace(stored.memory, title="Note one, edited"))
    assert titles(refresh(repo)) == {**populated, target: "Note one, edited"}
    # Another process removing the note entirely (git notes remove).
    head = sh(repo, "rev-parse", "HEAD").strip()
    sh(repo, "notes", "--ref=mem", "remove", head)
    assert set(titles(refresh(repo)).values()) == {"Fact 0", "Fact 1", "Fact 2"}


def test_a_note_follows_an_amend(repo: Path) -> None:
    sh(repo, "config", "notes.rewriteRef", git.NOTES_REF)
    (repo / "code.txt").write_text("v1\n")
    sh(repo, "add", "code.txt")
    sh(repo, "commit", "-q", "-m", "feature")
    old = sh(repo, "rev-parse", "HEAD").strip()
    memory = Memory(id=new_id(), type="decision", title="Why", created="2026-01-15T10:00:00+00:00")
    Store(git.discover(repo)).save_note(memory, old)
    assert [r["location"] for r in refresh(repo).rows] == [f"note:{old}"]

    sh(repo, "commit", "-q", "--amend", "-m", "feature, amended")
    new = sh(repo, "rev-parse", "HEAD").strip()
    assert new != old
    locations = {row["location"] for row in refresh(repo).rows if row["id"] == memory.id}
    assert f"note:{new}" in locations
    row = next(r for r in refresh(repo).rows if r["location"] == f"note:{new}")
    assert row["title"] == "Why"
    assert row["type"] == "decision"


def test_an_amended_commits_note_is_still_one_record(repo: Path) -> None:
    # git copies the note to the amended commit and keeps it on the old one: one record, shown
    # where it was copied to.
    sh(repo, "config", "notes.rewriteRef", git.NOTES_REF)
    sh(repo, "commit", "-q", "--allow-empty", "-m", "feature")
    memory = Memory(id=new_id(), type="decision", title="Why", created="2026-01-15T10:00:00+00:00")
    Store(git.discover(repo)).save_note(memory, sh(repo, "rev-parse", "HEAD").strip())
    sh(repo, "commit", "-q", "--amend", "--allow-empty", "-m", "feature, amended")
    new = sh(repo, "rev-parse", "HEAD").strip()
    assert [row["id"] for row in refresh(repo).rows] == [memory.id]
    stored = Store(git.discover(repo)).get(memory.id[:6])
    assert (stored.memory.title, stored.location) == ("Why", f"note:{new}")


def edit_json(data: bytes, field: str, change: Any) -> bytes:
    """The cache with one field changed: valid JSON, the right version, the wrong shape."""
    cache = json.loads(data)
    cache[field] = change(cache[field])
    return json.dumps(cache).encode()


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: os.urandom(len(data)), id="garbage"),
        pytest.param(lambda data: b"[1, 2, 3]", id="not-an-object"),
        pytest.param(
            lambda data: edit_json(data, "files", lambda f: {key: [1] for key in f}), id="bad-entry"
        ),
        pytest.param(
            lambda data: edit_json(data, "notes", lambda n: dict.fromkeys(n, 7)), id="bad-note"
        ),
        pytest.param(lambda data: edit_json(data, "files", lambda f: list(f)), id="bad-shape"),
        pytest.param(lambda data: edit_json(data, "scanned", lambda _: "soon"), id="bad-scan"),
    ],
)
def test_a_damaged_cache_is_rebuilt(repo: Path, populated: dict[str, str], damage: Any) -> None:
    refresh(repo)
    path = cache_path(repo)
    path.write_bytes(damage(path.read_bytes()))
    assert titles(refresh(repo)) == populated
    cached = json.loads(path.read_bytes())  # rewritten whole
    assert cached["key"][0] == catalog.VERSION
    assert len(cached["files"]) == 3
    assert titles(refresh(repo)) == populated


def test_a_missing_or_unwritable_cache_still_answers(repo: Path, populated: dict[str, str]) -> None:
    refresh(repo)
    cache_path(repo).unlink()
    assert titles(refresh(repo)) == populated
    assert cache_path(repo).exists()
    # The state directory cannot be created: answer anyway, without a cache.
    state = git.discover(repo).state_dir
    shutil.rmtree(state)
    state.write_text("not a directory\n")
    assert titles(refresh(repo)) == populated


def test_a_file_rewritten_within_the_same_mtime_tick_is_read_again(repo: Path) -> None:
    # A filesystem with 1-second timestamps gives every write within one second the same
    # mtime; the second version has the same size too. The first refresh reads the first
    # version in that same second; the second refresh must not trust the cached copy.
    tick = time.time_ns() // 1_000_000_000 * 1_000_000_000
    record_id, path = write(repo, "facts/2026-01-15-racy.md", "Alpha", mtime_ns=tick)
    assert titles(refresh(repo)) == {record_id: "Alpha"}
    write(repo, "facts/2026-01-15-racy.md", "Bravo", id=record_id, mtime_ns=tick)
    assert path.stat().st_mtime_ns == tick
    assert titles(refresh(repo)) == {record_id: "Bravo"}


def test_a_quick_same_size_rewrite_is_read_again(repo: Path) -> None:
    # The same without faking timestamps: whatever this filesystem's granularity is.
    record_id, _ = write(repo, "facts/2026-01-15-quick.md", "Alpha")
    for title in ("Bravo", "Charl", "Delta", "Echoo"):
        assert len(refresh(repo).rows) == 1
        write(repo, "facts/2026-01-15-quick.md", title, id=record_id)
        assert titles(refresh(repo)) == {record_id: title}


def test_an_old_unchanged_file_next_to_a_racy_one_is_not_reparsed(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(5):
        write(repo, f"facts/2026-01-15-old-{i}.md", f"Old {i}", mtime_ns=HOUR_AGO_NS)
    refresh(repo)
    write(repo, "facts/2026-01-15-fresh.md", "Fresh")
    refresh(repo)
    spy = Spy(monkeypatch)
    assert len(refresh(repo).rows) == 6
    # At most the file written just now is looked at again; the old ones are trusted.
    assert spy.calls["parse_file"] <= 1


def test_linked_worktrees_do_not_see_each_others_files(tmp_path: Path, repo: Path) -> None:
    write(repo, "facts/2026-01-15-shared.md", "Main version", id="aaaaaaaaaaaa")
    sh(repo, "add", ".memory")
    sh(repo, "commit", "-q", "-m", "memory")
    linked = tmp_path / "linked"
    sh(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    write(linked, "facts/2026-01-15-shared.md", "Side version", id="aaaaaaaaaaaa")
    for _ in range(2):
        assert titles(refresh(repo)) == {"aaaaaaaaaaaa": "Main version"}
        assert titles(refresh(linked)) == {"aaaaaaaaaaaa": "Side version"}


def test_linked_worktrees_with_identical_stat_do_not_share_rows(tmp_path: Path, repo: Path) -> None:
    # Two checkouts of one path with the same size and mtime (a checkout in the same second on a
    # coarse filesystem, `cp -p`, tar) but different content must still read their own file.
    sh(repo, "commit", "-q", "--allow-empty", "-m", "base")
    linked = tmp_path / "linked"
    sh(repo, "worktree", "add", "-q", "-b", "side", str(linked))
    write(repo, "facts/2026-01-15-x.md", "Main", id="bbbbbbbbbbbb", mtime_ns=HOUR_AGO_NS)
    write(linked, "facts/2026-01-15-x.md", "Side", id="bbbbbbbbbbbb", mtime_ns=HOUR_AGO_NS)
    for _ in range(2):
        assert titles(refresh(repo)) == {"bbbbbbbbbbbb": "Main"}
        assert titles(refresh(linked)) == {"bbbbbbbbbbbb": "Side"}
