"""The index is derived state that must never be in the way: damaged, deleted, other-schema and
half-written indexes and manifests are rebuilt transparently; several real `git-mem` processes
searching, saving and rebuilding at once never fail; a search that finds the index locked
answers from the last committed index instead of waiting."""

from __future__ import annotations

import contextlib
import fcntl
import json
import marshal
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from gitmem.search import catalog
from gitmem.search import manifest as sqlite_manifest
from gitmem.store import git

A, B = "aaaa00000001", "aaaa00000002"
GIT_MEM = str(Path(sys.executable).parent / "git-mem")


def index_root(repo: Path) -> Path:
    return catalog.index_root(git.discover(repo))


def manifest_path(repo: Path) -> Path:
    return index_root(repo) / "manifest"


def manifest_values(repo: Path) -> dict[str, Any]:
    con = sqlite_manifest.connect(manifest_path(repo))
    try:
        return sqlite_manifest.meta(con)
    finally:
        con.close()


def index_dir(repo: Path) -> Path:
    return index_root(repo) / str(manifest_values(repo)["dir"])


@pytest.fixture
def corpus(repo: Path, mem: Callable[..., Any], g: Any) -> set[str]:
    """Two files and a note; the index built. The ids `search pool` must find."""
    g.write_record(repo, "facts/a.md", A, title="Pool size is twenty", body="The pool: 20.")
    g.write_record(repo, "facts/b.md", B, title="Cache is Redis", body="Redis caches sessions.")
    note = mem("save", "--commit", "HEAD", "-m", "Deployed the pool change").saved_id
    assert found(mem, "pool") == {A, note}
    return {A, note}


def found(mem: Callable[..., Any], *args: str) -> set[str]:
    """The ids `git mem search --ids` finds; the command must answer cleanly."""
    result = mem("search", "--ids", "--limit", "100", *args)
    assert result.code in (0, 1), result.err
    assert "error" not in result.err and "Traceback" not in result.err, result.err
    return set(result.out.split())


def no_error_logs(repo: Path) -> None:
    logs = repo / ".git" / "gitmem" / "logs"
    assert not logs.exists() or not list(logs.iterdir()), [p.read_text() for p in logs.iterdir()]


# ----------------------------------------------------------------------------- damage


def truncate_all(repo: Path) -> None:
    for path in index_dir(repo).iterdir():
        path.write_bytes(b"")


def truncate_segments(repo: Path) -> None:
    for path in index_dir(repo).iterdir():
        if not path.name.endswith(".toc"):
            with open(path, "r+b") as handle:
                handle.truncate(path.stat().st_size // 2)


def garble_segments(repo: Path) -> None:
    for path in index_dir(repo).iterdir():
        if not path.name.endswith(".toc"):
            path.write_bytes(os.urandom(path.stat().st_size))


def empty_index_dir(repo: Path) -> None:
    for path in index_dir(repo).iterdir():
        path.unlink()


def edit_manifest(sql: str, *args: Any) -> Callable[[Path], None]:
    def damage(repo: Path) -> None:
        with contextlib.closing(sqlite3.connect(manifest_path(repo))) as con, con:
            con.execute(sql, args)

    return damage


_bad_file_entries = edit_manifest("UPDATE files SET entry = ?", marshal.dumps([1]))
_bad_note_entries = edit_manifest("UPDATE notes SET entry = ?", marshal.dumps(7))


def _set(key: str, value: Any) -> Callable[[Path], None]:
    return edit_manifest("UPDATE meta SET v = ? WHERE k = ?", marshal.dumps(value), key)


def _drop(key: str) -> Callable[[Path], None]:
    return edit_manifest("DELETE FROM meta WHERE k = ?", key)


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncate-every-index-file": truncate_all,
    "truncate-segments": truncate_segments,
    "garble-segments": garble_segments,
    "empty-index-dir": empty_index_dir,
    "delete-index-dir": lambda repo: shutil.rmtree(index_dir(repo)),
    "delete-index-root": lambda repo: shutil.rmtree(index_root(repo)),
    "delete-state-dir": lambda repo: shutil.rmtree(repo / ".git" / "gitmem"),
    "delete-manifest": lambda repo: manifest_path(repo).unlink(),
    "empty-manifest": lambda repo: manifest_path(repo).write_bytes(b""),
    "garbage-manifest": lambda repo: manifest_path(repo).write_bytes(os.urandom(300)),
    "truncated-manifest": lambda repo: manifest_path(repo).write_bytes(
        manifest_path(repo).read_bytes()[:40]
    ),
    "manifest-old-format": lambda repo: manifest_path(repo).write_bytes(marshal.dumps({})),
    "manifest-bad-file-entries": _bad_file_entries,
    "manifest-bad-note-entries": _bad_note_entries,
    "manifest-no-files-table": edit_manifest("DROP TABLE files"),
    "manifest-no-records-table": edit_manifest("DROP TABLE records"),
    "manifest-meta-not-marshal": edit_manifest("UPDATE meta SET v = 'x' WHERE k = 'git'"),
    "manifest-scanned-a-string": _set("scanned", "soon"),
    "manifest-no-dir": _drop("dir"),
    "manifest-dir-elsewhere": _set("dir", "../../.."),
    "manifest-wrong-generation": _set("generation", 12345),
    "manifest-notes-tip-a-number": _set("notes_tip", 7),
    "manifest-git-state-a-number": _set("git", 7),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_index_or_manifest_is_rebuilt(
    repo: Path, corpus: set[str], mem: Callable[..., Any], ids: Any, damage: Callable[[Path], None]
) -> None:
    listed = ids()
    damage(repo)
    assert found(mem, "pool") == corpus
    assert found(mem, "redis") == {B}
    assert ids() == listed
    assert mem("show", A).code == 0
    no_error_logs(repo)


@pytest.mark.parametrize(
    "damage",
    [truncate_all, truncate_segments, garble_segments, _bad_file_entries],
    ids=["truncate-every-index-file", "truncate-segments", "garble-segments", "bad-entries"],
)
def test_damage_and_a_change_at_once(
    repo: Path, corpus: set[str], mem: Callable[..., Any], g: Any, damage: Callable[[Path], None]
) -> None:
    damage(repo)
    (repo / ".memory" / "facts" / "b.md").unlink()
    g.write_record(repo, "facts/c.md", "aaaa00000003", title="Kafka topics", body="twelve")
    assert found(mem, "redis") == set()
    assert found(mem, "kafka") == {"aaaa00000003"}
    assert found(mem, "pool") == corpus
    no_error_logs(repo)


def test_another_schema_version_is_rebuilt(
    repo: Path, corpus: set[str], mem: Callable[..., Any]
) -> None:
    before = index_dir(repo)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(catalog, "SCHEMA_VERSION", catalog.SCHEMA_VERSION + 1)
        assert found(mem, "pool") == corpus
        after = index_dir(repo)
    assert after != before  # a new index, and the old one gone
    assert not before.exists()
    assert found(mem, "pool") == corpus
    assert index_dir(repo) != after


KILL = """
import os, sys
from gitmem import main
from gitmem.search import manifest as sqlite_manifest
from gitmem.search import refresh, whoosh_write
point = sys.argv[1]
if point == "before-manifest":  # the index committed, the manifest not yet saved
    refresh._save = lambda *args, **kwargs: os._exit(9)
else:  # in the middle of adding documents
    original, seen = whoosh_write.fields_of, []
    def fields(*args, **kwargs):
        seen.append(1)
        if len(seen) == 2:
            os._exit(9)
        return original(*args, **kwargs)
    whoosh_write.fields_of = fields
main.main(["search", "anything"])
"""


@pytest.mark.parametrize("point", ["before-manifest", "while-adding"])
def test_a_writer_killed_half_way_leaves_nothing_stale(
    repo: Path, corpus: set[str], mem: Callable[..., Any], g: Any, point: str
) -> None:
    generation = manifest_values(repo)["generation"]
    assert catalog.ENGINE.is_current(index_dir(repo), generation)
    g.write_record(repo, "facts/c.md", "aaaa00000003", title="Kafka topics", body="twelve")
    g.write_record(repo, "facts/d.md", "aaaa00000004", title="Kafka retention", body="7 days")
    proc = subprocess.run([sys.executable, "-c", KILL, point], cwd=repo, capture_output=True)
    assert proc.returncode == 9, proc.stderr
    if point == "before-manifest":
        assert not catalog.ENGINE.is_current(index_dir(repo), generation)  # a newer one
    # The user deletes one of the new records before the next command.
    (repo / ".memory" / "facts" / "d.md").unlink()
    assert found(mem, "kafka") == {"aaaa00000003"}
    assert found(mem, "pool") == corpus
    assert found(mem, "redis") == {B}
    no_error_logs(repo)


def test_a_newer_toc_left_by_a_killed_writer(
    repo: Path, corpus: set[str], mem: Callable[..., Any]
) -> None:
    directory = index_dir(repo)
    generation = manifest_values(repo)["generation"]
    # A newer generation committed, the manifest not saved; the writer's lock file left behind.
    assert catalog.ENGINE.update(directory, [], [], None) == generation + 1
    (directory / "MAIN_WRITELOCK").write_bytes(b"")
    assert found(mem, "pool") == corpus
    assert found(mem, "redis") == {B}


def test_a_state_dir_that_cannot_be_created_is_a_clean_error_or_an_answer(
    repo: Path, corpus: set[str], mem: Callable[..., Any]
) -> None:
    state = repo / ".git" / "gitmem"
    shutil.rmtree(state)
    state.write_text("not a directory\n")
    result = mem("search", "pool", "--ids")
    if result.code == 0:
        assert set(result.out.split()) == corpus
    else:
        assert result.err.startswith("git-mem: error: cannot write the search index in ")
        assert result.code == 128


# ----------------------------------------------------------------------------- processes


def _loop(name: str, command: str, stop: Path, log: Path) -> str:
    """A shell loop running `command` until `stop` exists; failures are logged to `log`."""
    return textwrap.dedent(f"""\
        n=0
        while [ ! -e {stop} ]; do
            {command} >/dev/null 2>{log}.err
            rc=$?
            if [ $rc -ne 0 ] || [ -s {log}.err ]; then
                echo "{name} exit $rc: $(cat {log}.err)" >> {log}
            fi
            n=$((n + 1))
        done
        echo $n > {log}.count
        """)


@pytest.mark.slow
def test_two_searchers_and_a_saver_at_once(repo: Path, corpus: set[str], tmp_path: Path) -> None:
    stop, fail = tmp_path / "stop", tmp_path / "failures"
    searchers = [
        subprocess.Popen(["sh", "-c", _loop(f"s{n}", cmd, stop, tmp_path / f"log{n}")], cwd=repo)
        for n, cmd in enumerate(
            [
                f"{GIT_MEM} search pool --ids --limit 100",
                f"{GIT_MEM} search 'pool OR zebra' --json",
            ]
        )
    ]
    saved: list[str] = []
    try:
        for i in range(5):
            where = ["--commit", "HEAD"] if i % 2 else []
            proc = subprocess.run(
                [GIT_MEM, "save", *where, "-m", f"Zebra pool record {i}"],
                cwd=repo,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
            saved.append(proc.stdout.split()[1])
            if i == 2:  # a full rebuild while the searchers run
                proc = subprocess.run(
                    [GIT_MEM, "reindex", "--full"], cwd=repo, capture_output=True, timeout=120
                )
                assert (proc.returncode, proc.stderr) == (0, b""), proc.stderr
    finally:
        stop.touch()
        for searcher in searchers:
            searcher.wait(timeout=120)
    for n in range(2):
        log = tmp_path / f"log{n}"
        assert not log.exists(), log.read_text()
        assert int((tmp_path / f"log{n}.count").read_text()) >= 1
    assert not fail.exists()
    proc = subprocess.run(
        [GIT_MEM, "search", "zebra", "--ids", "--limit", "100"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert sorted(proc.stdout.split()) == sorted(saved)
    proc = subprocess.run(
        [GIT_MEM, "search", "pool", "--ids", "--limit", "100"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert sorted(proc.stdout.split()) == sorted([*saved, *corpus])
    no_error_logs(repo)


@contextlib.contextmanager
def holding(path: Path) -> Iterator[None]:
    with open(path, "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def test_a_locked_index_answers_from_the_last_committed_state(
    repo: Path, corpus: set[str], g: Any
) -> None:
    root = index_root(repo)
    g.write_record(repo, "facts/c.md", "aaaa00000003", title="Kafka pool", body="twelve")

    def search(*words: str) -> tuple[int, set[str], str]:
        proc = subprocess.run(
            [GIT_MEM, "search", *words, "--ids", "--limit", "100"],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=60,  # waiting for the lock would hang here
        )
        return proc.returncode, set(proc.stdout.split()), proc.stderr

    with holding(root.parent / f"{root.name}.lock"):
        assert search("pool") == (0, corpus, "")
        code, ids, err = search("kafka")
        assert (code, ids) == (1, set())
        assert err.startswith("git-mem: warning: no memories match 'kafka'")
        for command in (["list"], ["show", A]):
            proc = subprocess.run(
                [GIT_MEM, *command], cwd=repo, capture_output=True, text=True, timeout=60
            )
            assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
            assert A in proc.stdout and "Kafka" not in proc.stdout
    assert search("kafka") == (0, {"aaaa00000003"}, "")
    assert search("pool") == (0, {*corpus, "aaaa00000003"}, "")


def test_json_hits_survive_concurrent_rebuilds(repo: Path, corpus: set[str]) -> None:
    """A search racing `reindex --full` (which deletes the old index directory) answers."""
    rebuild = subprocess.Popen(
        ["sh", "-c", f"for i in 1 2; do {GIT_MEM} reindex --full >/dev/null || exit 1; done"],
        cwd=repo,
    )
    answers = 0
    try:
        while rebuild.poll() is None or answers == 0:
            proc = subprocess.run(
                [GIT_MEM, "search", "pool", "--json"],
                cwd=repo,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert (proc.returncode, proc.stderr) == (0, ""), proc.stderr
            assert {hit["id"] for hit in json.loads(proc.stdout)["hits"]} == corpus
            answers += 1
    finally:
        assert rebuild.wait(timeout=120) == 0
    no_error_logs(repo)


def test_a_manifest_of_another_layout_is_replaced(
    repo: Path, corpus: set[str], mem: Callable[..., Any]
) -> None:
    """A gitmem whose manifest tables differ (an older or newer build) left it: rebuilt."""
    with contextlib.closing(sqlite3.connect(manifest_path(repo))) as con, con:
        con.execute("DROP TABLE records")
        con.execute("CREATE TABLE records (id TEXT, location TEXT, blob TEXT, created TEXT)")
        con.execute("PRAGMA user_version = 1")
    assert found(mem, "pool") == corpus
    assert found(mem, "redis") == {B}
    assert mem("show", A).code == 0
    no_error_logs(repo)
