"""The manifest and the always-fresh index (gitmem.search.catalog) on real repositories: nothing
re-read or re-written when nothing changed; edited, deleted, touched and racy files, new and
rewritten notes (amend, rebase) all reflected by the next `search`/`list`/`show` without a
`reindex`; note copies git leaves behind are one record; worktrees have their own index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import catalog, changes, refresh, whoosh_write
from gitmem.search import manifest as sqlite_manifest
from gitmem.store import git
from gitmem.store.note_stream import serialize_note_doc
from gitmem.store.record import Memory

HOUR_AGO_NS = (int(time.time()) - 3600) * 1_000_000_000
A, B, C = "aaaa00000001", "aaaa00000002", "aaaa00000003"


def index_root(repo: Path) -> Path:
    return catalog.index_root(git.discover(repo))


def manifest(repo: Path) -> dict[str, Any]:
    """The manifest's values, and its file entries under "files"."""
    con = sqlite_manifest.connect(index_root(repo) / "manifest")
    try:
        data = sqlite_manifest.meta(con)
        data["files"] = sqlite_manifest.file_entries(con, None)
    finally:
        con.close()
    return data


def index_files(repo: Path) -> dict[str, tuple[int, int, int]]:
    """Every file of the index directory the manifest names: {name: (inode, mtime, size)}."""
    directory = index_root(repo) / str(manifest(repo)["dir"])
    return {
        entry.name: (entry.stat().st_ino, entry.stat().st_mtime_ns, entry.stat().st_size)
        for entry in os.scandir(directory)
    }


class Spy:
    """Counts calls to the file and note parsers and to index writes, passing them through."""

    TARGETS = ((changes, "_read_file"), (changes, "parse_note"), (whoosh_write, "write"))

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = {name: 0 for _module, name in self.TARGETS}
        for module, name in self.TARGETS:
            monkeypatch.setattr(module, name, self._counting(name, getattr(module, name)))

    def _counting(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    def reset(self) -> None:
        self.calls = dict.fromkeys(self.calls, 0)


@pytest.fixture
def search(mem: Callable[..., Any]) -> Callable[..., list[str]]:
    """`search(ARGS...)`: the ids `git mem search --ids ARGS` prints ([] when none match)."""

    def run(*args: str) -> list[str]:
        result = mem("search", "--ids", "--limit", "100", *args)
        assert result.code in (0, 1), result.err
        assert result.code == 1 or result.err == "", result.err
        return list(result.out.split())

    return run


def hits(mem: Callable[..., Any], *args: str) -> list[dict[str, Any]]:
    result = mem("search", "--json", "--limit", "100", *args)
    assert result.code in (0, 1), result.err
    found: list[dict[str, Any]] = json.loads(result.out)["hits"]
    return found


def old_file(g: Any, repo: Path, relpath: str, id: str, title: str, body: str) -> Path:
    path: Path = g.write_record(repo, relpath, id, title=title, body=body)
    os.utime(path, ns=(HOUR_AGO_NS, HOUR_AGO_NS))
    return path


@pytest.fixture
def populated(repo: Path, mem: Callable[..., Any], g: Any) -> dict[str, str]:
    """Three files written an hour ago and a note on HEAD; {name: id}."""
    old_file(g, repo, "facts/a.md", A, "Pool size is twenty", "The pool holds twenty.")
    old_file(g, repo, "facts/b.md", B, "Cache is Redis", "Redis caches sessions.")
    old_file(g, repo, "decisions/c.md", C, "Use PostgreSQL", "JSONB covers the pool config.")
    note = mem("save", "--commit", "HEAD", "-m", "Deployed the pool change").saved_id
    return {"note": note}


# ----------------------------------------------------------------------------- no change


def test_nothing_changed_means_no_parse_and_no_index_write(
    repo: Path,
    populated: dict[str, str],
    mem: Callable[..., Any],
    search: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert sorted(search("pool")) == sorted([A, C, populated["note"]])
    path = index_root(repo) / "manifest"
    before = (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes())
    files = index_files(repo)
    spy = Spy(monkeypatch)
    for _ in range(2):
        assert sorted(search("pool")) == sorted([A, C, populated["note"]])
        assert mem("list").out.count("\n") == 4
        assert mem("show", A).code == 0
        assert mem("show", populated["note"][:6]).code == 0
    assert spy.calls == {"_read_file": 0, "parse_note": 0, "write": 0}
    assert (path.stat().st_ino, path.stat().st_mtime_ns, path.read_bytes()) == before
    assert index_files(repo) == files


def test_only_the_changed_file_is_read_again(
    repo: Path,
    populated: dict[str, str],
    g: Any,
    search: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    search("pool")
    spy = Spy(monkeypatch)
    old_file(g, repo, "facts/b.md", B, "Cache is Valkey", "Valkey caches sessions now.")
    assert search("valkey") == [B]
    assert search("redis") == []
    assert spy.calls == {"_read_file": 1, "parse_note": 0, "write": 1}


# ----------------------------------------------------------------------------- freshness


def test_an_edited_file_is_seen_by_search_list_and_show(
    repo: Path, populated: dict[str, str], mem: Callable[..., Any], g: Any, ids: Any
) -> None:
    assert mem("search", "redis").code == 0
    g.write_record(repo, "facts/b.md", B, title="Cache is Memcached", body="Memcached now.")
    assert [hit["title"] for hit in hits(mem, "memcached")] == ["Cache is Memcached"]
    assert mem("search", "redis").code == 1
    assert "Cache is Memcached" in mem("list").out
    assert B in ids()
    shown = mem("show", B, "--json")
    assert json.loads(shown.out)["title"] == "Cache is Memcached"


def test_a_deleted_file_disappears(
    repo: Path,
    populated: dict[str, str],
    mem: Callable[..., Any],
    ids: Any,
    search: Callable[..., list[str]],
) -> None:
    assert search("redis") == [B]
    (repo / ".memory" / "facts" / "b.md").unlink()
    result = mem("search", "redis")
    assert (result.code, result.out) == (1, "")
    assert B not in ids()
    shown = mem("show", B)
    assert shown.code != 0
    assert shown.err == f"git-mem: error: no memory with an id starting '{B}'\n"
    # The whole folder going away.
    for path in (repo / ".memory" / "decisions").iterdir():
        path.unlink()
    (repo / ".memory" / "decisions").rmdir()
    assert sorted(search("pool")) == sorted([A, populated["note"]])


def test_a_new_file_is_found(
    repo: Path, populated: dict[str, str], g: Any, search: Callable[..., list[str]]
) -> None:
    assert search("kafka") == []
    old_file(g, repo, "facts/new/d.md", "aaaa00000004", "Kafka topics", "Partitions: 12.")
    assert search("kafka") == ["aaaa00000004"]


def test_notes_added_appended_and_removed_with_plain_git(
    repo: Path, populated: dict[str, str], mem: Callable[..., Any], g: Any
) -> None:
    assert mem("search", "hotfix").code == 1
    g.run("commit", "-q", "--allow-empty", "-m", "second")
    head = g.run("rev-parse", "HEAD").strip()
    g.run("notes", "--ref=mem", "add", "-m", "Hotfix deployed by hand", head)
    (hit,) = hits(mem, "hotfix")
    assert (hit["location"], hit["type"], hit["title"]) == (
        f"note:{head}",
        "episodic",
        "Hotfix deployed by hand",
    )
    g.run("notes", "--ref=mem", "append", "-m", "then rolled back", head)
    (hit,) = hits(mem, "rolled")
    assert hit["location"] == f"note:{head}"
    g.run("notes", "--ref=mem", "remove", head)
    assert mem("search", "hotfix").code == 1
    assert mem("search", "rolled").code == 1


def test_a_note_edited_by_gitmem_is_seen(
    repo: Path, populated: dict[str, str], mem: Callable[..., Any]
) -> None:
    note = populated["note"]
    assert mem("edit", note, "--body", "Rolled out to canary first.").code == 0
    assert [hit["id"] for hit in hits(mem, "canary")] == [note]
    assert mem("rm", note).code == 0
    assert mem("search", "canary").code == 1


# ----------------------------------------------------------------------------- amend, rebase


@pytest.fixture
def rewriting(repo: Path, mem: Callable[..., Any], g: Any) -> Path:
    """`git mem init` (which sets notes.rewriteRef) and a commit of its own."""
    assert mem("init").code == 0
    assert g.run("config", "--get-all", "notes.rewriteRef").split() == ["refs/notes/mem"]
    (repo / "code.txt").write_text("v1\n")
    g.run("add", "code.txt")
    g.run("commit", "-q", "-m", "feature")
    return repo


def test_an_amended_commits_note_is_one_record_at_the_new_commit(
    rewriting: Path, mem: Callable[..., Any], g: Any, ids: Any
) -> None:
    old = g.run("rev-parse", "HEAD").strip()
    record = mem("save", "--commit", "HEAD", "-t", "decision", "-m", "Why tokens are cached")
    record_id = record.saved_id
    assert [hit["location"] for hit in hits(mem, "tokens")] == [f"note:{old}"]
    g.run("commit", "-q", "--amend", "-m", "feature, amended")
    new = g.run("rev-parse", "HEAD").strip()
    assert new != old
    # git copied the note and left the original: two byte-identical notes.
    annotated = {line.split()[1] for line in g.run("notes", "--ref=mem", "list").splitlines()}
    assert {old, new} <= annotated
    assert [(h["id"], h["location"]) for h in hits(mem, "tokens")] == [(record_id, f"note:{new}")]
    assert ids() == [record_id]
    assert json.loads(mem("list", "--json").out)["records"][0]["location"] == f"note:{new}"
    shown = mem("show", record_id[:5], "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["location"] == f"note:{new}"
    assert ids("--commit", "HEAD") == [record_id]


def test_amended_twice_is_one_record_at_the_last_commit(
    rewriting: Path, mem: Callable[..., Any], g: Any, ids: Any
) -> None:
    record_id = mem("save", "--commit", "HEAD", "-m", "Why tokens are cached").saved_id
    mem("search", "tokens")
    g.run("commit", "-q", "--amend", "-m", "feature, amended")
    g.run("commit", "-q", "--amend", "-m", "feature, amended again")
    last = g.run("rev-parse", "HEAD").strip()
    assert len(g.run("notes", "--ref=mem", "list").splitlines()) == 3
    assert [(h["id"], h["location"]) for h in hits(mem, "tokens")] == [(record_id, f"note:{last}")]
    assert ids() == [record_id]


def test_rebased_commits_notes_are_one_record_each_at_the_new_commits(
    rewriting: Path, mem: Callable[..., Any], g: Any, ids: Any
) -> None:
    g.run("checkout", "-q", "-b", "topic")
    saved = {}
    for name in ("alpha", "bravo"):
        (rewriting / f"{name}.txt").write_text(name)
        g.run("add", f"{name}.txt")
        g.run("commit", "-q", "-m", name)
        saved[name] = mem("save", "--commit", "HEAD", "-m", f"Note about {name} zebra").saved_id
    assert sorted(ids()) == sorted(saved.values())
    g.run("checkout", "-q", "main")
    (rewriting / "main.txt").write_text("main")
    g.run("add", "main.txt")
    g.run("commit", "-q", "-m", "main moves on")
    g.run("checkout", "-q", "topic")
    g.run("rebase", "-q", "main")
    new = dict(zip(("bravo", "alpha"), g.run("rev-list", "-2", "HEAD").split(), strict=True))
    assert len(g.run("notes", "--ref=mem", "list").splitlines()) == 4  # copies and originals
    found = {h["id"]: h["location"] for h in hits(mem, "zebra")}
    assert found == {saved[name]: f"note:{new[name]}" for name in ("alpha", "bravo")}
    assert len(hits(mem, "zebra")) == 2
    assert sorted(ids()) == sorted(saved.values())
    for name in ("alpha", "bravo"):
        shown = mem("show", saved[name], "--json")
        assert json.loads(shown.out)["location"] == f"note:{new[name]}"


def test_editing_a_record_after_an_amend_keeps_it_one_record(
    rewriting: Path, mem: Callable[..., Any], g: Any, ids: Any
) -> None:
    record_id = mem("save", "--commit", "HEAD", "-m", "Why tokens are cached").saved_id
    g.run("commit", "-q", "--amend", "-m", "feature, amended")
    new = g.run("rev-parse", "HEAD").strip()
    edited = mem("edit", record_id, "--add-tag", "auth")
    assert edited.code == 0, edited.err
    # The copy on the amended commit changed; the one left on the old commit did not.
    assert ids() == [record_id]
    shown = mem("show", record_id, "--json")
    assert shown.code == 0, shown.err
    assert json.loads(shown.out)["location"] == f"note:{new}"
    assert json.loads(shown.out)["tags"] == ["auth"]


# ----------------------------------------------------------------------------- racy files


def test_a_same_size_rewrite_within_the_same_second_is_seen(
    repo: Path, g: Any, search: Callable[..., list[str]]
) -> None:
    # A filesystem with 1-second timestamps gives both writes the same mtime; same size too.
    tick = time.time_ns() // 1_000_000_000 * 1_000_000_000
    path = g.write_record(repo, "facts/racy.md", A, title="Alpha", body="first")
    os.utime(path, ns=(tick, tick))
    size = path.stat().st_size
    assert search("alpha") == [A]
    g.write_record(repo, "facts/racy.md", A, title="Bravo", body="other")
    os.utime(path, ns=(tick, tick))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (size, tick)
    assert search("bravo") == [A]
    assert search("alpha") == []
    assert search("other") == [A]


@pytest.mark.slow
def test_files_written_just_before_a_read_are_not_re_read_forever(repo: Path, g: Any) -> None:
    """Racy files (written within 2 s of a scan) are re-read until a scan comes late enough
    to trust their mtime, and that scan is recorded even though nothing changed: then no read
    re-reads them (before, every later read did, until something was saved)."""
    for n in range(3):
        g.write_record(repo, f"facts/new{n}.md", f"aaaa0000000{n + 4}", title=f"New {n}")
    info, types = git.discover(repo), ["fact"]

    def files_read() -> int:
        return refresh.refresh(info, repo / ".memory", types).files_read

    assert files_read() == 3  # the first build
    assert files_read() == 3  # within 2 s of the writes: racy, re-read, found unchanged
    time.sleep(changes.RACY_NS / 1e9 + 0.2)
    assert files_read() == 3  # still racy against the last recorded scan; recorded now
    assert files_read() == 0
    assert files_read() == 0
    found = refresh.refresh(info, repo / ".memory", types).find("")
    assert sorted(row["id"] for row in found) == [f"aaaa0000000{n + 4}" for n in range(3)]


def test_quick_same_size_rewrites_are_seen(
    repo: Path, g: Any, search: Callable[..., list[str]]
) -> None:
    g.write_record(repo, "facts/quick.md", A, title="Alpha")
    previous = "Alpha"
    for title in ("Bravo", "Charl", "Delta", "Echoo"):
        assert search(previous) == [A]
        g.write_record(repo, "facts/quick.md", A, title=title)
        assert search(title) == [A]
        assert search(previous) == []
        previous = title


def test_a_touched_but_unchanged_file_does_not_rewrite_the_index(
    repo: Path,
    populated: dict[str, str],
    search: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert search("redis") == [B]
    files, generation = index_files(repo), manifest(repo)["generation"]
    spy = Spy(monkeypatch)
    path = repo / ".memory" / "facts" / "b.md"
    later = HOUR_AGO_NS + 5_000_000_000
    os.utime(path, ns=(later, later))
    assert search("redis") == [B]
    assert manifest(repo)["files"]["facts/b.md"][0] == later  # remembered: not read next time
    os.utime(path)  # now: within the racy window
    assert search("redis") == [B]
    assert search("redis") == [B]
    assert spy.calls == {"_read_file": 0, "parse_note": 0, "write": 0}
    assert index_files(repo) == files
    assert manifest(repo)["generation"] == generation


# ----------------------------------------------------------------------------- worktrees


def test_worktrees_have_their_own_index(
    repo: Path,
    tmp_path: Path,
    mem: Callable[..., Any],
    g: Any,
    search: Callable[..., list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    g.write_record(repo, "facts/shared.md", A, title="Main version", body="zebra")
    g.run("add", ".memory")
    g.run("commit", "-q", "-m", "memory")
    note = mem("save", "--commit", "HEAD", "-m", "A shared zebra note").saved_id
    linked = tmp_path / "linked"
    g.run("worktree", "add", "-q", "-b", "side", str(linked))
    g.write_record(linked, "facts/shared.md", A, title="Side version", body="zebra")
    for _ in range(2):
        monkeypatch.chdir(repo)
        assert [(h["id"], h["title"]) for h in hits(mem, "zebra", "--sort", "newest")] == [
            (note, "A shared zebra note"),
            (A, "Main version"),
        ]
        monkeypatch.chdir(linked)
        assert [(h["id"], h["title"]) for h in hits(mem, "zebra", "--sort", "newest")] == [
            (note, "A shared zebra note"),
            (A, "Side version"),
        ]
    base = repo / ".git" / "gitmem" / "index"
    assert index_root(repo) == base / "main"
    assert index_root(linked) == base / "wt-linked"
    assert (base / "main" / "manifest").is_file()
    assert (base / "wt-linked" / "manifest").is_file()


# ----------------------------------------------------------------------------- supersedes


def test_removing_a_supersedes_shows_the_old_record_again(
    repo: Path, mem: Callable[..., Any], g: Any, ids: Any, search: Callable[..., list[str]]
) -> None:
    g.write_record(repo, "facts/old.md", A, title="Cache is Redis")
    new = g.write_record(repo, "facts/new.md", B, title="Cache is Valkey", supersedes=f"[{A}]")
    assert search("cache") == [B]
    assert ids() == [B]
    # The superseding record loses its `supersedes`: the old one is active again.
    g.write_record(repo, "facts/new.md", B, title="Cache is Valkey")
    assert sorted(search("cache")) == [A, B]
    assert sorted(ids()) == [A, B]
    g.write_record(repo, "facts/new.md", B, title="Cache is Valkey", supersedes=f"[{A}]")
    assert search("cache") == [B]
    new.unlink()  # and deleted altogether
    assert search("cache") == [A]
    assert ids() == [A]
    # A note superseding it (`save --supersedes` would also mark the old file), then removed.
    memory = Memory(C, "fact", "Cache is KeyDB", "2026-01-16T10:00:00+00:00", supersedes=[A])
    g.run("notes", "--ref=mem", "add", "-F", "-", "HEAD", input=serialize_note_doc(memory))
    assert search("keydb") == [C]
    assert search("redis") == []
    g.run("notes", "--ref=mem", "remove", "HEAD")
    assert search("redis") == [A]


# ----------------------------------------------------------------------------- consistency


def snapshot(mem: Callable[..., Any]) -> dict[str, list[Any]]:
    """What list and a few searches answer: must not depend on how the index was built."""
    out: dict[str, list[Any]] = {}
    for flags in ([], ["--all"]):
        records = json.loads(mem("list", "--json", *flags).out)["records"]
        out[" ".join(["list", *flags])] = [(r["id"], r["location"], r["title"]) for r in records]
        for word in ("alpha", "bravo", "zebra", "note"):
            found = sorted(hit["id"] for hit in hits(mem, word, *flags))
            out[" ".join(["search", word, *flags])] = found
    return out


def test_incremental_refreshes_agree_with_a_full_rebuild(
    repo: Path, mem: Callable[..., Any], g: Any
) -> None:
    def check() -> None:
        incremental = snapshot(mem)
        assert mem("reindex", "--full").code == 0
        assert snapshot(mem) == incremental

    assert mem("init").code == 0
    for n in range(4):
        g.write_record(repo, f"facts/f{n}.md", f"aaaa0000001{n}", title=f"Alpha zebra {n}")
    mem("save", "--commit", "HEAD", "-m", "Alpha note zebra")
    check()
    g.write_record(repo, "facts/f1.md", "aaaa00000011", title="Bravo zebra")
    (repo / ".memory" / "facts" / "f2.md").unlink()
    g.write_record(repo, "facts/f3.md", "aaaa00000013", title="Bravo", supersedes="[aaaa00000010]")
    snapshot(mem)
    check()
    g.run("commit", "-q", "--allow-empty", "-m", "second")
    mem("save", "--commit", "HEAD", "-m", "Bravo note")
    g.run("notes", "--ref=mem", "append", "-m", "zebra appended by hand", "HEAD")
    snapshot(mem)
    g.run("commit", "-q", "--amend", "--allow-empty", "-m", "second, amended")
    (repo / ".memory" / "facts" / "f3.md").unlink()
    check()
    g.run("notes", "--ref=mem", "remove", "HEAD")
    g.write_record(repo, "facts/f2.md", "aaaa00000012", title="Alpha again")
    check()


def test_a_type_added_to_the_config_is_indexed_without_reindex(
    repo: Path, g: Any, search: Callable[..., list[str]]
) -> None:
    g.write_record(repo, "incidents/a.md", A, type="incident", title="Outage in eu-west")
    assert search("outage") == []  # an unknown type: skipped
    config = repo / ".memory" / "config.toml"
    config.write_text('[types]\nincident = "incidents"\n')
    assert search("outage") == [A]
    config.unlink()
    assert search("outage") == []


def test_a_file_whose_id_changes_in_place(
    repo: Path, mem: Callable[..., Any], g: Any, search: Callable[..., list[str]]
) -> None:
    g.write_record(repo, "facts/x.md", A, title="Zebra crossing")
    g.write_record(repo, "facts/y.md", B, title="Zebra twin")
    assert sorted(search("zebra")) == [A, B]
    g.write_record(repo, "facts/x.md", C, title="Zebra crossing")
    assert sorted(search("zebra")) == [B, C]
    assert mem("show", A).code != 0
    assert mem("show", C).code == 0
    # Two files claiming one id: both are found, and `show` says so.
    g.write_record(repo, "facts/y.md", C, title="Zebra twin")
    assert search("zebra") == [C, C]
    assert "is used by 2 records" in mem("show", C).err


@pytest.mark.slow
def test_a_big_build_in_two_processes_then_incremental_changes(repo: Path) -> None:
    # From BULK_THRESHOLD documents on, a full build uses two writer processes and segments.
    folder = repo / ".memory" / "facts"
    folder.mkdir(parents=True)
    count = whoosh_write.BULK_THRESHOLD + 100
    for n in range(count):
        (folder / f"r{n}.md").write_text(
            f"---\nid: dddd{n:08d}\ntype: fact\ntitle: Record {n} word{n}\n"
            f"created: 2026-01-15T10:00:00+00:00\n---\n\nbody zebra{n % 7}\n"
        )

    def git_mem(*args: str) -> str:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "git-mem"), *args],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode in (0, 1), proc.stderr
        return proc.stdout

    assert git_mem("search", "word17", "--ids") == "dddd00000017\n"
    zebras = git_mem("search", "zebra3", "--ids", "--limit", "5000").split()
    assert len(zebras) == (count - 4) // 7 + 1
    (folder / "r17.md").write_text((folder / "r17.md").read_text().replace("word17", "changed"))
    (folder / "r18.md").unlink()
    assert git_mem("search", "changed", "--ids") == "dddd00000017\n"
    assert git_mem("search", "word17", "--ids") == ""
    assert git_mem("search", "word18", "--ids") == ""
    assert git_mem("search", f"word{count - 1}", "--ids") == f"dddd{count - 1:08d}\n"
    assert len(json.loads(git_mem("list", "--json"))["records"]) == count - 1


def test_the_notes_ref_deleted_moved_back_and_restored(
    repo: Path, mem: Callable[..., Any], g: Any, search: Callable[..., list[str]]
) -> None:
    first = mem("save", "--commit", "HEAD", "-m", "First zebra note").saved_id
    g.run("commit", "-q", "--allow-empty", "-m", "second")
    second = mem("save", "--commit", "HEAD", "-m", "Second zebra note").saved_id
    assert sorted(search("zebra")) == sorted([first, second])
    tip = g.run("rev-parse", "refs/notes/mem").strip()
    g.run("update-ref", "refs/notes/mem", f"{tip}~1")  # a forced fetch moving it back
    assert search("zebra") == [first]
    g.run("update-ref", "-d", "refs/notes/mem")
    assert search("zebra") == []
    g.run("update-ref", "refs/notes/mem", tip)
    assert sorted(search("zebra")) == sorted([first, second])


def test_a_file_that_cannot_be_read_is_reported_and_the_rest_listed(
    repo: Path,
    populated: dict[str, str],
    mem: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Root reads every file, so the failure is injected: reading b.md raises EACCES."""
    (repo / ".memory" / "facts" / "b.md").write_text("changed, to be read again\n")
    real_read = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "b.md":
            raise PermissionError(13, "Permission denied")
        return real_read(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = mem("list", "--all")
    assert result.code == 0, result.err
    assert B not in result.out and A in result.out
    assert (
        result.err
        == "git-mem: warning: skipped .memory/facts/b.md: cannot read: Permission denied\n"
    )
