"""`git mem search`: exact output (plain, --json, --ids), --limit and --sort, no hits (exit 1,
"did you mean"), ranking sanity, retired records, the list filter flags, files and notes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from gitrepo import on_terminal

P1, P2, P3, P4, P5, P6 = (f"bbbb0000000{n}" for n in range(1, 7))
ALICE = "Alice Smith <alice@example.com>"


@pytest.fixture
def corpus(repo: Path, mem: Callable[..., Any], g: Any) -> dict[str, str]:
    """Six hand-written files with known dates and a note on HEAD; every body says "common"."""
    head = g.run("rev-parse", "HEAD").strip()
    g.write_record(
        repo, "decisions/p1.md", P1, type="decision", title="Use PostgreSQL for storage",
        created="2020-01-10T09:00:00+00:00", author=ALICE, source="cli", status="accepted",
        tags="[database, adr]", paths="[src/db/]", project="Backend",
        body="We chose it for JSONB columns. common",
    )  # fmt: skip
    g.write_record(
        repo, "facts/p2.md", P2, title="Connection pool size", created="2020-02-10T09:00:00+00:00",
        author="Bob <bob@example.com>", source="import", tags="[perf]",
        body="The pool talks to postgresql over TLS and keeps a small cache. common",
    )  # fmt: skip
    g.write_record(
        repo, "errors/p3.md", P3, type="error", title="Old migration crash", status="deprecated",
        created="2020-03-10T09:00:00+00:00", author=ALICE, paths="[src/db/migrate.py]",
        body="The postgresql migration crashed. common",
    )  # fmt: skip
    g.write_record(
        repo, "facts/p4.md", P4, title="Cache cache cache is Redis",
        created="2020-04-10T09:00:00+00:00", body="Redis cache. common",
    )  # fmt: skip
    g.write_record(
        repo, "decisions/p5.md", P5, type="decision", title="Cache is Valkey",
        created="2020-05-10T09:00:00+00:00", supersedes=f"[{P4}]", tags="[cache]",
        summary="Switched for the licence", body="Valkey replaced it. common",
    )  # fmt: skip
    g.write_record(
        repo, "facts/p6.md", P6, title="Tagged only", created="2020-06-10T09:00:00+00:00",
        tags="[postgresql]", commits=f"[{head}]", body="Nothing else here. common",
    )  # fmt: skip
    note = mem("save", "--commit", "HEAD", "-m", "Deployed the postgresql upgrade, common")
    return {"note": note.saved_id, "head": head}


def search_ids(mem: Callable[..., Any], *args: str) -> list[str]:
    result = mem("search", "--ids", "--limit", "100", *args)
    assert result.code in (0, 1), result.err
    return list(result.out.split())


def list_ids(mem: Callable[..., Any], *args: str) -> list[str]:
    result = mem("list", "--json", *args)
    assert result.code in (0, 1), result.err
    return [row["id"] for row in json.loads(result.out)["records"]]


# ----------------------------------------------------------------------------- output


def test_plain_output(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "valkey")
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        f"{P5} 2020-05-10 decision   Cache is Valkey [cache]  .memory/decisions/p5.md\n"
        "    Valkey replaced it. common\n"
    )
    result = mem("search", "tls")
    assert result.out == (
        f"{P2} 2020-02-10 fact       Connection pool size [perf]  .memory/facts/p2.md\n"
        "    The pool talks to postgresql over TLS and keeps a small cache. common\n"
    )


def test_a_note_hit(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "upgrade")
    assert result.code == 0
    first, second = result.out.splitlines()
    assert re.fullmatch(
        rf"{corpus['note']} \d{{4}}-\d\d-\d\d fact       Deployed the postgresql upgrade, "
        rf"common  note:{corpus['head'][:7]}",
        first,
    ), first
    assert second == "    Deployed the postgresql upgrade, common"


def test_no_body_no_snippet_line(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    g.write_record(repo, "facts/t.md", P1, title="Title only zebra", body="")
    result = mem("search", "zebra")
    assert result.out == f"{P1} 2026-01-15 fact       Title only zebra  .memory/facts/t.md\n"


def test_snippet_is_the_passage_around_the_match(
    repo: Path, mem: Callable[..., Any], g: Any
) -> None:
    body = " ".join(f"filler{n}" for n in range(100)) + " the needle is here " + "tail " * 60
    g.write_record(repo, "facts/long.md", P1, title="Long one", body=body)
    snippet = mem("search", "needle").out.splitlines()[1]
    assert snippet.startswith("    …")
    assert snippet.endswith("…")
    assert "the needle is here" in snippet
    assert "filler0 " not in snippet
    assert len(snippet) <= 4 + 202


def test_highlighting_on_a_terminal_only(corpus: dict[str, str], repo: Path) -> None:
    proc, text = on_terminal([str(Path(sys.executable).parent / "git-mem"), "search", "tls"], repo)
    assert proc.returncode == 0, proc.stderr
    assert "over \033[1;33mTLS\033[0m and" in text
    assert "\x01" not in text and "\x02" not in text
    # On a pipe: plain text.
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "git-mem"), "search", "tls"],
        cwd=repo,
        capture_output=True,
        text=True,
        env={**os.environ, "TERM": "xterm"},
    )
    assert "\033" not in proc.stdout
    assert proc.stdout.endswith(
        "    The pool talks to postgresql over TLS and keeps a small cache. common\n"
    )


def test_json(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "--json", "tls")
    assert result.code == 0
    data = json.loads(result.out)
    assert list(data) == ["query", "count", "hits", "suggestion"]
    assert (data["query"], data["count"], data["suggestion"]) == ("tls", 1, None)
    (hit,) = data["hits"]
    assert list(hit) == ["score", "id", "type", "title", "location", "snippet", "matched", "record"]
    assert hit["matched"] == ["tls"]  # the query's words this hit matched (issue 13)
    assert isinstance(hit["score"], float) and hit["score"] > 0
    assert (hit["id"], hit["type"], hit["title"], hit["location"]) == (
        P2,
        "fact",
        "Connection pool size",
        ".memory/facts/p2.md",
    )
    assert hit["snippet"] == "The pool talks to postgresql over TLS and keeps a small cache. common"
    assert hit["record"] == {
        "id": P2,
        "type": "fact",
        "title": "Connection pool size",
        "created": "2020-02-10T09:00:00+00:00",
        "author": "Bob <bob@example.com>",
        "status": "active",
        "tags": ["perf"],
        "source": "import",
        "location": ".memory/facts/p2.md",
    }
    note = json.loads(mem("search", "--json", "upgrade").out)["hits"][0]
    assert note["location"] == f"note:{corpus['head']}"
    assert "blob" not in note["record"]
    assert note["record"]["commits"] == [corpus["head"]]


def test_json_with_no_hits(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "--json", "xyzzy")
    assert result.code == 1
    assert json.loads(result.out) == {"query": "xyzzy", "count": 0, "hits": [], "suggestion": None}


def test_ids_limit_and_sort(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    everything = [corpus["note"], P6, P5, P2, P1]  # newest first; P3, P4 retired
    result = mem("search", "common", "--ids", "--sort", "newest")
    assert (result.code, result.out, result.err) == (0, "".join(i + "\n" for i in everything), "")
    assert search_ids(mem, "common", "--sort", "newest", "--limit", "2") == everything[:2]
    assert mem("search", "common", "--ids", "-n", "3").out.count("\n") == 3
    assert len(mem("search", "common", "--ids").out.split()) == 5
    assert sorted(search_ids(mem, "common")) == sorted(everything)
    assert mem("search", "common", "--ids", "--json").code == 2  # one or the other


def test_default_limit_is_ten(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    for n in range(12):
        g.write_record(repo, f"facts/x{n}.md", f"cccc000000{n:02d}", title=f"Zebra {n}")
    assert len(mem("search", "zebra", "--ids").out.split()) == 10
    assert len(search_ids(mem, "zebra")) == 12


def test_a_filter_that_keeps_only_a_low_ranked_hit(
    repo: Path, mem: Callable[..., Any], g: Any
) -> None:
    # 40 strong matches by Alice, one weak one by Bob: --author (checked outside Whoosh) must
    # still find Bob's with --limit 1.
    for n in range(40):
        g.write_record(
            repo, f"facts/x{n}.md", f"cccc000000{n:02d}", title=f"Zebra zebra {n}", author=ALICE
        )
    g.write_record(
        repo, "facts/bob.md", P2, title="Other", body="one zebra " + "word " * 200, author="Bob"
    )
    assert search_ids(mem, "zebra", "--author", "bob", "--limit", "1") == [P2]


# ----------------------------------------------------------------------------- no hits, errors


def test_no_hits_exit_1(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "xyzzy")
    assert (result.code, result.out) == (1, "")
    assert result.err == "git-mem: warning: no memories match 'xyzzy'\n"
    result = mem("search", "xyzzy", "--all")
    assert (result.code, result.err) == (1, "git-mem: warning: no memories match 'xyzzy'\n")
    # Only retired records match: say so.
    result = mem("search", "crash")
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "git-mem: warning: no memories match 'crash'; superseded, deprecated or rejected "
        "ones do: add --all\n"
    )
    assert mem("search", "crash", "--all").code == 0
    result = mem("search", "xyzzy", "--ids")
    assert (result.code, result.out) == (1, "")


def test_did_you_mean(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    # Issue 13: a plain word no memory has reaches its near misses itself...
    assert search_ids(mem, "postgrseql") == search_ids(mem, "postgresql")
    # ... so "did you mean" is for strict words (required, quoted), and only when it helps.
    result = mem("search", '"postgrseql"')
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        "git-mem: warning: no memories match '\"postgrseql\"'; did you mean '\"postgresql\"'?\n"
    )
    result = mem("search", "+valkye", "cache")
    assert result.err == (
        "git-mem: warning: no memories match '+valkye cache'; did you mean '+valkey cache'?\n"
    )
    assert json.loads(mem("search", "--json", "+valkye").out)["suggestion"] == "+valkey"
    assert mem("search", "+valkey").code == 0


def test_errors(
    corpus: dict[str, str], mem: Callable[..., Any], tmp_path: Path, monkeypatch: Any
) -> None:
    result = mem("search", "pool", "--limit", "0")
    assert (result.code, result.out) == (2, "")
    assert result.err == "git-mem: error: --limit must be at least 1\n"
    assert mem("search", "pool", "--limit", "-3").code == 2
    result = mem("search", ":")
    assert (result.code, result.out) == (2, "")
    assert result.err == "git-mem: error: nothing to search for in ':': give at least one word\n"
    assert mem("search", "*").code == 2
    assert mem("search", "-", "--").code == 2
    result = mem("search")
    assert result.code == 2
    assert "the following arguments are required: query" in result.err
    result = mem("search", "pool", "--sort", "oldest")
    assert result.code == 2
    assert "invalid choice: 'oldest'" in result.err
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    monkeypatch.chdir(outside)
    result = mem("search", "pool")
    assert result.code == 128
    assert result.out == ""
    assert result.err.startswith("git-mem: error: not a git repository")


@pytest.mark.parametrize(
    "query",
    ['"unbalanced', ":colon", "tag:", "pool AND", "[pool TO", "pool -", '"pool', "pool)"],
)
def test_unparseable_queries_answer(
    corpus: dict[str, str], mem: Callable[..., Any], query: str
) -> None:
    result = mem("search", query)
    assert result.code in (0, 1)
    assert "error" not in result.err
    if "pool" in query:
        assert P2 in search_ids(mem, query)


# ----------------------------------------------------------------------------- ranking


def test_title_beats_body_and_tags_count(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    ranked = search_ids(mem, "postgresql")
    # Title matches (P1, the note), then the tag (P6), then the body (P2); P3 is deprecated.
    assert set(ranked[:2]) == {P1, corpus["note"]}
    assert ranked[2:] == [P6, P2]


def test_summary_is_searched(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    assert search_ids(mem, "licence") == [P5]
    assert search_ids(mem, "licences") == [P5]


def test_title_beats_body(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    g.write_record(repo, "facts/a.md", P1, title="Notes on the build", body="About kafka here.")
    g.write_record(repo, "facts/b.md", P2, title="Kafka retention", body="Seven days.")
    g.write_record(repo, "facts/c.md", P3, title="Queue", tags="[kafka]", body="Partitions.")
    assert search_ids(mem, "kafka") == [P2, P3, P1]


def test_stemming(corpus: dict[str, str], mem: Callable[..., Any], g: Any, repo: Path) -> None:
    g.write_record(repo, "facts/d.md", "bbbb00000007", title="Deployment runbook")
    # "Deployment" and the note's "Deployed": one stem.
    assert sorted(search_ids(mem, "deploying")) == sorted(["bbbb00000007", corpus["note"]])
    assert sorted(search_ids(mem, "deploys")) == sorted(["bbbb00000007", corpus["note"]])
    assert search_ids(mem, "migrations", "--all") == [P3]


def test_retired_hidden_unless_all_and_then_ranked_last(
    corpus: dict[str, str], mem: Callable[..., Any]
) -> None:
    # P4 (superseded by P5) has the strongest title match for "cache", P2 a weak body one.
    assert search_ids(mem, "cache") == [P5, P2]
    assert search_ids(mem, "cache", "--all") == [P5, P2, P4]
    assert search_ids(mem, "cache", "--all", "--limit", "2") == [P5, P2]
    assert search_ids(mem, "postgresql", "--all")[-1] == P3  # deprecated, last
    assert search_ids(mem, "crash") == []
    assert search_ids(mem, "crash", "--all") == [P3]
    assert search_ids(mem, "crash", "--status", "deprecated") == [P3]


def test_rejected_is_retired_too(repo: Path, mem: Callable[..., Any], g: Any) -> None:
    g.write_record(
        repo, "decisions/a.md", P1, type="decision", title="Use Mongo", status="rejected"
    )
    g.write_record(repo, "decisions/b.md", P2, type="decision", title="Skip it", body="mongo no")
    assert search_ids(mem, "mongo") == [P2]
    assert search_ids(mem, "mongo", "--all") == [P2, P1]


def test_status_field_is_the_effective_status(
    corpus: dict[str, str], mem: Callable[..., Any]
) -> None:
    # P4 says nothing about its status, but P5 supersedes it: it reads as superseded,
    # for the `status:` query field as for the --status flag.
    assert search_ids(mem, "cache", "--status", "superseded") == [P4]
    assert search_ids(mem, "status:superseded cache", "--all") == [P4]
    assert search_ids(mem, "status:active cache", "--all") == [P5, P2]
    assert search_ids(mem, "status:deprecated", "--all") == [P3]
    assert search_ids(mem, "status:accepted") == [P1]


# ----------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    "flags",
    [
        [],
        ["--all"],
        ["--type", "decision"],
        ["--type", "fact", "--type", "error"],
        ["--type", "error", "--all"],
        ["--tag", "database"],
        ["--tag", "Database"],
        ["--tag", "database", "--tag", "adr"],
        ["--tag", "postgresql"],
        ["--status", "accepted"],
        ["--status", "deprecated"],
        ["--status", "superseded"],
        ["--status", "active", "--status", "deprecated"],
        ["--author", "alice"],
        ["--author", "ALICE", "--all"],
        ["--author", "bob@example.com", "--author", "alice"],
        ["--source", "import"],
        ["--source", "cli"],
        ["--project", "Backend"],
        ["--project", "backend"],
        ["--since", "2020-02-01"],
        ["--until", "2020-02-15"],
        ["--since", "2020-02-01", "--until", "2020-05-31", "--all"],
        ["--since", "1 day ago"],
        ["--path", "src/db/schema.sql"],
        ["--path", "src/db"],
        ["--path", "src/db/migrate.py", "--all"],
        ["--path", "docs/"],
        ["--commit", "HEAD"],
        ["--type", "decision", "--tag", "cache", "--all"],
    ],
    ids=lambda flags: " ".join(flags) or "none",
)
def test_filters_are_exactly_lists(
    corpus: dict[str, str], mem: Callable[..., Any], flags: list[str]
) -> None:
    # Every record says "common": search and list must pick the same records.
    assert sorted(search_ids(mem, "common", *flags)) == sorted(list_ids(mem, *flags))


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--type", "decision"], [P1]),
        (["--tag", "database"], [P1]),
        (["--author", "bob"], [P2]),
        (["--source", "import"], [P2]),
        (["--project", "Backend"], [P1]),
        (["--path", "src/db"], [P1]),
        (["--since", "2020-02-01"], ["note", P6, P2]),
        (["--until", "2020-01-31"], [P1]),
        (["--commit", "HEAD"], ["note", P6]),
        (["--status", "deprecated"], [P3]),
        (["--all"], ["note", P6, P2, P1, P3]),  # retired last, even sorted by date
    ],
)
def test_filters_with_words(
    corpus: dict[str, str], mem: Callable[..., Any], flags: list[str], expected: list[str]
) -> None:
    expected = [corpus["note"] if x == "note" else x for x in expected]
    assert search_ids(mem, "postgresql", "--sort", "newest", *flags) == expected


def test_commit_filter_by_abbreviated_sha(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    head = corpus["head"]
    assert sorted(search_ids(mem, "common", "--commit", head[:8])) == sorted([corpus["note"], P6])
    result = mem("search", "common", "--commit", "nope")
    assert result.code == 2
    assert result.err == "git-mem: error: cannot resolve 'nope' to a commit\n"


def test_bad_date(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    result = mem("search", "common", "--since", "last tuesday")
    assert result.code == 2
    assert result.err.startswith("git-mem: error: cannot read 'last tuesday' as a date")


# ----------------------------------------------------------------------------- files and notes


def test_files_and_notes_and_hand_written_notes_are_searchable(
    repo: Path, mem: Callable[..., Any], g: Any
) -> None:
    file_id = mem("save", "-m", "Rotate the signing keys yearly").saved_id
    note_id = mem("save", "--commit", "HEAD", "-m", "Signing keys rotated today").saved_id
    g.run("notes", "--ref=mem", "append", "-m", "keys checked by hand", "HEAD")
    found = json.loads(mem("search", "--json", "keys").out)["hits"]
    by_id = {hit["id"]: hit for hit in found}
    assert len(found) == 3
    assert by_id[file_id]["location"].startswith(".memory/facts/")
    assert by_id[note_id]["location"] == "note:" + g.run("rev-parse", "HEAD").strip()
    (by_hand,) = [hit for hit in found if hit["id"] not in (file_id, note_id)]
    assert (by_hand["type"], by_hand["title"]) == ("episodic", "keys checked by hand")


def test_search_end_to_end(repo: Path, g: Any) -> None:
    assert g.git_mem("save", "-m", "Flaky test in CI", cwd=repo).returncode == 0
    proc = g.git_mem("search", "flaky", cwd=repo)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert " fact       Flaky test in CI  .memory/facts/" in proc.stdout
    assert proc.stdout.endswith("\n    Flaky test in CI\n")
    proc = g.git_mem("search", "flakey", cwd=repo)
    assert (proc.returncode, proc.stdout) == (1, "")
    assert proc.stderr == "git-mem: warning: no memories match 'flakey'; did you mean 'flaky'?\n"


def test_search_in_a_bare_clone_and_inside_the_git_dir(
    repo: Path, tmp_path: Path, mem: Callable[..., Any], g: Any, monkeypatch: Any
) -> None:
    note = mem("save", "--commit", "HEAD", "-m", "Zebra crossing note").saved_id
    mem("save", "-m", "Zebra file record")
    assert len(search_ids(mem, "zebra")) == 2
    monkeypatch.chdir(repo / ".git")
    assert search_ids(mem, "zebra") == [note]  # no work tree from here: notes only
    monkeypatch.chdir(repo)
    assert len(search_ids(mem, "zebra")) == 2  # and the files are back
    bare = tmp_path / "bare.git"
    g.run("clone", "-q", "--bare", str(repo), str(bare))
    g.run("fetch", "-q", "origin", "refs/notes/*:refs/notes/*", cwd=bare)
    monkeypatch.chdir(bare)
    assert search_ids(mem, "zebra") == [note]  # notes only: no work tree


def test_minus_word_needs_no_quoting(corpus: dict[str, str], mem: Callable[..., Any]) -> None:
    # Any token that is not one of search's options is part of the query, `-word` included;
    # options may come before, between or after the words, abbreviated as argparse allows.
    assert search_ids(mem, "postgresql", "-migration", "--type", "error", "--all") == []
    assert search_ids(mem, "postgresql", "-jsonb", "--type", "decision") == []
    assert search_ids(mem, "--type=decision", "postgresql") == [P1]
    assert search_ids(mem, "postgresql", "--typ", "decision") == [P1]
    assert search_ids(mem, "-n1", "postgresql", "--type", "decision") == [P1]
    assert search_ids(mem, "cache", "-redis", "-valkey") == [P2]
    # After `--` everything is a word (here: an option name that matches nothing).
    result = mem("search", "--match", "all", "cache", "--", "--ids")
    assert (result.code, result.out) == (1, "")
    assert result.err.startswith("git-mem: warning: no memories match 'cache --ids'")
    missing = mem("search", "cache", "--type")
    assert missing.code == 2
    assert missing.err.endswith("git-mem: error: argument --type: expected one argument\n")
    assert missing.err.startswith("usage: git mem search ")


def test_did_you_mean_on_a_terminal_is_bold_not_escape_codes(repo, mem):
    assert mem("save", "-t", "fact", "-m", "Valkey replaces the cache").code == 0
    git_mem = str(Path(sys.executable).parent / "git-mem")
    proc, shown = on_terminal([git_mem, "search", "+valkye"], repo, stream="stderr")
    assert proc.returncode == 1
    assert shown.endswith("did you mean \x1b[1m'+valkey'\x1b[0m?\r\n")
