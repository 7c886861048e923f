"""`git mem pr`: a branch's memory changes and the memories relevant to its diff, in real
repositories, cross-checked with plain git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

# Records on main before the branch starts (ids fixed so the output can be compared exactly).
POOL = "errdbd1r0001"  # paths: [src/db/]          -> a directory prefix
RETRY = "errg10b00002"  # paths: [src/**/retry.py] -> a glob
STAGING = "factstag0003"  # proposed on main, accepted on the branch
OLD = "fact01d00004"  # removed on the branch
CACHE = "factcache005"  # found by the commit subject "Tune cache eviction"
SCHED = "factsched006"  # found by the changed file's name src/scheduler.py
RETIRED = "errdepr00007"  # deprecated: never listed, though its paths match
OTHER = "factxyzw0008"  # about nothing the branch touches
DECISION = "decdb0000009"  # added on the branch


def commit_all(g, message: str) -> str:
    g.run("add", "-A")
    g.run("commit", "-q", "-m", message)
    return g.run("rev-parse", "HEAD").strip()


def write(path: str, text: str = "x\n") -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(text)


@pytest.fixture
def branch(repo: Path, g, mem) -> dict[str, str]:
    """main with eight memories; `feature` adds a decision, accepts a fact, removes one,
    touches src/db/, src/retry.py and src/scheduler.py, and has a note captured on a commit."""
    w = g.write_record
    w(
        repo,
        "errors/2026-01-10-pool.md",
        POOL,
        type="error",
        title="Connection pool leak",
        created="2026-01-10T09:00:00+00:00",
        paths="[src/db/]",
    )
    w(
        repo,
        "errors/2026-01-11-retry.md",
        RETRY,
        type="error",
        title="Retry storm",
        created="2026-01-11T09:00:00+00:00",
        paths="['src/**/retry.py']",
    )
    w(
        repo,
        "facts/2026-01-12-staging.md",
        STAGING,
        title="Staging resets weekly",
        created="2026-01-12T09:00:00+00:00",
        status="proposed",
    )
    w(
        repo,
        "facts/2026-01-13-old.md",
        OLD,
        title="Old deploy host",
        created="2026-01-13T09:00:00+00:00",
    )
    w(
        repo,
        "facts/2026-01-14-cache.md",
        CACHE,
        title="Cache eviction uses LRU",
        created="2026-01-14T09:00:00+00:00",
    )
    w(
        repo,
        "facts/2026-01-15-sched.md",
        SCHED,
        title="Scheduler runs hourly",
        created="2026-01-15T09:00:00+00:00",
    )
    w(
        repo,
        "errors/2026-01-16-retired.md",
        RETIRED,
        type="error",
        title="Old pool bug",
        created="2026-01-16T09:00:00+00:00",
        status="deprecated",
        paths="[src/db/]",
    )
    w(
        repo,
        "facts/2026-01-17-other.md",
        OTHER,
        title="Office plants need water",
        created="2026-01-17T09:00:00+00:00",
    )
    base = commit_all(g, "memories")
    g.run("checkout", "-q", "-b", "feature")
    write("src/db/pool.py")
    write("src/retry.py")
    write("src/scheduler.py")
    first = commit_all(g, "Fix pool leak")
    w(
        repo,
        "decisions/2026-02-01-use-postgresql.md",
        DECISION,
        type="decision",
        title="Use PostgreSQL",
        created="2026-02-01T09:00:00+00:00",
        status="accepted",
    )
    w(
        repo,
        "facts/2026-01-12-staging.md",
        STAGING,
        title="Staging resets weekly",
        created="2026-01-12T09:00:00+00:00",
        status="accepted",
    )
    (repo / ".memory/facts/2026-01-13-old.md").unlink()
    second = commit_all(g, "Record the database decision")
    write("src/cache_tuning.txt")
    third = commit_all(g, "Tune cache eviction")
    note = mem(
        "save",
        "--commit",
        second,
        "-t",
        "decision",
        "--title",
        "Pool size is 20",
        "-m",
        "Twenty connections per worker.",
    ).saved_id
    return {"base": base, "first": first, "second": second, "third": third, "note": note}


EXPECTED = """\
<!-- gitmem-pr -->
## Memory for this change

`HEAD` (`{head}`) against `main`, from their merge base `{base}`: 3 commits.

### Memory files (3)

- **Added** decision `decdb0000009`: [Use PostgreSQL](.memory/decisions/2026-02-01-use-postgresql.md) · accepted
- **Changed** fact `factstag0003`: [Staging resets weekly](.memory/facts/2026-01-12-staging.md) · status proposed → accepted
- **Removed** fact `fact01d00004`: Old deploy host (`.memory/facts/2026-01-13-old.md`) · active

### Captured in notes on this branch (1)

- decision `{note}`: Pool size is 20 · active · on `{second}`

### Relevant existing memories (4)

- error `errg10b00002`: [Retry storm](.memory/errors/2026-01-11-retry.md) · paths: `src/**/retry.py` matches `src/retry.py`
- error `errdbd1r0001`: [Connection pool leak](.memory/errors/2026-01-10-pool.md) · paths: `src/db/` matches `src/db/pool.py`
- fact `factsched006`: [Scheduler runs hourly](.memory/facts/2026-01-15-sched.md) · search: matches `scheduler` from `src/scheduler.py`
- fact `factcache005`: [Cache eviction uses LRU](.memory/facts/2026-01-14-cache.md) · search: commit subject “Tune cache eviction”
"""  # noqa: E501


def test_each_change_and_relevant_memory_appears_with_its_reason(branch, mem) -> None:
    result = mem("pr")
    assert result.code == 0, result.err
    assert result.err == ""
    expected = EXPECTED.format(
        head=branch["third"][:7],
        base=branch["base"][:7],
        note=branch["note"],
        second=branch["second"][:7],
    )
    assert result.out == expected


def test_json_is_one_document_that_plain_git_agrees_with(branch, mem, g) -> None:
    result = mem("pr", "main", "feature", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert set(data) == {
        "base",
        "head",
        "merge_base",
        "commits",
        "changed_files",
        "memory_files",
        "captured",
        "relevant",
    }
    assert data["base"] == {"rev": "main", "commit": branch["base"]}
    assert data["head"] == {"rev": "feature", "commit": branch["third"]}
    assert data["merge_base"] == g.run("merge-base", "main", "feature").strip()
    assert data["commits"] == len(g.run("rev-list", "main..feature").split())
    names = g.run("diff", "--name-only", "main...feature").split()
    assert data["changed_files"] == sorted(n for n in names if not n.startswith(".memory/"))
    changes = {f["id"]: (f["change"], f["status"], f["old_status"]) for f in data["memory_files"]}
    assert changes == {
        DECISION: ("added", "accepted", None),
        STAGING: ("changed", "accepted", "proposed"),
        OLD: ("removed", "active", None),
    }
    assert data["memory_files"][0] == {
        "change": "added",
        "path": ".memory/decisions/2026-02-01-use-postgresql.md",
        "old_path": None,
        "id": DECISION,
        "type": "decision",
        "title": "Use PostgreSQL",
        "status": "accepted",
        "old_status": None,
        "old_title": None,
        "error": None,
    }
    # The captured record sits in the note plain git shows on that commit.
    assert data["captured"] == [
        {
            "id": branch["note"],
            "type": "decision",
            "title": "Pool size is 20",
            "status": "active",
            "commit": branch["second"],
        }
    ]
    assert f"id: {branch['note']}" in g.run("notes", "--ref=mem", "show", branch["second"])
    relevant = data["relevant"]
    assert [r["id"] for r in relevant] == [RETRY, POOL, SCHED, CACHE]
    assert relevant[1] == {
        "id": POOL,
        "type": "error",
        "title": "Connection pool leak",
        "status": "active",
        "location": ".memory/errors/2026-01-10-pool.md",
        "reason": "paths: src/db/ matches src/db/pool.py",
        "kind": "paths",
        "match": "src/db/",
        "source": "src/db/pool.py",
        "more": 0,
    }
    assert [r["reason"] for r in relevant[2:]] == [
        "search: matches 'scheduler' from src/scheduler.py",
        "search: commit subject 'Tune cache eviction'",
    ]


def test_limit_caps_the_relevant_memories_paths_first(branch, mem) -> None:
    data = json.loads(mem("pr", "--json", "--limit", "1").out)
    assert [r["id"] for r in data["relevant"]] == [RETRY]
    assert len(data["memory_files"]) == 3  # the limit is only for the relevant ones
    assert mem("pr", "--limit", "0").code == 2


def test_a_record_the_branch_touches_is_not_also_relevant(branch, mem, g) -> None:
    """Accepting the pool error on the branch lists it as changed, not as a path match."""
    text = Path(".memory/errors/2026-01-10-pool.md").read_text()
    Path(".memory/errors/2026-01-10-pool.md").write_text(text.replace("Some text.", "Fixed."))
    commit_all(g, "Note the fix")
    data = json.loads(mem("pr", "--json").out)
    assert [(f["id"], f["change"]) for f in data["memory_files"]][1] == (POOL, "changed")
    assert POOL not in [r["id"] for r in data["relevant"]]


def test_renamed_and_retitled_and_unreadable_files(repo: Path, mem, g) -> None:
    g.write_record(
        repo,
        "facts/2026-01-01-a.md",
        "factaaaa0001",
        title="Alpha",
        created="2026-01-01T09:00:00+00:00",
        body="A long enough body to keep the rename detected when the title changes.\n" * 5,
    )
    commit_all(g, "memories")
    g.run("checkout", "-q", "-b", "topic")
    g.run("mv", ".memory/facts/2026-01-01-a.md", ".memory/facts/2026-01-01-alpha.md")
    path = repo / ".memory/facts/2026-01-01-alpha.md"
    path.write_text(path.read_text().replace("title: Alpha", "title: Alpha *one*"))
    write(".memory/facts/broken.md", "no front matter here\n")
    write(".memory/README.md", "not a record\n")
    commit_all(g, "Rename alpha")
    result = mem("pr")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert (
        "- **Added** `.memory/facts/broken.md`: not a valid record (.memory/facts/broken.md:1: "
        "expected front matter starting with a '---' line)" in lines
    )
    assert (
        "- **Renamed** fact `factaaaa0001`: [Alpha \\*one\\*](.memory/facts/2026-01-01-alpha.md)"
        " · active; was titled Alpha; moved from `.memory/facts/2026-01-01-a.md`"
    ) in lines
    assert not [line for line in lines if "README" in line]


def test_nothing_to_say(repo: Path, mem, g) -> None:
    g.run("checkout", "-q", "-b", "empty-topic")
    g.run("commit", "-q", "--allow-empty", "-m", "Nothing much")
    result = mem("pr")
    assert (result.code, result.out, result.err) == (
        0,
        "<!-- gitmem-pr -->\nNo memory changes or relevant memories.\n",
        "",
    )
    data = json.loads(mem("pr", "--json").out)
    assert (data["memory_files"], data["captured"], data["relevant"]) == ([], [], [])


def test_titles_cannot_break_the_markdown_or_mention_people(repo: Path, mem, g) -> None:
    g.run("checkout", "-q", "-b", "topic")
    mem("save", "--title", "Ask @jane about [x](http://e) <b>*now*</b> | `ls`", "-m", "body")
    commit_all(g, "Save it")
    out = mem("pr").out
    line = next(line for line in out.splitlines() if line.startswith("- **Added**"))
    title = line.split(": ", 1)[1].rsplit("](", 1)[0]
    assert title == (
        "[Ask @<!-- -->jane about \\[x\\](http://e) \\<b\\>\\*now\\*\\</b\\> \\| \\`ls\\`"
    )


# ----------------------------------------------------------------------------- the base


@pytest.fixture
def ident(monkeypatch) -> None:
    """An identity for commits in repositories made here (not copies of the `repo` fixture)."""
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Test User")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "test@example.com")


def test_default_base_is_main_else_master(tmp_path: Path, g, mem, monkeypatch, ident) -> None:
    for default in ("main", "master"):
        path = tmp_path / default
        g.run("init", "-q", "-b", default, str(path))
        g.run("-C", str(path), "commit", "-q", "--allow-empty", "-m", "start")
        g.run("-C", str(path), "checkout", "-q", "-b", "topic")
        g.run("-C", str(path), "commit", "-q", "--allow-empty", "-m", "work")
        monkeypatch.chdir(path)
        data = json.loads(mem("pr", "--json").out)
        assert data["base"]["rev"] == default
        assert data["commits"] == 1


def test_default_base_is_the_remotes_default_branch(
    tmp_path: Path, g, mem, monkeypatch, ident
) -> None:
    """A clone's origin/HEAD wins over a local main, and --remote picks another remote's."""
    upstream = tmp_path / "upstream"
    g.run("init", "-q", "-b", "trunk", str(upstream))
    g.run("-C", str(upstream), "commit", "-q", "--allow-empty", "-m", "one")
    clone = tmp_path / "clone"
    g.run("clone", "-q", str(upstream), str(clone))
    g.run("-C", str(clone), "branch", "main")  # a local main must not win over origin/HEAD
    g.run("-C", str(upstream), "commit", "-q", "--allow-empty", "-m", "two")
    g.run("-C", str(clone), "fetch", "-q")
    g.run("-C", str(clone), "checkout", "-q", "-b", "topic", "main")
    g.run("-C", str(clone), "commit", "-q", "--allow-empty", "-m", "work")
    monkeypatch.chdir(clone)
    data = json.loads(mem("pr", "--json").out)
    assert data["base"] == {
        "rev": "origin/trunk",
        "commit": g.run("-C", str(upstream), "rev-parse", "trunk").strip(),
    }
    g.run("remote", "add", "fork", str(upstream))
    g.run("fetch", "-q", "fork")
    g.run("remote", "set-head", "fork", "trunk")
    assert json.loads(mem("pr", "--json", "--remote", "fork").out)["base"]["rev"] == "fork/trunk"
    result = mem("pr", "--remote", "nope")
    assert (result.code, result.err) == (
        2,
        "git-mem: error: no remote named 'nope'; see `git remote`\n",
    )


# ---------------------------------------------------------------------------- errors


def test_errors(repo: Path, tmp_path: Path, mem, g, monkeypatch) -> None:
    result = mem("pr", "nope")
    assert (result.code, result.out) == (2, "")
    assert result.err == "git-mem: error: unknown BASE 'nope': not a commit, branch or tag here\n"
    result = mem("pr", "main", "nope")
    assert result.err == (
        "git-mem: error: unknown HEAD revision 'nope': not a commit, branch or tag here\n"
    )
    assert result.code == 2

    g.run("checkout", "-q", "--orphan", "island")
    g.run("commit", "-q", "--allow-empty", "-m", "unrelated")
    result = mem("pr", "main")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: main and HEAD have no common ancestor (unrelated histories, or a "
        "shallow clone: fetch more history with `git fetch --unshallow`)\n"
    )

    g.run("branch", "-m", "island", "trunk")
    g.run("branch", "-D", "main")
    result = mem("pr")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: cannot tell which branch to compare with: no "
        "refs/remotes/origin/HEAD, main or master; name it: git mem pr BASE\n"
    )

    empty = tmp_path / "empty"
    g.run("init", "-q", "-b", "main", str(empty))
    monkeypatch.chdir(empty)
    result = mem("pr")
    assert (result.code, result.err) == (
        128,
        "git-mem: error: this repository has no commits yet: there is nothing to review\n",
    )

    elsewhere = tmp_path / "not-a-repo"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    result = mem("pr")
    assert result.code == 128
    assert result.err.startswith("git-mem: error: not a git repository")


def test_git_finds_the_command(branch, g) -> None:
    """`git mem pr` through git's own dispatch, from a subdirectory."""
    proc = g.git_mem("pr", "--json", cwd="src/db")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["head"]["commit"] == g.run("rev-parse", "HEAD").strip()


def test_a_relevant_note_is_shown_with_its_commit(repo: Path, mem, g) -> None:
    """A memory in a note on an older commit, found by a changed file's name."""
    old = g.run("rev-parse", "HEAD").strip()
    saved = mem("save", "--commit", old, "--title", "Throttle the exporter", "-m", "Rate limit.")
    g.run("checkout", "-q", "-b", "topic")
    write("tools/exporter.py")
    commit_all(g, "Speed up")
    lines = mem("pr").out.splitlines()
    assert lines[-1] == (
        f"- fact `{saved.saved_id}`: Throttle the exporter (note on `{old[:7]}`) · "
        "search: matches `exporter` from `tools/exporter.py`"
    )


def test_link_base_makes_the_links_absolute(branch, mem) -> None:
    out = mem("pr", "--link-base", "https://github.com/o/r/blob/abc/").out
    assert (
        "[Use PostgreSQL](https://github.com/o/r/blob/abc/.memory/decisions/"
        "2026-02-01-use-postgresql.md)" in out
    )
    assert "](.memory/" not in out
