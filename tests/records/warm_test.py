"""gitmem.records.warm against real repositories: between two requests of one WarmRepo, every
kind of change a long-lived server meets, each answered exactly as a fresh Store answers.

The warm store is always asked first: a fresh Store (or a `git mem` command) refreshes the
shared manifest, and asked first it would hand the warm one an up-to-date manifest.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Result, git, git_mem, write_record

from gitmem.errors import GitMemError
from gitmem.records import finder
from gitmem.records.store import Store
from gitmem.records.warm import WarmRepo
from gitmem.search.query import Filter
from gitmem.store import git as gitstore

WORDS = ["postgres", "cache", "token", "release", "kafka"]


def answers(store: Store) -> dict[str, Any]:
    """What list, search (a few words) and show answer, as plain data."""
    rows = finder.records(store, Filter())
    out: dict[str, Any] = {"list": [(r["id"], r["title"], r["location"]) for r in rows]}
    for word in WORDS:
        found = finder.search(store, Filter(), word, limit=10)
        out[word] = [(h.row["id"], round(h.score, 6), h.snippet) for h in found.hits]
    out["show"] = {r["id"]: store.get(r["id"][:8]).text for r in rows}
    return out


def check(warm: WarmRepo, repo: Path, *, fallback: str = "") -> dict[str, Any]:
    """The warm answers, after checking they are a fresh Store's; returned for asserts.
    `fallback`: why the request had to ask git ("": it did not, the watcher answered)."""
    got = answers(warm.store())
    assert warm.fallback == fallback
    assert got == answers(Store(gitstore.discover(repo)))
    return got


STARTED = "the watcher started: this request asked git"
LOST = "the watcher lost track (overflow, .memory replaced, a folder moved)"


def ids(got: dict[str, Any]) -> list[str]:
    return sorted(row[0] for row in got["list"])


@pytest.fixture
def warm(repo: Path) -> Iterator[WarmRepo]:
    write_record(repo, "facts/a.md", "aaaa00000001", title="Postgres pool", body="postgres cache\n")
    write_record(repo, "facts/b.md", "bbbb00000002", title="Token refresh", body="token expiry\n")
    git("add", ".memory", cwd=repo)
    git("commit", "-q", "-m", "memories", cwd=repo)
    one = WarmRepo(gitstore.discover(repo))
    check(one, repo, fallback=STARTED)  # the first request asks git and starts watching
    yield one
    one.close()


def test_edit_add_delete_rename_between_requests(warm: WarmRepo, repo: Path) -> None:
    assert warm.status() == {"watching": True, "fallback": STARTED, "reader_open": True}
    write_record(repo, "facts/a.md", "aaaa00000001", title="Postgres pool", body="kafka now\n")
    assert check(warm, repo)["kafka"][0][0] == "aaaa00000001"
    write_record(repo, "decisions/new/c.md", "cccc00000003", type="decision", body="release\n")
    assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002", "cccc00000003"]
    (repo / ".memory/facts/b.md").unlink()
    assert ids(check(warm, repo)) == ["aaaa00000001", "cccc00000003"]
    (repo / ".memory/facts/a.md").rename(repo / ".memory/facts/renamed.md")
    got = check(warm, repo)
    assert got["list"][1] == ("aaaa00000001", "Postgres pool", ".memory/facts/renamed.md")
    # An edit that keeps the size, the mtime set back (the racy-git case): still seen.
    path = repo / ".memory/facts/renamed.md"
    before = path.stat()
    path.write_text(path.read_text().replace("kafka", "cache"))
    subprocess.run(["touch", "-d", f"@{before.st_mtime}", str(path)], check=True)
    assert check(warm, repo)["kafka"] == []


@pytest.mark.slow
def test_notes_by_git_notes_and_by_the_commit_hook(warm: WarmRepo, repo: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=repo).strip()
    note = "id: dddd00000004\ntype: fact\ntitle: Kafka lag\ncreated: 2026-01-16T10:00:00+00:00\n"
    git("notes", "--ref=mem", "add", "-m", note + "---\nkafka lag\n", head, cwd=repo)
    assert "dddd00000004" in ids(check(warm, repo))
    assert git_mem("hooks", "install", cwd=repo).returncode == 0
    message = "fix: login crashed when the session token expired\n\nRefresh it first."
    git("commit", "-q", "--allow-empty", "-m", message, cwd=repo)
    got = check(warm, repo)
    captured = [row for row in got["list"] if row[2].startswith("note:")]
    assert "Login crashed when the session token expired" in [row[1] for row in captured]
    # Packed: the notes tip read from packed-refs, then moved there by another note.
    git("pack-refs", "--all", cwd=repo)
    assert not (repo / ".git/refs/notes/mem").exists()
    assert check(warm, repo) == got
    git("notes", "--ref=mem", "remove", head, cwd=repo)
    assert "dddd00000004" not in ids(check(warm, repo))


def test_checkout_of_a_branch_with_other_memories(warm: WarmRepo, repo: Path) -> None:
    git("checkout", "-q", "-b", "other", cwd=repo)
    write_record(repo, "facts/b.md", "bbbb00000002", title="Token rotation", body="release day\n")
    write_record(repo, "errors/e.md", "eeee00000005", type="error", body="kafka broke\n")
    git("add", ".memory", cwd=repo)
    git("commit", "-q", "-m", "other memories", cwd=repo)
    assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002", "eeee00000005"]
    git("checkout", "-q", "main", cwd=repo)
    got = check(warm, repo)
    assert ids(got) == ["aaaa00000001", "bbbb00000002"]
    assert got["token"][0][0] == "bbbb00000002"
    git("checkout", "-q", "other", cwd=repo)
    assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002", "eeee00000005"]


def test_config_toml_adds_a_type(warm: WarmRepo, repo: Path) -> None:
    write_record(repo, "runbooks/r.md", "ffff00000006", type="runbook", body="release steps\n")
    before = check(warm, repo)
    assert "ffff00000006" not in ids(before)
    config = '[types]\nrunbook = "runbooks"\n'
    (repo / ".memory/config.toml").write_text(config)
    assert "ffff00000006" in ids(check(warm, repo))


@pytest.mark.slow
def test_another_process_reindexes_and_the_reader_reopens(warm: WarmRepo, repo: Path) -> None:
    first = check(warm, repo)
    proc = git_mem("reindex", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    write_record(repo, "facts/g.md", "gggg00000007", body="postgres again\n")
    proc = git_mem("search", "postgres", cwd=repo)  # another process updates the index
    assert "gggg00000007" in proc.stdout
    got = check(warm, repo)
    assert ids(got) == sorted([*ids(first), "gggg00000007"])
    # The index deleted under the server: rebuilt, the same answers.
    shutil.rmtree(repo / ".git/gitmem/index")
    assert check(warm, repo) == got


def test_memory_folder_deleted_and_recreated(warm: WarmRepo, repo: Path) -> None:
    saved = repo.parent / "saved-memory"
    shutil.copytree(repo / ".memory", saved)
    shutil.rmtree(repo / ".memory")
    assert ids(check(warm, repo, fallback=LOST)) == []
    assert ids(check(warm, repo)) == []  # watching again, with no .memory yet
    shutil.copytree(saved, repo / ".memory")
    assert ids(check(warm, repo, fallback=LOST)) == ["aaaa00000001", "bbbb00000002"]
    write_record(repo, "facts/h.md", "hhhh00000008", body="kafka\n")
    assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002", "hhhh00000008"]
    # A folder moved: its files' events name the old paths; the request asks git.
    (repo / ".memory/facts").rename(repo / ".memory/kept")
    got = check(warm, repo, fallback=LOST)
    assert {row[2].split("/")[1] for row in got["list"]} == {"kept"}


def test_without_the_watcher_the_same_answers(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITMEM_WATCH", "0")
    write_record(repo, "facts/a.md", "aaaa00000001", body="postgres\n")
    warm = WarmRepo(gitstore.discover(repo))
    try:
        check(warm, repo, fallback="GITMEM_WATCH=0")
        write_record(repo, "facts/a.md", "aaaa00000001", body="kafka\n")
        write_record(repo, "facts/b.md", "bbbb00000002", body="kafka too\n")
        assert [hit[0] for hit in check(warm, repo, fallback="GITMEM_WATCH=0")["kafka"]] == [
            "aaaa00000001",
            "bbbb00000002",
        ]
    finally:
        warm.close()
        warm.close()  # idempotent


def test_two_worktrees_each_their_own(warm: WarmRepo, repo: Path) -> None:
    other = repo.parent / "other"
    git("worktree", "add", "-q", "-b", "side", str(other), cwd=repo)
    second = WarmRepo(gitstore.discover(other))
    try:
        write_record(other, "facts/w.md", "wwww00000009", body="kafka in the worktree\n")
        assert ids(check(second, other, fallback=STARTED)) == [
            "aaaa00000001",
            "bbbb00000002",
            "wwww00000009",
        ]
        assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002"]
        write_record(repo, "facts/m.md", "mmmm00000010", body="kafka in main\n")
        assert ids(check(warm, repo)) == ["aaaa00000001", "bbbb00000002", "mmmm00000010"]
        assert ids(check(second, other)) == ["aaaa00000001", "bbbb00000002", "wwww00000009"]
    finally:
        second.close()


def cli(repo: Path, *args: str) -> Result:
    proc = git_mem(*args, cwd=repo)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.mark.slow
def test_mcp_server_sees_a_file_saved_by_the_cli_on_the_next_call(repo: Path) -> None:
    import asyncio

    from mcpclient import connect, ok

    write_record(repo, "facts/a.md", "aaaa00000001", body="postgres\n")

    async def scenario() -> None:
        async with connect(repo) as session:
            first = await ok(session, "search", {"query": "kafka"})
            assert first["count"] == 0
            saved = cli(repo, "save", "-t", "fact", "-m", "Kafka lag alarms\n\nkafka lag")
            second = await ok(session, "search", {"query": "kafka"})
            assert [hit["id"] for hit in second["hits"]] == [saved.saved_id]
            listed = await ok(session, "list", {})
            fresh = json.loads(cli(repo, "list", "--json").out)
            assert [r["id"] for r in listed["records"]] == [r["id"] for r in fresh["records"]]

    asyncio.run(scenario())


def test_the_repository_moved_or_deleted_under_the_server(warm: WarmRepo, repo: Path) -> None:
    moved = repo.parent / "moved"
    repo.rename(moved)
    gone = (
        f"the repository {repo} was moved or deleted since this server started; "
        "start it again where the repository is"
    )
    with pytest.raises(GitMemError, match="^" + re.escape(gone) + "$"):
        warm.store().catalog()
    assert warm.fallback == "the repository is gone"
    moved.rename(repo)  # back: answers again, watching again
    assert ids(check(warm, repo, fallback=STARTED)) == ["aaaa00000001", "bbbb00000002"]
    shutil.rmtree(repo)
    with pytest.raises(GitMemError, match="^" + re.escape(gone) + "$"):
        warm.store().catalog()


def test_a_note_on_a_branch_shows_once_the_branch_is_merged(warm: WarmRepo, repo: Path) -> None:
    git("checkout", "-q", "-b", "feature", cwd=repo)
    git("commit", "-q", "--allow-empty", "-m", "feature work", cwd=repo)
    note = "id: nnnn00000011\ntype: fact\ntitle: Kafka on a branch\ncreated: 2026-01-17T10:00Z\n"
    git("notes", "--ref=mem", "add", "-m", note + "---\nkafka\n", "HEAD", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    assert "nnnn00000011" not in ids(check(warm, repo))  # on no merged branch: hidden
    git("merge", "-q", "--ff-only", "feature", cwd=repo)
    assert "nnnn00000011" in ids(check(warm, repo))
    git("reset", "-q", "--hard", "HEAD~1", cwd=repo)
    git("pack-refs", "--all", cwd=repo)
    assert "nnnn00000011" not in ids(check(warm, repo))
    git("update-ref", "refs/heads/main", "feature", cwd=repo)  # moved in packed-refs' place
    assert "nnnn00000011" in ids(check(warm, repo))
