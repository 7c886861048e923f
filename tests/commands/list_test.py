"""`git mem list`: newest first, every filter, --all, --json, warnings for unreadable files."""

from __future__ import annotations

import json
import time

import pytest
from importtime import gitmem_loads

A, B, C, D, E, G = (f"aaaa0000000{n}" for n in (1, 2, 3, 4, 5, 6))


@pytest.fixture
def corpus(repo, mem, g):
    """Six hand-written files with known dates, and one note saved on HEAD (created now)."""
    head = g.run("rev-parse", "HEAD").strip()
    g.write_record(
        repo, "facts/a.md", A, title="Pool size is 20", created="2020-01-10T09:00:00+00:00",
        author="Alice Smith <alice@example.com>", source="cli", tags="[database]",
        paths="[src/db/]", project="backend",
    )  # fmt: skip
    g.write_record(
        repo, "decisions/b.md", B, type="decision", title="Use PostgreSQL",
        created="2020-02-10T09:00:00+00:00", author="Bob <bob@example.com>", source="import",
        status="accepted", tags="[database, adr]", paths="['src/*.py']",
    )  # fmt: skip
    g.write_record(
        repo, "errors/c.md", C, type="error", title="Old crash", status="deprecated",
        created="2020-03-10T09:00:00+00:00", author="Alice Smith <alice@example.com>",
    )  # fmt: skip
    g.write_record(
        repo, "facts/d.md", D, title="Cache is Redis", created="2020-04-10T09:00:00+01:00"
    )
    g.write_record(
        repo, "decisions/e.md", E, type="decision", title="Cache is Valkey",
        created="2020-05-10T09:00:00+00:00", supersedes=f"[{D}]",
    )  # fmt: skip
    g.write_record(
        repo, "facts/g.md", G, title="About the first commit", created="2020-06-10T09:00:00+00:00",
        commits=f"[{head}]",
    )  # fmt: skip
    note = mem("save", "--commit", "HEAD", "-t", "episodic", "-m", "Deployed").saved_id
    return {"note": note, "head": head}


def test_newest_first_hiding_retired(corpus, ids):
    # C is deprecated, D is superseded by E: both hidden.
    assert ids() == [corpus["note"], G, E, B, A]


def test_all_shows_superseded_and_deprecated(corpus, ids, mem):
    assert ids("--all") == [corpus["note"], G, E, D, C, B, A]
    assert ids("-a") == ids("--all")


def test_readable_lines(corpus, mem):
    result = mem("list")
    assert result.code == 0
    assert result.err == ""
    head = corpus["head"]
    lines = result.out.splitlines()
    assert len(lines) == 5
    assert lines[0].startswith(f"{corpus['note']} ")
    assert lines[0].endswith(f"episodic   Deployed  note:{head[:7]}")
    assert lines[3] == (
        f"{B} 2020-02-10 decision   Use PostgreSQL [database, adr]  .memory/decisions/b.md"
    )
    assert lines[4] == f"{A} 2020-01-10 fact       Pool size is 20 [database]  .memory/facts/a.md"
    assert mem("ls").out == result.out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--type", "decision"], [E, B]),
        (["--type", "fact", "--type", "error"], [G, A]),
        (["--type", "error", "--all"], [C]),
        (["--tag", "database"], [B, A]),
        (["--tag", "database", "--tag", "adr"], [B]),
        (["--tag", "Database"], [B, A]),
        (["--status", "accepted"], [B]),
        (["--status", "deprecated"], [C]),  # an explicit status shows retired ones
        # D says `status: active` but E supersedes it: it reads as superseded.
        (["--status", "active", "--status", "deprecated"], ["note", G, E, C, A]),
        (["--status", "superseded"], [D]),
        (["--author", "alice"], [A]),
        (["--author", "ALICE", "--all"], [C, A]),
        (["--author", "bob@example.com", "--author", "alice"], [B, A]),
        (["--source", "import"], [B]),
        (["--source", "cli"], ["note", A]),
        (["--project", "backend"], [A]),
        (["--since", "2020-02-01"], ["note", G, E, B]),
        (["--until", "2020-02-15"], [B, A]),
        (["--since", "2020-02-01", "--until", "2020-05-31", "--all"], [E, D, C, B]),
        (
            [
                "--since",
                "2020-04-10T08:30:00+00:00",
                "--until",
                "2020-04-10T08:30:00+00:00",
                "--all",
            ],
            [],
        ),
        (
            [
                "--since",
                "2020-04-10T08:00:00+00:00",
                "--until",
                "2020-04-10T08:00:00+00:00",
                "--all",
            ],
            [D],
        ),
        (["--since", "1 day ago"], ["note"]),
        (["--path", "src/db/schema.sql"], [A]),
        (["--path", "src/db"], [A]),
        (["--path", "src/app.py"], [B]),
        (["--path", "docs/"], []),
        (["--commit", "HEAD"], ["note", G]),
        (["--limit", "2"], ["note", G]),
        (["-n", "1", "--type", "decision"], [E]),
        (["--type", "user"], []),
    ],
)
def test_filters(corpus, ids, args, expected):
    expected = [corpus["note"] if x == "note" else x for x in expected]
    assert ids(*args) == expected


def test_commit_filter_by_abbreviated_and_other_revs(corpus, ids, g, repo, mem):
    assert ids("--commit", corpus["head"][:8]) == [corpus["note"], G]
    (repo / "new").write_text("x")
    g.run("add", "new")
    g.run("commit", "-qm", "second")
    assert ids("--commit", "HEAD") == []
    assert ids("--commit", "HEAD~1") == [corpus["note"], G]
    result = mem("list", "--commit", "nope")
    assert result.code == 2
    assert result.err == "git-mem: error: cannot resolve 'nope' to a commit\n"


def test_bad_date_and_limit(corpus, mem):
    result = mem("list", "--since", "last tuesday")
    assert result.code == 2
    assert result.err == (
        "git-mem: error: cannot read 'last tuesday' as a date: use 2026-11-20, an ISO 8601 "
        "timestamp, or a relative time like '3 days ago' or '2w'\n"
    )
    result = mem("list", "--limit", "0")
    assert result.code == 2
    assert result.err == "git-mem: error: --limit must be at least 1\n"


def test_json(corpus, mem):
    result = mem("list", "--json", "--type", "decision", "--all")
    assert result.code == 0
    data = json.loads(result.out)
    assert data["count"] == 2
    assert data["records"][1] == {
        "id": B,
        "type": "decision",
        "title": "Use PostgreSQL",
        "created": "2020-02-10T09:00:00+00:00",
        "author": "Bob <bob@example.com>",
        "status": "accepted",
        "tags": ["database", "adr"],
        "source": "import",
        "paths": ["src/*.py"],
        "location": ".memory/decisions/b.md",
    }
    note = json.loads(mem("list", "--json", "--commit", "HEAD").out)["records"][0]
    assert note["location"] == f"note:{corpus['head']}"
    assert "blob" not in note


def test_nothing_matches_exits_1(corpus, mem):
    result = mem("list", "--type", "user")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "git-mem: warning: no memories match\n"
    result = mem("list", "--json", "--tag", "nope")
    assert result.code == 1
    assert json.loads(result.out) == {"count": 0, "records": []}


def test_no_memories_yet(repo, mem):
    result = mem("list")
    assert result.code == 1
    assert result.out == ""
    assert result.err == "git-mem: warning: no memories yet: try git mem save\n"


def test_malformed_file_is_skipped_with_a_warning(corpus, mem, repo, ids):
    (repo / ".memory" / "facts" / "bad.md").write_text(
        "---\nid: bbbb00000001\ntype: fact\ntitle: bad: colon\n"
        "created: 2020-01-01T00:00:00+00:00\n---\n\nx\n"
    )
    result = mem("list")
    assert result.code == 0
    assert result.err == (
        "git-mem: warning: skipped .memory/facts/bad.md:4: invalid YAML: mapping values are "
        "not allowed in this context\n"
    )
    assert len(result.out.splitlines()) == 5
    assert ids() == [corpus["note"], G, E, B, A]


def test_non_utf8_file_is_skipped_with_a_warning(corpus, mem, repo):
    (repo / ".memory" / "facts" / "latin.md").write_bytes(
        b"---\nid: bbbb00000002\ntype: fact\ntitle: Caf\xe9\n"
        b"created: 2020-01-01T00:00:00+00:00\n---\n\nx\n"
    )
    result = mem("list")
    assert result.code == 0
    assert result.err == (
        "git-mem: warning: skipped .memory/facts/latin.md:4: not valid UTF-8 (byte 0xe9); "
        "re-save the file as UTF-8\n"
    )
    assert len(result.out.splitlines()) == 5


@pytest.mark.parametrize(
    ("text", "warning"),
    [
        (
            "no front matter\n",
            ".memory/facts/x.md:1: expected front matter starting with a '---' line",
        ),
        (
            "---\nid: bbbb00000003\ntype: fact\ntitle: t\ncreated: yesterday\n---\n",
            ".memory/facts/x.md:5: created: expected an ISO 8601 timestamp with offset, "
            "got 'yesterday'",
        ),
        (
            "---\nid: bbbb00000003\ntype: fact\ntitle: t\n---\n",
            ".memory/facts/x.md:2: created: missing required field",
        ),
        (
            "---\nid: BAD\ntype: fact\ntitle: t\ncreated: 2020-01-01T00:00:00Z\n---\n",
            ".memory/facts/x.md:2: id: expected 12 characters of lowercase Crockford base32, "
            "got 'BAD'",
        ),
        (
            "---\nid: bbbb00000003\ntype: fact\ntitle: t\ncreated: 2020-01-01T00:00:00Z\n"
            "tags: {a: 1}\n---\n",
            ".memory/facts/x.md:6: tags: expected a list, e.g. [a, b]",
        ),
    ],
)
def test_invalid_files_name_file_line_and_field(repo, mem, text, warning):
    (repo / ".memory" / "facts").mkdir(parents=True)
    (repo / ".memory" / "facts" / "x.md").write_text(text)
    result = mem("list")
    assert result.code == 1
    assert result.err == (
        f"git-mem: warning: skipped {warning}\n"
        "git-mem: warning: no memories yet: try git mem save\n"
    )


def test_a_fixed_file_is_read_again(repo, mem, ids):
    path = repo / ".memory" / "facts" / "x.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nid: bbbb00000003\ntype: fact\ntitle: t\n---\n")
    assert ids() == []
    path.write_text(
        "---\nid: bbbb00000003\ntype: fact\ntitle: t\ncreated: 2020-01-01T00:00:00Z\n---\n"
    )
    assert ids() == ["bbbb00000003"]
    path.unlink()
    assert ids() == []


def test_hand_written_notes_are_listed_as_episodic(repo, mem, g, ids):
    g.run("notes", "--ref=mem", "add", "-m", "Hotfix deployed by hand", "HEAD")
    result = mem("list", "--json")
    (row,) = json.loads(result.out)["records"]
    assert (row["type"], row["title"]) == ("episodic", "Hotfix deployed by hand")
    # Appending by hand to a note gitmem wrote keeps both records.
    (repo / "f").write_text("x")
    g.run("add", "f")
    g.run("commit", "-qm", "second")
    saved = mem("save", "--commit", "HEAD", "-m", "gitmem record").saved_id
    g.run("notes", "--ref=mem", "append", "-m", "appended by hand", "HEAD")
    rows = json.loads(mem("list", "--json", "--commit", "HEAD").out)["records"]
    by_title = {r["title"]: r for r in rows}
    assert set(by_title) == {"gitmem record", "appended by hand"}
    assert by_title["gitmem record"]["id"] == saved
    assert by_title["appended by hand"]["type"] == "episodic"
    shown = json.loads(mem("show", by_title["appended by hand"]["id"], "--json").out)
    assert shown["body"].strip() == "appended by hand"
    assert mem("list").err == ""


def test_list_from_a_subdirectory_and_a_worktree(corpus, repo, mem, ids, g, monkeypatch, tmp_path):
    (repo / "src").mkdir()
    monkeypatch.chdir(repo / "src")
    assert ids() == [corpus["note"], G, E, B, A]
    # --path is relative to the cwd, like git's pathspecs.
    assert ids("--path", "db/schema.sql") == [A]
    assert ids("--path", "app.py") == [B]
    assert ids("--path", "../src/db") == [A]
    result = mem("list", "--path", "../../outside")
    assert result.code == 2
    assert result.err == (
        f"git-mem: error: path '../../outside' is outside the repository ({repo})\n"
    )
    # A linked worktree has its own .memory/ (its checkout) but shares the notes.
    worktree = tmp_path / "wt"
    g.run("worktree", "add", "-q", str(worktree), "HEAD")
    monkeypatch.chdir(worktree)
    assert ids() == [corpus["note"]]


def test_corrupt_manifest_is_rebuilt(corpus, repo, ids):
    cache = repo / ".git" / "gitmem" / "index" / "main" / "manifest"
    assert ids() == [corpus["note"], G, E, B, A]
    assert cache.is_file()
    cache.write_text("{not marshal")
    assert ids() == [corpus["note"], G, E, B, A]
    cache.unlink()
    assert ids() == [corpus["note"], G, E, B, A]
    assert cache.is_file()


@pytest.mark.slow
def test_a_ten_megabyte_body(repo, mem, ids):
    line = "0123456789 abcdefghij " * 4 + "\n"
    body = "Huge record\n\n" + line * (10 * 1024 * 1024 // len(line))
    assert len(body) > 10_000_000
    started = time.monotonic()
    record_id = mem("save", "-", stdin=body).saved_id
    raw = mem("show", record_id, "--raw")
    assert raw.code == 0
    assert raw.out.endswith("---\n\n" + body)
    assert ids() == [record_id]
    assert mem("show", record_id).out.endswith(body)
    assert time.monotonic() - started < 20


def test_a_one_megabyte_note(repo, mem, ids, g):
    # 1 MB, not 10: PyYAML's pure-Python emitter needs ~10 s to write a 10 MB body into a note.
    body = "Huge note\n\n" + ("x" * 99 + "\n") * 10_000
    record_id = mem("save", "--commit", "HEAD", "-", stdin=body).saved_id
    assert ids() == [record_id]
    assert json.loads(mem("show", record_id, "--json").out)["body"] == body
    g.fsck(repo)


def test_notes_ref_pointing_at_a_tree(repo, mem, g):
    mem("save", "-m", "a file record")
    tree = g.run("rev-parse", "HEAD^{tree}").strip()
    g.run("update-ref", "refs/notes/mem", tree)
    result = mem("list")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: refs/notes/mem points at a tree, not a commit; inspect it with "
        "`git show refs/notes/mem` and move it aside with `git update-ref -d refs/notes/mem` "
        "once its content is safe\n"
    )
    result = mem("save", "--commit", "HEAD", "-m", "x")
    assert result.code == 128
    assert result.err == (
        "git-mem: error: refs/notes/mem points at a tree, not a commit; inspect it with "
        "`git show refs/notes/mem` and move it aside with `git update-ref -d refs/notes/mem` "
        "once its content is safe\n"
    )
    assert g.run("rev-parse", "refs/notes/mem").strip() == tree


def test_list_end_to_end(repo, g):
    assert g.git_mem("save", "-m", "one", cwd=repo).returncode == 0
    proc = g.git_mem("list", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert " fact       one  .memory/facts/" in proc.stdout
    proc = g.git_mem("list", "--type", "user", cwd=repo)
    assert (proc.returncode, proc.stdout, proc.stderr) == (
        1,
        "",
        "git-mem: warning: no memories match\n",
    )


def test_list_loads_no_search_engine(corpus, repo, mem):
    """`list` reads rows from the manifest, newest first: with nothing changed, Whoosh (~140 ms
    to import) is never loaded (checked with -X importtime, not with a clock)."""
    assert mem("list").code == 0  # the index exists and is current
    proc, loaded = gitmem_loads(["list", "--limit", "2"], repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("\n") == 2
    assert "gitmem.records.finder" in loaded
    assert not {name for name in loaded if name.split(".")[0] in ("whoosh", "pygit2")}
