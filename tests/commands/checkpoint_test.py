"""`git mem checkpoint save | list | show | diff`: exact output, --json, and every refusal."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from gitmem.checkpoints import checkpoint
from gitmem.store import git

REF = "refs/gitmem/checkpoints/"


def at(minute: int) -> datetime:
    return datetime(2026, 11, 22, 1, minute, 0, tzinfo=UTC)


@pytest.fixture
def tree(repo):
    (repo / "a.txt").write_text("alpha beta\n")
    (repo / "b.md").write_text("one two three\n")
    (repo / "pic.bin").write_bytes(b"\x00\x01\x02\x03")
    return repo


@pytest.fixture
def history(tree, g):
    """wip~1 (draft), wip (review) after edits, and other; fixed timestamps."""
    repo = git.discover()
    first = checkpoint.save(
        repo, "wip", stage="draft", notes="first pass\nsecond line", done=["lexer"],
        todo=["parser", "docs"], metadata={"week": 3}, now=at(5),
    )  # fmt: skip
    (tree / "a.txt").write_text("alpha beta gamma delta\n")
    (tree / "b.md").unlink()
    (tree / "c.md").write_text("new file\n")
    (tree / "pic.bin").write_bytes(b"\x00\x01\x02\x03\x04\x05")
    second = checkpoint.save(repo, "wip", stage="review", now=at(9))
    other = checkpoint.save(repo, "other", context=".", now=at(7))
    return first, second, other


def test_save_prints_the_summary_and_writes_the_ref(tree, mem, g):
    index = (tree / ".git" / "index").read_bytes()
    head = g.run("rev-parse", "HEAD").strip()
    result = mem(
        "checkpoint", "save", "--name", "wip", "--stage", "draft", "--notes", "first pass",
        "--done", "lexer", "--todo", "parser", "--todo", "docs", "--metadata", '{"week": 3}',
    )  # fmt: skip
    assert result.code == 0, result.err
    assert result.err == ""
    commit = g.run("rev-parse", REF + "wip").strip()
    out = re.sub(r"@ \S+ \(", "@ TIME (", result.out)
    assert out == (
        f"saved checkpoint wip @ TIME (commit {commit[:12]})\n"
        "stage:    draft\n"
        "notes:    first pass\n"
        f"head:     {head[:12]}\n"
        "scope:    the whole working tree\n"
        'metadata: {"week": 3}\n'
        "progress: 1 done, 2 to do\n"
        "  [x] lexer\n"
        "  [ ] parser\n"
        "  [ ] docs\n"
        "totals:   4 files, 6 words, 35 B\n"
    )
    assert (tree / ".git" / "index").read_bytes() == index
    g.fsck(tree)


def test_save_json_is_the_metadata_with_the_commit(tree, mem, g):
    result = mem("checkpoint", "save", "--name", "j", "--files", "a.txt", "pic.bin", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["commit"] == g.run("rev-parse", REF + "j").strip()
    message = g.run("log", "-1", "--format=%B", REF + "j").split("\n", 2)[2]
    assert {k: v for k, v in data.items() if k != "commit"} == json.loads(message)
    assert data["scope"] == {"files": ["a.txt", "pic.bin"], "context": None}
    assert [(f["path"], f["words"]) for f in data["files"]] == [("a.txt", 2), ("pic.bin", None)]


def test_save_through_git_dispatch_from_a_subdirectory(tree, g):
    (tree / "sub").mkdir()
    (tree / "sub" / "x.txt").write_text("x\n")
    proc = g.git_mem("checkpoint", "save", "--name", "s", "--context", ".", cwd=tree / "sub")
    assert proc.returncode == 0, proc.stderr
    assert g.run("ls-tree", "-r", "--name-only", REF + "s").split() == ["sub/x.txt"]


@pytest.mark.parametrize(
    ("args", "code", "error"),
    [
        (["--name", "a b"], 2, "bad checkpoint name 'a b': a checkpoint name is 1-100 ASCII"),
        (["--name", "../x"], 2, "bad checkpoint name '../x'"),
        (["--name", "x", "--files", "/etc/hostname"], 2, "'/etc/hostname' is outside the repo"),
        (["--name", "x", "--metadata", "[1]"], 2, "--metadata must be a JSON object such as"),
        (["--name", "x", "--metadata", "{bad"], 2, "--metadata is not valid JSON (Expecting"),
        (["--name", "x", "--metadata", "null"], 2, "--metadata must be a JSON object such as "
         '\'{"k": 1}\', not a null'),
    ],
)  # fmt: skip
def test_save_refusals(tree, mem, g, args, code, error):
    result = mem("checkpoint", "save", *args)
    assert result.code == code
    assert result.out == ""
    assert result.err.startswith(f"git-mem: error: {error}"), result.err
    assert len(result.err.splitlines()) == 1
    assert g.run("for-each-ref", REF) == ""


def test_files_and_context_are_exclusive(tree, mem):
    result = mem("checkpoint", "save", "--name", "x", "--files", "a.txt", "--context", ".")
    assert result.code == 2
    assert "not allowed with argument" in result.err


def test_show_exact_output(history, mem):
    first, _, _ = history
    result = mem("checkpoint", "show", "wip~1")
    assert result.code == 0, result.err
    assert result.out == (
        f"checkpoint wip @ 2026-11-22T01:05:00+00:00 (commit {first.commit[:12]})\n"
        "stage:    draft\n"
        "notes:    first pass\nsecond line\n"
        f"head:     {first.head[:12]}\n"
        "scope:    the whole working tree\n"
        'metadata: {"week": 3}\n'
        "progress: 1 done, 2 to do\n"
        "  [x] lexer\n"
        "  [ ] parser\n"
        "  [ ] docs\n"
        "totals:   4 files, 6 words, 35 B\n"
        "        size    words  path\n"
        "         6 B        1  README\n"
        "        11 B        2  a.txt\n"
        "        14 B        3  b.md\n"
        "         4 B   binary  pic.bin\n"
    )
    assert mem("checkpoint", "show", "wip@2026-11-22T01:05").out == result.out
    data = json.loads(mem("checkpoint", "show", "wip~1", "--json").out)
    assert data == first.to_json()


def test_show_unknown_lists_what_exists(history, mem):
    result = mem("checkpoint", "show", "nope")
    assert (result.code, result.out) == (1, "")
    assert result.err == "git-mem: error: no checkpoint named 'nope'; checkpoints: other, wip\n"
    result = mem("checkpoint", "show", "wip@2025")
    assert result.code == 1
    assert result.err == (
        "git-mem: error: wip has no checkpoint at '2025'; it has: 2026-11-22T01:09:00+00:00, "
        "2026-11-22T01:05:00+00:00\n"
    )
    assert mem("checkpoint", "show", "wip~5").err == (
        "git-mem: error: wip has 2 checkpoints: wip~0 (newest) to wip~1\n"
    )


def test_list_exact_output(history, mem):
    result = mem("checkpoint", "list")
    assert result.code == 0, result.err
    assert result.out == (
        "wip  2 checkpoints\n"
        "  wip~0  2026-11-22T01:09:00+00:00  review    4 files       44 B\n"
        "  wip~1  2026-11-22T01:05:00+00:00  draft     4 files       35 B  first pass\n"
        "other  1 checkpoint\n"
        "  other~0  2026-11-22T01:07:00+00:00  -    4 files       44 B\n"
    )
    only = mem("checkpoint", "list", "--name", "other")
    assert (
        only.out
        == "other  1 checkpoint\n  other~0  2026-11-22T01:07:00+00:00  -    4 files       44 B\n"
    )


def test_list_json(history, mem):
    first, second, _ = history
    data = json.loads(mem("checkpoint", "list", "--json").out)
    assert data["count"] == 3
    assert [(n["name"], n["ref"]) for n in data["names"]] == [
        ("wip", REF + "wip"), ("other", REF + "other"),
    ]  # fmt: skip
    assert data["names"][0]["checkpoints"][1] == {
        "spec": "wip~1", "commit": first.commit, "timestamp": "2026-11-22T01:05:00+00:00",
        "stage": "draft", "notes": "first pass\nsecond line", "files": 4, "bytes": 35, "words": 6,
    }  # fmt: skip
    assert [c["commit"] for c in data["names"][0]["checkpoints"]] == [second.commit, first.commit]


def test_list_when_there_are_none(repo, mem):
    result = mem("checkpoint", "list")
    assert (result.code, result.out) == (1, "")
    assert (
        result.err
        == "git-mem: warning: no checkpoints yet: try git mem checkpoint save --name NAME\n"
    )
    assert json.loads(mem("checkpoint", "list", "--json").out) == {"count": 0, "names": []}
    assert mem("checkpoint", "list", "--name", "x").code == 1


def test_diff_exact_output(history, mem):
    first, second, _ = history
    result = mem("checkpoint", "diff", "wip~1", "wip")
    assert result.code == 0, result.err
    assert result.out == (
        f"from wip @ 2026-11-22T01:05:00+00:00 ({first.commit[:12]})\n"
        f"to   wip @ 2026-11-22T01:09:00+00:00 ({second.commit[:12]})\n"
        "M  a.txt  (+2 words, 11 B -> 23 B)\n"
        "D  b.md  (-3 words)\n"
        "A  c.md  (+2 words)\n"
        "M  pic.bin  (binary, 4 B -> 6 B)\n"
        "1 added, 1 removed, 2 changed, 1 unchanged; words +1\n"
    )


def test_diff_across_names_and_json(history, mem):
    first, _, other = history
    data = json.loads(mem("checkpoint", "diff", "wip@2026-11-22T01:05", "other", "--json").out)
    assert data["from"] == {
        "spec": "wip@2026-11-22T01:05", "name": "wip", "commit": first.commit,
        "timestamp": "2026-11-22T01:05:00+00:00",
    }  # fmt: skip
    assert data["to"]["commit"] == other.commit
    assert [(c["path"], c["status"], c["words_delta"]) for c in data["changes"]] == [
        ("a.txt", "changed", 2), ("b.md", "removed", -3), ("c.md", "added", 2),
        ("pic.bin", "changed", None),
    ]  # fmt: skip
    assert data["changes"][2]["before"] is None
    assert data["changes"][2]["after"]["words"] == 2
    assert (data["unchanged"], data["words_delta"]) == (1, 1)
    same = mem("checkpoint", "diff", "wip", "wip~0")
    assert same.out.endswith("0 added, 0 removed, 0 changed, 4 unchanged; words +0\n")


def test_diff_unknown_spec(history, mem):
    result = mem("checkpoint", "diff", "wip", "gone~2")
    assert result.code == 1
    assert result.err == "git-mem: error: no checkpoint named 'gone'; checkpoints: other, wip\n"


def test_checkpoint_needs_an_action(repo, mem):
    result = mem("checkpoint")
    assert result.code == 2
    assert "required: ACTION" in result.err


def test_bare_repository_reads_but_cannot_save(history, tmp_path, g, monkeypatch):
    bare = tmp_path / "bare.git"
    g.run("clone", "-q", "--bare", str(git.discover().work_tree), str(bare))
    g.run("fetch", "-q", str(git.discover().git_dir), "refs/gitmem/*:refs/gitmem/*", cwd=bare)
    monkeypatch.chdir(bare)
    shown = g.git_mem("checkpoint", "show", "wip~1", cwd=bare)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("checkpoint wip @ 2026-11-22T01:05:00+00:00")
    saved = g.git_mem("checkpoint", "save", "--name", "x", cwd=bare)
    assert saved.returncode == 128
    assert saved.stderr == (
        "git-mem: error: checkpoints need a work tree; run this inside one, not in a bare repo\n"
    )


def test_two_saves_in_one_second_get_distinct_ordered_timestamps(tree, mem, g):
    stamps = []
    for round in range(3):  # well within one second, usually within one
        (tree / "a.txt").write_text(f"round {round}\n")
        saved = mem("checkpoint", "save", "--name", "fast", "--json")
        assert saved.code == 0, saved.err
        stamps.append(json.loads(saved.out)["timestamp"])
    assert len(set(stamps)) == 3, stamps
    times = [datetime.fromisoformat(stamp) for stamp in stamps]
    assert times == sorted(times)
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?\+00:00", stamp), stamp
    listed = mem("checkpoint", "list", "--json").out
    assert [c["timestamp"] for c in json.loads(listed)["names"][0]["checkpoints"]] == stamps[::-1]
    # Each one can be named by its timestamp.
    for n, stamp in enumerate(stamps[::-1]):
        shown = mem("checkpoint", "show", f"fast@{stamp}", "--json")
        assert shown.code == 0, shown.err
        assert json.loads(shown.out)["commit"] == g.run("rev-parse", f"{REF}fast~{n}").strip()


def test_a_chain_saved_with_whole_seconds_still_reads_and_sorts(tree, mem):
    repo = git.discover()
    checkpoint.save(repo, "old", now=at(5))  # the format before milliseconds
    checkpoint.save(repo, "new", now=datetime(2026, 11, 22, 1, 5, 0, 250000, tzinfo=UTC))
    result = mem("checkpoint", "list", "--json")
    names = json.loads(result.out)["names"]
    assert [(n["name"], n["checkpoints"][0]["timestamp"]) for n in names] == [
        ("new", "2026-11-22T01:05:00.250+00:00"),
        ("old", "2026-11-22T01:05:00+00:00"),
    ]
    shown = mem("checkpoint", "show", "old@2026-11-22T01:05:00+00:00")
    assert shown.out.startswith("checkpoint old @ 2026-11-22T01:05:00+00:00 (commit ")


def test_a_save_never_goes_back_in_time(tree, mem):
    """The clock reads the same millisecond (or was set back): the new one still comes later."""
    ahead = datetime(2099, 1, 1, 0, 0, 0, tzinfo=UTC)
    checkpoint.save(git.discover(), "wip", now=ahead)
    saved = mem("checkpoint", "save", "--name", "wip", "--json")
    assert json.loads(saved.out)["timestamp"] == "2099-01-01T00:00:00.001+00:00"
